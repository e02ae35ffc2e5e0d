/**
 * Stands in for `supports-color` inside the bundle (see esbuild.js). Its only importer, `debug` (pulled in by
 * axios's https-proxy-agent), treats it as an optional peer: it requires it inside try/catch, only to choose 256
 * colours for DEBUG= output on a terminal, which the extension host does not have. Throwing here is exactly what
 * debug sees when the package is not installed. Saves about 2 KB.
 */
throw new Error('supports-color is not bundled with EQP Keys');
