/**
 * Stands in for `proxy-from-env` inside the bundle (see esbuild.js): axios asks it only when its `proxy` option is
 * not `false`, and the EQP client always sets `false` (src/eqp/transport.ts chooses proxies). Fail loudly if reached.
 */
import { stubReached } from './reached';

export function getProxyForUrl(): never {
  stubReached('proxy-from-env', "EQP Keys chooses proxies in its own transport; axios's environment proxy lookup was left out (proxy must stay false)");
}

/** axios's NO_PROXY matcher (`helpers/shouldBypassProxy.js`, ~5 KB), asked right after getProxyForUrl only. */
export default function shouldBypassProxy(): never {
  stubReached('axios shouldBypassProxy', "EQP Keys applies NO_PROXY in its own transport; axios's matcher was left out (proxy must stay false)");
}
