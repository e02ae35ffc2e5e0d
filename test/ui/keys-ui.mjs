/* global document */
// UI checks of the API Keys view in the real workbench: a person creates a key with the keyboard alone
// (palette → environment → name → "I have the pair" → ID:secret), the tree shows it verified, and a second key
// made in another environment shows the n/3 counts. Screenshot: shots/keys-tree.png.
// A pair pasted into the ID box stays hidden (shots/keys-paste-pair.png).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, KEYS_PANE, answer, createKeyByKeyboard, palette, setSidebarWidth, writeSandboxSettings } from './workbench.mjs';


/** A row of the API Keys view by its accessible name: a key ("Key CI, …") or an environment ("Sandbox environment, …"). */
function rowNamed(pane, name) {
  return pane.locator(`.monaco-list-row[aria-label^="Key ${name},"], .monaco-list-row[aria-label^="${name} environment"]`).first();
}

/** Hovers `row` and returns the text of the hover that appears (it must contain `marker`). */
async function hoverText(page, row, marker) {
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  await row.hover();
  const hover = page.locator('.monaco-hover, .workbench-hover, .workbench-hover-container').filter({ hasText: marker }).first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  const text = await hover.innerText();
  await page.mouse.move(5, 5);
  return text;
}

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

    await checkOnPage('the tree shows the key verified and active, its account in the tooltip, and n/3 per environment', async () => {
      const text = async () => (await rows.allInnerTexts()).join(' | ');
      await page.waitForFunction(
        (sel) => [...document.querySelectorAll(sel)].some((r) => /CI\s*★ verified · (1h 59m|2h 0m)/.test(r.textContent ?? '')),
        '.pane .monaco-list-row', { timeout: 20_000 },
      ).catch(async () => { throw new Error(`no "CI ★ verified · 1h 59m" row in: ${await text()}`); });
      const all = await text();
      if (!/Sandbox.*1\/3 · active/.test(all)) throw new Error(`no "Sandbox 1/3 · active" row in: ${all}`);
      if (!/Production.*0\/3/.test(all)) throw new Error(`no "Production 0/3" row in: ${all}`);
      if (all.includes(sb.applicationSecret)) throw new Error('the secret is shown in the tree');
      const tip = await hoverText(page, pane.locator('.monaco-list-row:has-text("CI")').first(), 'Application ID');
      for (const want of [sb.applicationId, 'MAG', 'active key', 'Holds a session token']) if (!tip.includes(want)) throw new Error(`the tooltip lacks "${want}": ${tip}`);
      const aria = await pane.locator('.monaco-list-row:has-text("CI")').first().getAttribute('aria-label');
      if (!/Key CI, Sandbox, active key, verified, session token expires in/.test(aria ?? '')) throw new Error(`the row's accessible name does not say its state: ${aria}`);
    });

    await checkOnPage('a production key made the same way lands under Production, and the secret appears nowhere on screen', async () => {
      await createKeyByKeyboard(page, { environment: 'production', name: 'Laptop', applicationId: prod.applicationId, applicationSecret: prod.applicationSecret, twoBoxes: true });
      await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].some((r) => /Production.*1\/3/.test(r.textContent ?? '')), '.pane .monaco-list-row', { timeout: 20_000 });
      await page.waitForTimeout(500);
      const html = await page.content();
      for (const s of [sb.applicationSecret, prod.applicationSecret]) if (html.includes(s)) throw new Error('a secret is in the page');
      await page.screenshot({ path: path.join(shots, 'keys-tree.png') });
    });

    await checkOnPage('a pair pasted as ID:secret into the application ID box: the secret is never on screen, the ID is said back', async () => {
      // A made-up pair: the flow is cancelled before it is verified, so the portal's key counts stay as they are.
      const id = 'PASTE12345';
      const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
      await palette(page, 'EQP: Create API Access Key');
      await answer(page, 'environment (1/5)', 'Sandbox');
      await answer(page, 'name (2/5)', 'Pasted');
      await answer(page, 'get the pair from the portal (3/5)', 'I have');
      await page.locator('.quick-input-widget:visible .quick-input-title:has-text("application ID (4/5)")').first().waitFor({ timeout: 15_000 });
      const input = page.locator('.quick-input-widget:visible input').first();
      // Before a key is pressed the box is already a password box: a paste is hidden from its first frame.
      if ((await input.getAttribute('type')) !== 'password') throw new Error(`the ID box is a "${await input.getAttribute('type')}" box before the paste`);
      await input.focus();
      await page.keyboard.insertText(`${id}:${secret}`); // what a paste does: the whole text at once
      const message = page.locator('.quick-input-widget:visible .quick-input-message');
      await message.filter({ hasText: id }).first().waitFor({ timeout: 10_000 })
        .catch(async () => { throw new Error(`the box does not say the ID back: "${await message.first().innerText().catch(() => '')}"`); });
      if ((await input.getAttribute('type')) !== 'password') throw new Error('the ID box is not a password box after the paste');
      if ((await input.inputValue()) !== `${id}:${secret}`) throw new Error('the box does not hold the pasted pair');
      const seen = await page.evaluate(() => document.body.innerText);
      const html = await page.content();
      for (const part of [secret, secret.slice(0, 12), secret.slice(-12)]) {
        if (seen.includes(part)) throw new Error(`the secret's characters are visible on the page: ${part}`);
        if (html.includes(part)) throw new Error(`the secret's characters are in the DOM: ${part}`);
      }
      if (!/and its secret \(hidden\)/.test(await message.first().innerText())) throw new Error(`the message does not say the secret is hidden: ${await message.first().innerText()}`);
      await page.screenshot({ path: path.join(shots, 'keys-paste-pair.png') });
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget:visible').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout: 10_000 }));
      if ((await rows.allInnerTexts()).join(' | ').includes('Pasted')) throw new Error('Escape in the ID box saved a key');
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
      await waitRows(/Production.*2\/3.*Sandbox.*3\/3 · full/, 'expected 2/3 and 3/3 · full');
      const all = await rowText();
      const verified = (all.match(/verified/g) ?? []).length;
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

    await checkOnPage('right-click and hover real rows: each kind of row offers its own actions (full environment: no Create)', async () => {
      await page.keyboard.press('Escape');
      const expectations = [
        { row: 'Sandbox', inline: ['Open Developer Portal'], context: ['Open Developer Portal'] },
        { row: 'Production', inline: ['Create API Access Key…', 'Open Developer Portal'], context: ['Create API Access Key…', 'Open Developer Portal'] },
        { row: 'CI', inline: ['Verify API Access Key'], context: ['Verify API Access Key', 'Copy Application ID', 'Regenerate API Access Key…', 'Rename API Access Key…', 'Forget Cached Session Token…', 'Delete API Access Key…'] },
        { row: 'Nightly', inline: ['Switch Active Key…', 'Verify API Access Key'], context: ['Switch Active Key…', 'Verify API Access Key', 'Copy Application ID', 'Regenerate API Access Key…', 'Rename API Access Key…', 'Forget Cached Session Token…', 'Delete API Access Key…'] },
      ];
      for (const e of expectations) {
        const row = rowNamed(pane, e.row);
        await row.hover();
        await page.waitForTimeout(200);
        // VS Code adds the keybinding to an action's label ("Switch Active Key… (Enter)").
        const inline = (await row.locator('.actions .action-label').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.getAttribute('title') ?? '')))
          .filter(Boolean).map((l) => l.replace(/ \([^)]*\)$/, ''));
        if (JSON.stringify(inline) !== JSON.stringify(e.inline)) throw new Error(`${e.row}: inline ${JSON.stringify(inline)}, expected ${JSON.stringify(e.inline)}`);
        await row.click({ button: 'right' });
        const menu = page.locator('.monaco-menu').first();
        await menu.waitFor({ timeout: 10_000 });
        const items = (await menu.locator('.action-item:not(.disabled) .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
        await page.keyboard.press('Escape');
        if (JSON.stringify(items) !== JSON.stringify(e.context)) throw new Error(`${e.row}: context menu ${JSON.stringify(items)}, expected ${JSON.stringify(e.context)}`);
      }
    });

    await checkOnPage('keyboard on the tree: Enter makes the selected key active, F2 renames, Delete asks first', async () => {
      await page.keyboard.press('Escape');
      // Arrow keys move the focus; each step waits until the focused row is the one meant (the tree re-renders
      // when a key changes, so a key pressed in that instant could land before the focus settled).
      const focusOn = (name) => pane.locator(`.monaco-list-row.focused[aria-label^="Key ${name},"], .monaco-list-row.focused[aria-label^="${name} environment"]`).first()
        .waitFor({ timeout: 10_000 }).catch(() => { throw new Error(`the focus is not on ${name}`); });
      const press = async (key, name) => {
        await page.keyboard.press(key);
        await focusOn(name);
      };
      await rowNamed(pane, 'CI').click();
      await press('ArrowDown', 'Nightly');
      await page.keyboard.press('Enter');
      await waitRows(/Nightly\s*★ verified/, 'Enter did not make Nightly the active key');
      if (/CI\s*★/.test(await rowText())) throw new Error('CI is still marked active');
      await focusOn('Nightly');
      await page.keyboard.press('F2');
      await page.locator('.quick-input-widget:visible .quick-input-title:has-text("Rename")').first().waitFor({ timeout: 10_000 });
      const value = await page.locator('.quick-input-widget:visible input').first().inputValue();
      if (value !== 'Nightly') throw new Error(`F2 opened the rename box with "${value}", expected the selected key's name`);
      await page.keyboard.press('Escape');
      await rowNamed(pane, 'Nightly').click();
      await page.keyboard.press('Delete');
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ timeout: 10_000 });
      if (!/"Nightly"/.test(await dialog.innerText())) throw new Error(`Delete asked about: ${await dialog.innerText()}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
      if (!(await rowText()).includes('Nightly')) throw new Error('Escape in the dialog deleted the key');
      // Back to CI as the active key, with the keyboard, for the checks that follow.
      await rowNamed(pane, 'Nightly').click();
      await press('ArrowUp', 'CI');
      await page.keyboard.press('Enter');
      await waitRows(/CI\s*★ verified/, 'Enter did not make CI the active key again');
      // On an environment row Enter keeps its meaning: collapse, then expand.
      await page.waitForTimeout(300);
      await focusOn('CI');
      await press('ArrowUp', 'Sandbox');
      await page.keyboard.press('Enter');
      await page.waitForFunction((sel) => ![...document.querySelectorAll(sel)].some((r) => (r.getAttribute('aria-label') ?? '').startsWith('Key CI,')), '.pane .monaco-list-row', { timeout: 10_000 })
        .catch(async () => { throw new Error(`Enter on the Sandbox row did not collapse it: ${await rowText()}`); });
      await focusOn('Sandbox');
      await page.keyboard.press('Enter');
      await waitRows(/CI\s*★ verified/, 'Enter on the Sandbox row did not expand it again');
      // F2 on an environment row: nothing to rename, and the row stays as it was.
      await focusOn('Sandbox');
      await page.keyboard.press('F2');
      await page.waitForTimeout(600);
      if (await page.locator('.quick-input-widget:visible').count()) throw new Error('F2 on the Sandbox row opened a box');
      if (!/CI\s*★ verified/.test(await rowText())) throw new Error(`F2 on the Sandbox row collapsed it: ${await rowText()}`);
    });

    await checkOnPage('rows fit a 300 px side bar: name, state and time left readable, at most two inline icons', async () => {
      await setSidebarWidth(page, 300);
      await page.mouse.move(900, 500);
      await page.waitForTimeout(300);
      const clipped = await pane.locator('.monaco-list-row').evaluateAll((rs) => rs.map((r) => {
        const d = r.querySelector('.label-description');
        const rowBox = r.getBoundingClientRect();
        const box = d?.getBoundingClientRect();
        return { text: r.textContent, clipped: !d || box.right > rowBox.right + 0.5 || d.scrollWidth > d.clientWidth + 1 };
      }).filter((x) => x.clipped));
      if (clipped.length) throw new Error(`rows cut off at 300 px: ${JSON.stringify(clipped)}`);
      await page.screenshot({ path: path.join(shots, 'keys-300px.png') });
      await rowNamed(pane, 'Nightly').hover();
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(shots, 'keys-300px-hover.png') });
    });

    await checkOnPage('regenerated in the portal: Verify shows the key rejected, Regenerate with the new pair makes it verified again', async () => {
      const fresh = sandbox.regenerateKey('sandbox', sb.applicationId);
      await palette(page, 'EQP: Verify API Access Key');
      await answer(page, 'Verify API Access Key', 'CI');
      await waitRows(/CI\s*★ rejected/, 'CI is not shown as rejected');
      // A rejected key promises no time left; its collapsed-or-not environment says one key needs care.
      if (/CI\s*★ rejected · \d/.test(await rowText())) throw new Error(`a rejected key shows a token time: ${await rowText()}`);
      await waitRows(/Sandbox.*3\/3 · full · 1 rejected/, 'the Sandbox row does not say a key is rejected');
      await palette(page, 'EQP: Regenerate API Access Key');
      await answer(page, 'Regenerate API Access Key', 'CI');
      await answer(page, '(Sandbox)', 'I have the new');
      await answer(page, 'application ID', `${fresh.applicationId}:${fresh.applicationSecret}`);
      await waitRows(/CI\s*★ verified/, 'CI is not verified again');
      const tip = await hoverText(page, pane.locator('.monaco-list-row:has-text("CI")').first(), 'Application ID');
      if (!tip.includes(fresh.applicationId)) throw new Error(`the tooltip does not show the new application ID: ${tip}`);
    });

    await checkOnPage('delete one: a modal names it, Delete removes it, Sandbox shows 2/3', async () => {
      await page.keyboard.press('Escape'); // whatever an earlier failure left open
      await palette(page, 'EQP: Delete API Access Key');
      await answer(page, 'Delete API Access Key', 'Release');
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ timeout: 10_000 });
      const text = await dialog.innerText();
      if (!/Delete API access key "Release" \(Sandbox/.test(text)) throw new Error(`the dialog says: ${text}`);
      if (!/cannot show it again/.test(text)) throw new Error(`the dialog does not say the portal cannot show the secret again: ${text}`);
      await dialog.locator('.monaco-button:has-text("Delete")').first().click();
      await waitRows(/Sandbox.*2\/3/, 'Sandbox does not show 2/3');
      if ((await rowText()).includes('Release')) throw new Error('Release is still in the tree');
      await page.screenshot({ path: path.join(shots, 'keys-scenario.png') });
    });
  } finally {
    await page.close();
    await sandbox.close();
  }
}
