// A session token minted straight from the EQP sandbox server (plain fetch, the first key of the environment or a new
// one), for unit tests of the sandbox's own routes.
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
