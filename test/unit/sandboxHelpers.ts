// Helpers for unit tests of the EQP sandbox server's own routes: a session token minted straight from it (plain fetch,
// the first key of the environment or a new one), and the shape of its error answers.
import * as assert from 'node:assert/strict';
import type { EqpSandbox, SandboxEnv } from '../sandbox/server';

export async function mintSandboxToken(sb: EqpSandbox, env: SandboxEnv, expiresIn?: number): Promise<string> {
  const key = sb.keys(env)[0] ?? sb.createKey(env, 'Tests');
  const res = await fetch(`${sb.apiUrl(env)}/rest/v1/app/session/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${key.applicationId}:${key.applicationSecret}`).toString('base64')}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(expiresIn === undefined ? { grant_type: 'session' } : { grant_type: 'session', expires_in: expiresIn }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { ust: string }).ust;
}

/** A sandbox error answer: the status, a JSON body with that `code` and a `message` (matching `pattern` if given). */
export function assertSandboxError(res: { status: number; body: unknown }, status: number, pattern?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const body = res.body as { code?: unknown; message?: unknown };
  assert.equal(body.code, status);
  assert.equal(typeof body.message, 'string');
  if (pattern) {
    assert.match(body.message as string, pattern);
  }
}
