// Security and fault suite (inside the real VS Code, against the EQP sandbox server): where secrets may be
// sent, what bad input does, and what every server fault does to each flow. Prints its figures at the end.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KeyRecord } from '../../src/keys/keyStore';
import type { EqpSandbox, Fault } from '../sandbox/server';
import { ScriptedUi, TestApi, eventually, resetAll, rewriter, setting, startSandbox, stopSandbox, testApi } from './helpers';
import { cachedFor } from '../tokenReads';
import { TOOLTIP_COMMANDS } from '../../src/tokens/format';

const run = async <T = KeyRecord | undefined>(id: string, arg?: unknown): Promise<T> => vscode.commands.executeCommand<T>(id, arg);
const figures = { inputs: 0, faults: 0, leaks: 0, hostile: 0 };

/** A second local server standing in for "another host": it must never receive anything. */
async function startDecoy(): Promise<{ url: string; hits: { method?: string; url?: string; auth?: string }[]; close(): Promise<void> }> {
  const hits: { method?: string; url?: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"mage_id":"MAGEVIL","ust":"stolen","expires_in":7200}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe('security and faults', function () {
  this.timeout(60000);
  let api: TestApi;
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
  });
  after(async () => {
    await stopSandbox(sandbox);
    console.log(`[eqp-it]   security figures: bad inputs tried ${figures.inputs}, faults injected ${figures.faults}, leaks found ${figures.leaks}, hostile server texts shown ${figures.hostile}`);
  });
  beforeEach(async () => {
    await resetAll(api, sandbox);
  });
  afterEach(() => {
    ui?.restore();
    ui = undefined;
  });

  const addKey = async (env: 'production' | 'sandbox', name: string) => {
    const pk = sandbox.createKey(env, name);
    const key = await run<KeyRecord>('eqp.keys.create', { environment: env, name, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
    return { pk, key };
  };

  describe('where secrets may be sent', () => {
    it('a workspace .vscode/settings.json that points eqp.*.apiUrl elsewhere has no effect (application scope)', async () => {
      const decoy = await startDecoy();
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the test workspace has a folder');
      const file = path.join(folder, '.vscode', 'settings.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // editor.tabSize is a sentinel: once it reads 7, VS Code has read the file.
      const write = rewriter(file, JSON.stringify({ 'eqp.sandbox.apiUrl': decoy.url, 'eqp.production.apiUrl': decoy.url, 'eqp.sandbox.portalUrl': decoy.url, 'editor.tabSize': 7 }));
      try {
        await eventually(() => { write(); assert.equal(vscode.workspace.getConfiguration('editor').get('tabSize'), 7); }, 10000);
        const { key } = await addKey('sandbox', 'Repo');
        assert.equal(key.state, 'verified');
        const verified = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Repo' });
        assert.equal(verified.state, 'verified');
        assert.deepEqual(decoy.hits, [], 'the workspace-configured host received a request');
        assert.equal(await run('eqp.keys.openPortal', { environment: 'sandbox' }), sandbox.portalUrl('sandbox'));
      } finally {
        fs.rmSync(file, { force: true });
        await decoy.close();
      }
    });

    it('a workspace .vscode/settings.json cannot make a click insert, hand tasks the token unasked, or skip the tracked-file question (application scope)', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the test workspace has a folder');
      const file = path.join(folder, '.vscode', 'settings.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const g = vscode.ConfigurationTarget.Global;
      const cfg = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('eqp');
      await cfg().update('statusBar.clickAction', 'copy', g);
      await cfg().update('token.commandAccess', 'ask', g);
      const write = rewriter(file, JSON.stringify({ 'eqp.statusBar.clickAction': 'insert', 'eqp.token.commandAccess': 'allow', 'eqp.token.confirmInsertIntoTrackedFiles': 'never', 'editor.tabSize': 7 }));
      try {
        await eventually(() => { write(); assert.equal(vscode.workspace.getConfiguration('editor').get('tabSize'), 7); }, 10000);
        await addKey('sandbox', 'Repo');
        await eventually(() => assert.equal(api.statusBar.snapshot().command, 'eqp.token.copy', 'the user\'s "copy", not the workspace\'s "insert"'));
        ui = new ScriptedUi();
        await assert.rejects(run('eqp.token.get', { environment: 'sandbox' }), /access was not allowed/);
        assert.equal(ui.messages.filter((m) => m.modal).length, 1, 'the user\'s "ask", not the workspace\'s "allow"');
        for (const key of ['statusBar.clickAction', 'token.commandAccess', 'token.confirmInsertIntoTrackedFiles']) {
          assert.equal(cfg().inspect(key)?.workspaceValue, undefined, `VS Code ignores the workspace's eqp.${key} (application scope)`);
        }
      } finally {
        fs.rmSync(file, { force: true });
        await cfg().update('statusBar.clickAction', undefined, g);
        await cfg().update('token.commandAccess', 'allow', g);
      }
    });

    it('an http: URL to a host other than this machine is refused with a clear message, and nothing is sent', async () => {
      const { key } = await addKey('sandbox', 'Plain');
      await vscode.workspace.getConfiguration('eqp').update('sandbox.apiUrl', 'http://eqp.example.invalid', vscode.ConfigurationTarget.Global);
      try {
        const before = sandbox.requestLog().length;
        ui = new ScriptedUi();
        await run('eqp.keys.verify', { environment: 'sandbox', name: 'Plain' }).catch((e: Error) => e);
        const r = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Plain' });
        assert.match(r.stateDetail ?? '', /eqp\.sandbox\.apiUrl.*https:\/\/ is required/s);
        assert.equal(sandbox.requestLog().length, before);
        assert.equal(api.store.get(key.id)?.applicationId, key.applicationId);
      } finally {
        await vscode.workspace.getConfiguration('eqp').update('sandbox.apiUrl', sandbox.apiUrl('sandbox'), vscode.ConfigurationTarget.Global);
      }
    });

    it('a 302 from the API to another host is not followed with credentials', async () => {
      const decoy = await startDecoy();
      try {
        const { key } = await addKey('sandbox', 'Redirected');
        figures.faults++;
        sandbox.injectFault('sandbox', { kind: 'redirect', location: `${decoy.url}/rest/v1/app/session/token` }, 1);
        const r = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Redirected' });
        assert.equal(r.state, 'unreachable');
        assert.match(r.stateDetail ?? '', /redirect/i);
        assert.deepEqual(decoy.hits, []);
        assert.equal(api.store.get(key.id)?.applicationId, key.applicationId);
      } finally {
        await decoy.close();
      }
    });
  });

  describe('bad input: a clear message, nothing stored, nothing crashes', () => {
    const GOOD_ID = 'AQ17NZ49WC';
    const GOOD_SECRET = '0123456789abcdef0123456789abcdef01234567';

    it('the prompts explain every malformed name, ID and secret, and the flow goes on when corrected', async () => {
      const pk = sandbox.createKey('sandbox', 'Good');
      const badNames = ['', '   ', 'x'.repeat(65), 'tab\there\u0001', '\u0007bell'];
      const badIds = [
        ' ', pk.applicationSecret, `${pk.applicationId}:${pk.applicationSecret}:extra`, '{"applicationId":"AQ17NZ49WC"}', 'AQ17🔑49WC',
        'A', 'Z'.repeat(300), 'https://commercedeveloper.adobe.com/', 'AQ17NZ49WC:short', '<script>alert(1)</script>', 'AQ17\u0000NZ49WC', 'AQ 17 NZ',
      ];
      const badSecrets = [' ', 'short', `${pk.applicationSecret} ${pk.applicationSecret}`, '🔑'.repeat(20), 'é'.repeat(40), 'x'.repeat(300)];
      ui = new ScriptedUi().pick('Sandbox').input(...badNames, 'Good').pick('I have').input(...badIds, pk.applicationId).input(...badSecrets, pk.applicationSecret);
      const key = await run<KeyRecord>('eqp.keys.create');
      figures.inputs += badNames.length + badIds.length + badSecrets.length;
      assert.equal(key?.state, 'verified');
      const all = [...badNames, ...badIds, ...badSecrets];
      assert.deepEqual(ui.invalid.map((i) => i.value), all, 'every bad input was held back by the box with a message');
      for (const i of ui.invalid) {
        assert.ok(i.message.length > 20, `a terse message for ${JSON.stringify(i.value)}: ${i.message}`);
        assert.ok(!i.message.includes(pk.applicationSecret), 'a validation message repeats the secret');
      }
      assert.equal(api.store.list().length, 1);
    });

    it('scripted arguments of the wrong type, shape or value are refused with a message naming the problem', async () => {
      const cases: [string, unknown][] = [
        ['eqp.keys.create', { environment: 'staging', name: 'X', applicationId: GOOD_ID, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 42, name: 'X', applicationId: GOOD_ID, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: null, applicationId: GOOD_ID, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: ['CI'], applicationId: GOOD_ID, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: 12345, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: GOOD_ID, applicationSecret: { value: GOOD_SECRET } }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: GOOD_SECRET, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: `${GOOD_ID}:${GOOD_SECRET}`, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: '', applicationId: GOOD_ID, applicationSecret: GOOD_SECRET }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: GOOD_ID, applicationSecret: '' }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: GOOD_ID, applicationSecret: `${GOOD_SECRET}\n${GOOD_SECRET}` }],
        ['eqp.keys.create', { environment: 'sandbox', name: 'X', applicationId: GOOD_ID, applicationSecret: GOOD_SECRET.slice(0, 10) }],
        ['eqp.keys.regenerate', { environment: 'sandbox', name: 'Nope', applicationId: GOOD_ID, applicationSecret: GOOD_SECRET, confirm: false }],
        ['eqp.keys.regenerate', { environment: 'sandbox', name: 7, applicationId: GOOD_ID, applicationSecret: GOOD_SECRET, confirm: false }],
        ['eqp.keys.delete', { environment: 'sandbox', confirm: false }],
        ['eqp.keys.delete', { environment: 'prod', name: 'X', confirm: false }],
        ['eqp.keys.rename', { environment: 'sandbox', name: 'Nope', newName: 'Y' }],
        ['eqp.keys.verify', { environment: 'sandbox', applicationId: 'NOTSTORED1' }],
        ['eqp.keys.use', { name: 'X' }],
        ['eqp.keys.copyApplicationId', { environment: 'sandbox', name: '' }],
        ['eqp.environment.switch', { environment: 'Production ' }],
        ['eqp.environment.switch', { environment: null }],
      ];
      for (const [command, args] of cases) {
        figures.inputs++;
        await assert.rejects(run(command, args), (e: Error) => {
          assert.ok(e.message.length > 15, `${command} ${JSON.stringify(args)}: terse error "${e.message}"`);
          assert.ok(!e.message.includes(GOOD_SECRET), 'an error repeats the secret');
          return true;
        }, `${command} ${JSON.stringify(args)} was accepted`);
      }
      assert.equal(api.store.list().length, 0);
      // rename to a bad name leaves the key as it was
      await addKey('sandbox', 'Stays');
      for (const newName of ['', ' ', 'x'.repeat(100), 'a\u0000b']) {
        figures.inputs++;
        await assert.rejects(run('eqp.keys.rename', { environment: 'sandbox', name: 'Stays', newName }));
      }
      assert.deepEqual(api.store.list().map((k) => k.name), ['Stays']);
    });
  });

  describe('secret canary: no application secret or session token anywhere the extension writes or shows', () => {
    it('runs every flow, then scans globalState, workspaceState, settings, the log, messages, tree, status bar, errors and the request log', async () => {
      const canaries = new Set<string>();
      const shown: string[] = []; // everything a person could see, gathered along the way
      const errors: string[] = [];
      const snap = async () => {
        shown.push(JSON.stringify(api.statusBar.snapshot()));
        for (const envNode of await api.tree.getChildren()) {
          const nodes = [envNode, ...(await api.tree.getChildren(envNode))];
          for (const n of nodes) {
            const item = api.tree.getTreeItem(n);
            const tip = item.tooltip;
            shown.push(JSON.stringify({ label: item.label, description: item.description, tooltip: typeof tip === 'string' ? tip : tip?.value, a11y: item.accessibilityInformation }));
          }
        }
      };
      const attempt = async (p: Thenable<unknown>) => {
        try {
          await p;
        } catch (e) {
          errors.push(String((e as Error).message), String((e as Error).stack));
        }
      };
      const pk = sandbox.createKey('sandbox', 'Canary');
      canaries.add(pk.applicationSecret);
      ui = new ScriptedUi().pick('Sandbox').input('Canary').pick('Developer Portal').input(pk.applicationId, pk.applicationSecret);
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.equal(key?.state, 'verified');
      await snap();

      // tokens: get, refresh, a fault, the status bar and tree while a token is live
      const t1 = await run<string>('eqp.token.get', { environment: 'sandbox' });
      canaries.add(t1);
      await run('eqp.environment.switch', { environment: 'sandbox' });
      const refreshed = await run<unknown>('eqp.token.refresh', { environment: 'sandbox' });
      shown.push(JSON.stringify(refreshed));
      const t2 = (await cachedFor(api.tokens, key!.id))?.token;
      assert.ok(t2 && t2 !== t1);
      canaries.add(t2);
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: `boom ${t2} ${pk.applicationSecret}` } }, 3);
      figures.faults++;
      await attempt(run('eqp.token.refresh', { environment: 'sandbox' }));
      await new Promise((r) => setTimeout(r, 150)); // the status bar and tree render what changed
      await snap();

      // a wrong pair, a rejected key, a regenerate, a rename
      const wrong = 'c0ffee'.repeat(7).slice(0, 40);
      canaries.add(wrong);
      await attempt(run('eqp.keys.create', { environment: 'sandbox', name: 'Wrong', applicationId: 'WRONG00001', applicationSecret: wrong }));
      const fresh = sandbox.regenerateKey('sandbox', pk.applicationId);
      canaries.add(fresh.applicationSecret);
      await run('eqp.keys.verify', { environment: 'sandbox', name: 'Canary' });
      await run('eqp.token.forget', { environment: 'sandbox', name: 'Canary' }).then(undefined, (e: Error) => errors.push(e.message));
      await attempt(run('eqp.token.get', { environment: 'sandbox' }));
      await snap();
      ui.pick('Canary').pick('I have the new').input(`${fresh.applicationId}:${fresh.applicationSecret}`);
      await run('eqp.keys.regenerate');
      const t3 = await run<string>('eqp.token.get', { environment: 'sandbox' });
      canaries.add(t3);
      await run('eqp.keys.rename', { environment: 'sandbox', name: 'Canary', newName: 'Canary 2' });
      await snap();

      // Composer keys: their private keys are canaries too (the auth.json a user asked for is the one place allowed).
      sandbox.clearComposerKeys();
      api.composer.model.reset('sandbox');
      const made = await run<{ label: string }>('eqp.composer.create', { environment: 'sandbox', label: 'canary' });
      shown.push(JSON.stringify(made));
      const composerKey = sandbox.composerKeys('sandbox').find((k) => k.label === 'canary')!;
      canaries.add(composerKey.passwordKey);
      await api.composer.tree.getChildren();
      await eventually(() => assert.equal(api.composer.model.state('sandbox').status, 'loaded'));
      for (const envNode of await api.composer.tree.getChildren()) {
        for (const n of [envNode, ...(await api.composer.tree.getChildren(envNode))]) {
          const item = api.composer.tree.getTreeItem(n);
          const tip = item.tooltip;
          shown.push(JSON.stringify({ label: item.label, description: item.description, tooltip: typeof tip === 'string' ? tip : tip?.value, a11y: item.accessibilityInformation }));
        }
      }
      shown.push(JSON.stringify(await run('eqp.composer.copyPrivateKey', { environment: 'sandbox', label: 'canary' })));
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: `boom ${composerKey.passwordKey}` } }, 1);
      await attempt(run('eqp.composer.disable', { environment: 'sandbox', label: 'canary', confirm: false }));
      await setting('sandbox.composerRepositoryHost', 'repo-sandbox.example.com');
      const written = await run<{ file: string }>('eqp.composer.writeAuthJson', { environment: 'sandbox', label: 'canary', target: 'global' });
      assert.ok(fs.readFileSync(written.file, 'utf8').includes(composerKey.passwordKey), 'the auth.json the user asked for holds it');
      fs.rmSync(written.file);
      await setting('sandbox.composerRepositoryHost', undefined);
      shown.push(JSON.stringify(await run('eqp.composer.delete', { environment: 'sandbox', label: 'canary', confirm: false })));

      // terminal export: on puts the token in the (non-persistent) collection by the user's choice; off removes it
      const cfg = vscode.workspace.getConfiguration('eqp');
      await cfg.update('terminal.exportToken', true, vscode.ConfigurationTarget.Global);
      await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 5000);
      assert.equal(api.terminalEnv.persistent, false, 'a persistent collection would write the token to disk');
      await cfg.update('terminal.exportToken', undefined, vscode.ConfigurationTarget.Global);
      await eventually(() => assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN'), undefined), 5000);

      ui.pick('Canary 2').answer('Delete');
      await run('eqp.keys.delete');
      await snap();
      await run('eqp.environment.switch', { environment: 'production' });

      // ---- scan ----
      const places: [string, string][] = [];
      places.push(['globalState', JSON.stringify(api.globalState.keys().map((k) => [k, api.globalState.get(k)]))]);
      places.push(['workspaceState', JSON.stringify(api.workspaceState.keys().map((k) => [k, api.workspaceState.get(k)]))]);
      const userSettings = process.env.EQP_TEST_USER_SETTINGS;
      assert.ok(userSettings && fs.existsSync(userSettings), 'the user settings.json is known to the test');
      places.push(['user settings.json', fs.readFileSync(userSettings, 'utf8')]);
      const wsSettings = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', '.vscode', 'settings.json');
      if (fs.existsSync(wsSettings)) places.push(['workspace settings.json', fs.readFileSync(wsSettings, 'utf8')]);
      // The log as VS Code wrote it to disk: every file of this extension host's log folder.
      const logRoot = path.dirname(api.logUri.fsPath);
      const logFiles: string[] = [];
      const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else logFiles.push(p); } };
      await eventually(() => {
        logFiles.length = 0;
        walk(logRoot);
        assert.ok(logFiles.some((f) => /created key "Canary"/.test(fs.readFileSync(f, 'utf8'))), `our log lines are not on disk under ${logRoot}`);
      }, 10000);
      for (const f of logFiles) places.push([`log ${path.relative(logRoot, f)}`, fs.readFileSync(f, 'utf8')]);
      places.push(['messages, prompts and picks shown', ui.allText()]);
      places.push(['tree items and status bar', shown.join('\n')]);
      places.push(['thrown errors', errors.join('\n')]);
      places.push(['sandbox request log (URLs, headers, bodies)', JSON.stringify(sandbox.requestLog())]);
      const leaks: string[] = [];
      for (const [where, text] of places) for (const c of canaries) if (text.includes(c)) leaks.push(`${where} holds ${c.slice(0, 4)}…`);
      figures.leaks += leaks.length;
      assert.ok(errors.length >= 3, 'the failing steps did fail');
      assert.deepEqual(leaks, [], `secrets found: ${leaks.join('; ')}`);
      console.log(`[eqp-it]       canary: ${canaries.size} secrets and tokens, ${places.length} places scanned, ${logFiles.length} log files`);
    });
  });

  describe('faults during create, verify, regenerate and token fetch: the user sees what happened, keys are unchanged, no bad token is cached, the next try works', () => {
    const faults: [string, Fault][] = [
      ['500 with a JSON message', { kind: 'status', status: 500, body: { code: 500, message: 'Internal error' } }],
      ['502 with an HTML page', { kind: 'malformed', status: 502, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' }],
      ['503 with Retry-After', { kind: 'retry-after', seconds: 30, status: 503 }],
      ['429 with Retry-After', { kind: 'retry-after', seconds: 5 }],
      ['a truncated body', { kind: 'truncated' }],
      ['a reset connection', { kind: 'reset' }],
      ['a body that is not JSON', { kind: 'malformed', body: 'ok' }],
      ['expires_in 0', { kind: 'malformed', body: '{"mage_id":"MAG1","ust":"t0k3n","expires_in":0}', contentType: 'application/json' }],
      ['no ust', { kind: 'malformed', body: '{"mage_id":"MAG1","expires_in":7200}', contentType: 'application/json' }],
      ['a redirect', { kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere' }],
    ];

    for (const [what, fault] of faults) {
      it(`${what}`, async () => {
        // create (scripted): refused with a message, nothing stored; then it works
        const pk = sandbox.createKey('sandbox', 'F');
        figures.faults++;
        sandbox.injectFault('sandbox', fault, 1);
        await assert.rejects(run('eqp.keys.create', { environment: 'sandbox', name: 'F', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret }), (e: Error) => {
          assert.ok(e.message.length > 20);
          assert.ok(!e.message.includes(pk.applicationSecret));
          return true;
        });
        assert.equal(api.store.list().length, 0, 'nothing stored after a fault');
        const key = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'F', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
        assert.equal(key.state, 'verified');

        // verify: the state says unreachable with the detail; the pair is unchanged; the next verify works
        figures.faults++;
        sandbox.injectFault('sandbox', fault, 1);
        const v = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'F' });
        assert.equal(v.state, 'unreachable');
        assert.ok(v.stateDetail && v.stateDetail.length > 10);
        assert.equal(await api.secrets.get(`eqp.secret.${key.id}.${pk.applicationId}`), pk.applicationSecret);
        assert.equal((await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'F' })).state, 'verified');

        // regenerate: the new pair meets the fault, the old pair stays; then it works
        const fresh = sandbox.regenerateKey('sandbox', pk.applicationId);
        figures.faults++;
        sandbox.injectFault('sandbox', fault, 1);
        await assert.rejects(run('eqp.keys.regenerate', { environment: 'sandbox', name: 'F', applicationId: fresh.applicationId, applicationSecret: fresh.applicationSecret, confirm: false }));
        assert.equal(api.store.get(key.id)?.applicationId, pk.applicationId);
        assert.equal(await api.secrets.get(`eqp.secret.${key.id}.${pk.applicationId}`), pk.applicationSecret);
        const r = await run<KeyRecord>('eqp.keys.regenerate', { environment: 'sandbox', name: 'F', applicationId: fresh.applicationId, applicationSecret: fresh.applicationSecret, confirm: false });
        assert.equal(r.applicationId, fresh.applicationId);
        assert.equal(r.state, 'verified');

        // token fetch: the fault, past the retries, is reported; nothing is cached; the next fetch works.
        // (Retry-After faults make the token service wait their seconds: tokens.test.ts covers them with 1 s.)
        if (fault.kind === 'retry-after') return;
        await run('eqp.token.forget', { all: true });
        figures.faults++;
        sandbox.injectFault('sandbox', fault, 3);
        await assert.rejects(run('eqp.token.get', { environment: 'sandbox' }), (e: Error) => e.message.length > 20 && !e.message.includes(fresh.applicationSecret));
        assert.equal(await cachedFor(api.tokens, key.id), undefined, 'a bad answer was cached');
        sandbox.clearFaults();
        const token = await run<string>('eqp.token.get', { environment: 'sandbox' });
        assert.equal((await cachedFor(api.tokens, key.id))?.token, token);
      });
    }
  });
  describe('server text (profile names, organization names, Composer labels, messages) shows as written and forms no link or markup', () => {
    // What an EQP API (or something posing as one) could put in the names it sends back.
    const LINK = '[x](command:eqp.keys.delete)';
    const hostile = {
      firstName: `Eve \`tick\` ${LINK}`,
      lastName: '<img src=x onerror=alert(1)> **bold**\n\n# heading',
      screenName: `_under_ ${LINK}`,
      email: `eve${LINK}@example.com`,
      org: `Org ${LINK.replace('x', 'y')} <b>html</b> \`code\` **w**\nnext line`,
      label: `label ${LINK.replace('x', 'z')} <img src=y> \`q\` *e*`,
      message: `Denied ${LINK} <img src=z> **now**\nsecond line`,
    };
    const ORG_ID = '000EEE111EEE222@AdobeOrg';
    /** What a reader sees of escaped Markdown: backslash escapes read as the character, line breaks as spaces. */
    const seen = (markdown: string) => markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
    const flat = (text: string) => text.replace(/\s*\n\s*/g, ' ');
    /** What a reader sees of text the client unlinked: the zero-width space between `]` and `(` is invisible. */
    const looks = (text: string) => text.replace(/\u200B/g, '');
    /** VS Code's own pattern for links in notification text (linkedText.ts). */
    const notificationLink = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;
    /** A `](command:` that escaping did not neutralise: not preceded by an odd number of backslashes. */
    const liveCommandLinks = (markdown: string) => [...markdown.matchAll(/(?<!\\)(?:\\\\)*\]\(command:([\w.]+)/g)].map((m) => m[1]!);

    afterEach(async () => {
      sandbox.setProfile('sandbox', undefined);
      sandbox.clearComposerKeys();
      api.composer.model.reset('sandbox');
      await setting('environment', undefined);
    });

    it('in the key tooltips, the status bar tooltip (still trusted for its own commands only) and the Composer Keys view', async () => {
      sandbox.setProfile('sandbox', { mageId: 'MAGHOSTILE01', firstName: hostile.firstName, lastName: hostile.lastName, screenName: hostile.screenName, email: hostile.email, organizations: [{ id: ORG_ID, name: hostile.org }] });
      figures.hostile += Object.keys(hostile).length;
      await setting('environment', 'sandbox');
      const { key } = await addKey('sandbox', 'Hostile');
      assert.equal(key.state, 'verified');
      assert.equal(key.mageId, 'MAGHOSTILE01');
      const profileName = `${hostile.firstName} ${hostile.lastName}`;
      assert.equal(looks(key.profileName ?? ''), flat(profileName), 'the profile name is kept as the server sent it (on one line, links broken)');
      assert.doesNotMatch(key.profileName ?? '', notificationLink);

      // The API Keys view: the key's tooltip shows the profile name literally; no tooltip links anywhere.
      const tips: vscode.MarkdownString[] = [];
      for (const envNode of await api.tree.getChildren()) {
        for (const n of [envNode, ...(await api.tree.getChildren(envNode))]) {
          const tip = api.tree.getTreeItem(n).tooltip;
          assert.ok(tip instanceof vscode.MarkdownString, 'tree tooltips are Markdown');
          tips.push(tip);
        }
      }
      const keyTip = tips.map((t) => t.value).find((v) => v.includes('Hostile'));
      assert.ok(keyTip, 'the key row has a tooltip');
      assert.ok(looks(seen(keyTip)).includes(`(${flat(profileName)})`), `the profile name as written in ${keyTip}`);
      assert.ok(keyTip.includes('`MAGHOSTILE01`'), 'the account as code');
      for (const t of tips) {
        assert.deepEqual(liveCommandLinks(t.value), [], `a link in ${t.value}`);
        assert.ok(!t.isTrusted && !t.supportHtml, 'tree tooltips are neither trusted nor HTML');
        assert.doesNotMatch(t.value, /(?<!\\)<img|(?<!\\)\*\*bold|(?<!\\)`tick/);
      }

      // The status bar: a token of the hostile account, then a refusal whose message is hostile.
      await run<string>('eqp.token.get', { environment: 'sandbox' });
      await eventually(() => assert.match(api.statusBar.snapshot().tooltip, /MAGHOSTILE01/));
      // The recorder keeps the real item: its tooltip's trust is what VS Code will honour.
      const item = (api.statusBar as unknown as { item: vscode.StatusBarItem }).item;
      const trusted = () => {
        const tip = item.tooltip;
        assert.ok(tip instanceof vscode.MarkdownString);
        assert.deepEqual(tip.isTrusted, { enabledCommands: [...TOOLTIP_COMMANDS] }, 'trusted for its own commands, no others');
        assert.ok(!tip.supportHtml);
        return tip.value;
      };
      assert.deepEqual(liveCommandLinks(trusted()), ['eqp.token.insert', 'eqp.token.copy', 'eqp.token.refresh', 'eqp.environment.switch', 'eqp.keys.use']);
      sandbox.regenerateKey('sandbox', key.applicationId);
      await run('eqp.token.forget', { environment: 'sandbox', name: 'Hostile' });
      figures.faults++;
      sandbox.injectFault('sandbox', { kind: 'status', status: 401, body: { code: 401, message: hostile.message } }, 1);
      await run('eqp.keys.verify', { environment: 'sandbox', name: 'Hostile' });
      await eventually(() => assert.match(api.statusBar.snapshot().tooltip, /Denied/));
      const refused = trusted();
      assert.ok(looks(seen(refused)).includes(flat(hostile.message)), `the server's message as written in ${refused}`);
      assert.deepEqual(liveCommandLinks(refused), ['eqp.keys.regenerate', 'eqp.token.insert', 'eqp.token.copy', 'eqp.token.refresh', 'eqp.environment.switch', 'eqp.keys.use'], 'only the intended links');
      const sandboxNode = (await api.tree.getChildren()).find((n) => n.kind === 'environment' && n.environment === 'sandbox');
      const rejectedTip = (await api.tree.getChildren(sandboxNode))
        .map((n) => api.tree.getTreeItem(n).tooltip).find((t) => t instanceof vscode.MarkdownString && t.value.includes('Hostile')) as vscode.MarkdownString | undefined;
      assert.ok(rejectedTip && looks(seen(rejectedTip.value)).includes(flat(hostile.message)), 'the key tooltip shows the refusal as written');
      assert.deepEqual(liveCommandLinks(rejectedTip.value), []);

      // The Composer Keys view: a key owned by the hostile organization, with a hostile label. The pair is
      // fixed first (a new one, verified) so the account can list its keys.
      const fresh = sandbox.keys('sandbox').find((k) => k.name === 'Hostile')!;
      await run('eqp.keys.regenerate', { environment: 'sandbox', name: 'Hostile', applicationId: fresh.applicationId, applicationSecret: fresh.applicationSecret, confirm: false });
      sandbox.clearComposerKeys();
      sandbox.createComposerKey('sandbox', hostile.label, ORG_ID);
      api.composer.model.reset('sandbox');
      await api.composer.tree.getChildren();
      let rows: vscode.TreeItem[] = [];
      await eventually(async () => {
        rows = [];
        for (const envNode of await api.composer.tree.getChildren()) {
          for (const n of [envNode, ...(await api.composer.tree.getChildren(envNode))]) rows.push(api.composer.tree.getTreeItem(n));
        }
        assert.ok(rows.some((r) => typeof r.description === 'string' && looks(r.description).includes(flat(hostile.org))), 'the organization is named (its name read)');
      }, 10000);
      const row = rows.find((r) => r.label === hostile.label);
      assert.ok(row, 'the label is the row as written (a TreeItem label is plain text)');
      const tip = row.tooltip;
      assert.ok(tip instanceof vscode.MarkdownString);
      assert.ok(!tip.isTrusted && !tip.supportHtml);
      assert.ok(seen(tip.value).includes(flat(hostile.label)), `the label as written in ${tip.value}`);
      assert.ok(looks(seen(tip.value)).includes(`Owner: ${flat(hostile.org)} (${ORG_ID})`), `the organization as written in ${tip.value}`);
      for (const r of rows) {
        const v = r.tooltip instanceof vscode.MarkdownString ? r.tooltip.value : '';
        assert.deepEqual(liveCommandLinks(v), [], `a link in ${v}`);
      }
      // Every hostile text was in some tooltip, and none of them brought a live link with it.
      assert.ok(!JSON.stringify(tips.map((t) => t.value)).includes(LINK), 'the link text appears only escaped');
    });

    it('in the notifications of the guided create and regenerate, which VS Code would turn [title](command:…) into a link of', async () => {
      sandbox.setProfile('sandbox', { mageId: 'MAGHOSTILE02', firstName: hostile.firstName, lastName: hostile.lastName });
      figures.hostile += 2;
      const pk = sandbox.createKey('sandbox', 'Told');
      ui = new ScriptedUi().pick('Sandbox').input('Told').pick('I have').input(`${pk.applicationId}:${pk.applicationSecret}`);
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.equal(key?.profileName && looks(key.profileName), flat(`${hostile.firstName} ${hostile.lastName}`));
      const fresh = sandbox.regenerateKey('sandbox', pk.applicationId);
      ui.pick('Told').pick('I have the new').input(`${fresh.applicationId}:${fresh.applicationSecret}`);
      await run('eqp.keys.regenerate');
      const told = ui.messages.filter((m) => m.level === 'info').map((m) => m.message);
      assert.equal(told.length, 2, JSON.stringify(told));
      for (const m of told) {
        assert.doesNotMatch(m, notificationLink, `a link in the notification: ${m}`);
        assert.ok(m.replace(/\u200B/g, '').includes(flat(`${hostile.firstName} ${hostile.lastName}`)), `the name as written in ${m}`);
      }
    });

    it('in the terminal export\'s description (Markdown) and the notifications of a verify, refused with a hostile message and then passed', async () => {
      sandbox.setProfile('sandbox', { mageId: 'MAGHOSTILE03', firstName: hostile.firstName, lastName: hostile.lastName });
      figures.hostile += 3;
      await setting('environment', 'sandbox');
      // A key name is not the server's, but a script or a pasted name can carry the same: it is shown as written too.
      const name = `Eve ${LINK} **b**`;
      await addKey('sandbox', name);

      // The environment variable collection's description is Markdown (the terminal's hover shows it).
      await setting('terminal.exportToken', true);
      try {
        await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 10000);
        const description = api.terminalEnv.description;
        const md = typeof description === 'string' ? description : (description?.value ?? '');
        assert.ok(seen(md).includes(`session token of "${name}" (account \`MAGHOSTILE03\`)`), `the name as written, the account as code, in ${md}`);
        assert.deepEqual(liveCommandLinks(md), [], `a link in ${md}`);
        assert.doesNotMatch(md, /(?<!\\)\*\*b/, 'no emphasis of the name\'s own');
      } finally {
        await setting('terminal.exportToken', undefined);
      }
      await eventually(() => assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN'), undefined), 5000);

      // Verify from the palette (not scripted, so it tells the user in a notification): the server refuses with
      // a hostile message; then it passes, and the notification names the hostile profile.
      figures.faults++;
      sandbox.injectFault('sandbox', { kind: 'status', status: 401, body: { code: 401, message: hostile.message } }, 1);
      ui = new ScriptedUi().pick('Eve');
      await run('eqp.keys.verify');
      ui.pick('Eve');
      await run('eqp.keys.verify');
      const told = ui.messages.filter((m) => !m.modal);
      assert.deepEqual(told.map((m) => m.level), ['error', 'info'], JSON.stringify(told));
      const [refused, passed] = told.map((m) => m.message) as [string, string];
      assert.ok(looks(refused).includes(flat(hostile.message)), `the server's message as written in ${refused}`);
      assert.ok(looks(passed).includes(flat(`${hostile.firstName} ${hostile.lastName}`)), `the profile name as written in ${passed}`);
      for (const m of told) {
        assert.doesNotMatch(m.message, notificationLink, `a link in the notification: ${m.message}`);
        assert.ok(looks(m.message).includes(`"${name}"`), `the key name as written in ${m.message}`);
      }
    });
  });
});
