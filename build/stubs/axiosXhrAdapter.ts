/**
 * Stands in for axios's XMLHttpRequest adapter (`axios/lib/adapters/xhr.js`) inside the bundle (see esbuild.js).
 * The real module exports `false` wherever `XMLHttpRequest` is undefined, as in the extension host (Node); this
 * stub exports the same `false` without the ~3 KB of browser code. axios skips it, and throws "adapter xhr is not
 * supported by the environment" if someone asks for `adapter: 'xhr'`.
 */
const xhrAdapter = false as const;
export default xhrAdapter;
