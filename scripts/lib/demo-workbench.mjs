// The demo's workbench, one function for `npm run demo` and its UI check (test/ui/demo-ui.mjs): the EQP sandbox
// server seeded with a "Demo" key per environment, and code-server with EQP Keys installed from a .vsix packaged
// from this folder into the demo's own extensions folder, the way a user has it. No smoke-test driver (which the
// `payload` route needs): with it, VS Code sends every notification to the bell instead of showing a toast.
// Needs out/test/sandbox/ compiled (tsc -p tsconfig.test.json) and code-server installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildVsix } from '../package.mjs';
import { launchCodeServer, workbenchUrl } from './vscode-runtime.mjs';

/**
 * Starts the sandbox and code-server. Returns { sandbox, demoKeys, cs, url, banner(), stop() }; stop() ends both.
 * `runDir` is emptied first; the .vsix is written beside it (`<runDir>.vsix`).
 */
export async function startDemoWorkbench({ root, runDir, port }) {
  const vsixFile = `${runDir}.vsix`;
  fs.mkdirSync(path.dirname(vsixFile), { recursive: true });
  const { file: vsix } = await buildVsix({ file: vsixFile });
  // vsce's prepublish left the minified production bundle in dist/: put the development build (with its source
  // map) back for F5 and for test runs that load the extension from this folder.
  const rebuilt = spawnSync(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'inherit' });
  if (rebuilt.status !== 0) throw new Error('node esbuild.js failed after packaging the demo .vsix');

  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  let cs;
  try {
    const demoKeys = { production: sandbox.createKey('production', 'Demo'), sandbox: sandbox.createKey('sandbox', 'Demo') };
    // Magento 2 Composer keys made in the portal before: one per environment, and one of the production
    // account's organization; the Composer Keys view lists them once an API access key of the environment is in.
    const organization = sandbox.organizations('production')[0];
    const composerKeys = {
      production: sandbox.createComposerKey('production', 'shop-live'),
      sandbox: sandbox.createComposerKey('sandbox', 'shop-staging'),
      organization: sandbox.createComposerKey('production', 'agency-ci', organization.id),
    };
    cs = await launchCodeServer({
      runDir,
      port,
      installVsix: vsix,
      smokeTestDriver: false,
      settings: {
        'eqp.environment': 'sandbox',
        'eqp.production.apiUrl': sandbox.apiUrl('production'),
        'eqp.production.portalUrl': sandbox.portalUrl('production'),
        'eqp.sandbox.apiUrl': sandbox.apiUrl('sandbox'),
        'eqp.sandbox.portalUrl': sandbox.portalUrl('sandbox'),
      },
    });
    // A small Magento module (test/fixtures/demo-module): "Write Composer Key to auth.json…" has a project to write
    // to, and the sandbox's seeded code sniffer findings (Submissions → Example Module 1.0.1 → phpcs) land on its files.
    fs.cpSync(path.join(root, 'test', 'fixtures', 'demo-module'), cs.dirs.ws, { recursive: true });
    // The seller's working copy is the next release, 1.0.3 (1.0.2 is in review), so "EQP: Submit Package…" has a
    // version to submit; the sandbox's malware scan takes 20 seconds, long enough to watch the wait.
    const composerFile = path.join(cs.dirs.ws, 'composer.json');
    fs.writeFileSync(composerFile, fs.readFileSync(composerFile, 'utf8').replace('"version": "1.0.1"', '"version": "1.0.3"'));
    sandbox.setUploadScan('sandbox', { durationSeconds: 20 });
    sandbox.setUploadScan('production', { durationSeconds: 20 });
    const url = workbenchUrl(cs.base, { ws: cs.dirs.ws });
    const pair = (k) => `${k.applicationId}:${k.applicationSecret}`;
    const banner = () => `
EQP Keys demo is running (Ctrl+C stops everything).

  VS Code (code-server):  ${url}

  EQP sandbox server (stands in for the Adobe hosts; settings already point here):
    Production  API ${sandbox.apiUrl('production')}   portal ${sandbox.portalUrl('production')}
    Sandbox     API ${sandbox.apiUrl('sandbox')}   portal ${sandbox.portalUrl('sandbox')}

  Demo keys (made in the sandbox's portal; paste the ID:secret into "EQP: Create API Access Key…"):
    Production  "Demo"  ${pair(demoKeys.production)}
    Sandbox     "Demo"  ${pair(demoKeys.sandbox)}

  Composer keys (in the Composer Keys view once its environment has an API access key; the workspace has a
  composer.json, so "EQP: Write Composer Key to auth.json…" writes the project's auth.json):
    Production  "shop-live", "agency-ci" (owned by ${organization.name})
    Sandbox     "shop-staging"

  Submissions (in the Submissions view; the sandbox's pipeline moves on its clock): Example Module and
  Example Theme, several versions each. Open Example Module 1.0.1 → phpcs: its findings go to the Problems
  panel on the workspace's module files (the workspace is that module, acme/module-example, at 1.0.3 now).

  Submit a package: "EQP: Submit Package…" (or right-click a folder in the Explorer) checks the module
  (eqp-submission.json, composer.json, the user guide, no credentials in any file), shows the zip's file list
  (auth.json and .env are always left out), uploads with progress, waits for the malware scan (20 s here) and
  submits: 1.0.3 appears in the Submissions view in automation. "EQP: Build Package Zip (Dry Run)…" builds only.
`;
    const stop = async () => {
      await cs.stop();
      await sandbox.close();
    };
    return { sandbox, demoKeys, composerKeys, cs, url, banner, stop };
  } catch (e) {
    await cs?.stop();
    await sandbox.close();
    throw e;
  }
}
