/**
 * Scrubs credentials out of text that is about to be shown or logged (server messages, log lines).
 * Known secrets are replaced literally; credentials we do not know by value are found by their shape.
 */

export const REDACTED = '‹redacted›';

/** Shorter strings are too likely to occur by chance ("id", "ok") to be replaced everywhere. */
const MIN_SECRET_LENGTH = 4;

/** `Authorization: <anything up to the end of the value>`, as a header line or a JSON/JS property. */
const AUTHORIZATION_VALUE = /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^\r\n"',}]+/gi;

/**
 * `Basic <token68>` / `Bearer <token68>` (RFC 7235 token68 characters). A plain word (letters only, at most
 * the first one a capital, as in "Basic authentication failed") is left alone: real credentials (base64 of
 * `id:secret`, session tokens) are not shaped like that, and redacting the word would garble server messages.
 */
const SCHEME_CREDENTIAL = /\b(Basic|Bearer)(\s+)([A-Za-z0-9\-._~+/]+=*)/gi;

/** JSON fields whose value is a credential: `"ust":"…"` (session token) and friends. */
const CREDENTIAL_FIELD =
  /("(?:ust|access_token|refresh_token|token|password_key|password|application_secret|client_secret|secret)"\s*:\s*")(?:[^"\\]|\\.)*(")/gi;

/** `ust=…` in a query string or form body. */
const CREDENTIAL_PARAM = /([?&;\s]ust=)[^&#\s"']+/gi;

/** Replaces every occurrence of each secret (length >= 4) and any `Basic …` / `Bearer …` credential with `‹redacted›`. */
export function redact(text: string, secrets?: Iterable<string>): string {
  let out = text;
  if (secrets) {
    // Longest first, so a secret that contains another one is removed whole.
    const known = [...new Set(secrets)]
      .filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
      .flatMap((s) => {
        const encoded = encodeURIComponent(s);
        return encoded === s ? [s] : [s, encoded];
      })
      .sort((a, b) => b.length - a.length);
    for (const secret of known) {
      out = out.split(secret).join(REDACTED);
    }
  }
  out = out.replace(AUTHORIZATION_VALUE, `$1${REDACTED}`);
  out = out.replace(SCHEME_CREDENTIAL, (whole, scheme: string, space: string, token: string) =>
    /^[A-Za-z][a-z]*$/.test(token) ? whole : `${scheme}${space}${REDACTED}`,
  );
  out = out.replace(CREDENTIAL_FIELD, `$1${REDACTED}$2`);
  out = out.replace(CREDENTIAL_PARAM, `$1${REDACTED}`);
  return out;
}

/**
 * The redaction list: every secret and token the extension has seen, by value. One list, one name: the log,
 * errors shown or thrown and what a server says back are all scrubbed against it (`redact(text, list.values())`).
 */
export class RedactionList {
  private readonly known = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const v of initial) this.add(v);
  }

  /** Adds a value that must never appear verbatim (an application secret, a session token). */
  add(value: string | undefined): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.known.add(value);
  }

  values(): Iterable<string> {
    return this.known;
  }
}
