/* global document, window, performance, MutationObserver */
// Click-to-token figure of `npm run bench`, in the real workbench (code-server + headless Chromium, as the UI
// checks of test/ui/smoke.mjs): a key added with the keyboard through the EQP sandbox (its verification keeps a
// token, so the clicks find it cached), README.md open in an editor, then the EQP status bar item and the floor
// fixture's item (bench/fixtures/status-insert, which inserts a constant) clicked in turn, ABBA order. Each sample
// is timed inside the page: from the pointer going down on the item to the inserted text being in the editor's
// DOM (the paint follows at the next frame, for both alike).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureCodeServer, ensureSystemPackages, launchBrowser, launchCodeServer, workbenchUrl } from '../scripts/lib/vscode-runtime.mjs';
import { ACTIVITY_EQP, createKeyByKeyboard, openReadmeAtNewLine, writeSandboxSettings } from '../test/ui/workbench.mjs';

const EQP_ITEM = '.statusbar-item[aria-label^="EQP session token"], .statusbar-item:has([aria-label^="EQP session token"])';
const FLOOR_ITEM = '.statusbar-item[aria-label^="Bench floor"], .statusbar-item:has([aria-label^="Bench floor"])';
const FLOOR_TEXT = '[floor]';
const WARMUP = 2;

/**
 * Arms a waiter in the page: resolves with the milliseconds from the next pointerdown to the editor text holding
 * `needle` more often than now.
 */
function arm(page, needle) {
  return page.evaluate((n) => {
    const lines = () => document.querySelector('.editor-instance .monaco-editor .view-lines');
    const count = () => (lines()?.textContent ?? '').split(n).length - 1;
    const start = count();
    window.__benchClick = new Promise((resolve, reject) => {
      let down;
      document.addEventListener('pointerdown', () => { down = performance.now(); }, { capture: true, once: true });
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`no new "${n.slice(0, 12)}…" in the editor within 20 s`)); }, 20_000);
      const observer = new MutationObserver(() => {
        if (down !== undefined && count() > start) {
          const at = performance.now();
          observer.disconnect();
          clearTimeout(timer);
          resolve(at - down);
        }
      });
      observer.observe(lines(), { subtree: true, childList: true, characterData: true });
    });
  }, needle);
}

/**
 * @param {object} o
 * @param {string} o.root
 * @param {string} o.workDir
 * @param {string} o.extensionsDir  a folder holding EQP Keys (production bundle) and the status-insert fixture
 * @param {number} o.runs           timed clicks per item
 * @param {(msg: string) => void} o.log
 */
export async function measureClick({ root, workDir, extensionsDir, runs, log }) {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  ensureSystemPackages();
  ensureCodeServer();
  const { EqpSandbox } = await import(pathToFileURL(path.join(root, 'out/test/sandbox/server.js')).href);
  const sandbox = await EqpSandbox.start();
  const cleanups = [() => sandbox.close()];
  try {
    const cs = await launchCodeServer({ runDir: path.join(workDir, 'vscode') });
    cleanups.unshift(cs.stop);
    writeSandboxSettings(cs, sandbox);
    const browser = await launchBrowser();
    cleanups.unshift(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: extensionsDir }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator(ACTIVITY_EQP).first().click({ timeout: 60_000 });
    const pk = sandbox.createKey('sandbox', 'Bench');
    await createKeyByKeyboard(page, { environment: 'sandbox', name: 'Bench', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
    const eqpItem = page.locator(EQP_ITEM).first();
    const floorItem = page.locator(FLOOR_ITEM).first();
    await eqpItem.waitFor({ timeout: 20_000 });
    await floorItem.waitFor({ timeout: 20_000 });

    await openReadmeAtNewLine(page, 'x ');
    await page.waitForTimeout(300);

    // The token: the first click inserts it (cached since the key's verification; counted below).
    const requestsBefore = sandbox.tokenRequestCount();
    await eqpItem.click();
    await page.waitForFunction(() => /x [A-Za-z0-9_-]{20,}/.test((document.querySelector('.editor-instance .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ')), null, { timeout: 20_000 });
    const text = (await page.locator('.editor-instance .monaco-editor .view-lines').first().textContent() ?? '').replace(/\u00a0/g, ' ');
    const token = /x ([A-Za-z0-9_-]{20,})/.exec(text)?.[1];
    if (!token) throw new Error(`no token in the editor: ${text}`);

    const items = { eqp: { item: eqpItem, needle: token }, floor: { item: floorItem, needle: FLOOR_TEXT } };
    const times = { eqp: [], floor: [] };
    for (let i = 0; i < runs + WARMUP; i++) {
      for (const which of i % 2 === 0 ? ['eqp', 'floor'] : ['floor', 'eqp']) {
        await arm(page, items[which].needle);
        await items[which].item.click();
        const ms = await page.evaluate(() => window.__benchClick);
        if (i >= WARMUP) times[which].push(ms);
        // Let the workbench settle (status bar updates, focus) before the next click.
        await page.waitForTimeout(250);
      }
    }
    const requests = sandbox.tokenRequestCount() - requestsBefore;
    log(`  click → text: EQP Keys ${times.eqp.map((v) => v.toFixed(1)).join(', ')}`);
    log(`  click → text: floor    ${times.floor.map((v) => v.toFixed(1)).join(', ')}`);
    await page.close();
    return { times, requests, clicks: runs + WARMUP + 1, browserVersion: browser.version() };
  } finally {
    for (const c of cleanups) await c().catch(() => {});
  }
}
