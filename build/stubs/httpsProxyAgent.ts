/**
 * Stands in for `https-proxy-agent` (with `agent-base`, ~7 KB) inside the bundle (see esbuild.js). The EQP client
 * sets axios's `proxy: false` and brings its own transport (src/eqp/transport.ts: loopback never proxied, NO_PROXY,
 * CONNECT for https), so axios's own proxy path never runs. Reaching this means that changed: fail loudly.
 */
import { stubReached } from './reached';

export default class HttpsProxyAgent {
  constructor() {
    stubReached('https-proxy-agent', "EQP Keys proxies through its own transport; axios's proxy agent was left out (proxy must stay false)");
  }
}
