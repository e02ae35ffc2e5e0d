/**
 * Reading what a person types or pastes for a key: its name, application ID and application secret.
 * Pure functions (no `vscode`), so every bad input has a unit test. Messages say what was expected and never
 * repeat a secret back.
 */

export const NAME_MAX_LENGTH = 64;

/** Zero-width and byte-order characters that ride along with text copied from web pages. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Trims white space (incl. non-breaking) and drops invisible characters; keeps everything else as typed. */
export function clean(raw: string): string {
  return raw.replace(INVISIBLE, '').replace(/\u00A0/g, ' ').trim();
}

/** The portal's application IDs look like `AQ17NZ49WC`; the format is not documented, so accept a sensible range. */
const APP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$/;
/** Secrets are shown as 40 hex characters; accept any printable ASCII without spaces of a sensible length. */
const SECRET = /^[\x21-\x7E]{16,256}$/;
const LOOKS_LIKE_HEX_SECRET = /^[0-9a-f]{32,}$/i;

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

export function checkName(raw: unknown, existingNames: readonly string[] = []): Check<string> {
  if (typeof raw !== 'string') return { ok: false, message: 'The key name must be text.' };
  const name = clean(raw).replace(/\s+/g, ' ');
  if (!name) return { ok: false, message: 'Give the key a name, e.g. "CI" or "Laptop".' };
  if (CONTROL.test(name)) return { ok: false, message: 'The key name cannot contain control characters.' };
  if ([...name].length > NAME_MAX_LENGTH) return { ok: false, message: `Keep the key name to ${NAME_MAX_LENGTH} characters or fewer.` };
  const lower = name.toLocaleLowerCase();
  if (existingNames.some((n) => n.toLocaleLowerCase() === lower)) {
    return { ok: false, message: `There is already a key named "${name}" in this environment. Choose another name.` };
  }
  return { ok: true, value: name };
}

export function checkApplicationId(raw: unknown): Check<string> {
  if (typeof raw !== 'string') return { ok: false, message: 'The application ID must be text.' };
  const id = clean(raw);
  if (!id) return { ok: false, message: 'Paste the application ID shown in the Developer Portal (e.g. AQ17NZ49WC).' };
  if (LOOKS_LIKE_HEX_SECRET.test(id)) {
    return { ok: false, message: 'That looks like the application secret, not the application ID. Paste the ID (e.g. AQ17NZ49WC) here; the secret comes next.' };
  }
  if (/\s/.test(id)) return { ok: false, message: 'An application ID has no spaces. Paste the ID alone, or the pair as "ID:secret".' };
  if (!APP_ID.test(id)) {
    return { ok: false, message: 'That is not an application ID: expected 4 to 64 letters and digits (e.g. AQ17NZ49WC), as shown in the Developer Portal.' };
  }
  return { ok: true, value: id };
}

export function checkSecret(raw: unknown): Check<string> {
  if (typeof raw !== 'string') return { ok: false, message: 'The application secret must be text.' };
  const secret = clean(raw);
  if (!secret) return { ok: false, message: 'Paste the application secret shown in the Developer Portal.' };
  if (/\s/.test(secret)) return { ok: false, message: 'An application secret has no spaces or line breaks. Paste the secret alone.' };
  if (!SECRET.test(secret)) {
    return { ok: false, message: 'That is not an application secret: expected 16 to 256 visible characters (the portal shows 40 hexadecimal characters).' };
  }
  return { ok: true, value: secret };
}

export interface Pair {
  applicationId: string;
  applicationSecret: string;
}

/**
 * The first box takes the ID alone, or the whole pair as `ID:secret`, `ID secret` or the two on separate lines.
 * Returns the ID (and the secret when a pair was pasted), or a message for a person.
 */
export function parseIdOrPair(raw: unknown): Check<{ applicationId: string; applicationSecret?: string }> {
  if (typeof raw !== 'string') return { ok: false, message: 'The application ID must be text.' };
  const text = clean(raw);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { ok: false, message: 'That looks like a web address. Paste the application ID (e.g. AQ17NZ49WC), or the pair as "ID:secret".' };
  }
  const parts = text.split(/\s*:\s*|\s+/).filter((p) => p.length > 0);
  if (parts.length <= 1) {
    const id = checkApplicationId(text);
    return id.ok ? { ok: true, value: { applicationId: id.value } } : id;
  }
  if (parts.length > 2) {
    return { ok: false, message: 'Paste the application ID alone, or the pair as "ID:secret" — this has more than two parts.' };
  }
  const [first, second] = parts as [string, string];
  const id = checkApplicationId(first);
  if (!id.ok) return id;
  const secret = checkSecret(second);
  if (!secret.ok) return { ok: false, message: `The ID looks right, but the second part is not a secret: ${secret.message}` };
  return { ok: true, value: { applicationId: id.value, applicationSecret: secret.value } };
}
