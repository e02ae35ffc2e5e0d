// The repository's root, from wherever the compiled tests run: out/test/... in the repository, or the copy of
// out/ that `npm test` stages inside the test entry's extension folder (run/test-extension/out/..., so that the
// suite gets the extension's own `vscode` API object). The root is the first folder up holding esbuild.js.
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'esbuild.js')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root (a folder with esbuild.js) above ${from}`);
  }
}

export const REPO_ROOT = findRoot(__dirname);
