/* global document */
// UI checks of the API Keys view in the real workbench: a person creates a key with the keyboard alone
// (palette → environment → name → "I have the pair" → ID:secret), the tree shows it verified, and a second key
// made in another environment shows the n/3 counts. Screenshot: shots/keys-tree.png.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, KEYS_PANE, answer, createKeyByKeyboard, palette, writeSandboxSettings } from './workbench.mjs';


export async function runKeysUiChecks({ browser, cs, root, shots, check }) {
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const checkOnPage = (name, fn) => check(name, fn, page);
  try {
    writeSandboxSettings(cs, sandbox);
    const sb = sandbox.createKey('sandbox', 'CI');
    const prod = sandbox.createKey('production', 'Laptop');
    await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    const pane = page.locator(KEYS_PANE).first();
    const rows = pane.locator('.monaco-list-row');

    await checkOnPage('create a sandbox key with the keyboard alone: palette, environment, name, pair pasted as ID:secret', async () => {
      await createKeyByKeyboard(page, { environment: 'sandbox', name: 'CI', applicationId: sb.applicationId, applicationSecret: sb.applicationSecret });
      // the new key is revealed and selected in the view
      await pane.locator('.monaco-list-row.selected:has-text("CI")').first().waitFor({ timeout: 10_000 });
    });

    await checkOnPage('the tree shows the key verified with its account, and n/3 per environment', async () => {
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

    await checkOnPage('a production key made the same way lands under Production, and the secret appears nowhere on screen', async () => {
      await createKeyByKeyboard(page, { environment: 'production', name: 'Laptop', applicationId: prod.applicationId, applicationSecret: prod.applicationSecret, twoBoxes: true });
      await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].some((r) => /Production.*1\/3 keys/.test(r.textContent ?? '')), '.pane .monaco-list-row', { timeout: 20_000 });
      await page.waitForTimeout(500);
      const html = await page.content();
      for (const s of [sb.applicationSecret, prod.applicationSecret]) if (html.includes(s)) throw new Error('a secret is in the page');
      await page.screenshot({ path: path.join(shots, 'keys-tree.png') });
    });

    // The whole story of the keys issue: 3 sandbox + 2 production keys, the 4th refused, one regenerated
    // in the portal (rejected, then fixed), one deleted; the tree tells the truth at every step.
    const rowText = async () => (await rows.allInnerTexts()).join(' | ');
    const waitRows = (re, what) => page.waitForFunction(
      ([sel, src]) => new RegExp(src, 's').test([...document.querySelectorAll(sel)].map((r) => r.textContent).join(' | ')),
      ['.pane .monaco-list-row', re.source], { timeout: 20_000 },
    ).catch(async () => { throw new Error(`${what}; the tree shows: ${await rowText()}`); });

    await checkOnPage('three sandbox and two production keys, all verified; a fourth sandbox key is refused at once', async () => {
      for (const [environment, name] of [['sandbox', 'Nightly'], ['sandbox', 'Release'], ['production', 'Desktop']]) {
        const pk = sandbox.createKey(environment, name);
        await createKeyByKeyboard(page, { environment, name, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      }
      await waitRows(/Production.*2\/3 keys.*Sandbox.*3\/3 keys/, 'expected 2/3 and 3/3');
      const all = await rowText();
      const verified = (all.match(/verified · MAG/g) ?? []).length;
      if (verified !== 5) throw new Error(`expected 5 verified keys, saw ${verified}: ${all}`);
      await palette(page, 'EQP: Create API Access Key');
      await answer(page, 'environment', 'Sandbox');
      await page.locator('.notification-toast:has-text("Sandbox already has 3 API access keys"), .notifications-center .notification-list-item:has-text("Sandbox already has 3 API access keys")').first()
        .waitFor({ timeout: 10_000 })
        .catch(async () => {
          await page.locator('.statusbar-item[id="status.notifications"], .statusbar-item:has(.codicon-bell), .statusbar-item:has(.codicon-bell-dot)').first().click();
          await page.locator('.notifications-center .notification-list-item:has-text("Sandbox already has 3 API access keys")').first().waitFor({ timeout: 10_000 });
        });
      await page.keyboard.press('Escape');
    });

    await checkOnPage('regenerated in the portal: Verify shows the key rejected, Regenerate with the new pair makes it verified again', async () => {
      const fresh = sandbox.regenerateKey('sandbox', sb.applicationId);
      await palette(page, 'EQP: Verify API Access Key');
      await answer(page, 'Verify API Access Key', 'CI');
      await waitRows(/CI.*rejected by the server/, 'CI is not shown as rejected');
      await palette(page, 'EQP: Regenerate API Access Key');
      await answer(page, 'Regenerate API Access Key', 'CI');
      await answer(page, '(Sandbox)', 'I have the new');
      await answer(page, 'application ID', `${fresh.applicationId}:${fresh.applicationSecret}`);
      await waitRows(new RegExp(`CI.*${fresh.applicationId} · verified`), 'CI is not verified with its new application ID');
    });

    await checkOnPage('delete one: a modal names it, Delete removes it, Sandbox shows 2/3', async () => {
      await page.keyboard.press('Escape'); // whatever an earlier failure left open
      await palette(page, 'EQP: Delete API Access Key');
      await answer(page, 'Delete API Access Key', 'Release');
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ timeout: 10_000 });
      const text = await dialog.innerText();
      if (!/Delete API access key "Release" \(Sandbox/.test(text)) throw new Error(`the dialog says: ${text}`);
      await dialog.locator('.monaco-button:has-text("Delete")').first().click();
      await waitRows(/Sandbox.*2\/3 keys/, 'Sandbox does not show 2/3');
      if ((await rowText()).includes('Release')) throw new Error('Release is still in the tree');
      await page.screenshot({ path: path.join(shots, 'keys-scenario.png') });
    });
  } finally {
    await page.close();
    await sandbox.close();
  }
}
