// Runs every *.test.js under a folder with mocha in plain Node and writes {passed, failed} to a file.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

const [dir, resultFile] = process.argv.slice(2);
const files = [];
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith('.test.js')) files.push(p); } };
walk(dir);
const mocha = new Mocha({ ui: 'bdd', timeout: 20000, reporter: 'spec', color: false });
for (const f of files.sort()) mocha.addFile(path.resolve(f));
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  fs.writeFileSync(resultFile, JSON.stringify({ passed: runner.stats?.passes ?? 0, failed: failures }));
  process.exitCode = failures > 0 ? 1 : 0;
});
