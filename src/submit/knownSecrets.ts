// Every credential EQP Keys can see, for the pre-flight's secret scan: no uploaded file may hold one.
import { environmentInfo } from '../eqp/environments';
import type { KeyStore } from '../keys/keyStore';
import type { TokenService } from '../tokens/tokenService';
import type { KnownSecret } from './types';

export interface SecretSources {
  store: Pick<KeyStore, 'list' | 'secret'>;
  tokens: Pick<TokenService, 'load'>;
  /** What the redacting logger has seen this session (tokens, Composer keys' private halves, secrets). */
  seen: { values(): Iterable<string> };
}

export async function knownSecrets(src: SecretSources): Promise<KnownSecret[]> {
  const out = new Map<string, KnownSecret>();
  const keys = src.store.list();
  for (const key of keys) {
    const value = await src.store.secret(key.id).catch(() => undefined);
    if (value) out.set(value, { value, what: `the application secret of the ${environmentInfo(key.environment).label} API access key "${key.name}"` });
  }
  const cached = await src.tokens.load(keys.map((k) => k.id)).catch(() => []);
  for (const t of cached) {
    if (t && !out.has(t.token)) out.set(t.token, { value: t.token, what: `a session token of the ${environmentInfo(t.environment).label} API access key "${t.keyName}"` });
  }
  for (const value of src.seen.values()) {
    if (!out.has(value)) out.set(value, { value, what: 'a credential EQP Keys knows (a session token, an application secret or a Composer key)' });
  }
  return [...out.values()];
}
