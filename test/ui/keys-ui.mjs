/* global document */
// UI checks of the API Keys view in the real workbench: a person creates a key with the keyboard alone
// (palette → environment → name → "I have the pair" → ID:secret), the tree shows it verified, and a second key
// made in another environment shows the n/3 counts. Screenshot: shots/keys-tree.png.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';

/** Points the user settings of the running code-server at the sandbox (VS Code watches the file). */
function writeSettings(cs, sandbox) {
  const file = path.join(cs.dirs.ud, 'User', 'settings.json');
  const current = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({
    ...current,
    'eqp.environment': 'sandbox',
    'eqp.production.apiUrl': sandbox.apiUrl('production'),
    'eqp.production.portalUrl': sandbox.portalUrl('production'),
    'eqp.sandbox.apiUrl': sandbox.apiUrl('sandbox'),
    'eqp.sandbox.portalUrl': sandbox.portalUrl('sandbox'),
  }, null, 2));
}

async function palette(page, command) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${command}`);
  await page.locator(`.quick-input-list .monaco-list-row:has-text("${command}")`).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Types into the quick input once it shows `title`, then Enter. */
async function answer(page, title, text) {
  await page.locator(`.quick-input-widget:visible .quick-input-title:has-text("${title}")`).first().waitFor({ timeout: 15_000 });
  const input = page.locator('.quick-input-widget:visible input').first();
  await input.fill(text);
  await page.waitForTimeout(150); // let the list filter / validation settle
  await page.keyboard.press('Enter');
}

export async function runKeysUiChecks({ browser, cs, root, shots, check }) {
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    writeSettings(cs, sandbox);
    const sb = sandbox.createKey('sandbox', 'CI');
    const prod = sandbox.createKey('production', 'Laptop');
    await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    const activity = page.locator('.activitybar .action-item a[aria-label^="EQP Keys"], .activitybar .action-label[aria-label^="EQP Keys"]').first();
    await activity.click({ timeout: 60_000 });
    const pane = page.locator('.pane:has(.pane-header:has-text("API Keys"))').first();
    const rows = pane.locator('.monaco-list-row');

    await check('create a sandbox key with the keyboard alone: palette, environment, name, pair pasted as ID:secret', async () => {
      await palette(page, 'EQP: Create API Access Key');
      await answer(page, 'environment', 'Sandbox');
      await answer(page, 'name', 'CI');
      await answer(page, 'get the pair from the portal', 'I have');
      await answer(page, 'application ID', `${sb.applicationId}:${sb.applicationSecret}`);
      await pane.locator('.monaco-list-row:has-text("CI")').waitFor({ timeout: 20_000 });
    });

    await check('the tree shows the key verified with its account, and n/3 per environment', async () => {
      const text = async () => (await rows.allInnerTexts()).join(' | ');
      await page.waitForFunction(
        (sel) => [...document.querySelectorAll(sel)].some((r) => /verified · MAG\d+/.test(r.textContent ?? '')),
        '.pane .monaco-list-row', { timeout: 20_000 },
      );
      const all = await text();
      if (!/Sandbox.*1\/3 keys · active/.test(all)) throw new Error(`no "Sandbox 1/3 keys · active" row in: ${all}`);
      if (!/Production.*0\/3 keys/.test(all)) throw new Error(`no "Production 0/3 keys" row in: ${all}`);
      if (!all.includes(sb.applicationId)) throw new Error(`the application ID is not shown: ${all}`);
      if (all.includes(sb.applicationSecret)) throw new Error('the secret is shown in the tree');
    });

    await check('a production key made the same way lands under Production, and the secret appears nowhere on screen', async () => {
      await palette(page, 'EQP: Create API Access Key');
      await answer(page, 'environment', 'Production');
      await answer(page, 'name', 'Laptop');
      await answer(page, 'get the pair from the portal', 'I have');
      await answer(page, 'application ID', prod.applicationId);
      await answer(page, 'application secret', prod.applicationSecret);
      await pane.locator('.monaco-list-row:has-text("Laptop")').waitFor({ timeout: 20_000 });
      await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].some((r) => /Production.*1\/3 keys/.test(r.textContent ?? '')), '.pane .monaco-list-row', { timeout: 20_000 });
      await page.waitForTimeout(500);
      const html = await page.content();
      for (const s of [sb.applicationSecret, prod.applicationSecret]) if (html.includes(s)) throw new Error('a secret is in the page');
      await page.screenshot({ path: path.join(shots, 'keys-tree.png') });
    });
  } finally {
    await page.close();
    await sandbox.close();
  }
}
