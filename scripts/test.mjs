// `npm test`: lint + type check, unit tests in plain Node, the integration suite inside a real VS Code
// (code-server) on the production build of the test entry (run/test-extension/: the shipped activate() plus test
// hooks, see esbuild.js), on VS Code 1.139 and again on 1.90 (the oldest `engines` claims), UI checks (the shipped
// development bundle, 1.139) driven through headless Chromium, and the .vsix installed as a user would, with the
// hook-free flows of test/integration/shipped.test.ts run against it. Ends with one line "N passed, N failed"
// and exits non-zero if anything failed. Leaves nothing running.
// Stages: lint unit integration integration-1.90 ui package (`npm test -- unit integration-1.90` runs two).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageSuite } from './lib/stage-suite.mjs';
import { ensureCodeServer, ensureSystemPackages, launchBrowser, launchCodeServer, log, workbenchUrl } from './lib/vscode-runtime.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN = path.join(ROOT, 'run');
/** The test entry's extension folder that `node esbuild.js` stages (esbuild.js TEST_EXTENSION); never shipped. */
const TEST_EXTENSION = path.join(RUN, 'test-extension');
/** The suite entry: every *.test.js beside it, or only those EQP_IT_FILES names (test/integration/index.ts). */
const SUITE = path.join(ROOT, 'out/test/integration/index');
/** The same suite copied into the test entry's folder (scripts/lib/stage-suite.mjs says why). */
const STAGED_SUITE = path.join(TEST_EXTENSION, 'out/test/integration/index');
/**
 * An empty extension: VS Code runs extensionTestsPath only when an extension is under development, so the
 * shipped-bundle suite names this one, and EQP Keys stays the copy installed from the .vsix.
 */
const TEST_HOST = path.join(ROOT, 'test', 'fixtures', 'test-host');
/** The EQP sandbox's throwaway https certificate for 127.0.0.1 (test/sandbox/tls.ts), trusted by the test processes. */
const LOOPBACK_CERT = path.join(ROOT, 'test', 'sandbox', 'tls', 'loopback.cert.pem');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));  // e.g. `npm test -- unit integration`
const want = (stage) => only.length === 0 || only.includes(stage);
const totals = { passed: 0, failed: 0 };
const stageResults = [];
const cleanups = [];

function step(name, cmd, args) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  const ok = r.status === 0;
  log(`${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  if (!ok) throw Object.assign(new Error(`${name} failed`), { stage: name });
}

function record(stage, summary, seconds) {
  totals.passed += summary.passed;
  totals.failed += summary.failed;
  stageResults.push(`${stage}: ${summary.passed} passed, ${summary.failed} failed (${seconds.toFixed(1)} s)`);
}

async function unit() {
  const t = Date.now();
  const resultFile = path.join(RUN, 'unit-result.json');
  fs.rmSync(resultFile, { force: true });
  // NODE_EXTRA_CA_CERTS: the https tests of the client trust the sandbox's throwaway loopback certificate.
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-mocha.mjs'), 'out/test/unit', resultFile], {
    cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: LOOPBACK_CERT },
  });
  const summary = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : { passed: 0, failed: 1 };
  record('unit', summary, (Date.now() - t) / 1000);
}

/** Runs the integration suite inside the extension host of VS Code 1.139 and 1.90, on the test entry's bundle. */
async function integration(cs, browser, stage = 'integration (VS Code 1.139)') {
  const t = Date.now();
  const summary = await runSuite(cs, browser, { extPath: TEST_EXTENSION, suite: STAGED_SUITE });
  record(stage, summary, (Date.now() - t) / 1000);
}

/**
 * Runs out/test/integration/index.js inside the extension host of `cs`; mocha reports through the page. `extPath`
 * is loaded as the extension under development (TEST_HOST when EQP Keys is the one installed in `cs`).
 * Returns {passed, failed}; a run that never reported counts as one failure.
 */
async function runSuite(cs, browser, { extPath, suite = SUITE, timeoutMs = Number(process.env.EQP_IT_TIMEOUT_MS || 600_000) }) {
  const resultFile = cs.resultFile;
  fs.rmSync(resultFile, { force: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // VS Code 1.90's web clipboard reads navigator.clipboard only (1.139 keeps what it wrote): let it.
  if (cs.runtime === '1.90') await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cs.base });
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  // The extension host's console (mocha's spec report) arrives here; keep our lines, drop the workbench's chatter.
  await page.exposeFunction('codeAutomationLog', (_type, args) => {
    const line = (args ?? []).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    if (/^\[eqp-it\]/.test(line) || process.env.EQP_TEST_VERBOSE) console.log(line.replace(/^\[eqp-it\] ?/, '  '));
  });
  await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath, testsPath: suite }));
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs).unref())]);
  await page.close();
  let summary = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined;
  if (!summary) summary = { passed: 0, failed: 1 };
  if (code === 'timeout') { log(`integration suite did not finish within ${timeoutMs / 1000} s`); summary.failed += 1; }
  else if (code !== 0 && summary.failed === 0) { log(`integration suite exited with ${code}`); summary.failed = 1; }
  return summary;
}

/**
 * Runs UI checks; each `check(name, fn, page?)` counts as one test, and a failure saves a screenshot of `page`
 * (when given) to shots/fail-<name>.png.
 */
async function uiChecks(shots, body) {
  fs.mkdirSync(shots, { recursive: true });
  const result = { passed: 0, failed: 0 };
  const check = async (name, fn, page) => {
    const t = Date.now();
    try {
      await fn();
      result.passed++;
      console.log(`  ✓ ui: ${name} (${Date.now() - t} ms)`);
    } catch (e) {
      result.failed++;
      console.log(`  ✗ ui: ${name}\n      ${String(e?.message ?? e).split('\n').slice(0, 6).join('\n      ')}`);
      await page?.screenshot({ path: path.join(shots, `fail-${name.replace(/\W+/g, '-').slice(0, 80)}.png`) }).catch(() => {});
    }
  };
  try {
    await body(check);
  } catch (e) {
    result.failed++;
    console.log(`  ✗ ui: set-up failed: ${e?.message ?? e}`);
  }
  return result;
}

async function ui(cs, browser) {
  const t = Date.now();
  const shots = path.join(RUN, 'shots');
  const { runUiChecks } = await import('../test/ui/smoke.mjs');
  const { runKeysUiChecks } = await import('../test/ui/keys-ui.mjs');
  const { runComposerUiChecks } = await import('../test/ui/composer-ui.mjs');
  const { runWalkthroughUiChecks } = await import('../test/ui/walkthrough-ui.mjs');
  const { runAuthUiChecks } = await import('../test/ui/auth-ui.mjs');
  const { runSubmissionsUiChecks } = await import('../test/ui/submissions-ui.mjs');
  // EQP_UI_ONLY=auth,keys runs only those check files (smoke, keys, composer, auth, submissions, walkthrough).
  const only = process.env.EQP_UI_ONLY?.split(',').map((s) => s.trim());
  const pick = (name) => !only || only.includes(name);
  const summary = await uiChecks(shots, async (check) => {
    if (pick('smoke')) await runUiChecks({ browser, cs, root: ROOT, shots, check });
    if (pick('keys')) await runKeysUiChecks({ browser, cs, root: ROOT, shots, check });
    // Another extension asks for a session: VS Code's consent dialog, the Accounts menu, Manage Trusted Extensions.
    if (pick('auth')) await runAuthUiChecks({ browser, cs, root: ROOT, shots, check });
    // In a Magento project folder of its own (composer.json, git), beside the shared workspace.
    if (pick('composer')) await runComposerUiChecks({ browser, cs, root: ROOT, shots, check });
    // In the submitted Magento module's folder: its code sniffer findings land on its files.
    if (pick('submissions')) await runSubmissionsUiChecks({ browser, cs, root: ROOT, shots, check });
    // Last: it opens the walkthrough in an editor, which later pages of the same workspace could restore.
    if (pick('walkthrough')) await runWalkthroughUiChecks({ browser, cs, root: ROOT, shots, check });
  });
  record('ui (workbench)', summary, (Date.now() - t) / 1000);
}

/** The workbench of `npm run demo`, started by the same function (no smoke-test driver, EQP Keys from a .vsix). */
async function demoUi(browser) {
  const t = Date.now();
  const shots = path.join(RUN, 'shots');
  const { runDemoUiChecks } = await import('../test/ui/demo-ui.mjs');
  const summary = await uiChecks(shots, (check) => runDemoUiChecks({ browser, root: ROOT, runDir: path.join(RUN, 'vscode-demo'), shots, check }));
  record('ui (demo workbench)', summary, (Date.now() - t) / 1000);
}

/**
 * `npm run package`, then the .vsix installed as a user would (code-server --install-extension) must work: its
 * view in the UI, and the key and token flows that need no test hook (test/integration/shipped.test.ts, alone)
 * run by mocha in that code-server's extension host against the installed, shipped bundle.
 */
async function packaged(browser) {
  const t = Date.now();
  const shots = path.join(RUN, 'shots');
  const { buildVsix } = await import('./package.mjs');
  let flows;  // the shipped-bundle suite's {passed, failed}, added to this stage's counts
  const summary = await uiChecks(shots, async (check) => {
    let vsix;
    await check('the .vsix holds only dist/extension.js, media/, package.json, README, CHANGELOG, LICENSE', async () => {
      const r = await buildVsix();
      console.log(`      ${r.entries.map((e) => e.name).join(', ')}`);
      if (r.unexpected.length) throw new Error(`unexpected in the .vsix: ${r.unexpected.map((e) => e.name).join(', ')}`);
      vsix = r.file;
    });
    if (!vsix) return;
    const resultFile = path.join(RUN, 'shipped-result.json');
    // EQP_IT_FILES: only the hook-free suite (the others need the test entry's hooks, which this bundle lacks).
    // NODE_EXTRA_CA_CERTS as for the integration stages (the suite's sandbox speaks plain http; harmless).
    const cs = await launchCodeServer({
      runDir: path.join(RUN, 'vscode-vsix'), installVsix: vsix, smokeTestDriver: true,
      env: { EQP_TEST_RESULT_FILE: resultFile, EQP_IT_FILES: 'shipped.test.js', NODE_EXTRA_CA_CERTS: LOOPBACK_CERT },
    });
    cs.resultFile = resultFile;
    cleanups.push(cs.stop);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await check('the installed .vsix (not the source folder) shows the EQP Keys view and its empty state', async () => {
        await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws }));
        await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
        await page.locator('.activitybar .action-item a[aria-label^="EQP Keys"], .activitybar .action-label[aria-label^="EQP Keys"]').first().click({ timeout: 60_000 });
        await page.locator('.pane:has(.pane-header:has-text("API Keys")) .welcome-view-content:has-text("No EQP API access keys yet")').waitFor({ timeout: 30_000 });
        const installed = fs.readdirSync(cs.dirs.ext).filter((d) => d.startsWith('eqp-keys.eqp-keys'));
        if (installed.length !== 1) throw new Error(`expected the extension in ${cs.dirs.ext}, found ${installed.join(', ') || 'nothing'}`);
        await page.screenshot({ path: path.join(shots, 'installed-vsix.png') });
      });
      await page.close();
      console.log('  shipped bundle (the installed .vsix, no test hooks): test/integration/shipped.test.ts');
      flows = await runSuite(cs, browser, { extPath: TEST_HOST, timeoutMs: 180_000 });
    } finally {
      await page.close();
      await cs.stop();
    }
  });
  if (flows) { summary.passed += flows.passed; summary.failed += flows.failed; }
  record('package (.vsix)', summary, (Date.now() - t) / 1000);
}

/**
 * The same integration suite on code-server 4.90.3 = VS Code 1.90, the oldest version `engines.vscode` claims, on
 * the production build of the test entry. Its own code-server, started after the 1.139 one has stopped (two cores).
 */
async function integrationOldest(browser) {
  const runDir = path.join(RUN, 'vscode-1.90');
  const resultFile = path.join(RUN, 'integration-1.90-result.json');
  // http.systemCertificates off: 1.90's proxy agent otherwise replaces Node's CA list (and NODE_EXTRA_CA_CERTS with
  // it) by the system's, so the sandbox's loopback certificate would not be trusted.
  const cs = await launchCodeServer({ runDir, runtime: '1.90', settings: { 'http.systemCertificates': false }, env: { EQP_TEST_RESULT_FILE: resultFile, EQP_TEST_USER_SETTINGS: path.join(runDir, 'ud', 'User', 'settings.json'), NODE_EXTRA_CA_CERTS: LOOPBACK_CERT } });
  cs.resultFile = resultFile;
  cs.runtime = '1.90';
  cleanups.push(cs.stop);
  step('build production bundle (esbuild --production)', process.execPath, ['esbuild.js', '--production']);
  try {
    await integration(cs, browser, 'integration (VS Code 1.90)');
  } finally {
    await cs.stop();
    step('build (esbuild, development)', process.execPath, ['esbuild.js']);
  }
}

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(RUN, { recursive: true });
  const want139 = want('integration') || want('ui') || want('package');
  const want190 = want('integration-1.90');
  const runtimes = [...(want139 ? ['1.139'] : []), ...(want190 ? ['1.90'] : [])];
  if (runtimes.length) { ensureSystemPackages({ runtimes }); for (const rt of runtimes) ensureCodeServer(rt); }
  step('build (esbuild)', process.execPath, ['esbuild.js']);
  step('compile tests (tsc, strict)', process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json']);
  if (want('integration') || want190) stageSuite(ROOT);
  if (want('lint')) {
    step('lint (eslint --max-warnings 0)', process.execPath, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '.', '--max-warnings', '0']);
    step('contributed commands = registered commands', process.execPath, ['scripts/check-commands.mjs']);
  }
  if (want('unit')) await unit();
  let shared;  // one headless Chromium for every stage that needs one
  const getBrowser = async () => {
    if (!shared) { const b = await launchBrowser(); shared = b; cleanups.push(() => b.close()); }
    return shared;
  };
  if (want139) {
    // the smoke-test driver: VS Code 1.139 loads the extension and its tests from the `payload` URL only with it
    // NODE_EXTRA_CA_CERTS: the extension host (a Node process code-server starts) trusts the sandbox's loopback
    // certificate, so the integration suite can send the extension's requests over https.
    // test/fixtures/auth-consumer: another extension that asks for an `eqp` session (test/ui/auth-ui.mjs).
    const cs = await launchCodeServer({ runDir: path.join(RUN, 'vscode'), smokeTestDriver: true, extensions: [path.join(ROOT, 'test', 'fixtures', 'auth-consumer')], env: { EQP_TEST_RESULT_FILE: path.join(RUN, 'integration-result.json'), EQP_TEST_USER_SETTINGS: path.join(RUN, 'vscode', 'ud', 'User', 'settings.json'), NODE_EXTRA_CA_CERTS: LOOPBACK_CERT } });
    cs.resultFile = path.join(RUN, 'integration-result.json');
    cleanups.push(cs.stop);
    const browser = await getBrowser();
    if (want('integration')) {
      // The suite runs on the production build of the test entry, the bundle users get plus hooks
      // (test/integration/bundle.test.ts checks both bundles); afterwards both hold the development build again
      // (source maps), for the ui stage and for debugging.
      step('build production bundle (esbuild --production)', process.execPath, ['esbuild.js', '--production']);
      try {
        await integration(cs, browser);
      } finally {
        step('build (esbuild, development)', process.execPath, ['esbuild.js']);
      }
    }
    if (want('ui')) await ui(cs, browser);
    await cs.stop();
  }
  if (want190) await integrationOldest(await getBrowser());
  if (want139) {
    const browser = await getBrowser();
    // its own code-server, started as `npm run demo` starts it (it packages a .vsix, then rebuilds dist/ for development)
    if (want('ui')) await demoUi(browser);
    // last: it rebuilds dist/ for production
    if (want('package')) await packaged(browser);
  }
  log(`total time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

async function cleanup() {
  while (cleanups.length) { try { await cleanups.pop()(); } catch { /* best effort */ } }
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { void cleanup().then(() => process.exit(130)); });

let crashed;
try { await main(); } catch (e) { crashed = e; }
await cleanup();
for (const line of stageResults) log(line);
if (crashed) { console.error(`[eqp-test] ${crashed.stage ? crashed.message : crashed.stack ?? crashed}`); totals.failed += 1; }
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
