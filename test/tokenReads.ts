// How the tests read the token service's picture: await what is stored, then the synchronous state().
import type { EnvironmentId } from '../src/eqp/environments';
import type { CachedToken, TokenService } from '../src/tokens/tokenService';

/** The active key's cached token while it has not expired, after reading what is stored (the old `peek`). */
export async function peek(tokens: TokenService, env: EnvironmentId): Promise<CachedToken | undefined> {
  const id = tokens.state(env).key?.keyId;
  if (id !== undefined) await tokens.load([id]);
  const s = tokens.state(env);
  return s.live ? s.token : undefined;
}

/** The active key's cached token when getToken would hand it out without a request. */
export async function fresh(tokens: TokenService, env: EnvironmentId): Promise<CachedToken | undefined> {
  const id = tokens.state(env).key?.keyId;
  if (id !== undefined) await tokens.load([id]);
  const s = tokens.state(env);
  return s.fresh ? s.token : undefined;
}

/** A key's cached token, expired or not, after reading what is stored. */
export async function cachedFor(tokens: TokenService, keyId: string): Promise<CachedToken | undefined> {
  return (await tokens.load([keyId]))[0];
}
