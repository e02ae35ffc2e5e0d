import { EqpError } from '../eqp/errors';
import { redact } from '../eqp/redact';

/** An error whose message is written for the person using the extension (bad input, a rule of the portal). */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** One sentence for a person: an EqpError's message and hint, anything else's message, redacted. */
export function describeError(e: unknown, secrets: Iterable<string> = []): string {
  if (e instanceof EqpError) return redact(e.hint ? `${e.message} ${e.hint}` : e.message, secrets);
  if (e instanceof Error) return redact(e.message, secrets);
  return redact(String(e), secrets);
}
