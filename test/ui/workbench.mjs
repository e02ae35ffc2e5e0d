// Small Playwright helpers for driving the VS Code workbench the way a person does (keyboard first).
// Used by the UI checks and by `npm run demo -- --screenshot`.
import fs from 'node:fs';
import path from 'node:path';

export const ACTIVITY_EQP = '.activitybar .action-item a[aria-label^="EQP Keys"], .activitybar .action-label[aria-label^="EQP Keys"]';
export const KEYS_PANE = '.pane:has(.pane-header:has-text("API Keys"))';
export const COMPOSER_PANE = '.pane:has(.pane-header:has-text("Composer Keys"))';
export const SUBMISSIONS_PANE = '.pane:has(.pane-header:has-text("Submissions"))';

/** Runs a command from the palette by its title. */
export async function palette(page, command) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${command}`);
  await page.locator(`.quick-input-list .monaco-list-row:has-text("${command}")`).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Types into the quick input once its title contains `title`, then presses Enter. */
export async function answer(page, title, text) {
  await page.locator(`.quick-input-widget:visible .quick-input-title:has-text("${title}")`).first().waitFor({ timeout: 15_000 });
  const input = page.locator('.quick-input-widget:visible input').first();
  await input.fill(text);
  await page.waitForTimeout(150); // let the list filter / validation settle
  await page.keyboard.press('Enter');
}

/** The guided create flow, answered with the keyboard alone; the pair pasted as ID:secret or typed in two boxes. */
export async function createKeyByKeyboard(page, { environment, name, applicationId, applicationSecret, twoBoxes = false }) {
  await palette(page, 'EQP: Create API Access Key');
  // Each box's title carries its step counter, as VS Code shows it: "… (2/5)".
  await answer(page, 'environment (1/5)', environment === 'production' ? 'Production' : 'Sandbox');
  await answer(page, 'name (2/5)', name);
  await answer(page, 'get the pair from the portal (3/5)', 'I have');
  if (twoBoxes) {
    await answer(page, 'application ID (4/5)', applicationId);
    await answer(page, 'application secret (5/5)', applicationSecret);
  } else {
    await answer(page, 'application ID (4/5)', `${applicationId}:${applicationSecret}`);
  }
  await page.locator(`${KEYS_PANE} .monaco-list-row:has-text("${name}")`).first().waitFor({ timeout: 20_000 });
}

/** Points the user settings of the running code-server at the sandbox (VS Code watches the file). */
export function writeSandboxSettings(cs, sandbox) {
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

/** Drags the side bar's sash until the side bar is `width` px wide. */
export async function setSidebarWidth(page, width) {
  const box = await page.locator('.part.sidebar').first().boundingBox();
  if (!box) throw new Error('no side bar');
  const x = box.x + box.width;
  await page.mouse.move(x - 1, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + width, box.y + 200, { steps: 6 });
  await page.mouse.up();
  const now = (await page.locator('.part.sidebar').first().boundingBox())?.width ?? 0;
  if (Math.abs(now - width) > 4) throw new Error(`the side bar is ${now} px wide, not ${width}`);
}

/** Quick Open (F1, no ">") the workspace's README.md and put the cursor on a new last line, typing `prefix`. */
export async function openReadmeAtNewLine(page, prefix) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('README.md');
  await page.locator('.quick-input-list .monaco-list-row:has-text("README.md")').first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.editor-instance .monaco-editor .view-lines:has-text("EQP Keys test workspace")').first().waitFor({ timeout: 15_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(prefix);
}
