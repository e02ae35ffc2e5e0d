/* global document, getComputedStyle */
// UI checks of the Composer Keys view in the real workbench, the way a person uses it in a Magento project: a
// workspace folder with a composer.json that is a git repository and has no auth.json yet, a production API access
// key stored, and then with the keyboard alone: "EQP: Create Composer Key…" (owner "You", label "shop"), "EQP: Write
// Composer Key to auth.json…" (key "shop"), "Add to .gitignore and Write" in the modal. The real files are checked
// afterwards (auth.json holds the sandbox's key pair for repo.magento.com, .gitignore lists it, git does not see
// it), and the view marks the key "in auth.json".
// Screenshots (300 px side bar): shots/composer-modal.png, shots/composer-auth-json.png, shots/composer-keys.png.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, COMPOSER_PANE, KEYS_PANE, answer, createKeyByKeyboard, palette, setSidebarWidth, writeSandboxSettings } from './workbench.mjs';

const MODAL_CHOICE = 'Add to .gitignore and Write';

/** A Composer Keys row by its label (the row's accessible name starts with it). */
const composerRow = (pane, label) => pane.locator(`.monaco-list-row[aria-label^="${label},"]`).first();

function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A Magento project of its own beside the run's shared workspace (cs.dirs.ws, which the other checks use and
 * edit): composer.json, README.md, a fresh git repository, no auth.json and no .gitignore.
 */
function makeProject(runDir) {
  const dir = path.join(runDir, 'acme-shop');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'composer.json'), `${JSON.stringify({
    name: 'acme/shop',
    type: 'project',
    repositories: [{ type: 'composer', url: 'https://repo.magento.com/' }],
    require: { 'magento/product-community-edition': '2.4.7' },
  }, null, 4)}\n`);
  fs.writeFileSync(path.join(dir, 'README.md'), '# Acme shop\n');
  git(dir, 'init', '-q');
  return dir;
}

export async function runComposerUiChecks({ browser, cs, root, shots, check }) {
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const checkOnPage = (name, fn) => check(name, fn, page);
  const project = makeProject(path.dirname(cs.dirs.ws));
  const authFile = path.join(project, 'auth.json');
  try {
    writeSandboxSettings(cs, sandbox);
    const prod = sandbox.createKey('production', 'Laptop');
    const sbx = sandbox.createKey('sandbox', 'CI');
    // Made in the portal before: the sandbox account's key, for the picture of both environments.
    sandbox.createComposerKey('sandbox', 'shop-staging');
    await page.goto(workbenchUrl(cs.base, { ws: project, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    // the empty secondary side bar (chat) would take the room of the editor in the pictures
    await page.waitForTimeout(500);
    if (await page.locator('.part.auxiliarybar').first().isVisible().catch(() => false)) await palette(page, 'View: Hide Secondary Side Bar');
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    const pane = page.locator(COMPOSER_PANE).first();
    await pane.waitFor({ timeout: 30_000 });
    await setSidebarWidth(page, 300);
    const rowText = async () => (await pane.locator('.monaco-list-row').allInnerTexts()).join(' | ');

    await checkOnPage('Composer Keys: create "shop" with the keyboard alone (palette, owner "You", label)', async () => {
      if (fs.existsSync(authFile)) throw new Error(`${authFile} exists before the check`);
      await createKeyByKeyboard(page, { environment: 'production', name: 'Laptop', applicationId: prod.applicationId, applicationSecret: prod.applicationSecret });
      await palette(page, 'EQP: Create Composer Key');
      // The production account belongs to an organization, so the owner is asked first.
      await page.locator('.quick-input-widget:visible .quick-input-title:has-text("Owner")').first().waitFor({ timeout: 20_000 });
      const owners = await page.locator('.quick-input-widget:visible .monaco-list-row').allInnerTexts();
      if (!owners.some((o) => o.trim().startsWith('You')) || !owners.some((o) => o.includes('Example Extensions Ltd.'))) {
        throw new Error(`the owner pick offers: ${JSON.stringify(owners)}`);
      }
      await answer(page, 'Owner', 'You');
      await answer(page, 'Create Production Composer Key', 'shop');
      await composerRow(pane, 'shop').waitFor({ timeout: 20_000 }).catch(async () => { throw new Error(`no "shop" row; the view shows: ${await rowText()}`); });
      const made = sandbox.composerKeys('production').filter((k) => k.label === 'shop');
      if (made.length !== 1 || made[0].uid !== sandbox.account('production').mageId) throw new Error(`the sandbox holds: ${JSON.stringify(made.map((k) => k.uid))}`);
    });

    await checkOnPage(`Composer Keys: write "shop" to the project's auth.json from the palette; the git modal's "${MODAL_CHOICE}" by keyboard`, async () => {
      await page.keyboard.press('Escape');
      await palette(page, 'EQP: Write Composer Key to auth.json');
      await answer(page, 'Write Composer Key to auth.json', 'shop');
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ timeout: 20_000 });
      const text = await dialog.innerText();
      if (!/auth\.json in acme-shop is not ignored by git\./.test(text)) throw new Error(`the modal says: ${text}`);
      await page.waitForTimeout(300); // the dialog's fade-in
      await page.screenshot({ path: path.join(shots, 'composer-modal.png') });
      // The keyboard: Tab through the dialog's buttons until the one meant has the focus, then Enter.
      const focused = () => page.evaluate(() => (document.activeElement?.textContent ?? '').trim());
      for (let i = 0; i < 6 && (await focused()) !== MODAL_CHOICE; i++) await page.keyboard.press('Tab');
      if ((await focused()) !== MODAL_CHOICE) throw new Error(`Tab never reached "${MODAL_CHOICE}"; the focus is on "${await focused()}"`);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
      // The written file is opened in an editor.
      await page.locator('.tabs-container .tab:has-text("auth.json")').first().waitFor({ timeout: 20_000 });
      await page.locator('.editor-instance .monaco-editor .view-lines:has-text("repo.magento.com")').first().waitFor({ timeout: 20_000 });
    });

    await checkOnPage('Composer Keys: auth.json holds the key for repo.magento.com, .gitignore lists it, git does not show it', async () => {
      const key = sandbox.composerKeys('production').find((k) => k.label === 'shop');
      if (!key) throw new Error('no "shop" key in the sandbox');
      const auth = JSON.parse(fs.readFileSync(authFile, 'utf8'));
      const entry = auth?.['http-basic']?.['repo.magento.com'];
      if (entry?.username !== key.userKey) throw new Error(`auth.json's username for repo.magento.com is ${entry?.username}, not the key's ${key.userKey}`);
      if (entry?.password !== key.passwordKey) throw new Error('auth.json\'s password for repo.magento.com is not the key\'s private key');
      const ignore = fs.readFileSync(path.join(project, '.gitignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
      if (!ignore.some((l) => l === 'auth.json' || l === '/auth.json')) throw new Error(`.gitignore does not list auth.json: ${JSON.stringify(ignore)}`);
      const status = git(project, 'status', '--porcelain', '--untracked-files=all');
      if (/auth\.json/.test(status)) throw new Error(`git status shows auth.json:\n${status}`);
      if (!/\.gitignore/.test(status)) throw new Error(`git status does not show the new .gitignore (is this the right repository?):\n${status}`);
      if ((fs.statSync(authFile).mode & 0o077) !== 0) throw new Error(`auth.json is readable by others: mode ${(fs.statSync(authFile).mode & 0o777).toString(8)}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'composer-auth-json.png') });
      // The message of the write names the key, the host and the file (in the notification centre under the
      // smoke-test driver).
      const said = `Wrote the Production Composer key "shop" for repo.magento.com to ${authFile}.`;
      await palette(page, 'Notifications: Show Notifications');
      await page.locator(`.notifications-center .notification-list-item:has-text('${said}')`).first().waitFor({ timeout: 10_000 })
        .catch(async () => { throw new Error(`no "${said}"; the notification centre shows: ${await page.locator('.notifications-center').first().innerText().catch(() => '(nothing)')}`); });
      await palette(page, 'Notifications: Hide Notifications');
    });

    await checkOnPage('Composer Keys: the view marks "shop" in auth.json, and lists a key per environment at 300 px', async () => {
      // The view learns about the file from its watcher; give it a moment, then refresh by hand once.
      const inAuthJson = () => pane.locator('.monaco-list-row[aria-label^="shop,"]:has-text("in auth.json")').first();
      await inAuthJson().waitFor({ timeout: 5_000 }).catch(async () => {
        await palette(page, 'EQP: Refresh Composer Keys');
        await inAuthJson().waitFor({ timeout: 15_000 });
      }).catch(async () => { throw new Error(`"shop" is not marked "in auth.json": ${await rowText()}`); });
      // The second environment: a sandbox API access key makes the sandbox account's Composer keys appear.
      await createKeyByKeyboard(page, { environment: 'sandbox', name: 'CI', applicationId: sbx.applicationId, applicationSecret: sbx.applicationSecret });
      await composerRow(pane, 'shop-staging').waitFor({ timeout: 20_000 }).catch(async () => { throw new Error(`no "shop-staging" row: ${await rowText()}`); });
      const all = await rowText();
      if (!/Production.*shop.*Sandbox.*shop-staging/s.test(all)) throw new Error(`expected Production › shop, Sandbox › shop-staging: ${all}`);
      // Both views in the side bar: collapse API Keys to its header, as a person would to see more Composer keys.
      const keysHeader = page.locator(`${KEYS_PANE} .pane-header`).first();
      if ((await keysHeader.getAttribute('aria-expanded')) === 'true') {
        await keysHeader.focus();
        await page.keyboard.press('Space');
      }
      // The focus back in the editor: no focus outline on the side bar in the picture.
      await page.keyboard.press('Control+1');
      await page.mouse.move(900, 500);
      await page.waitForTimeout(500);
      // At 300 px every row shows its label and whole description (state, "in auth.json", owner, short public
      // key); the selected row, whose inline icons take room, at least everything before the public key.
      const clipped = await pane.locator('.monaco-list-row').evaluateAll((rs) => rs.map((r) => {
        const d = r.querySelector('.label-description');
        const text = d?.textContent ?? '';
        if (!d || text === '') return undefined;
        const container = r.querySelector('.monaco-icon-label-container') ?? r;
        let bound = Math.min(container.getBoundingClientRect().right, r.getBoundingClientRect().right);
        const actions = r.querySelector('.actions .actions-container');
        const actionsBox = actions?.getBoundingClientRect();
        if (actionsBox && actionsBox.width > 0 && getComputedStyle(r.querySelector('.actions')).display !== 'none') bound = Math.min(bound, actionsBox.left);
        const selected = r.classList.contains('selected') || r.classList.contains('focused');
        const must = selected ? text.replace(/(^| · )[0-9a-f]{8}…$/, '') : text;
        if (must === '') return undefined;
        const range = document.createRange();
        range.setStart(d.firstChild, 0);
        range.setEnd(d.firstChild, must.length);
        const right = range.getBoundingClientRect().right;
        return right > bound + 0.5 ? { row: r.getAttribute('aria-label'), shown: text, mustShow: must, overflowPx: Math.round(right - bound) } : undefined;
      }).filter(Boolean));
      await page.screenshot({ path: path.join(shots, 'composer-keys.png') });
      if (clipped.length) throw new Error(`rows cut off at 300 px: ${JSON.stringify(clipped)}`);
    });
  } finally {
    await page.close();
    await sandbox.close();
  }
}
