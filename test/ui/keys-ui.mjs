/* global document */
// UI checks of the API Keys view in the real workbench: a person creates a key with the keyboard alone
// (palette → environment → name → "I have the pair" → ID:secret), the tree shows it verified, and a second key
// made in another environment shows the n/3 counts. Screenshot: shots/keys-tree.png.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, KEYS_PANE, createKeyByKeyboard } from './workbench.mjs';

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
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    const pane = page.locator(KEYS_PANE).first();
    const rows = pane.locator('.monaco-list-row');

    await check('create a sandbox key with the keyboard alone: palette, environment, name, pair pasted as ID:secret', async () => {
      await createKeyByKeyboard(page, { environment: 'sandbox', name: 'CI', applicationId: sb.applicationId, applicationSecret: sb.applicationSecret });
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
      await createKeyByKeyboard(page, { environment: 'production', name: 'Laptop', applicationId: prod.applicationId, applicationSecret: prod.applicationSecret, twoBoxes: true });
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
