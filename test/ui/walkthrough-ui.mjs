// UI checks of the "Get Started with EQP Keys" walkthrough in the real workbench: opened the way a person finds
// it (Command Palette → "Welcome: Open Walkthrough..." → its title), every step's title on screen, a step's
// markdown page rendered, and its "Create API Access Key" button starting the real create flow.
// Screenshot: shots/walkthrough.png.
import fs from 'node:fs';
import path from 'node:path';
import { workbenchUrl } from '../../scripts/lib/vscode-runtime.mjs';
import { palette } from './workbench.mjs';

const WALKTHROUGH = '.gettingStartedContainer';

/**
 * The text of the walkthrough's media: VS Code renders a step's markdown in a webview (nested frames), so this is
 * every frame but the workbench's own.
 */
async function mediaText(page) {
  const frames = page.frames().filter((f) => f !== page.mainFrame());
  const texts = await Promise.all(frames.map((f) => f.locator('body').innerText({ timeout: 1000 }).catch(() => '')));
  return texts.join('\n');
}

async function waitForMedia(page, heading, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await mediaText(page);
    if (text.includes(heading)) return text;
    if (Date.now() > deadline) throw new Error(`the step's page "${heading}" did not render; frames show: ${text.slice(0, 300) || '(nothing)'}`);
    await page.waitForTimeout(250);
  }
}

export async function runWalkthroughUiChecks({ browser, cs, root, shots, check }) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const walkthrough = pkg.contributes.walkthroughs[0];
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const checkOnPage = (name, fn) => check(name, fn, page);
  const container = page.locator(WALKTHROUGH).first();
  const step = (title) => container.locator(`.getting-started-step:has(.step-title:text-is("${title}"))`).first();
  try {
    await page.goto(workbenchUrl(cs.base, { ws: cs.dirs.ws, extPath: root }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    // A walkthrough narrower than 950 px hides its media column; the secondary side bar would take that room.
    await page.waitForTimeout(500);
    if (await page.locator('.part.auxiliarybar').first().isVisible()) await palette(page, 'View: Hide Secondary Side Bar');

    await checkOnPage(`Welcome: Open Walkthrough... lists "${walkthrough.title}" and opens it with every step's title`, async () => {
      await palette(page, 'Welcome: Open Walkthrough...');
      await page.locator('.quick-input-widget:visible input').first().fill(walkthrough.title);
      await page.locator(`.quick-input-widget:visible .monaco-list-row:has-text("${walkthrough.title}")`).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await container.locator(`h2:has-text("${walkthrough.title}"), .category-title:has-text("${walkthrough.title}")`).first().waitFor({ timeout: 30_000 });
      for (const s of walkthrough.steps) await step(s.title).waitFor({ timeout: 10_000 });
    });

    await checkOnPage('clicking a step shows its description, its button and its markdown page', async () => {
      // A line of each step's markdown page that is nowhere else on screen.
      for (const [i, name] of [[0, 'Keys and tokens of one environment never work in the other'], [3, 'The inputs entry names the environment'], [1, 'Already made a key in the portal?']]) {
        const s = walkthrough.steps[i];
        await step(s.title).locator('.step-title').click();
        await page.locator(`${WALKTHROUGH} .getting-started-step.expanded .step-title:text-is("${s.title}")`).waitFor({ timeout: 10_000 });
        const text = await waitForMedia(page, name);
        if (i === 3 && !text.includes('${command:eqp.token.get}')) throw new Error(`the task page lacks \${command:eqp.token.get}: ${text.slice(0, 300)}`);
      }
      await step(walkthrough.steps[1].title).locator('.monaco-button:has-text("Create API Access Key"), a:has-text("Create API Access Key")').first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300); // the webview's fonts and layout
      await page.screenshot({ path: path.join(shots, 'walkthrough.png') });
    });

    await checkOnPage('its "Create API Access Key" button starts the create flow: the environment QuickPick opens', async () => {
      await step(walkthrough.steps[1].title).locator('.monaco-button:has-text("Create API Access Key"), a:has-text("Create API Access Key")').first().click();
      const title = page.locator('.quick-input-widget:visible .quick-input-title:has-text("Create API Access Key")').first();
      await title.waitFor({ timeout: 15_000 });
      const rows = (await page.locator('.quick-input-widget:visible .monaco-list-row').allInnerTexts()).join(' | ');
      if (!/Production/.test(rows) || !/Sandbox/.test(rows)) throw new Error(`the environment pick shows: ${rows}`);
      await page.keyboard.press('Escape');
      await title.waitFor({ state: 'hidden', timeout: 10_000 });
    });

    await checkOnPage('its "Configure Task" button offers to create tasks.json in a workspace that has none', async () => {
      const s = step(walkthrough.steps[3].title);
      await s.locator('.step-title').click();
      await s.locator('.monaco-button:has-text("Configure Task"), a:has-text("Configure Task")').first().click({ timeout: 10_000 });
      const offer = page.locator('.quick-input-widget:visible .monaco-list-row:has-text("Create tasks.json file from template")').first();
      await offer.waitFor({ timeout: 15_000 });
      await page.keyboard.press('Escape');
      await offer.waitFor({ state: 'hidden', timeout: 10_000 });
    });
  } finally {
    // Leave no walkthrough editor for a later page of the same workspace to restore.
    await palette(page, 'View: Close All Editors').catch(() => {});
    await page.close();
  }
}
