/**
 * Stands in for axios's fetch adapter (`axios/lib/adapters/fetch.js`) inside the bundle (see esbuild.js). axios
 * tries its adapters in the order xhr, http, fetch and takes the first that works; in the extension host (Node)
 * that is always `http`, so `getFetch` is only called if someone sets `adapter: 'fetch'`. Leaving the real module
 * out saves about 11 KB. Reaching this means the client's transport changed: fail loudly.
 */
import { stubReached } from './reached';

export function getFetch(): never {
  stubReached('axios fetch adapter', "EQP Keys bundles only axios's Node http adapter; the fetch adapter was left out");
}
