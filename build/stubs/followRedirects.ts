/**
 * Stands in for `follow-redirects` inside the bundle (see esbuild.js). The EQP client sets `maxRedirects: 0`
 * (credentials are never re-sent to wherever a redirect points), so axios uses Node's own http/https and never
 * this module; dropping it and its `debug` dependency saves about 18 KB. Using it means someone turned
 * redirects back on: fail loudly.
 */
import { stubReached } from './reached';

function unavailable(): never {
  stubReached('follow-redirects', 'EQP Keys does not follow redirects (maxRedirects must stay 0)');
}
const transport = { request: unavailable, get: unavailable };
export default { http: transport, https: transport };
