/**
 * The one error type of the EQP client. Its message says what happened in words a person can act on, and
 * `hint` says what to do. It never holds a secret, a token, an Authorization header or a request body, and
 * it never keeps the underlying (axios) error as `cause`: that one carries the request config and headers.
 */

/**
 * `throttled`: no request was made because this extension's own limit refused it (a background caller of the token
 * service asked again too soon); `retryAfterSeconds` says when it may ask again, when it may at all.
 */
export type EqpErrorKind = 'http' | 'network' | 'timeout' | 'malformed' | 'config' | 'cancelled' | 'throttled';

export interface EqpErrorDetails {
  /** HTTP status, kind 'http'. */
  status?: number;
  /** The server's `code`. */
  code?: number | string;
  /** The server's `message`, already scrubbed of secrets. */
  serverMessage?: string;
  /** What a person can do about it; a sensible default per kind when left out. */
  hint?: string;
  /** From Retry-After on 429/503. */
  retryAfterSeconds?: number;
}

const DEFAULT_HINTS: Record<EqpErrorKind, string> = {
  http: 'If this keeps happening, check the EQP API URL settings and try again later.',
  network: 'Check your network connection, your proxy settings (http.proxy) and the EQP API URL settings.',
  timeout: 'The server or the network may be slow: try again later, and check your proxy settings (http.proxy).',
  malformed:
    'The server may not be the EQP API, or something in between (a proxy, a captive portal) changed the answer. ' +
    'Check the EQP API URL settings, then try again.',
  config: 'Fix the setting, then try again.',
  cancelled: 'Nothing was changed; run the command again when you are ready.',
  throttled: 'Get a session token yourself (click the EQP item in the status bar, or run "EQP: Get New Session Token"): that is not limited.',
};

export class EqpError extends Error {
  override readonly name = 'EqpError';
  readonly kind: EqpErrorKind;
  readonly status?: number;
  readonly code?: number | string;
  readonly serverMessage?: string;
  readonly hint: string;
  readonly retryAfterSeconds?: number;

  constructor(kind: EqpErrorKind, message: string, details: EqpErrorDetails = {}) {
    super(message);
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.serverMessage = details.serverMessage;
    this.hint = details.hint ?? DEFAULT_HINTS[kind];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** 401 or 403: the key (or token) was refused, as opposed to the server or the network failing. */
  get isAuthFailure(): boolean {
    return this.status === 401 || this.status === 403;
  }
}
