// UI checks of `npm run demo`: the workbench started the way the demo starts it (scripts/lib/demo-workbench.mjs,
// the same function), used the way its printed instructions say. A person sees errors as toasts, pastes the printed
// ID:secret, and reaches the sandbox portal from the guided create flow (through code-server's /proxy/PORT/).
// Screenshots: shots/demo-wrong-secret-toast.png, shots/demo-portal.png, shots/demo-keys.png, shots/demo-composer.png,
// shots/demo-submissions.png, shots/demo-submit-scan.png, shots/demo-submit.png.
import fs from 'node:fs';
import path from 'node:path';
import { startDemoWorkbench } from '../../scripts/lib/demo-workbench.mjs';
import { ACTIVITY_EQP, COMPOSER_PANE, KEYS_PANE, SUBMISSIONS_PANE, answer, createKeyByKeyboard, palette, setSidebarWidth } from './workbench.mjs';

const REFUSED = 'refused the application ID and secret';

export async function runDemoUiChecks({ browser, root, runDir, shots, check }) {
  const demo = await startDemoWorkbench({ root, runDir });
  const { cs, sandbox, demoKeys } = demo;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const checkOnPage = (name, fn, p = page) => check(name, fn, p);
  try {
    const banner = demo.banner();
    const printedPair = (label) => new RegExp(`^\\s*${label}\\s+"Demo"\\s+(\\S+)\\s*$`, 'm').exec(banner)?.[1];

    await check('the demo prints each demo key as one ready-to-paste ID:secret', async () => {
      for (const [label, key] of [['Production', demoKeys.production], ['Sandbox', demoKeys.sandbox]]) {
        const printed = printedPair(label);
        if (printed !== `${key.applicationId}:${key.applicationSecret}`) throw new Error(`the ${label} line does not end in ID:secret:\n${banner}`);
      }
    });

    await checkOnPage('the demo workbench shows EQP Keys installed from its .vsix, not in development mode', async () => {
      await page.goto(demo.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
      await page.locator(`${KEYS_PANE} .welcome-view-content:has-text("No EQP API access keys yet")`).first().waitFor({ timeout: 30_000 });
      const installed = fs.readdirSync(cs.dirs.ext).filter((d) => d.startsWith('eqp-keys.eqp-keys'));
      if (installed.length !== 1) throw new Error(`expected the extension in ${cs.dirs.ext}, found ${installed.join(', ') || 'nothing'}`);
      if (demo.url.includes('payload=')) throw new Error(`the demo URL loads a development extension: ${demo.url}`);
    });

    await checkOnPage('a wrong secret shows an error toast with the refusal (not only in the notification centre)', async () => {
      const [id] = printedPair('Sandbox').split(':');
      await palette(page, 'EQP: Create API Access Key');
      await answer(page, 'environment', 'Sandbox');
      await answer(page, 'name', 'Demo');
      await answer(page, 'get the pair from the portal', 'I have');
      await answer(page, 'application ID', `${id}:${'0'.repeat(40)}`);
      const toast = page.locator(`.notification-toast:has-text("${REFUSED}")`).first();
      await toast.waitFor({ state: 'visible', timeout: 20_000 });
      // the picture once the progress toast has gone and this one has faded in
      await page.locator('.notification-toast:has-text("Verifying")').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shots, 'demo-wrong-secret-toast.png') });
      // the way on from the toast: re-enter the pair, this time the printed one
      await toast.locator('.monaco-button:has-text("Re-enter the Pair")').first().click();
      await answer(page, 'application ID', printedPair('Sandbox'));
      await page.locator(`${KEYS_PANE} .monaco-list-row:has-text("Demo"):has-text("verified")`).first().waitFor({ timeout: 20_000 });
    });

    await checkOnPage('the create flow\'s portal step opens the sandbox portal through code-server, showing the demo key; a key made there works', async () => {
      const sandboxPort = new URL(sandbox.apiUrl('sandbox')).port;
      await palette(page, 'EQP: Create API Access Key');
      await answer(page, 'environment', 'Sandbox');
      await answer(page, 'name', 'Laptop');
      const opened = context.waitForEvent('page', { timeout: 20_000 });
      await answer(page, 'get the pair from the portal', 'Open the Sandbox Developer Portal');
      const portal = await opened;
      try {
        await portal.waitForLoadState();
        const expected = `${cs.base}/proxy/${sandboxPort}/portal`;
        if (!portal.url().startsWith(expected)) throw new Error(`the portal opened at ${portal.url()}, not ${expected}`);
        const demoRow = portal.locator(`#keys tr:has-text("Demo"):has-text("${demoKeys.sandbox.applicationId}")`).first();
        await demoRow.waitFor({ timeout: 15_000 }).catch(async () => {
          throw new Error(`the portal does not list the demo key; it shows: ${(await portal.locator('body').innerText()).slice(0, 300)}`);
        });
        await portal.screenshot({ path: path.join(shots, 'demo-portal.png') });
        // create "Laptop" in the portal, as the step says, and come back to the list: forms and links stay behind the proxy
        await portal.locator('#name').fill('Laptop');
        await portal.locator('#create-key button[type="submit"]').click();
        const applicationId = await portal.locator('#new-application-id').innerText({ timeout: 15_000 });
        const applicationSecret = await portal.locator('#new-application-secret').innerText();
        await portal.locator('#back').click();
        await portal.locator(`#keys tr:has-text("Laptop"):has-text("${applicationId}")`).first().waitFor({ timeout: 15_000 });
        if (!portal.url().startsWith(expected)) throw new Error(`"Back" left the proxy: ${portal.url()}`);
        await page.bringToFront();
        await answer(page, 'application ID', `${applicationId}:${applicationSecret}`);
      } finally {
        await portal.close();
      }
      await page.locator(`${KEYS_PANE} .monaco-list-row:has-text("Laptop"):has-text("verified")`).first().waitFor({ timeout: 20_000 });
      await page.screenshot({ path: path.join(shots, 'demo-keys.png') });
    });

    await checkOnPage('the Composer Keys view beside API Keys lists the seeded Composer keys of both environments', async () => {
      const composer = page.locator(COMPOSER_PANE).first();
      const header = composer.locator('.pane-header').first();
      if ((await header.getAttribute('aria-expanded')) !== 'true') throw new Error('the Composer Keys view is collapsed');
      // The sandbox's keys are listed through the sandbox key made above; production's need a production key.
      const { applicationId, applicationSecret } = demoKeys.production;
      await createKeyByKeyboard(page, { environment: 'production', name: 'Demo', applicationId, applicationSecret });
      const rows = composer.locator('.monaco-list-row');
      const rowText = async () => (await rows.allInnerTexts()).join(' | ');
      for (const k of [demo.composerKeys.production, demo.composerKeys.organization, demo.composerKeys.sandbox]) {
        await composer.locator(`.monaco-list-row[aria-label^="${k.label},"]`).first().waitFor({ timeout: 20_000 })
          .catch(async () => { throw new Error(`no "${k.label}" row; the view shows: ${await rowText()}`); });
      }
      // The rows arrive first; the environment row's count follows with the view's next render (it may still say
      // "loading…" for a moment while the key just added reloads the list).
      const expected = /Production\s*2 keys.*agency-ci.*shop-live.*Sandbox\s*1 key.*shop-staging/s;
      let all = await rowText();
      for (const until = Date.now() + 10_000; !expected.test(all) && Date.now() < until; all = await rowText()) await page.waitForTimeout(200);
      if (!expected.test(all)) throw new Error(`expected Production › agency-ci, shop-live and Sandbox › shop-staging: ${all}`);
      const org = sandbox.organizations('production')[0].name;
      if (!(await composer.locator('.monaco-list-row[aria-label^="agency-ci,"]').first().innerText()).includes(org)) throw new Error(`the agency-ci row does not name its owner ${org}: ${all}`);
      await setSidebarWidth(page, 300);
      // the empty secondary side bar (chat) only takes room in the picture, as in `npm run demo -- --screenshot`
      if (await page.locator('.part.auxiliarybar').first().isVisible().catch(() => false)) await page.keyboard.press('Control+Alt+KeyB');
      await page.mouse.move(900, 500);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'demo-composer.png') });
    });

    await checkOnPage('the Submissions view lists the seeded submissions; opening Example Module 1.0.1\'s code sniffer run puts its findings in the Problems panel on the demo module\'s files', async () => {
      const pane = page.locator(SUBMISSIONS_PANE).first();
      // Room for the Submissions view: the Composer Keys view is collapsed, as a person would.
      const composerHeader = page.locator(`${COMPOSER_PANE} .pane-header`).first();
      if ((await composerHeader.getAttribute('aria-expanded')) === 'true') await composerHeader.click();
      const rowText = async () => (await pane.locator('.monaco-list-row').allInnerTexts()).join(' | ');
      const version = pane.locator('.monaco-list-row[aria-label^="Example Module 1.0.1,"]').first();
      await version.waitFor({ timeout: 30_000 }).catch(async () => { throw new Error(`no "Example Module 1.0.1" row; the view shows: ${await rowText()}`); });
      await version.click();
      const phpcs = pane.locator('.monaco-list-row[aria-label^="Code sniffer (phpcs)"]').first();
      await phpcs.waitFor({ timeout: 20_000 }).catch(async () => { throw new Error(`no phpcs run under 1.0.1; the view shows: ${await rowText()}`); });
      await phpcs.click();
      await page.locator('.tabs-container .tab:has-text("phpcs 1.0.1")').first().waitFor({ timeout: 30_000 });
      // The status bar's problem counts open the Problems panel (the keyboard focus is in the report's preview).
      await page.locator('.statusbar-item[id="status.problems"]').first().click();
      const problems = page.locator('.markers-panel .monaco-list-row');
      await page.locator('.markers-panel .monaco-list-row:has-text("Direct use of $_GET Superglobal detected.")').first().waitFor({ timeout: 20_000 })
        .catch(async () => { throw new Error(`the Problems panel shows: ${(await problems.allInnerTexts()).join(' | ').slice(0, 800)}`); });
      const texts = (await problems.allInnerTexts()).join('\n');
      for (const file of ['Greeting.php', 'Index.php', 'greeting.phtml']) if (!texts.includes(file)) throw new Error(`the Problems panel has no ${file}: ${texts.slice(0, 800)}`);
      await page.mouse.move(900, 300);
      // The report's preview (a webview) paints again after the panel opened below it.
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(shots, 'demo-submissions.png') });
    });

    await checkOnPage('Submit Package in the demo with the keyboard: the file list, Enter, the upload and the 20 s malware scan in progress notifications, then 1.0.3 submitted and shown in the Submissions view', async () => {
      await palette(page, 'EQP: Submit Package');
      const envPick = page.locator('.quick-input-widget:visible .quick-input-title:has-text("Submit Package")').first();
      const fileList = page.locator('.quick-input-widget:visible .quick-input-title:has-text("check what is uploaded")').first();
      await Promise.race([envPick.waitFor({ timeout: 60_000 }).catch(() => undefined), fileList.waitFor({ timeout: 60_000 }).catch(() => undefined)]);
      // With keys in both environments the environment is asked first.
      if (await envPick.isVisible().catch(() => false)) await answer(page, 'Submit Package', 'Sandbox');
      await fileList.waitFor({ timeout: 60_000 }).catch(async () => {
        throw new Error(`no file list; toasts: ${(await page.locator('.notification-toast').allInnerTexts().catch(() => [])).join(' | ').slice(0, 600)}`);
      });
      const listed = (await page.locator('.quick-input-widget:visible .monaco-list-row').allInnerTexts()).join('\n');
      if (!/Upload and Submit for technical review/.test(listed) || !listed.includes('composer.json')) throw new Error(`the file list shows: ${listed.slice(0, 600)}`);
      await page.keyboard.press('Enter');
      // The steps run under progress notifications, looked at in the notification centre (toasts come and go).
      const uploaded = () => sandbox.requestLog('sandbox').some((e) => e.method === 'POST' && e.path === '/rest/v1/files/uploads');
      for (const deadline = Date.now() + 60_000; !uploaded() && Date.now() < deadline;) await page.waitForTimeout(250);
      if (!uploaded()) throw new Error('the sandbox received no upload within a minute');
      await palette(page, 'Notifications: Show Notifications');
      const center = page.locator('.notifications-center .notification-list-item');
      const centerText = async () => (await center.allInnerTexts().catch(() => [])).join(' | ').slice(0, 600);
      await center.filter({ hasText: 'Waiting for the malware scan (Sandbox)' }).first().waitFor({ timeout: 20_000 })
        .catch(async () => { throw new Error(`no malware scan progress; the notification centre shows: ${await centerText()}`); });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'demo-submit-scan.png') });
      const done = center.filter({ hasText: 'Example Module 1.0.3 was submitted to Sandbox for technical review: in automation.' }).first();
      await done.waitFor({ timeout: 90_000 }).catch(async () => { throw new Error(`no "submitted" notification; the notification centre shows: ${await centerText()}`); });
      await done.locator('.monaco-button:has-text("Show in Submissions")').first().click();
      const pane = page.locator(SUBMISSIONS_PANE).first();
      const row = pane.locator('.monaco-list-row.selected[aria-label^="Example Module 1.0.3,"]').first();
      await row.waitFor({ timeout: 30_000 }).catch(async () => {
        throw new Error(`1.0.3 is not selected in the Submissions view: ${(await pane.locator('.monaco-list-row').allInnerTexts()).join(' | ').slice(0, 600)}`);
      });
      if (!/in automation/.test((await row.getAttribute('aria-label')) ?? '')) throw new Error(`1.0.3 is not in automation: ${await row.getAttribute('aria-label')}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'demo-submit.png') });
    });
  } finally {
    await context.close();
    await demo.stop();
  }
}
