// The integration suite must run from inside the extension folder VS Code loads (run/test-extension/, the test
// entry): the extension host gives a module the `vscode` API object of the extension whose folder holds it, and
// the suite answers the extension's prompts by replacing functions on that very object (test/integration/
// helpers.ts ScriptedUi). So the compiled tests (out/) are copied into the test entry's folder; dependencies
// (mocha, ...) still resolve from the repository's node_modules, one level up from run/.
import fs from 'node:fs';
import path from 'node:path';

/** Copies `root`/out into run/test-extension/out (replacing an older copy); returns the staged suite entry. */
export function stageSuite(root) {
  const staged = path.join(root, 'run', 'test-extension', 'out');
  fs.rmSync(staged, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'out'), staged, { recursive: true });
  return path.join(staged, 'test', 'integration', 'index');
}
