/**
 * Stands in for the `form-data` package inside the bundle (see esbuild.js). axios only reaches for it to send
 * multipart bodies; the EQP client sends JSON alone, so the real package (and its 200 KB mime database) would be
 * dead weight. Constructing it means someone started sending multipart data: fail loudly rather than silently.
 */
import { stubReached } from './reached';

export default class FormDataUnavailable {
  constructor() {
    stubReached('form-data', 'multipart/form-data is not supported by the EQP Keys bundle');
  }
}
