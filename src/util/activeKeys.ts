import { ENVIRONMENT_IDS, type EnvironmentId } from '../eqp/environments';

/** The environments' active API access keys, as the key store tells them. */
export interface ActiveKeySource {
  /** The environment's active API access key; undefined: none. */
  activeKeyId(env: EnvironmentId): string | undefined;
  readonly onDidChange: (listener: () => void) => { dispose(): void };
}

/**
 * Calls `reset(env)` when an environment's active key changes (another key may be another account, whose lists
 * are read again when shown), then `changed()` on every change of the keys. For the views that list what an
 * account has (Composer keys, submissions).
 */
export function onActiveKeyChange(source: ActiveKeySource, reset: (env: EnvironmentId) => void, changed: () => void): { dispose(): void } {
  const seen = new Map(ENVIRONMENT_IDS.map((e) => [e, source.activeKeyId(e)]));
  return source.onDidChange(() => {
    for (const env of ENVIRONMENT_IDS) {
      const now = source.activeKeyId(env);
      if (seen.get(env) !== now) reset(env);
      seen.set(env, now);
    }
    changed();
  });
}
