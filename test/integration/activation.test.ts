import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'eqp-keys.eqp-keys';
const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string; when?: string }[]>;
    menus: Record<string, { when?: string }[]>;
    keybindings?: { when?: string }[];
    viewsWelcome?: { when?: string }[];
    walkthroughs?: { when?: string; steps: { when?: string }[] }[];
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

describe('activation', () => {
  it('the extension is installed from this folder and activates without errors', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('contributes the API Keys view in its own activity-bar container', async () => {
    assert.deepEqual(pkg.contributes.views.eqpKeys?.map((v) => v.id), ['eqp.keys']);
    // Focusing the view only works if VS Code knows it: the command exists for contributed views.
    await vscode.commands.executeCommand('eqp.keys.focus');
  });

  it('registers every contributed command, and contributes every eqp.* command it registers', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = pkg.contributes.commands.map((c) => c.command);
    for (const id of contributed) assert.ok(all.has(id), `${id} is contributed but not registered`);
    const registered = [...all].filter((id) => /^eqp\.[a-zA-Z]+\.[a-zA-Z]+$|^eqp\.showLog$/.test(id) && !id.endsWith('.focus') && !id.includes('resetViewLocation') && !id.includes('toggleVisibility') && !id.includes('removeView') && !id.includes('open'));
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
