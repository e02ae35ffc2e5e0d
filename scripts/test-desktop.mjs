// `npm run test:desktop`: the integration suite (out/test/integration/index.js) in desktop VS Code through
// @vscode/test-electron, on the test entry (run/test-extension/). It downloads VS Code (stable, or
// EQP_VSCODE_DESKTOP_VERSION, e.g. 1.90.2) into .vscode-test/, so it needs internet; offline it stops with one
// line. On Linux it needs a display (xvfb-run).
// Filter with EQP_IT_GREP="regex". Ends with "N passed, N failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { stageSuite } from './lib/stage-suite.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DIR = path.join(ROOT, 'run', 'vscode-desktop');
const LOOPBACK_CERT = path.join(ROOT, 'test', 'sandbox', 'tls', 'loopback.cert.pem');

const step = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) { console.error(`[eqp-test] ${args.join(' ')} failed`); process.exit(1); }
};
// first, so that offline it stops at once and leaves dist/ as it was
let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.EQP_VSCODE_DESKTOP_VERSION || 'stable');
} catch (e) {
  console.error(`desktop VS Code could not be downloaded (no internet?): ${String(e?.message ?? e).split('\n')[0]}`);
  process.exit(1);
}

step([path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json']);
// the suite runs on the production build of the test entry (run/test-extension/, staged by esbuild.js), as in
// `npm test` (test/integration/bundle.test.ts checks it, and that the shipped dist/extension.js has no hooks)
step(['esbuild.js', '--production']);
const { desktopRunOptions } = await import(path.join(ROOT, 'out', 'test', 'desktop', 'options.js'));
stageSuite(ROOT);

const opts = desktopRunOptions(ROOT, RUN_DIR, { grep: process.env.EQP_IT_GREP, extraCaCerts: LOOPBACK_CERT });
fs.rmSync(RUN_DIR, { recursive: true, force: true });
fs.mkdirSync(path.join(RUN_DIR, 'ws'), { recursive: true });
fs.mkdirSync(path.dirname(opts.extensionTestsEnv.EQP_TEST_USER_SETTINGS), { recursive: true });
fs.writeFileSync(opts.extensionTestsEnv.EQP_TEST_USER_SETTINGS, JSON.stringify(opts.userSettings, null, 2));
fs.writeFileSync(path.join(RUN_DIR, 'ws', 'README.md'), '# EQP Keys test workspace\n');

let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: opts.extensionDevelopmentPath,
    extensionTestsPath: opts.extensionTestsPath,
    launchArgs: opts.launchArgs,
    extensionTestsEnv: opts.extensionTestsEnv,
  });
} catch (e) {
  console.error(`[eqp-test] ${e?.message ?? e}`);
} finally {
  spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'inherit' });  // dist/ back to the development build
}
const summary = fs.existsSync(opts.resultFile) ? JSON.parse(fs.readFileSync(opts.resultFile, 'utf8')) : { passed: 0, failed: 1 };
if (code !== 0 && summary.failed === 0) summary.failed = 1;
console.log(`${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed > 0 || summary.passed === 0 ? 1 : 0);
