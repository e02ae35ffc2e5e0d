import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ComposerKeyRecord } from '../../src/composer/composerService';
// Types only: the suite is compiled apart from the bundle, so its classes are not the extension's (no instanceof).
import type { ComposerEnvironmentNode, ComposerTreeNode } from '../../src/composer/tree';
import type { EqpSandbox } from '../sandbox/server';
import { ScriptedUi, refused, TestApi, eventually, resetAll, setting, startSandbox, stopSandbox, testApi } from './helpers';

const run = async <T = ComposerKeyRecord | undefined>(id: string, arg?: unknown): Promise<T> => vscode.commands.executeCommand<T>(id, arg);
type Env = 'production' | 'sandbox';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=EQP Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('Composer keys (real VS Code, EQP sandbox server, real files)', function () {
  this.timeout(30000);
  let api: TestApi;
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;
  let ws: string;
  let home: string;
  let savedHome: string | undefined;

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
    ws = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    // The global auth.json of these tests is a temporary Composer home, never the machine's.
    savedHome = process.env.COMPOSER_HOME;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-composer-home-'));
    process.env.COMPOSER_HOME = home;
  });
  after(async () => {
    if (savedHome === undefined) delete process.env.COMPOSER_HOME;
    else process.env.COMPOSER_HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
    await stopSandbox(sandbox);
  });
  beforeEach(async () => {
    await resetAll(api, sandbox);
    sandbox.clearComposerKeys();
    for (const env of ['production', 'sandbox'] as const) api.composer.model.reset(env);
  });
  afterEach(async () => {
    ui?.restore();
    ui = undefined;
    sandbox.clearFaults();
    await setting('sandbox.composerRepositoryHost', undefined);
    await setting('http.timeoutSeconds', undefined);
    for (const f of ['auth.json', 'composer.json', '.gitignore']) {
      const p = path.join(ws, f);
      if (fs.existsSync(p)) fs.chmodSync(p, 0o644);
      fs.rmSync(p, { force: true });
    }
    fs.rmSync(path.join(ws, '.git'), { recursive: true, force: true });
    fs.rmSync(path.join(home, 'auth.json'), { force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** A verified API access key in `env`, made in the sandbox's portal and stored by a scripted create. */
  async function apiKey(env: Env): Promise<void> {
    const pk = sandbox.createKey(env, `API ${env}`);
    await run('eqp.keys.create', { environment: env, name: `API ${env}`, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
  }

  /** The view as a user sees it: each environment row with its children, once every list has loaded. */
  async function view(): Promise<{ env: ComposerEnvironmentNode; item: vscode.TreeItem; children: { node: ComposerTreeNode; item: vscode.TreeItem }[] }[]> {
    const tree = api.composer.tree;
    await tree.getChildren();
    await eventually(() => {
      for (const env of ['production', 'sandbox'] as const) assert.notEqual(api.composer.model.state(env).status, 'loading');
    });
    const roots = (await tree.getChildren()).filter((n): n is ComposerEnvironmentNode => n.kind === 'composerEnvironment');
    return Promise.all(roots.map(async (env) => ({
      env,
      item: tree.getTreeItem(env),
      children: (await tree.getChildren(env)).map((node) => ({ node, item: tree.getTreeItem(node) })),
    })));
  }

  const keyRows = async (env: Env) => ((await view()).find((e) => e.env.environment === env)?.children ?? []).filter((c) => c.node.kind === 'composerKey');
  const sandboxKey = (env: Env, label: string) => sandbox.composerKeys(env).find((k) => k.label === label);
  const writeComposerJson = () => fs.writeFileSync(path.join(ws, 'composer.json'), JSON.stringify({ name: 'acme/shop', require: { 'magento/product-community-edition': '2.4.7' } }, null, 4));
  const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, Record<string, string>>>;

  describe('the view', () => {
    it('loads nothing until shown, then lists each environment\'s keys with label, public key, state and owner, and no private key', async () => {
      await apiKey('production');
      await apiKey('sandbox');
      const org = sandbox.organizations('production')[0]!;
      sandbox.createComposerKey('production', 'shop');
      sandbox.createComposerKey('production', 'old-ci');
      sandbox.createComposerKey('production', 'team', org.id);
      sandbox.createComposerKey('sandbox', 'sbx');
      await run('eqp.composer.disable', { environment: 'production', label: 'old-ci', confirm: false });
      api.composer.model.reset('production');
      api.composer.model.reset('sandbox');
      sandbox.clearLog();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sandbox.requestLog().filter((e) => e.path.includes('/keys')).length, 0, 'no list is read before the view asks');

      const shown = await view();
      assert.deepEqual(shown.map((e) => [e.item.label, e.item.description]), [['Production', '3 keys'], ['Sandbox', '1 key']]);
      const prod = shown[0]!.children.map((c) => c.item);
      assert.deepEqual(prod.map((i) => i.label), ['old-ci', 'shop', 'team']);
      const shop = sandboxKey('production', 'shop')!;
      // the public key's first 8 characters (the tooltip has all of it)
      assert.equal(prod[1]!.description, `${shop.userKey.slice(0, 8)}…`);
      assert.match((prod[1]!.tooltip as vscode.MarkdownString).value, new RegExp(shop.userKey));
      assert.doesNotMatch(String(prod[1]!.description), /disabled/);
      assert.match(String(prod[0]!.description), /^disabled/);
      assert.equal(prod[0]!.contextValue, 'eqp:composerKey+disabled');
      await eventually(async () => assert.match(String((await keyRows('production'))[2]!.item.description), new RegExp(org.name.replace(/[.()]/g, '\\$&'))));
      const everything = JSON.stringify((await view()).map((e) => e.children.map((c) => ({ ...c.item, tooltip: (c.item.tooltip as vscode.MarkdownString)?.value }))));
      for (const k of [...sandbox.composerKeys('production'), ...sandbox.composerKeys('sandbox')]) {
        assert.ok(!everything.includes(k.passwordKey), 'no private key in the view');
      }
      const lists = sandbox.requestLog().filter((e) => e.method === 'GET' && e.path.endsWith('/keys'));
      assert.equal(lists.length, 2, 'one list request per environment');
    });

    it('shows an error row with Retry when the list fails, and the keys once Retry works', async () => {
      await apiKey('sandbox');
      sandbox.createComposerKey('sandbox', 'shop');
      await api.tokens.getToken('sandbox');
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 1);
      const failed = (await view())[0]!.children;
      assert.equal(failed[0]!.node.kind, 'composerError', 'an error row');
      assert.match(String(failed[0]!.item.label), /Could not load the Composer keys: Retry/);
      assert.match(String(failed[0]!.item.description), /had trouble on its side \(HTTP 500/);
      assert.equal(failed[0]!.item.command?.command, 'eqp.composer.refresh');
      await run(failed[0]!.item.command!.command, ...(failed[0]!.item.command!.arguments ?? []));
      assert.deepEqual((await keyRows('sandbox')).map((r) => r.item.label), ['shop']);
    });

    it('is empty (welcome content) when no environment has a Composer key, and says so per environment otherwise', async () => {
      await apiKey('sandbox');
      const roots = await api.composer.tree.getChildren();
      await eventually(() => assert.equal(api.composer.model.state('sandbox').status, 'loaded'));
      assert.equal(roots.length === 0 || (await api.composer.tree.getChildren()).length === 0, true, 'no rows: the welcome content shows');
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const shown = await view();
      const sbx = shown.find((e) => e.env.environment === 'sandbox')!;
      assert.match(String(sbx.children[0]!.item.label), /No Composer keys yet/);
      assert.equal(sbx.children[0]!.item.command?.command, 'eqp.composer.create');
    });

    it('an API access key created while the view is shown: the view lists its account with the token the verification minted, no second one', async () => {
      // A shown view renders again on every change of the keys (VS Code calls getChildren): do what it does.
      const rendering = api.store.onDidChange(() => void api.composer.tree.getChildren());
      try {
        await api.composer.tree.getChildren();
        sandbox.createComposerKey('sandbox', 'shop');
        const before = sandbox.tokenRequestCount('sandbox');
        await apiKey('sandbox');
        await eventually(() => assert.equal(api.composer.model.state('sandbox').status, 'loaded'));
        assert.deepEqual(api.composer.model.keys('sandbox')?.map((k) => k.label), ['shop']);
        assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'one token: the verification\'s');
      } finally {
        rendering.dispose();
      }
    });

    it('marks the key the project\'s auth.json uses for repo.magento.com', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      sandbox.createComposerKey('production', 'other');
      const shop = sandboxKey('production', 'shop')!;
      fs.writeFileSync(path.join(ws, 'auth.json'), JSON.stringify({ 'http-basic': { 'repo.magento.com': { username: shop.userKey, password: shop.passwordKey } } }, null, 4));
      await run('eqp.composer.refresh');
      const rows = await keyRows('production');
      const marked = rows.filter((r) => /in auth\.json/.test(String(r.item.description))).map((r) => r.item.label);
      assert.deepEqual(marked, ['shop']);
      assert.match(String(rows.find((r) => r.item.label === 'shop')!.item.contextValue), /\+inUse/);
    });
  });

  describe('create', () => {
    it('scripted: creates the key and returns its public record, never the private key', async () => {
      await apiKey('sandbox');
      const rec = await run('eqp.composer.create', { environment: 'sandbox', label: 'ci' });
      const made = sandboxKey('sandbox', 'ci');
      assert.ok(made, 'the sandbox has it');
      assert.deepEqual(rec, { environment: 'sandbox', label: 'ci', userKey: made.userKey, isEnabled: true, uid: sandbox.account('sandbox').mageId });
      assert.ok(!JSON.stringify(rec).includes(made.passwordKey));
    });

    it('interactive: asks the owner and a label (a taken one refused as typed), creates it for the organization, shows it', async () => {
      await apiKey('production');
      const org = sandbox.organizations('production')[0]!;
      sandbox.createComposerKey('production', 'shop');
      sandbox.createComposerKey('production', 'dup', org.id);
      await view();
      // "shop" is the account's: free for the organization; "dup" is the organization's already.
      ui = new ScriptedUi().pick(org.name).input('', 'x'.repeat(101), 'dup', 'shop');
      const rec = await run('eqp.composer.create');
      assert.equal(rec?.label, 'shop');
      assert.equal(rec?.uid, org.id);
      assert.deepEqual(sandbox.composerKeys('production').filter((k) => k.label === 'shop').map((k) => k.uid).sort(), [sandbox.account('production').mageId, org.id].sort());
      assert.deepEqual(ui.picks[0]?.items, ['$(account) You', `$(organization) ${org.name}`]);
      assert.deepEqual(ui.invalid.map((i) => i.message), ['Type a label for the key.', 'A label has at most 100 characters.', 'There is already a Composer key labelled "dup": labels are unique.']);
      assert.equal((await keyRows('production')).filter((r) => r.item.label === 'shop').length, 2, 'the view shows both');
      const info = ui.messages.find((m) => m.level === 'info');
      assert.match(info?.message ?? '', /Created the Production Composer key "shop"/);
      assert.deepEqual(info?.items, ['Write to auth.json…', 'Copy Private Key']);
    });

    it('refuses empty, blank, too long and duplicate labels with a clear message and changes nothing', async () => {
      await apiKey('sandbox');
      sandbox.createComposerKey('sandbox', 'dup');
      await refused('eqp.composer.create', { environment: 'sandbox', label: '' }, /Type a label/);
      await refused('eqp.composer.create', { environment: 'sandbox', label: '   ' }, /Type a label/);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'y'.repeat(101) }, /at most 100/);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'dup' }, /did not create the Composer key "dup": .*code/);
      assert.deepEqual(sandbox.composerKeys('sandbox').map((k) => k.label), ['dup']);
    });

    it('round-trips labels with / ? # % spaces and emoji through create, list, disable and delete', async () => {
      await apiKey('sandbox');
      for (const label of ['ci/deploy', 'what?', 'team #2', '100% sure', 'with space', 'rocket 🚀']) {
        await run('eqp.composer.create', { environment: 'sandbox', label });
        api.composer.model.reset('sandbox');
        assert.ok((await keyRows('sandbox')).some((r) => r.item.label === label), `${label} listed`);
        const off = await run('eqp.composer.disable', { environment: 'sandbox', label, confirm: false });
        assert.equal(off?.isEnabled, false, `${label} disabled`);
        await run('eqp.composer.delete', { environment: 'sandbox', label, confirm: false });
        assert.equal(sandboxKey('sandbox', label), undefined, `${label} deleted`);
      }
    });

    it('says what to do when there is no API access key', async () => {
      await refused('eqp.composer.create', { environment: 'production', label: 'x' }, /Production has no API access key/);
    });
  });

  describe('enable, disable, delete', () => {
    it('disabling asks first and says what stops working; Cancel changes nothing, Disable does', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const rows = await keyRows('production');
      ui = new ScriptedUi().answer(undefined);
      await run('eqp.composer.disable', rows[0]!.node);
      assert.equal(sandboxKey('production', 'shop')?.isEnabled, true);
      assert.equal(ui.messages[0]?.modal, true);
      assert.match(ui.messages[0]?.message ?? '', /Disable the Production Composer key "shop"\?/);
      assert.match(ui.messages[0]?.detail ?? '', /stop working/);
      ui.answer('Disable');
      await run('eqp.composer.disable', rows[0]!.node);
      assert.equal(sandboxKey('production', 'shop')?.isEnabled, false);
      assert.match(String((await keyRows('production'))[0]!.item.description), /^disabled/);
      const on = await run('eqp.composer.enable', { environment: 'production', label: 'shop' });
      assert.equal(on?.isEnabled, true);
      assert.equal(sandboxKey('production', 'shop')?.isEnabled, true);
    });

    it('delete confirms with a modal naming the label; 204 takes the key out of the view', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const rows = await keyRows('production');
      ui = new ScriptedUi().answer('Delete');
      await run('eqp.composer.delete', rows[0]!.node);
      assert.match(ui.messages[0]?.message ?? '', /Delete the Production Composer key "shop"\?/);
      assert.equal(ui.messages[0]?.modal, true);
      assert.equal(sandboxKey('production', 'shop'), undefined);
      assert.deepEqual(api.composer.model.keys('production'), []);
    });

    it('a key deleted in another window (404) gives a clear error, and the view shows the truth', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      sandbox.createComposerKey('production', 'keep');
      const rows = await keyRows('production');
      sandbox.clearComposerKeys();
      sandbox.createComposerKey('production', 'keep');
      ui = new ScriptedUi().answer('Delete');
      await run('eqp.composer.delete', rows.find((r) => r.item.label === 'shop')!.node);
      const error = ui.messages.find((m) => m.level === 'error');
      assert.match(error?.message ?? '', /has no Composer key with that label/);
      await eventually(() => assert.deepEqual(api.composer.model.keys('production')?.map((k) => k.label), ['keep']));
    });
  });

  describe('copy', () => {
    it('copies the public key as is, and the private key with the clipboard cleared like a token\'s', async () => {
      await apiKey('sandbox');
      sandbox.createComposerKey('sandbox', 'shop');
      const k = sandboxKey('sandbox', 'shop')!;
      await run('eqp.composer.copyPublicKey', { environment: 'sandbox', label: 'shop' });
      assert.equal(await vscode.env.clipboard.readText(), k.userKey);
      const rec = await run('eqp.composer.copyPrivateKey', { environment: 'sandbox', label: 'shop' });
      assert.ok(!JSON.stringify(rec).includes(k.passwordKey), 'the script gets the public record only');
      assert.equal(await vscode.env.clipboard.readText(), k.passwordKey);
      // The token's clipboard guard (its clearing is tested in tokens.test.ts): on the desktop a clear is timed; in
      // the browser (code-server) the clipboard cannot be read silently, so the user is told it stays.
      ui = new ScriptedUi();
      await run('eqp.composer.copyPrivateKey', (await keyRows('sandbox'))[0]!.node);
      if (vscode.env.uiKind === vscode.UIKind.Web) {
        assert.equal(api.clipboard.pending, false);
        assert.match(ui.messages[0]?.message ?? '', /Copied the private key of "shop".*not cleared automatically/);
      } else {
        assert.equal(api.clipboard.pending, true, 'a clear is scheduled');
      }
      assert.ok(!ui.allText().includes(k.passwordKey), 'no message shows the private key');
    });
  });

  describe('auth.json', () => {
    it('writes a production key to the project auth.json under repo.magento.com, after adding it to .gitignore', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const k = sandboxKey('production', 'shop')!;
      writeComposerJson();
      git(ws, 'init', '-q');
      ui = new ScriptedUi().answer('Add to .gitignore and Write');
      const result = await run<{ file: string; host: string; changed: boolean }>('eqp.composer.writeAuthJson', (await keyRows('production'))[0]!.node);
      const file = path.join(ws, 'auth.json');
      assert.equal(result?.file, file);
      assert.equal(result?.host, 'repo.magento.com');
      assert.match(ui.messages[0]?.message ?? '', /auth\.json in .* is not ignored by git/);
      assert.deepEqual(ui.messages[0]?.items, ['Add to .gitignore and Write', 'Write Global Instead']);
      assert.deepEqual(readJson(file), { 'http-basic': { 'repo.magento.com': { username: k.userKey, password: k.passwordKey } } });
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.match(fs.readFileSync(path.join(ws, '.gitignore'), 'utf8'), /^\/auth\.json$/m);
      assert.doesNotMatch(git(ws, 'status', '--porcelain'), /auth\.json/);
      assert.match(ui.messages.find((m) => m.level === 'info')?.message ?? '', new RegExp(`Wrote the Production Composer key "shop" for repo\\.magento\\.com to ${file.replace(/[.\\/]/g, '\\$&')}`));
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'the file is shown');
    });

    it('merges: other hosts and keys stay as they were, 4-space indentation, an entry for the host replaced only after Replace', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const k = sandboxKey('production', 'shop')!;
      writeComposerJson();
      const file = path.join(ws, 'auth.json');
      const before = { 'github-oauth': { 'github.com': 'gho_x' }, 'http-basic': { 'repo.example.com': { username: 'u', password: 'p' }, 'repo.magento.com': { username: 'old', password: 'oldpw' } }, bearer: { 'example.org': 't' } };
      fs.writeFileSync(file, JSON.stringify(before, null, 2));
      await refused('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', target: 'project' }, /already has credentials for repo\.magento\.com \(username old\)/);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), before, 'untouched without "replace"');
      const node = (await keyRows('production'))[0]!.node;
      ui = new ScriptedUi().answer(undefined);
      await run('eqp.composer.writeAuthJson', node);
      assert.match(ui.messages[0]?.message ?? '', /Replace the repo\.magento\.com credentials/);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), before, 'untouched after Cancel');
      ui.answer('Replace');
      await run('eqp.composer.writeAuthJson', node);
      const text = fs.readFileSync(file, 'utf8');
      const expected = structuredClone(before);
      expected['http-basic']['repo.magento.com'] = { username: k.userKey, password: k.passwordKey };
      assert.equal(text, `${JSON.stringify(expected, null, 4)}\n`, 'same order, 4 spaces, other hosts kept');
    });

    it('writes to the global auth.json in the Composer home when asked to, or when no folder has a composer.json', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const k = sandboxKey('production', 'shop')!;
      const result = await run<{ file: string; kind: string }>('eqp.composer.writeAuthJson', (await keyRows('production'))[0]!.node);
      assert.equal(result?.file, path.join(home, 'auth.json'));
      assert.equal(result?.kind, 'global');
      assert.equal(readJson(path.join(home, 'auth.json'))['http-basic']!['repo.magento.com']!.username, k.userKey);
      assert.equal(fs.existsSync(path.join(ws, 'auth.json')), false);
    });

    it('"Write Global Instead" leaves the project alone', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      writeComposerJson();
      git(ws, 'init', '-q');
      ui = new ScriptedUi().answer('Write Global Instead');
      const result = await run<{ file: string }>('eqp.composer.writeAuthJson', (await keyRows('production'))[0]!.node);
      assert.equal(result?.file, path.join(home, 'auth.json'));
      assert.equal(fs.existsSync(path.join(ws, 'auth.json')), false);
      assert.equal(fs.existsSync(path.join(ws, '.gitignore')), false);
    });

    it('a committed auth.json: says its history is exposed, offers Rotate, writes only after Write Anyway', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'old');
      sandbox.createComposerKey('production', 'shop');
      const exposed = sandboxKey('production', 'old')!;
      writeComposerJson();
      const file = path.join(ws, 'auth.json');
      const committed = `${JSON.stringify({ 'http-basic': { 'repo.magento.com': { username: exposed.userKey, password: exposed.passwordKey } } }, null, 4)}\n`;
      fs.writeFileSync(file, committed);
      git(ws, 'init', '-q');
      git(ws, 'add', 'auth.json', 'composer.json');
      git(ws, 'commit', '-q', '-m', 'oops');
      const node = (await keyRows('production')).find((r) => r.item.label === 'shop')!.node;
      ui = new ScriptedUi().answer(undefined);
      await run('eqp.composer.writeAuthJson', node);
      assert.match(ui.messages[0]?.message ?? '', /auth\.json in .* is tracked by git/);
      assert.match(ui.messages[0]?.detail ?? '', /history/);
      assert.deepEqual(ui.messages[0]?.items, ['Write Anyway', 'Rotate Key…'], 'Rotate is offered for "old", the key the committed file holds');
      assert.equal(fs.readFileSync(file, 'utf8'), committed, 'nothing written on Cancel');
      await refused('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', replace: true }, /committed in git/);
      ui.answer('Write Anyway').answer('Replace');
      await run('eqp.composer.writeAuthJson', node);
      assert.equal(readJson(file)['http-basic']!['repo.magento.com']!.username, sandboxKey('production', 'shop')!.userKey, 'written after Write Anyway and Replace');
    });

    it('refuses an auth.json that is not valid JSON, with its line and column, and leaves it as it was', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      writeComposerJson();
      const file = path.join(ws, 'auth.json');
      const broken = '{\n    "http-basic": {\n        "repo.example.com": { "username": "u", }\n    }\n}\n';
      fs.writeFileSync(file, broken);
      const e = await refused('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', addToGitignore: true }, /line 3, column \d+/);
      assert.ok(!e.message.includes('"u"'), 'no file content quoted');
      assert.equal(fs.readFileSync(file, 'utf8'), broken);
      ui = new ScriptedUi();
      await run('eqp.composer.writeAuthJson', (await keyRows('production'))[0]!.node);
      const shown = ui.messages.find((m) => m.level === 'error');
      assert.match(shown?.message ?? '', /line 3/);
      assert.deepEqual(shown?.items, ['Open auth.json']);
      assert.equal(fs.readFileSync(file, 'utf8'), broken);
    });

    it('refuses a read-only auth.json and a read-only folder with a clear message, nothing changed', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const file = path.join(home, 'auth.json');
      fs.writeFileSync(file, '{}\n');
      fs.chmodSync(file, 0o444);
      await refused('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', target: 'global' }, /read-only/i);
      assert.equal(fs.readFileSync(file, 'utf8'), '{}\n');
      fs.chmodSync(file, 0o644);
      fs.rmSync(file);
      fs.chmodSync(home, 0o555);
      try {
        await refused('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', target: 'global' }, /read-only/i);
        assert.deepEqual(fs.readdirSync(home), []);
      } finally {
        fs.chmodSync(home, 0o755);
      }
    });

    it('a file changed on disk between read and write is left as the other program wrote it, with a clear message', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const file = path.join(home, 'auth.json');
      fs.writeFileSync(file, '{}\n');
      await view();
      await api.tokens.getToken('production');
      // The private key's read is slow; meanwhile another program rewrites auth.json.
      sandbox.injectFault('production', { kind: 'delay', ms: 800 }, 1);
      const other = `${JSON.stringify({ 'github-oauth': { 'github.com': 'other-program' } }, null, 4)}\n`;
      const writing = run('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', target: 'global' });
      await new Promise((r) => setTimeout(r, 300));
      fs.writeFileSync(file, other);
      let caught: unknown;
      await writing.then(undefined, (e: unknown) => { caught = e; });
      assert.ok(caught instanceof Error, 'the write was refused');
      assert.match(caught.message, /was changed by another program while it was being updated.*Try again/);
      assert.equal(fs.readFileSync(file, 'utf8'), other, 'the other program\'s content is kept');
      assert.deepEqual(fs.readdirSync(home), ['auth.json'], 'no temporary file left');
    });

    it('sandbox keys: the host is asked once and kept in the user settings; a script without it is refused', async () => {
      await apiKey('sandbox');
      sandbox.createComposerKey('sandbox', 'sbx');
      await refused('eqp.composer.writeAuthJson', { environment: 'sandbox', label: 'sbx', target: 'global' }, /not documented.*eqp\.sandbox\.composerRepositoryHost/);
      ui = new ScriptedUi().input('https://repo.example.com', 'repo-sandbox.example.com');
      const result = await run<{ host: string }>('eqp.composer.writeAuthJson', (await keyRows('sandbox'))[0]!.node);
      assert.equal(result?.host, 'repo-sandbox.example.com');
      assert.match(ui.invalid[0]?.message ?? '', /without https/);
      assert.equal(vscode.workspace.getConfiguration('eqp').inspect('sandbox.composerRepositoryHost')?.globalValue, 'repo-sandbox.example.com');
      assert.ok(readJson(path.join(home, 'auth.json'))['http-basic']!['repo-sandbox.example.com']);
    });
  });

  describe('rotate', () => {
    it('creates "shop-2", writes it where "shop" was written, and disables "shop" when asked', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      const old = sandboxKey('production', 'shop')!;
      const file = path.join(home, 'auth.json');
      fs.writeFileSync(file, JSON.stringify({ 'http-basic': { 'repo.magento.com': { username: old.userKey, password: old.passwordKey }, 'other.example.com': { username: 'a', password: 'b' } } }, null, 4));
      const result = await run<{ key: ComposerKeyRecord; written: { file: string }[]; oldDisabled: boolean }>('eqp.composer.rotate', { environment: 'production', label: 'shop', disableOld: true, confirm: false });
      assert.equal(result.key.label, 'shop-2');
      const fresh = sandboxKey('production', 'shop-2')!;
      assert.deepEqual(result.written.map((w) => w.file), [file]);
      assert.deepEqual(readJson(file)['http-basic'], { 'repo.magento.com': { username: fresh.userKey, password: fresh.passwordKey }, 'other.example.com': { username: 'a', password: 'b' } });
      assert.equal(sandboxKey('production', 'shop')?.isEnabled, false);
      assert.ok(!JSON.stringify(result).includes(fresh.passwordKey));
    });

    it('interactive: suggests the label, then offers to disable the old key', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'ci-2');
      const old = sandboxKey('production', 'ci-2')!;
      fs.writeFileSync(path.join(home, 'auth.json'), JSON.stringify({ 'http-basic': { 'repo.magento.com': { username: old.userKey, password: old.passwordKey } } }));
      ui = new ScriptedUi().input((o: vscode.InputBoxOptions) => o.value).answer('Disable Old Key');
      await run('eqp.composer.rotate', (await keyRows('production'))[0]!.node);
      assert.equal(ui.inputs[0]?.value, 'ci-3');
      assert.match(ui.messages[0]?.message ?? '', /"ci-3" replaced "ci-2"/);
      assert.equal(sandboxKey('production', 'ci-2')?.isEnabled, false);
    });
  });

  describe('faults', () => {
    it('a 401 re-mints the session token once and retries once', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      await api.tokens.getToken('production');
      const mints = sandbox.tokenRequestCount('production');
      sandbox.injectFault('production', { kind: 'status', status: 401 }, 1);
      assert.deepEqual((await keyRows('production')).map((r) => r.item.label), ['shop']);
      assert.equal(sandbox.tokenRequestCount('production') - mints, 1, 'one new token');
    });

    it('a second 401, or a 403, says the account may not manage these keys and leaves the API access key alone', async () => {
      await apiKey('production');
      await api.tokens.getToken('production');
      sandbox.injectFault('production', { kind: 'status', status: 403 }, 1);
      const e403 = await refused('eqp.composer.create', { environment: 'production', label: 'x' }, /may not manage these Magento 2 Composer keys/);
      assert.match(e403.message, /API access key works/);
      // The faults apply to requests in order: the list gets 401, the new token goes through, the retry gets 401.
      const mints = sandbox.tokenRequestCount('production');
      sandbox.injectFault('production', { kind: 'status', status: 401 }, 1);
      sandbox.injectFault('production', { kind: 'delay', ms: 1 }, 1);
      sandbox.injectFault('production', { kind: 'status', status: 401 }, 1);
      await refused('eqp.composer.create', { environment: 'production', label: 'x' }, /refused the session token.*may not manage these Magento 2 Composer keys/);
      assert.equal(sandbox.tokenRequestCount('production') - mints, 1, 're-minted once, not more');
      assert.equal(api.store.list('production')[0]?.state, 'verified', 'the API access key is not marked rejected');
      assert.equal(sandbox.composerKeys('production').length, 0);
    });

    it('429, 500, a timeout and a malformed answer: a clear message each, nothing changed', async () => {
      await apiKey('sandbox');
      await api.tokens.getToken('sandbox');
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 42 }, 1);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'a' }, /limiting how often.*Wait 42 s/);
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 1);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'a' }, /had trouble on its side \(HTTP 500/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '<html>proxy</html>', contentType: 'text/html' }, 1);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'a' }, /not a valid Composer key answer|not JSON/);
      await setting('http.timeoutSeconds', 0.3);
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 }, 1);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'a' }, /did not answer|timed out|timeout/i);
      await new Promise((r) => setTimeout(r, 1300));
      // The slow request's key may exist now (the server went on); nothing else was made.
      assert.ok(sandbox.composerKeys('sandbox').length <= 1);
    });

    it('a batch answer where the item failed names the reason', async () => {
      await apiKey('sandbox');
      await api.tokens.getToken('sandbox');
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: { m2: [{ label: 'a', code: 1234, message: 'Label reserved.' }] } }, 1);
      await refused('eqp.composer.create', { environment: 'sandbox', label: 'a' }, /did not create the Composer key "a": Label reserved \(code 1234\)/);
    });
  });

  describe('secrets', () => {
    it('no private key in globalState, secret storage, the log or anything returned', async () => {
      await apiKey('production');
      sandbox.createComposerKey('production', 'shop');
      await view();
      await run('eqp.composer.copyPrivateKey', { environment: 'production', label: 'shop' });
      await run('eqp.composer.writeAuthJson', { environment: 'production', label: 'shop', target: 'global' });
      const pw = sandboxKey('production', 'shop')!.passwordKey;
      const state = JSON.stringify(api.globalState.keys().map((k) => api.globalState.get(k))) + JSON.stringify(api.workspaceState.keys().map((k) => api.workspaceState.get(k)));
      assert.ok(!state.includes(pw), 'not in globalState or workspaceState');
      for (const k of api.store.list()) {
        assert.notEqual(await api.secrets.get(`eqp.secret.${k.id}.${k.applicationId}`), pw);
      }
      await new Promise((r) => setTimeout(r, 300));
      const logs = fs.readdirSync(api.logUri.fsPath, { recursive: true }).map(String).filter((f) => f.endsWith('.log'));
      for (const f of logs) assert.ok(!fs.readFileSync(path.join(api.logUri.fsPath, f), 'utf8').includes(pw), `not in ${f}`);
    });
  });
});
