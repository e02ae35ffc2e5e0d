// Activation figures of `npm run bench`: one code-server (VS Code 1.139, Node extension host) serves every run;
// each run is a fresh browser context and workbench page, hence a fresh extension host, that loads one
// extension in development mode plus bench/activation/entry.ts as its extensionTestsPath. The entry times
// `vscode.extensions.getExtension(id).activate()` from inside the extension host and writes a result file.
// EQP Keys and the hello fixture alternate (ABBA order), so drift over the runs hits both alike.
import fs from 'node:fs';
import path from 'node:path';
import { ensureCodeServer, ensureSystemPackages, launchBrowser, launchCodeServer } from '../../scripts/lib/vscode-runtime.mjs';

export const EQP_ID = 'eqp-keys.eqp-keys';
export const HELLO_ID = 'eqp-bench.bench-hello';
export const PROBE_ID = 'eqp-bench.bench-secrets-probe';
/** How long the check keeps counting after activate() returned. */
export const CHECK_AFTER_MS = 1000;

/**
 * Copies what the .vsix would hold of EQP Keys (package.json, the production bundle `bundleFile` as
 * dist/extension.js, media/) into `dir`/eqp-keys, so a rebuild of dist/ during the bench cannot interfere, and the
 * SecretStorage probe beside it: a development path that is a folder of extensions loads them all (the `payload`
 * URL parameter keeps only one extensionDevelopmentPath).
 */
export function snapshotExtensions(root, dir, bundleFile) {
  fs.rmSync(dir, { recursive: true, force: true });
  const eqp = path.join(dir, 'eqp-keys');
  fs.mkdirSync(path.join(eqp, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(eqp, 'package.json'));
  fs.copyFileSync(bundleFile, path.join(eqp, 'dist', 'extension.js'));
  if (fs.existsSync(path.join(root, 'media'))) fs.cpSync(path.join(root, 'media'), path.join(eqp, 'media'), { recursive: true });
  fs.cpSync(path.join(root, 'bench', 'fixtures', 'secrets-probe'), path.join(dir, 'secrets-probe'), { recursive: true });
  return { eqpPath: eqp, eqpWithProbePath: dir };
}

function workbenchUrl(base, ws, extPaths, testsPath) {
  const authority = new URL(base).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [...extPaths.map((p) => ['extensionDevelopmentPath', remote(p)]), ['extensionTestsPath', remote(testsPath)]];
  return `${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * @param {object} o
 * @param {string} o.root        the repository
 * @param {string} o.workDir     scratch folder (bench/.work/activation)
 * @param {{eqpPath: string, eqpWithProbePath: string}} o.snapshot  see snapshotExtensions
 * @param {object} o.sandbox     a started EqpSandbox (out/test/sandbox/server.js)
 * @param {number} o.runs        runs per extension
 * @param {number} o.settleMs    quiet time in the extension host before measuring
 * @param {boolean} [o.profile]  one more EQP Keys run under the V8 profiler (not counted)
 * @param {(msg: string) => void} o.log
 */
export async function measureActivation({ root, workDir, snapshot, sandbox, runs, settleMs, profile = false, log }) {
  const helloPath = path.join(root, 'bench', 'fixtures', 'hello');
  const { eqpPath, eqpWithProbePath } = snapshot;
  const testsPath = path.join(root, 'out', 'bench', 'activation', 'entry');
  if (!fs.existsSync(`${testsPath}.js`)) throw new Error(`${testsPath}.js is missing: compile first (tsc -p tsconfig.test.json)`);
  const ipc = path.join(workDir, 'ipc');
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(ipc, { recursive: true });

  ensureSystemPackages();
  ensureCodeServer();
  const cleanups = [];
  const cs = await launchCodeServer({
    runDir: path.join(workDir, 'vscode'),
    env: { EQP_BENCH_DIR: ipc },
    // The EQP API of both environments is the sandbox, so any request EQP Keys makes shows in its counts.
    settings: {
      'eqp.production.apiUrl': sandbox.apiUrl('production'),
      'eqp.sandbox.apiUrl': sandbox.apiUrl('sandbox'),
      'eqp.production.portalUrl': sandbox.portalUrl('production'),
      'eqp.sandbox.portalUrl': sandbox.portalUrl('sandbox'),
    },
  });
  cleanups.push(cs.stop);
  let runCounter = 0;
  try {
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const browserVersion = browser.version();

    /** One page load in `context` (a fresh one unless given); returns the entry's result. */
    const runOnce = async (request, extPaths, context) => {
      const runId = String(++runCounter);
      fs.writeFileSync(path.join(ipc, 'run.json'), JSON.stringify({ settleMs, ...request, runId }));
      const ownContext = !context;
      const ctx = context ?? (await browser.newContext());
      try {
        const page = await ctx.newPage();
        page.setDefaultTimeout(60_000);
        let exit;
        const exited = new Promise((resolve) => { exit = resolve; });
        await page.exposeFunction('codeAutomationExit', (code) => exit(code));
        await page.exposeFunction('codeAutomationLog', () => {});
        const t0 = Date.now();
        await page.goto(workbenchUrl(cs.base, cs.dirs.ws, extPaths, testsPath));
        // Tell the entry to go once the workbench has rendered and the page's main thread is idle.
        try {
          await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 30_000 });
          await page.evaluate('new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 1500 }))');
        } catch { /* the page may already be gone when the entry did not wait (seed) */ }
        const tGo = Date.now();
        fs.writeFileSync(path.join(ipc, `go-${runId}`), '');
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 60_000).unref())]);
        if (process.env.EQP_BENCH_VERBOSE) log(`  run ${runId} (${request.mode}): page ready ${tGo - t0} ms, done ${Date.now() - tGo} ms later`);
        await page.close();
        const file = path.join(ipc, `result-${runId}.json`);
        if (!fs.existsSync(file)) throw new Error(`activation run ${runId} (${request.mode}) left no result (exit ${code})`);
        const result = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (result.mode === 'error') throw new Error(`activation run ${runId} (${request.mode}) failed in the extension host:\n${result.error}`);
        return result;
      } finally {
        if (ownContext) await ctx.close();
      }
    };

    // Warm-up (not counted): the first page load of a new code-server is slower (server-side caches, disk).
    await runOnce({ mode: 'time', extensionId: HELLO_ID }, [helloPath]);

    const times = { eqp: [], hello: [] };
    const parts = { eqp: { load: [], activate: [] }, hello: { load: [], activate: [] } };
    const order = [];
    for (let i = 0; i < runs; i++) order.push(...(i % 2 === 0 ? ['eqp', 'hello'] : ['hello', 'eqp']));
    for (const which of order) {
      const r = await runOnce(
        { mode: 'time', extensionId: which === 'eqp' ? EQP_ID : HELLO_ID },
        [which === 'eqp' ? eqpPath : helloPath],
      );
      if (r.wasActive || !r.isActive) throw new Error(`${which}: expected an inactive extension to become active (wasActive ${r.wasActive}, isActive ${r.isActive})`);
      times[which].push(r.ms);
      parts[which].load.push(r.loadMs ?? NaN);
      parts[which].activate.push(r.activateMs ?? NaN);
      log(`  activation ${which === 'eqp' ? 'EQP Keys' : 'hello   '} run ${times[which].length}/${runs}: ${r.ms.toFixed(2)} ms (loading the module ${r.loadMs?.toFixed(2)} ms, its activate() ${r.activateMs?.toFixed(2)} ms)`);
    }

    let profileFile;
    if (profile) {
      await runOnce({ mode: 'profile', extensionId: EQP_ID }, [eqpPath]);
      profileFile = path.join(ipc, `profile-${runCounter}.cpuprofile`);
    }

    // The check: a key is stored (page 1), then a new page of the same browser profile activates EQP Keys with
    // that key's metadata in globalState while SecretStorage calls and sandbox API requests are counted.
    const ctx = await browser.newContext();
    try {
      const key = sandbox.createKey('production', 'Bench activation check');
      const seeded = await runOnce(
        { mode: 'seed', extensionId: EQP_ID, seedKey: { ...key, mageId: sandbox.account('production').mageId } },
        [eqpWithProbePath],
        ctx,
      );
      const before = sandbox.requestLog().length;
      const check = await runOnce(
        {
          mode: 'check',
          extensionId: EQP_ID,
          afterMs: CHECK_AFTER_MS,
          probeId: PROBE_ID,
          // the shipped bundle has no hooks to count its keys: the check reports what the seed run stored
          keysSeeded: seeded.keys,
          sandboxStateUrls: ['production', 'sandbox'].map((env) => `${sandbox.apiUrl(env)}/__sandbox/state`),
        },
        [eqpWithProbePath],
        ctx,
      );
      check.seededKeys = seeded.keys;
      check.sandboxLogGrewBy = sandbox.requestLog().length - before;
      return { times, parts, check, browserVersion, profileFile };
    } finally {
      await ctx.close();
    }
  } finally {
    while (cleanups.length) {
      try { await cleanups.pop()(); } catch { /* best effort */ }
    }
  }
}
