// Errors shared by the sandbox server (server.ts) and its submissions part (submissions.ts).

/** What the portal would refuse (4th key, duplicate or empty name, not eligible, unknown key). */
export class SandboxRuleError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'SandboxRuleError';
    this.status = status;
  }
}

/** Thrown inside a handler to answer a JSON error `{code, message}`. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}
