// What the EQP client's tests assert of its errors: the kind, a message and a hint, and no secret anywhere.
import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { EqpError, type EqpErrorKind } from '../../src/eqp';

/** Every error must be free of these: the secret, the Basic credential, any token seen in the test. */
export function assertNoSecrets(err: EqpError, secrets: readonly string[]): void {
  const views: string[] = [err.message, err.hint, err.serverMessage ?? '', err.stack ?? '', inspect(err, { depth: 10 })];
  // The error and its whole cause chain, as JSON, with the non-enumerable message/stack included too.
  for (let link: unknown = err; link !== undefined && link !== null; link = (link as { cause?: unknown }).cause) {
    views.push(JSON.stringify(link));
    if (typeof link === 'object') {
      views.push(JSON.stringify(link, Object.getOwnPropertyNames(link)));
    }
  }
  for (const secret of secrets) {
    for (const view of views) {
      assert.ok(!view.includes(secret), `an error view contains a secret: ${view}`);
    }
  }
  assert.equal(err.cause, undefined, 'no cause is kept (an axios error would carry the request headers)');
}

export async function rejectsWith(promise: Promise<unknown>, kind: EqpErrorKind, secrets: readonly string[]): Promise<EqpError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof EqpError, `expected an EqpError, got ${inspect(e)}`);
    assert.equal(e.kind, kind, `kind of: ${e.message}`);
    assert.ok(e.message.length > 0 && e.hint.length > 0);
    assertNoSecrets(e, secrets);
    return e;
  }
  return assert.fail(`expected an EqpError of kind ${kind}, but the call succeeded`);
}
