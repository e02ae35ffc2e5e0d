/**
 * What every throwing stub does when it is reached: record its name where the production-bundle test looks
 * (a list on `globalThis` under a registered symbol, so a caller that swallows the error cannot hide it), then
 * throw an error whose message starts with STUB_REACHED_MARKER. Reaching a stub means the client started using a
 * part of axios that esbuild.js left out of the bundle: a bug in the bundle, never a user error.
 */
export const STUB_REACHED_MARKER = 'EQP build stub reached';

/** The registered symbol the stubs record under; test/integration reads the same one with Symbol.for. */
export const STUBS_REACHED_KEY = Symbol.for('eqp-keys.buildStubsReached');

export function stubReached(name: string, why: string): never {
  const holder = globalThis as { [STUBS_REACHED_KEY]?: string[] };
  (holder[STUBS_REACHED_KEY] ??= []).push(name);
  throw new Error(`${STUB_REACHED_MARKER}: ${name}. ${why} (see esbuild.js)`);
}
