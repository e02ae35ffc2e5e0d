import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT } from '../repoRoot';

const EXTENSION_ID = 'eqp-keys.eqp-keys';
const ROOT = REPO_ROOT;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string; when?: string }[]>;
    menus: Record<string, { when?: string }[]>;
    keybindings?: { when?: string }[];
    viewsWelcome?: { when?: string }[];
    walkthroughs?: (Walkthrough & { when?: string; steps: (WalkthroughStep & { when?: string })[] })[];
  };
};

/** Every `when` clause in package.json's contributions. */
function allWhenClauses(): string[] {
  const c = pkg.contributes;
  return [
    ...Object.values(c.menus).flat(),
    ...(c.keybindings ?? []),
    ...(c.viewsWelcome ?? []),
    ...Object.values(c.views).flat(),
    ...(c.walkthroughs ?? []).flatMap((w) => [w, ...w.steps]),
  ].map((e) => e.when).filter((w): w is string => typeof w === 'string');
}

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string | Record<string, string>; svg?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough { id: string; title: string; steps: WalkthroughStep[] }

/**
 * What would break a walkthrough for its reader: a step without media, a media file that is not in the extension
 * (or not under media/, so not in the .vsix), a `command:` link in a step or its markdown, or an `onCommand:`
 * completion event, that names a command VS Code does not know.
 */
function walkthroughProblems(walkthroughs: Walkthrough[], root: string, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const commandsIn = (text: string): string[] => [...text.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]!);
  for (const w of walkthroughs) {
    for (const step of w.steps) {
      const where = `${w.id} step "${step.title}"`;
      const files = [step.media.markdown, step.media.svg, ...(typeof step.media.image === 'string' ? [step.media.image] : Object.values(step.media.image ?? {}))]
        .filter((f): f is string => typeof f === 'string');
      if (files.length === 0) problems.push(`${where} has no media`);
      if ((step.media.image || step.media.svg) && !step.media.altText) problems.push(`${where} has an image without altText`);
      const links = commandsIn(step.description);
      for (const f of files) {
        if (!f.startsWith('media/')) problems.push(`${where}: ${f} is not under media/ (not in the .vsix)`);
        const file = path.join(root, f);
        if (!fs.existsSync(file)) { problems.push(`${where}: media file ${f} does not exist`); continue; }
        if (f.endsWith('.md')) links.push(...commandsIn(fs.readFileSync(file, 'utf8')));
      }
      for (const id of links) if (!known.has(id)) problems.push(`${where} links to unknown command ${id}`);
      for (const e of step.completionEvents ?? []) {
        const id = /^onCommand:(.+)$/.exec(e)?.[1];
        if (id && !known.has(id)) problems.push(`${where} completes on unknown command ${id}`);
      }
    }
  }
  return problems;
}

describe('activation', () => {
  it('the extension is installed from this folder and activates without errors', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('contributes the API Keys, Composer Keys and Submissions views in its own activity-bar container', async () => {
    assert.deepEqual(pkg.contributes.views.eqpKeys?.map((v) => v.id), ['eqp.keys', 'eqp.composerKeys', 'eqp.submissions']);
    // Focusing a view only works if VS Code knows it: the command exists for contributed views.
    await vscode.commands.executeCommand('eqp.keys.focus');
    await vscode.commands.executeCommand('eqp.composerKeys.focus');
    await vscode.commands.executeCommand('eqp.submissions.focus');
    // Back to the Explorer: a visible Composer Keys or Submissions view reads its lists whenever an environment gets an
    // API key, and those requests would mix with the request counts and injected faults of the suites that follow.
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('registers every contributed command, and contributes every eqp.* command it registers', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = pkg.contributes.commands.map((c) => c.command);
    for (const id of contributed) assert.ok(all.has(id), `${id} is contributed but not registered`);
    // VS Code itself registers a few commands per view (eqp.keys.focus, …): those are not ours to contribute.
    const viewCommands = new Set(['focus', 'resetViewLocation', 'toggleVisibility', 'removeView', 'open']);
    const viewCommand = (id: string): boolean => ['eqp.keys.', 'eqp.composerKeys.', 'eqp.submissions.'].some((v) => id.startsWith(v) && viewCommands.has(id.slice(v.length)));
    const registered = [...all].filter((id) => /^eqp\.[a-zA-Z]+\.[a-zA-Z]+$|^eqp\.showLog$/.test(id) && !viewCommand(id));
    assert.ok(registered.includes('eqp.keys.openPortal'), 'a command whose name contains "open" is checked too');
    for (const id of registered) assert.ok(contributed.includes(id), `${id} is registered but not contributed`);
  });
});

describe('when clauses', () => {
  type WhenError = { errorMessage: string; offset: number; length: number };
  const validate = (clauses: string[]): Thenable<WhenError[][]> => vscode.commands.executeCommand<WhenError[][]>('_validateWhenClauses', clauses);

  it('VS Code parses every when clause in package.json (menus, keybindings, views, welcome content)', async () => {
    const clauses = allWhenClauses();
    assert.ok(clauses.length >= 15, `only ${clauses.length} clauses found`);
    const errors = await validate(clauses);
    const bad = clauses.map((c, i) => ({ clause: c, errors: errors[i] ?? [] })).filter((r) => r.errors.length > 0);
    assert.deepEqual(bad.map((b) => `${b.clause}: ${b.errors.map((e) => e.errorMessage).join('; ')}`), []);
  });

  it('the same check reports a clause VS Code cannot parse ("!~" is not an operator)', async () => {
    const [errors] = await validate(['view == eqp.keys && viewItem !~ /\\+active/']);
    assert.ok(errors && errors.length > 0, 'VS Code accepted "!~"');
  });
});

describe('walkthrough', () => {
  const walkthroughs = pkg.contributes.walkthroughs ?? [];

  it('"Get Started with EQP Keys": every step has its media file, and every button runs a command VS Code knows', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const known = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(walkthroughs.map((w) => w.title), ['Get Started with EQP Keys']);
    assert.ok(walkthroughs[0]!.steps.length >= 4, 'expected at least 4 steps');
    assert.deepEqual(walkthroughProblems(walkthroughs, ROOT, known), []);
    // The buttons the steps are about, by name.
    const description = walkthroughs[0]!.steps.map((s) => s.description).join('\n');
    for (const id of ['eqp.keys.create', 'eqp.keys.openPortal', 'eqp.token.insert']) assert.ok(description.includes(`(command:${id})`), `no button for ${id}`);
  });

  it("the task step's tasks.json is the README's example, which the token suite runs as written", () => {
    const jsonc = (file: string, marker: string): unknown => {
      const block = new RegExp(`${marker}\\s*\`\`\`jsonc\\n([\\s\\S]*?)\`\`\``).exec(fs.readFileSync(path.join(ROOT, file), 'utf8'))?.[1];
      assert.ok(block, `no jsonc block in ${file}`);
      return JSON.parse(block.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n'));
    };
    assert.deepEqual(jsonc('media/walkthrough/task.md', ''), jsonc('README.md', '<!-- tasks-example -->'));
  });

  it('the check catches a missing media file and a button naming an unknown command', async () => {
    const known = new Set(await vscode.commands.getCommands(true));
    const broken: Walkthrough[] = JSON.parse(JSON.stringify(walkthroughs)) as Walkthrough[];
    const [first, second] = broken[0]!.steps;
    first!.media = { markdown: 'media/walkthrough/no-such-step.md' };
    second!.description += '\n[Do It](command:eqp.keys.noSuchCommand)';
    assert.deepEqual(walkthroughProblems(broken, ROOT, known), [
      `eqp.getStarted step "${first!.title}": media file media/walkthrough/no-such-step.md does not exist`,
      `eqp.getStarted step "${second!.title}" links to unknown command eqp.keys.noSuchCommand`,
    ]);
  });
});

describe('eqp.keys.openPortal', () => {
  const realOpenExternal = vscode.env.openExternal;
  let opened: string[] = [];
  beforeEach(() => {
    opened = [];
    (vscode.env as { openExternal: typeof vscode.env.openExternal }).openExternal = async (uri: vscode.Uri) => {
      opened.push(uri.toString(true));
      return true;
    };
  });
  afterEach(() => {
    (vscode.env as { openExternal: typeof vscode.env.openExternal }).openExternal = realOpenExternal;
  });

  it('opens the sandbox Developer Portal when asked for the sandbox', async () => {
    const url = await vscode.commands.executeCommand<string>('eqp.keys.openPortal', { environment: 'sandbox' });
    assert.equal(url, 'https://commercedeveloper-sandbox.adobe.com');
    assert.deepEqual(opened, ['https://commercedeveloper-sandbox.adobe.com/']);
  });

  it('asks for the environment from the palette, and does nothing when the pick is cancelled', async () => {
    const realPick = vscode.window.showQuickPick;
    let asked = 0;
    (vscode.window as { showQuickPick: unknown }).showQuickPick = async () => { asked++; return undefined; };
    try {
      const url = await vscode.commands.executeCommand<string | undefined>('eqp.keys.openPortal');
      assert.equal(url, undefined);
      assert.equal(asked, 1);
      assert.deepEqual(opened, []);
    } finally {
      (vscode.window as { showQuickPick: unknown }).showQuickPick = realPick;
    }
  });
});
