// UI checks in the real workbench (code-server + headless Chromium): what a person sees and clicks.
// Each check counts as one test in `npm test`; screenshots go to run/shots/.
import fs from 'node:fs';
import path from 'node:path';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';

export async function runUiChecks({ browser, cs, root, shots }) {
  fs.mkdirSync(shots, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const result = { passed: 0, failed: 0 };
  const check = async (name, fn) => {
    const t = Date.now();
    try {
      await fn();
      result.passed++;
      console.log(`  ✓ ui: ${name} (${Date.now() - t} ms)`);
    } catch (e) {
      result.failed++;
      console.log(`  ✗ ui: ${name}\n      ${String(e?.message ?? e).split('\n').slice(0, 6).join('\n      ')}`);
      await page.screenshot({ path: path.join(shots, `fail-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
    }
  };
  try {
    await check('workbench loads with the extension in development mode', async () => {
      await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    });
    const activity = page.locator('.activitybar .action-item a[aria-label^="EQP Keys"], .activitybar .action-label[aria-label^="EQP Keys"]').first();
    await check('the EQP Keys container is in the activity bar', async () => {
      await activity.waitFor({ timeout: 60_000 });
    });
    await check('clicking it opens the API Keys view with its empty state', async () => {
      await activity.click();
      const pane = page.locator('.pane:has(.pane-header:has-text("API Keys"))').first();
      await pane.waitFor({ timeout: 30_000 });
      await pane.locator('.welcome-view-content:has-text("No EQP API access keys yet")').waitFor({ timeout: 30_000 });
      await pane.locator('.welcome-view-content a:has-text("Open Developer Portal"), .welcome-view-content .monaco-button:has-text("Open Developer Portal")').first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(shots, 'empty-state.png') });
    });
  } finally {
    await page.close();
  }
  return result;
}
