/**
 * Stands in for axios's transfer progress and rate limiting (`helpers/progressEventReducer.js`,
 * `helpers/AxiosTransformStream.js`) inside the bundle (see esbuild.js). axios's http adapter uses them only when
 * a request sets onUploadProgress, onDownloadProgress, maxRate; the EQP client sets none (its bodies are a few
 * hundred bytes). Saves about 2.4 KB. Reaching this means someone added one of those options: fail loudly.
 */
import { stubReached } from './reached';

function progressUnsupported(): never {
  stubReached('axios progress and maxRate', 'EQP Keys left axios upload/download progress and maxRate out of the bundle');
}

export const progressEventReducer = progressUnsupported;
export const progressEventDecorator = progressUnsupported;
export const asyncDecorator = progressUnsupported;

export default class AxiosTransformStreamUnavailable {
  constructor() {
    progressUnsupported();
  }
}
