// UI checks of the `eqp` authentication provider in the real workbench: another extension (test/fixtures/
// auth-consumer, installed beside EQP Keys) asks for a sandbox session; VS Code's own consent dialog names it and
// the account; a click on Allow gives it a token the sandbox API accepts; the Accounts menu shows the EQP account;
// after its access is removed in "Manage Trusted Extensions", a silent ask gets nothing.
// Screenshots: shots/auth-consent.png, shots/auth-accounts-menu.png, shots/auth-trusted-extensions.png.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, createKeyByKeyboard, palette, writeSandboxSettings } from './workbench.mjs';

/** Waits for a notification (toast, or in the notification centre where the smoke-test driver sends them). */
async function notification(page, text, timeout = 20_000) {
  const toast = page.locator(`.notification-toast:has-text("${text}"), .notifications-center .notification-list-item:has-text("${text}")`).first();
  try {
    await toast.waitFor({ timeout: timeout / 2 });
  } catch {
    await page.locator('.statusbar-item[id="status.notifications"], .statusbar-item:has(.codicon-bell), .statusbar-item:has(.codicon-bell-dot)').first().click();
    await page.locator(`.notifications-center .notification-list-item:has-text("${text}")`).first().waitFor({ timeout: timeout / 2 });
  }
  const content = await toast.innerText();
  await page.keyboard.press('Escape');
  return content;
}

export async function runAuthUiChecks({ browser, cs, root, shots, check }) {
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const checkOnPage = (name, fn) => check(name, fn, page);
  try {
    writeSandboxSettings(cs, sandbox);
    const sb = sandbox.createKey('sandbox', 'CI');
    await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    await createKeyByKeyboard(page, { environment: 'sandbox', name: 'CI', applicationId: sb.applicationId, applicationSecret: sb.applicationSecret });
    const mageId = 'MAG987654321'; // the sandbox environment's account (test/sandbox/server.ts)

    await checkOnPage('another extension asks for a sandbox session: VS Code asks the user, Allow gives it a token the API accepts', async () => {
      const before = sandbox.tokenRequestCount('sandbox');
      await palette(page, 'EQP Fixture: Ask for a Sandbox Session');
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ timeout: 20_000 });
      const text = await dialog.innerText();
      if (!/EQP Keys tests: an extension that asks for an EQP session/.test(text) || !/EQP Sandbox \(|Adobe Commerce Marketplace \(EQP\)/.test(text)) {
        throw new Error(`the consent dialog says: ${text}`);
      }
      await page.screenshot({ path: path.join(shots, 'auth-consent.png') });
      await dialog.locator('.monaco-button:has-text("Allow")').first().click();
      const said = await notification(page, 'EQP fixture:');
      if (!/EQP fixture: EQP Sandbox \(\w+\), the API answered 200/.test(said)) throw new Error(`the fixture says: ${said}`);
      if (mageId && !said.includes(mageId)) throw new Error(`the account is not ${mageId}: ${said}`);
      if (sandbox.tokenRequestCount('sandbox') - before !== 0) throw new Error('a second token was minted: the key\'s cached one should have been given');
    });

    await checkOnPage('the Accounts menu shows the EQP Sandbox account; Manage Trusted Extensions removes the fixture; a silent ask then gets nothing', async () => {
      // Allowed: a silent ask gets the session.
      await palette(page, 'EQP Fixture: Ask Silently');
      const allowed = await notification(page, 'EQP fixture: silently');
      if (!/silently got EQP Sandbox \(MAG987654321\)/.test(allowed)) throw new Error(`the allowed fixture did not get its session silently: ${allowed}`);
      const accounts = page.locator('.activitybar .action-label[aria-label^="Accounts"], .activitybar .action-item:has(.codicon-accounts) .action-label, .activitybar .codicon-accounts').first();
      await accounts.click();
      const item = page.locator('.monaco-menu .action-item:has-text("EQP Sandbox (")').first();
      await item.waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(shots, 'auth-accounts-menu.png') });
      // The account's submenu: "Manage Trusted Extensions" (the mouse goes across on the account's row, as a person's
      // does, so the submenu stays open).
      await item.hover();
      const manage = page.getByRole('menuitem', { name: 'Manage Trusted Extensions' }).first();
      await manage.waitFor({ timeout: 10_000 });
      const from = await item.boundingBox();
      const to = await manage.boundingBox();
      if (!from || !to) throw new Error('the account menu has no position');
      await page.mouse.move(to.x + 20, from.y + from.height / 2, { steps: 5 });
      await page.mouse.move(to.x + 20, to.y + to.height / 2, { steps: 3 });
      await page.mouse.click(to.x + 20, to.y + to.height / 2);
      const pick = page.locator('.quick-input-widget:visible').first();
      await pick.waitFor({ timeout: 15_000 });
      const row = pick.locator('.monaco-list-row:has-text("EQP Keys tests")').first();
      await row.waitFor({ timeout: 10_000 });
      // Untick the fixture (a click on its row toggles its checkbox), then OK.
      const selected = async () => Number(/(\d+) Selected/.exec(await pick.innerText())?.[1] ?? NaN);
      const before = await selected();
      await row.click();
      await page.waitForTimeout(300);
      if (await selected() !== before - 1) throw new Error(`the fixture could not be unticked (${before} selected before, ${await selected()} after)`);
      await page.screenshot({ path: path.join(shots, 'auth-trusted-extensions.png') });
      await pick.locator('.monaco-button:has-text("OK")').first().click();
      await pick.waitFor({ state: 'hidden', timeout: 10_000 });
      await palette(page, 'EQP Fixture: Ask Silently');
      const said = await notification(page, 'EQP fixture: silently');
      if (!/silently got nothing/.test(said)) throw new Error(`after removing its access the fixture still got a session: ${said}`);
    });
  } finally {
    await page.close();
    await sandbox.close();
  }
}
