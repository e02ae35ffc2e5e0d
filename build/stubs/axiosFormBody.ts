/**
 * Stands in for axios's FormData, Blob and query-parameter serialisers (`helpers/toFormData.js`,
 * `helpers/formDataToJSON.js`, `helpers/formDataToStream.js`, `helpers/readBlob.js`) inside the bundle (see
 * esbuild.js). axios reaches them for multipart or url-encoded bodies, FormData, Blob or FileList data, and the
 * `params` option; the EQP client sends a plain object as JSON (or nothing) and puts its one query string in the
 * URL itself. Saves about 5 KB. Reaching this means the client started sending another kind of body: fail loudly.
 */
import { stubReached } from './reached';

function formBodyUnsupported(): never {
  stubReached('axios form bodies and params', 'EQP Keys sends JSON only; axios FormData/Blob/params serialisers were left out of the bundle');
}

export default formBodyUnsupported;
