/** Cancellation for the package steps (listing, scanning, zipping): one error type the VS Code side can tell apart. */

/** Thrown when an AbortSignal stops a step. `name` is `AbortError`, as in Node and fetch. */
export class SubmitCancelledError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'AbortError';
  }
}

export function isSubmitCancelled(error: unknown): error is SubmitCancelledError {
  return error instanceof SubmitCancelledError;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SubmitCancelledError();
}
