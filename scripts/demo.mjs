// `npm run demo`: the EQP sandbox server (seeded with a demo key per environment) and a real VS Code
// (code-server) with EQP Keys packaged from this folder and installed, its settings pointing at the sandbox
// (scripts/lib/demo-workbench.mjs, shared with the demo's UI check).
// `npm run demo -- --screenshot FILE` runs headless, saves a picture of the workbench and stops.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoWorkbench } from './lib/demo-workbench.mjs';
import { ensureCodeServer, ensureSystemPackages, launchBrowser } from './lib/vscode-runtime.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const shotIdx = args.indexOf('--screenshot');
const screenshot = shotIdx >= 0 ? path.resolve(args[shotIdx + 1] ?? 'eqp-keys-demo.png') : undefined;
const portIdx = args.indexOf('--port');
const port = portIdx >= 0 ? Number(args[portIdx + 1]) : undefined;

const build = (cmd, a) => {
  const r = spawnSync(cmd, a, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

ensureSystemPackages();
ensureCodeServer();
build(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json']);

const { demoKeys, url, banner, stop: stopDemo } = await startDemoWorkbench({ root: ROOT, runDir: path.join(ROOT, 'run', 'demo'), port });
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await stopDemo();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

if (screenshot) {
  const browser = await launchBrowser();
  let code = 0;
  try {
    // What a person sees after adding the demo keys with the keyboard: the tree and the status bar.
    const { ACTIVITY_EQP, COMPOSER_PANE, KEYS_PANE, createKeyByKeyboard, setSidebarWidth } = await import('../test/ui/workbench.mjs');
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    await page.locator(KEYS_PANE).first().waitFor({ timeout: 30_000 });
    // the empty secondary side bar (chat) only takes room in a picture of EQP Keys
    if (await page.locator('.part.auxiliarybar').first().isVisible().catch(() => false)) await page.keyboard.press('Control+Alt+KeyB');
    await createKeyByKeyboard(page, { environment: 'production', name: 'Demo', ...demoKeys.production });
    await createKeyByKeyboard(page, { environment: 'sandbox', name: 'Demo', ...demoKeys.sandbox });
    // a normal side bar width: the rows are made to fit it
    await setSidebarWidth(page, 300);
    await page.locator(`${KEYS_PANE} .monaco-list-row:has-text("verified")`).first().waitFor({ timeout: 20_000 });
    // the seeded Composer keys, listed through the two API access keys
    for (const label of ['shop-live', 'shop-staging']) await page.locator(`${COMPOSER_PANE} .monaco-list-row[aria-label^="${label},"]`).first().waitFor({ timeout: 20_000 });
    await page.locator('.statusbar-item:has-text("Sandbox · Demo")').first().hover({ timeout: 20_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshot });
    console.log(`screenshot saved to ${screenshot}`);
  } catch (e) {
    console.error(`demo screenshot failed: ${e?.message ?? e}`);
    code = 1;
  } finally {
    await browser.close();
  }
  await stop(code);
} else {
  console.log(banner());
}
