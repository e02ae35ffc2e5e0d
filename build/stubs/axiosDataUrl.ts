/**
 * Stands in for axios's `data:` URL helpers (`helpers/fromDataURI.js`, `helpers/estimateDataURLDecodedBytes.js`)
 * inside the bundle (see esbuild.js). axios's http adapter calls them only when the request URL is a `data:` URL;
 * the EQP client requests only http(s) URLs that validateServiceUrl accepted. Saves about 2 KB. Reaching this means
 * someone sent the client somewhere it must not go: fail loudly.
 */
import { stubReached } from './reached';

function dataUrlUnsupported(): never {
  stubReached('axios data: URLs', 'EQP Keys does not request data: URLs; axios data: URL support was left out of the bundle');
}

export default dataUrlUnsupported;
export const estimateDataURLBufferAllocation = dataUrlUnsupported;
