// Entry point that the extension host loads (extensionTestsPath): runs the *.test.js files beside it with mocha
// inside the real VS Code, reports each test as a "[eqp-it]" console line (the test runner prints those) and
// writes {passed, failed} to EQP_TEST_RESULT_FILE.
//
// Which files: EQP_IT_FILES (comma-separated file names, e.g. "shipped.test.js") if set, else every one but
// SHIPPED_ONLY. Those run against the installed .vsix (the package stage of `npm test`), whose bundle has no test
// hooks; the rest need the test entry's hooks (run/test-extension/, see esbuild.js). EQP_IT_GREP filters by title.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function prefixReporter(runner: Mocha.Runner): void {
  const out = (line: string): void => console.log(`[eqp-it] ${line}`);
  runner.on('suite', (s) => { if (s.title) out(`${'  '.repeat(depth(s))}${s.title}`); });
  runner.on('pass', (t) => out(`${'  '.repeat(depth(t.parent))}  ✓ ${t.title} (${t.duration ?? 0} ms)`));
  runner.on('fail', (t, err: Error) => {
    out(`${'  '.repeat(depth(t.parent))}  ✗ ${t.title}`);
    out(`      ${String(err?.stack ?? err).split('\n').slice(0, 8).join('\n      ')}`);
  });
  runner.on('pending', (t) => out(`${'  '.repeat(depth(t.parent))}  - ${t.title} (pending)`));
}
function depth(s: Mocha.Suite | undefined): number {
  let n = 0;
  for (let p = s?.parent; p; p = p.parent) n++;
  return Math.max(0, n - 1);
}

/** Suites for the shipped bundle only (they check it has no hooks): run when EQP_IT_FILES names them. */
const SHIPPED_ONLY = ['shipped.test.js'];

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: prefixReporter as unknown as typeof Mocha.reporters.Base });
  const grep = process.env.EQP_IT_GREP;
  if (grep) mocha.grep(grep);
  const named = process.env.EQP_IT_FILES?.split(',').map((f) => f.trim()).filter(Boolean);
  const files = fs.readdirSync(__dirname).sort().filter((f) => f.endsWith('.test.js') && (named ? named.includes(f) : !SHIPPED_ONLY.includes(f)));
  if (named) for (const f of named) if (!files.includes(f)) throw new Error(`EQP_IT_FILES names ${f}, which is not in ${__dirname}`);
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const summary = { passed: runner.stats?.passes ?? 0, failed: failures };
      console.log(`[eqp-it] ${summary.passed} passing, ${summary.failed} failing`);
      if (process.env.EQP_TEST_RESULT_FILE) fs.writeFileSync(process.env.EQP_TEST_RESULT_FILE, JSON.stringify(summary));
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
  });
}
