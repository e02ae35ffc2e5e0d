// UI checks of the Submissions view in the real workbench, the way a seller uses it: the workspace is the Magento
// module they submitted (test/fixtures/demo-module, acme/module-example 1.0.1), a sandbox API access key is added
// with the keyboard, the Submissions view lists the sandbox's seeded products and versions, and opening the rejected
// 1.0.1's code sniffer run shows its report and puts its findings in the Problems panel on the module's files.
// Clicking a problem lands on the file, line and column the reviewer's report names.
// Screenshots (300 px side bar): shots/submissions-view.png, shots/submissions-report.png, shots/submissions-problems.png.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, COMPOSER_PANE, SUBMISSIONS_PANE, createKeyByKeyboard, palette, setSidebarWidth, writeSandboxSettings } from './workbench.mjs';

/** A row of the Submissions view by the start of its accessible name. */
const row = (pane, start) => pane.locator(`.monaco-list-row[aria-label^="${start}"]`).first();

/** The module the seller submitted, as a workspace folder of its own beside the run's shared one. */
function makeModule(root, runDir) {
  const dir = path.join(runDir, 'module-example');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'test', 'fixtures', 'demo-module'), dir, { recursive: true });
  return dir;
}

export async function runSubmissionsUiChecks({ browser, cs, root, shots, check }) {
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const checkOnPage = (name, fn) => check(name, fn, page);
  const module = makeModule(root, path.dirname(cs.dirs.ws));
  try {
    writeSandboxSettings(cs, sandbox);
    const key = sandbox.createKey('sandbox', 'CI');
    await page.goto(workbenchUrl(cs.base, { ws: module, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.waitForTimeout(500);
    if (await page.locator('.part.auxiliarybar').first().isVisible().catch(() => false)) await palette(page, 'View: Hide Secondary Side Bar');
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    const pane = page.locator(SUBMISSIONS_PANE).first();
    await pane.waitFor({ timeout: 30_000 });
    await setSidebarWidth(page, 300);
    const rowText = async () => (await pane.locator('.monaco-list-row').allInnerTexts()).join(' | ');

    await checkOnPage('Submissions: with a sandbox key the view lists the products and their versions, newest first, with their review status', async () => {
      await createKeyByKeyboard(page, { environment: 'sandbox', name: 'CI', applicationId: key.applicationId, applicationSecret: key.applicationSecret });
      // The Composer Keys view is not what this check is about: collapsed, it leaves the Submissions view room.
      const composerHeader = page.locator(`${COMPOSER_PANE} .pane-header`).first();
      if ((await composerHeader.getAttribute('aria-expanded')) === 'true') await composerHeader.click();
      await row(pane, 'Example Module,').waitFor({ timeout: 30_000 }).catch(async () => { throw new Error(`no "Example Module" row; the view shows: ${await rowText()}`); });
      await row(pane, 'Example Theme,').waitFor({ timeout: 10_000 });
      const versions = await pane.locator('.monaco-list-row[aria-label^="Example Module "]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
      const order = versions.map((v) => /^Example Module (\S+),/.exec(v ?? '')?.[1]);
      if (order.join(' ') !== '1.1.0 1.0.2 1.0.1 1.0.0') throw new Error(`the module's versions show as ${JSON.stringify(versions)}`);
      if (!/rejected \(technical\)/.test(versions[2] ?? '')) throw new Error(`1.0.1 does not say it was rejected: ${versions[2]}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'submissions-view.png') });
    });

    await checkOnPage('Submissions: opening 1.0.1\'s code sniffer run shows its report, with the finding that matches no file listed', async () => {
      await row(pane, 'Example Module 1.0.1,').click();
      const phpcs = row(pane, 'Code sniffer (phpcs), failed');
      await phpcs.waitFor({ timeout: 20_000 }).catch(async () => { throw new Error(`no phpcs run under 1.0.1; the view shows: ${await rowText()}`); });
      // The keyboard: Down from 1.0.1 to its phpcs run, Enter opens it.
      const focused = () => pane.locator('.monaco-list-row.focused').first().getAttribute('aria-label').catch(() => null);
      for (let i = 0; i < 8 && !/^Code sniffer \(phpcs\)/.test((await focused()) ?? ''); i++) await page.keyboard.press('ArrowDown');
      if (!/^Code sniffer \(phpcs\)/.test((await focused()) ?? '')) throw new Error(`the keyboard never reached the phpcs run; the focus is on ${await focused()}`);
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab:has-text("phpcs 1.0.1")').first().waitFor({ timeout: 30_000 });
      // The report is rendered (the Markdown preview, a webview): its text is looked for in the webview's frames.
      const inReport = async (text) => {
        for (const frame of page.frames()) {
          if (await frame.locator(`text=${text}`).first().isVisible().catch(() => false)) return true;
        }
        return false;
      };
      const deadline = Date.now() + 20_000;
      while (!(await inReport('GreetingTest.php')) && Date.now() < deadline) await page.waitForTimeout(250);
      if (!(await inReport('GreetingTest.php'))) throw new Error('the rendered report does not list the finding on Test/Unit/GreetingTest.php, which the module does not have');
      if (!(await inReport('Not found in the workspace'))) throw new Error('the rendered report has no "Not found in the workspace" section');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'submissions-report.png') });
      // The report's title bar: Open as JSON, the bytes the portal's download holds.
      await page.locator('.editor-actions .action-label[aria-label^="Open Test Report as JSON"]').first().click({ timeout: 10_000 })
        .catch(async () => { throw new Error(`no "Open Test Report as JSON" on the report's title bar: ${(await page.locator('.editor-actions').first().innerHTML().catch(() => '')).slice(0, 400)}`); });
      await page.locator('.tabs-container .tab.active:has-text("phpcs 1.0.1 run 1.json")').first().waitFor({ timeout: 20_000 });
      await page.locator('.editor-instance .monaco-editor .view-lines:has-text("eqp-automation")').first().waitFor({ timeout: 10_000 });
    });

    await checkOnPage('Submissions: the Problems panel lists the findings on the module\'s files, and clicking one lands on its file, line and column', async () => {
      await palette(page, 'View: Focus Problems');
      const problems = page.locator('.markers-panel .monaco-list-row');
      const superglobal = page.locator('.markers-panel .monaco-list-row:has-text("Direct use of $_GET Superglobal detected.")').first();
      await superglobal.waitFor({ timeout: 20_000 }).catch(async () => { throw new Error(`no $_GET finding; the Problems panel shows: ${(await problems.allInnerTexts()).join(' | ').slice(0, 800)}`); });
      const texts = (await problems.allInnerTexts()).join('\n');
      for (const file of ['Greeting.php', 'Index.php', 'greeting.phtml']) {
        if (!texts.includes(file)) throw new Error(`the Problems panel has no ${file}: ${texts.slice(0, 800)}`);
      }
      if (!/Magento2\.Security\.Superglobal\.SuperglobalUsageError/.test(texts)) throw new Error(`the sniff is not shown as the problem's code: ${texts.slice(0, 800)}`);
      if (texts.includes('GreetingTest.php')) throw new Error('a finding on a file the module does not have was put in the Problems panel');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'submissions-problems.png') });
      await superglobal.click();
      await page.locator('.tabs-container .tab.active:has-text("Greeting.php")').first().waitFor({ timeout: 20_000 });
      const position = page.locator('.statusbar-item:has-text("Ln 31, Col 27")').first();
      await position.waitFor({ timeout: 10_000 }).catch(async () => {
        throw new Error(`the cursor is not at line 31, column 27: ${(await page.locator('.statusbar-item:has-text("Ln ")').first().innerText().catch(() => '(no position)'))}`);
      });
    });

    await checkOnPage('Submit Package: the Explorer offers it on folders, not on files', async () => {
      await palette(page, 'View: Show Explorer');
      const explorer = page.locator('.explorer-folders-view .monaco-list-row');
      const menuItems = async (name) => {
        await explorer.filter({ hasText: name }).first().click({ button: 'right', timeout: 15_000 });
        const menu = page.locator('.context-view .monaco-menu .action-label');
        await menu.first().waitFor({ timeout: 10_000 });
        const items = await menu.allInnerTexts();
        await page.keyboard.press('Escape');
        return items;
      };
      const onFolder = await menuItems('Model');
      for (const item of ['Submit Package…', 'Build Package Zip (Dry Run)…', 'Create eqp-submission.json…']) {
        if (!onFolder.includes(item)) throw new Error(`the folder's context menu has no "${item}": ${onFolder.join(' | ')}`);
      }
      const onFile = await menuItems('composer.json');
      if (onFile.some((i) => /Submit Package|Build Package Zip/.test(i))) throw new Error(`a file's context menu offers submitting: ${onFile.join(' | ')}`);
    });

    await checkOnPage('Submit Package with the keyboard: the file list (auth.json and .env left out), Enter uploads, the scan passes, 1.0.3 shows in the Submissions view in automation', async () => {
      // The seller's next release: the version raised, and credentials in the folder that must never be uploaded.
      const composerFile = path.join(module, 'composer.json');
      fs.writeFileSync(composerFile, fs.readFileSync(composerFile, 'utf8').replace('"version": "1.0.1"', '"version": "1.0.3"'));
      fs.writeFileSync(path.join(module, 'auth.json'), `${JSON.stringify({ 'http-basic': { 'repo.magento.com': { username: 'public-demo', password: 'private-demo' } } }, null, 2)}\n`);
      fs.writeFileSync(path.join(module, '.env'), 'EQP_APP_SECRET=not-a-real-one\n');
      sandbox.setUploadScan('sandbox', { durationSeconds: 4 });
      const before = sandbox.uploads('sandbox').length;
      await palette(page, 'EQP: Submit Package');
      const title = page.locator('.quick-input-widget:visible .quick-input-title:has-text("check what is uploaded")').first();
      await title.waitFor({ timeout: 60_000 }).catch(async () => {
        const toasts = await page.locator('.notification-toast').allInnerTexts().catch(() => []);
        throw new Error(`no file list to confirm; notifications: ${toasts.join(' | ').slice(0, 600)}`);
      });
      const listed = (await page.locator('.quick-input-widget:visible .monaco-list-row').allInnerTexts()).join('\n');
      for (const text of ['Upload and Submit for technical review', 'composer.json', 'etc/module.xml', 'Left out', 'auth.json', '.env']) {
        if (!listed.includes(text)) throw new Error(`the file list has no "${text}": ${listed.slice(0, 800)}`);
      }
      if (!/auth\.json[\s\S]*always left out/.test(listed)) throw new Error(`auth.json is not shown as always left out: ${listed.slice(0, 800)}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'submit-file-list.png') });
      // The first item (Upload and Submit) has the focus: Enter goes on.
      await page.keyboard.press('Enter');
      // Upload, scan and submit run under progress notifications; the result is said in a notification (in the
      // notification centre under the smoke-test driver, which keeps toasts out of the way).
      const submitted = () => sandbox.requestLog('sandbox').some((e) => e.method === 'POST' && e.path === '/rest/v1/products/packages');
      for (const deadline = Date.now() + 90_000; !submitted() && Date.now() < deadline;) await page.waitForTimeout(500);
      const said = 'Example Module 1.0.3 was submitted to Sandbox for technical review: in automation.';
      await palette(page, 'Notifications: Show Notifications');
      await page.locator(`.notifications-center .notification-list-item:has-text("${said}")`).first().waitFor({ timeout: 20_000 }).catch(async () => {
        const requests = sandbox.requestLog('sandbox').slice(-8).map((e) => `${e.method} ${e.path} ${e.status}`);
        throw new Error(`no "${said}"; the notification centre shows: ${(await page.locator('.notifications-center').first().innerText().catch(() => '(nothing)')).slice(0, 600)}; the sandbox's last requests: ${requests.join(', ')}`);
      });
      const item = await page.locator('.notifications-center .notification-list-item').filter({ hasText: said }).first().innerText();
      if (!item.includes('Show in Submissions')) throw new Error(`the notification has no "Show in Submissions": ${item}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'submit-notification.png') });
      // Its button brings the new version into view in the Submissions view, selected.
      await page.locator('.notifications-center .notification-list-item').filter({ hasText: said }).first().locator('.monaco-button:has-text("Show in Submissions")').first().click();
      const uploads = sandbox.uploads('sandbox').slice(before);
      const zip = uploads.find((u) => /\.zip$/.test(u.filename));
      if (!zip) throw new Error(`the sandbox received no zip: ${JSON.stringify(uploads.map((u) => u.filename))}`);
      const entries = zip.entries ?? [];
      if (!entries.includes('composer.json') || entries.some((e) => /(^|\/)(auth\.json|\.env)$/.test(e))) throw new Error(`the uploaded zip holds ${JSON.stringify(entries)}`);
      await row(pane, 'Example Module 1.0.3,').waitFor({ timeout: 30_000 }).catch(async () => { throw new Error(`no "Example Module 1.0.3" row; the view shows: ${await rowText()}`); });
      const label = await row(pane, 'Example Module 1.0.3,').getAttribute('aria-label');
      if (!/in automation/.test(label ?? '')) throw new Error(`1.0.3 is not in automation: ${label}`);
      const selected = await pane.locator('.monaco-list-row.selected').first().getAttribute('aria-label').catch(() => null);
      if (!/^Example Module 1\.0\.3,/.test(selected ?? '')) throw new Error(`Show in Submissions did not select 1.0.3: the selection is ${selected}`);
      if (await page.locator('.notifications-center').first().isVisible().catch(() => false)) await palette(page, 'Notifications: Hide Notifications');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'submit-done.png') });
    });
  } finally {
    await page.close();
    await sandbox.close();
  }
}
