// Entry point that the extension host loads (extensionTestsPath): runs every *.test.js beside it with mocha
// inside the real VS Code, reports each test as a "[eqp-it]" console line (the test runner prints those) and
// writes {passed, failed} to EQP_TEST_RESULT_FILE.
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

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: prefixReporter as unknown as typeof Mocha.reporters.Base });
  const grep = process.env.EQP_IT_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
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
