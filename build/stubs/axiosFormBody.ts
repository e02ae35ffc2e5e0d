/**
 * Stands in for axios's object-to-form and form-to-JSON serialisers (`helpers/toFormData.js`,
 * `helpers/formDataToJSON.js`) inside the bundle (see esbuild.js). axios reaches them for url-encoded bodies, plain
 * objects or FileLists sent as multipart, a FormData sent with a JSON content type, and the `params` option. The EQP
 * client sends a plain object as JSON, or a FormData it built itself with a multipart content type (streamed by
 * axios's formDataToStream and readBlob, which stay in the bundle), and puts its one query string in the URL itself.
 * Saves about 4 KB. Reaching this means the client started sending another kind of body: fail loudly.
 */
import { stubReached } from './reached';

function formBodyUnsupported(): never {
  stubReached(
    'axios form bodies and params',
    'EQP Keys sends JSON or a FormData it builds itself; axios object-to-form, form-to-JSON and params serialisers were left out of the bundle',
  );
}

export default formBodyUnsupported;
