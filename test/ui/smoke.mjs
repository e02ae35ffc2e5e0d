/* global document */
// UI checks in the real workbench (code-server + headless Chromium): what a person sees and clicks.
// Each check counts as one test in `npm test`; screenshots go to run/shots/.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, KEYS_PANE, createKeyByKeyboard, openReadmeAtNewLine, palette, writeSandboxSettings } from './workbench.mjs';

export async function runUiChecks({ browser, cs, root, shots, check }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await check('workbench loads with the extension in development mode', async () => {
      await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    }, page);
    const activity = page.locator('.activitybar .action-item a[aria-label^="EQP Keys"], .activitybar .action-label[aria-label^="EQP Keys"]').first();
    await check('the EQP Keys container is in the activity bar', async () => {
      await activity.waitFor({ timeout: 60_000 });
    }, page);
    await check('clicking it opens the API Keys view with its empty state', async () => {
      await activity.click();
      const pane = page.locator('.pane:has(.pane-header:has-text("API Keys"))').first();
      await pane.waitFor({ timeout: 30_000 });
      await pane.locator('.welcome-view-content:has-text("No EQP API access keys yet. The active environment is Production.")').waitFor({ timeout: 30_000 });
      await pane.locator('.welcome-view-content a:has-text("Open Developer Portal"), .welcome-view-content .monaco-button:has-text("Open Developer Portal")').first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(shots, 'empty-state.png') });
    }, page);
  } finally {
    await page.close();
  }
  await runTokenUiChecks({ browser, cs, root, shots, check });
}

/** The editor's text as rendered (Monaco draws only what is visible; these editors are short). */
const editorText = (page) => page.locator('.editor-instance .monaco-editor .view-lines').first().innerText();

/**
 * The "done when", in the real workbench: a key created with the keyboard, an editor open, one click on
 * the EQP status bar item puts a working token in the editor (the API accepts it), and a second click within its
 * lifetime makes no request. The sandbox runs in this process, so its request log is read directly. The key is
 * deleted again through the UI, so later checks start with none.
 */
async function runTokenUiChecks({ browser, cs, root, shots, check }) {
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const item = page.locator('.statusbar-item[aria-label^="EQP session token"], .statusbar-item:has([aria-label^="EQP session token"])').first();
  try {
    writeSandboxSettings(cs, sandbox);
    const pk = sandbox.createKey('sandbox', 'UI');
    await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });

    await check('status bar: a key created with the keyboard shows the EQP item with its key and time left', async () => {
      await createKeyByKeyboard(page, { environment: 'sandbox', name: 'UI', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      await item.waitFor({ timeout: 20_000 });
      await page.waitForFunction(() => /Sandbox · UI · 1h 59m|Sandbox · UI · 2h 0m/.test(document.querySelector('.statusbar')?.textContent ?? ''), null, { timeout: 20_000 });
      // The verification's token was kept: the tree shows its expiry (never the token).
      const row = await page.locator(`${KEYS_PANE} .monaco-list-row:has-text("UI")`).first().innerText();
      if (!/★ verified · (1h 59m|2h 0m)/.test(row)) throw new Error(`the tree does not show the token's time left: ${row}`);
    }, page);

    await check('status bar: one click inserts a working token into the editor; a second click makes no request', async () => {
      await openReadmeAtNewLine(page, 'token: ');
      const before = sandbox.tokenRequestCount();
      const t0 = Date.now();
      await item.click();
      // Monaco renders spaces as U+00A0.
      await page.waitForFunction(() => /token: [A-Za-z0-9_-]{20,}/.test((document.querySelector('.editor-instance .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ')), null, { timeout: 20_000 });
      const firstMs = Date.now() - t0;
      const text = (await editorText(page)).replace(/\u00a0/g, ' ');
      const token = /token: ([A-Za-z0-9_-]{20,})/.exec(text)?.[1];
      if (!token) throw new Error(`no token in the editor: ${text}`);
      const r = await fetch(`${sandbox.apiUrl('sandbox')}/rest/v1/users/${sandbox.account('sandbox').mageId}?style=summary`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 200) throw new Error(`the EQP sandbox refused the inserted token: ${r.status}`);
      const first = sandbox.tokenRequestCount() - before;
      // The command hands the keyboard focus back to the editor.
      await page.waitForFunction(() => document.activeElement?.closest('.editor-instance') != null, null, { timeout: 10_000 });
      // Let the editor settle on its focus: on a loaded machine a key pressed in the same instant was seen to go
      // nowhere (a lost leading space, once in CI-like runs).
      await page.waitForTimeout(200);
      await page.keyboard.type(' again: ');
      const t1 = Date.now();
      await item.click();
      // The typing after the first click went on in the editor (the command hands the focus back).
      await page.waitForFunction((tok) => (document.querySelector('.editor-instance .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ').includes(`token: ${tok} again: ${tok}`), token, { timeout: 20_000 });
      const secondMs = Date.now() - t1;
      await page.waitForTimeout(300);
      const all = (await editorText(page)).replace(/\u00a0/g, ' ');
      if (all.split(token).length !== 3) throw new Error(`expected the token exactly twice: ${all}`);
      const second = sandbox.tokenRequestCount() - before - first;
      console.log(`      token requests: first click ${first} (the key's verification had minted it), second click ${second}; click → token in editor ${firstMs} ms, ${secondMs} ms`);
      if (first !== 0 || second !== 0) throw new Error(`expected no token requests for the clicks, saw ${first} and ${second}`);
      await page.screenshot({ path: path.join(shots, 'token-inserted.png') });
    }, page);

    await check('status bar: the tooltip shows account, expiry and the actions, never the token', async () => {
      // Away first: the clicks left the pointer on the item, and a hover needs the pointer to arrive.
      await page.mouse.move(700, 400);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
      await item.hover();
      const hover = page.locator('.monaco-hover, .workbench-hover, .workbench-hover-container').filter({ hasText: 'EQP session token' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      const tip = await hover.innerText();
      for (const want of ['MAG987654321', 'valid until', 'Insert', 'Copy', 'New token', 'Switch environment', 'Switch active key']) {
        if (!tip.includes(want)) throw new Error(`the tooltip lacks "${want}": ${tip}`);
      }
      if (/[A-Za-z0-9_-]{32}/.test(tip.replace(/MAG\d+/g, ''))) throw new Error(`the tooltip may show a token: ${tip}`);
      await page.screenshot({ path: path.join(shots, 'token-status-bar.png') });
      await page.mouse.move(700, 400);
    }, page);
  } finally {
    // Leave no key behind for the checks that follow (their page starts with the same globalState).
    await palette(page, 'View: Revert and Close Editor').catch(() => {});
    await palette(page, 'EQP: Delete API Access Key').catch(() => {});
    await page.locator('.quick-input-widget:visible .monaco-list-row:has-text("UI")').first().click({ timeout: 10_000 }).catch(() => {});
    await page.locator('.monaco-dialog-box .monaco-button:has-text("Delete")').first().click({ timeout: 10_000 }).catch(() => {});
    await page.locator(`${KEYS_PANE} .welcome-view-content`).first().waitFor({ timeout: 10_000 }).catch(() => {});
    await page.close();
    await sandbox.close();
  }
}
