// In-memory stand-ins for the key store and SecretStorage, for benchmarks of the token service and what builds on
// it: the figures are the code's own cost, not the keychain's.

/** A key source with one active key in `env`. */
export function memoryKeySource(key, env = 'production') {
  const ref = { keyId: 'bench-key', environment: env, name: 'Bench', applicationId: key.applicationId };
  return {
    activeKeyRef: () => ref,
    activeKey: async () => ({ ...ref, ...key }),
    markRejected: async () => {},
    markVerified: async () => {},
  };
}

/** A secret cache in a Map. */
export function memorySecretCache() {
  const map = new Map();
  return {
    get: async (k) => map.get(k),
    store: async (k, v) => { map.set(k, v); },
    delete: async (k) => { map.delete(k); },
  };
}
