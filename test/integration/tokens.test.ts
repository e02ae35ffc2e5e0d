// Session tokens inside the real VS Code, against the EQP sandbox server: insert/copy/get/refresh/forget through
// the commands, tasks that resolve ${command:eqp.token.get}, the status bar item in each state, terminal export,
// and every server fault. Request counts come from the sandbox's own log.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT } from '../repoRoot';
import type { KeyRecord } from '../../src/keys/keyStore';
import { ClipboardGuard } from '../../src/tokens/clipboard';
import type { CachedToken } from '../../src/tokens/tokenService';
import type { EqpSandbox, SandboxEnv, SandboxKey } from '../sandbox/server';
import { ScriptedUi, type ShownMessage, TestApi, clearKeys, eventually, rewriter, settled, startSandbox, stopSandbox, setting, testApi } from './helpers';
import { peek } from '../tokenReads';

const run = async <T = unknown>(id: string, arg?: unknown): Promise<T> => vscode.commands.executeCommand<T>(id, arg);
const TOKEN_SETTINGS = ['http.timeoutSeconds', 'token.lifetime', 'token.refreshMargin', 'token.insertFormat', 'clipboard.clearAfterSeconds', 'statusBar.show', 'statusBar.clickAction', 'terminal.exportToken'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const figures = { latencies: [] as number[], mint: [] as number[], cached: [] as number[] };

/** Closes every text editor without a save prompt (the documents here are untitled scratch buffers). */
async function closeEditors(): Promise<void> {
  for (let i = 0; i < 20 && vscode.window.visibleTextEditors.length > 0; i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

async function editorWith(content: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  return vscode.window.showTextDocument(doc);
}

/** Runs a task and resolves with its exit code once its process ended. */
async function runTask(task: vscode.Task, ms = 20000): Promise<number | undefined> {
  const ended = new Promise<number | undefined>((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`task "${task.name}" did not end within ${ms} ms`)); }, ms);
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === task.name) {
        clearTimeout(timer);
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

describe('session tokens (real VS Code, EQP sandbox server)', function () {
  this.timeout(30000);
  let api: TestApi;
  /** Timers pending for a countdown (status bar, tree rows, terminal export), not the 30 ms merges of events. */
  const countdowns = (): number => api.clock.timersLongerThan(40);
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;
  const realWithProgress = vscode.window.withProgress;

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
  });
  after(async () => {
    await clearKeys(api);
    for (const k of TOKEN_SETTINGS) await setting(k, undefined);
    await closeEditors();
    await stopSandbox(sandbox);
    const median = (l: number[]) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)];
    console.log(`[eqp-it]   token figures: eqp.token.get minting (1 request each) median ${median(figures.mint)} ms of ${figures.mint.length}, from the cache (0 requests) median ${median(figures.cached)} ms of ${figures.cached.length}; other timed command calls ${figures.latencies.length}, max ${Math.max(...figures.latencies)} ms`);
  });
  beforeEach(async () => {
    await clearKeys(api);
    await api.tokens.forget();
    sandbox.clearFaults();
    sandbox.setLimits({ maxLifetime: 7200, defaultLifetime: 3600 });
    sandbox.deleteAllKeys();
    for (const k of TOKEN_SETTINGS) await setting(k, undefined);
    await setting('environment', 'sandbox');
    api.clock.use();
    sandbox.clearLog();
  });
  afterEach(async () => {
    ui?.restore();
    ui = undefined;
    (vscode.window as { withProgress: unknown }).withProgress = realWithProgress;
    api.faults.reset();
    api.clock.use();
    await setting('http.timeoutSeconds', undefined);
    await closeEditors();
  });

  /** A key made in the sandbox's portal and stored through the scripted create (verified unless told not to). */
  const addKey = async (env: SandboxEnv, name: string, verify = true): Promise<{ pk: SandboxKey; key: KeyRecord }> => {
    const pk = sandbox.createKey(env, name);
    const key = await run<KeyRecord>('eqp.keys.create', { environment: env, name, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret, verify });
    return { pk, key };
  };
  const cachedRaw = (key: KeyRecord) => api.secrets.get(`eqp.token.${key.id}`);
  const cached = async (key: KeyRecord): Promise<CachedToken | undefined> => {
    const raw = await cachedRaw(key);
    return raw ? (JSON.parse(raw) as CachedToken) : undefined;
  };
  /** A token request through a command, timed, with the sandbox's count of token requests it made. */
  const timed = async <T>(fn: () => Thenable<T> | Promise<T>): Promise<{ value: T; requests: number }> => {
    const before = sandbox.tokenRequestCount();
    const t = Date.now();
    const value = await fn();
    figures.latencies.push(Date.now() - t);
    return { value, requests: sandbox.tokenRequestCount() - before };
  };
  /** The sandbox accepts the token (GET the profile with it). */
  const accepted = async (env: SandboxEnv, token: string, mageId: string): Promise<number> => {
    const r = await fetch(`${sandbox.apiUrl(env)}/rest/v1/users/${mageId}?style=summary`, { headers: { authorization: `Bearer ${token}` } });
    return r.status;
  };

  describe('insert', () => {
    it('at one cursor; the token a verification minted is used, so the first insert makes no request', async () => {
      const { key } = await addKey('sandbox', 'CI');
      assert.equal(sandbox.tokenRequestCount('sandbox'), 1, 'the verification minted one token');
      const adopted = await cached(key);
      assert.ok(adopted, 'the verification token was adopted');
      const editor = await editorWith('A\nB');
      editor.selection = new vscode.Selection(0, 1, 0, 1);
      const { value, requests } = await timed(() => run<{ inserted: number; copied: boolean; keyName: string }>('eqp.token.insert'));
      assert.equal(requests, 0, 'no second request');
      assert.equal(value.inserted, 1);
      assert.equal(value.copied, false);
      assert.ok(!JSON.stringify(value).includes(adopted.token), 'the result holds no token');
      assert.equal(editor.document.getText(), `A${adopted.token}\nB`);
      assert.deepEqual([editor.selection.active.line, editor.selection.active.character], [0, 1 + adopted.token.length], 'the cursor is after the token');
      assert.equal(await accepted('sandbox', adopted.token, adopted.mageId), 200, 'a working token');
      // A second click within its lifetime: still no request.
      const again = await timed(() => run('eqp.token.insert'));
      assert.equal(again.requests, 0);
      assert.equal(editor.document.getText(), `A${adopted.token}${adopted.token}\nB`);
    });

    it('at three cursors as ONE edit: a single undo restores the text', async () => {
      await addKey('sandbox', 'CI');
      const editor = await editorWith('x\ny\nz');
      editor.selections = [0, 1, 2].map((l) => new vscode.Selection(l, 1, l, 1));
      const result = await run<{ inserted: number }>('eqp.token.insert');
      const token = (await peek(api.tokens, 'sandbox'))!.token;
      assert.equal(result.inserted, 3);
      assert.equal(editor.document.getText(), `x${token}\ny${token}\nz${token}`);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), 'x\ny\nz', 'one undo took all three back');
    });

    it('replaces a selection, and undo brings it back', async () => {
      await addKey('sandbox', 'CI');
      const editor = await editorWith('curl -H "Authorization: Bearer PASTE_HERE" x');
      const start = editor.document.getText().indexOf('PASTE_HERE');
      editor.selection = new vscode.Selection(0, start, 0, start + 'PASTE_HERE'.length);
      await run('eqp.token.insert');
      const token = (await peek(api.tokens, 'sandbox'))!.token;
      assert.equal(editor.document.getText(), `curl -H "Authorization: Bearer ${token}" x`);
      assert.ok(editor.selection.isEmpty, 'the inserted token is not left selected');
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), 'curl -H "Authorization: Bearer PASTE_HERE" x');
    });

    it('follows eqp.token.insertFormat: bearer, a template, and a template without ${token} is refused', async () => {
      await addKey('production', 'Prod');
      await setting('environment', 'production');
      const editor = await editorWith('');
      await setting('token.insertFormat', 'bearer');
      await run('eqp.token.insert');
      const t = (await peek(api.tokens, 'production'))!;
      assert.equal(editor.document.getText(), `Authorization: Bearer ${t.token}`);
      await vscode.commands.executeCommand('undo');
      await setting('token.insertFormat', 'curl -H "Authorization: Bearer ${token}" "${apiUrl}/rest/v1/users/${mageId}" # ${environment} ${unknown}');
      await run('eqp.token.insert');
      assert.equal(editor.document.getText(), `curl -H "Authorization: Bearer ${t.token}" "${sandbox.apiUrl('production')}/rest/v1/users/${t.mageId}" # production \${unknown}`);
      await vscode.commands.executeCommand('undo');
      await setting('token.insertFormat', 'no placeholder');
      await assert.rejects(run('eqp.token.insert', { environment: 'production' }), /insertFormat/);
      assert.equal(editor.document.getText(), '');
    });

    it('in a diff editor: into the side with the cursor, at the cursor; no second tab is opened', async () => {
      const { key } = await addKey('sandbox', 'CI');
      const token = (await cached(key))!.token;
      const left = await vscode.workspace.openTextDocument({ content: 'before\nline two', language: 'plaintext' });
      const right = await vscode.workspace.openTextDocument({ content: 'after\nline two', language: 'plaintext' });
      await vscode.commands.executeCommand('vscode.diff', left.uri, right.uri, 'EQP insert test');
      await eventually(() => {
        assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff, true, 'the diff editor is the active tab');
        assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), right.uri.toString(), 'its modified side is the active editor');
      });
      const editor = vscode.window.activeTextEditor!;
      assert.equal(editor.document.uri.toString(), right.uri.toString());
      editor.selection = new vscode.Selection(1, 4, 1, 4);
      const result = await run<{ inserted: number }>('eqp.token.insert');
      assert.equal(result.inserted, 1);
      assert.equal(right.getText(), `after\nline${token} two`, 'inserted at the cursor of the diff editor, not at 1:1');
      assert.equal(left.getText(), 'before\nline two', 'the other side is untouched');
      // "No second tab": the modified side was not opened in a tab of its own. (Counting all tabs raced on a
      // loaded machine: the diff's own opening can still add a tab late, which says nothing about the insert.)
      const describeTabs = (): string => vscode.window.tabGroups.all.map((g) => g.tabs.map((tab) => `${g.viewColumn}:${tab.label}:${tab.input?.constructor.name}`).join(', ')).join(' | ');
      const ownTabs = (): number => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === right.uri.toString()).length;
      await sleep(300);
      assert.equal(ownTabs(), 0, `the modified side was not opened in a tab of its own: ${describeTabs()}`);
      assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff, true, 'the diff editor is still the active tab');
    });

    it('with the same document in two split editors: into the active one\'s cursor only', async () => {
      const { key } = await addKey('sandbox', 'CI');
      const token = (await cached(key))!.token;
      const doc = await vscode.workspace.openTextDocument({ content: 'one\ntwo\nthree', language: 'plaintext' });
      const first = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      first.selection = new vscode.Selection(0, 0, 0, 0);
      const second = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Two, preserveFocus: false });
      second.selection = new vscode.Selection(2, 5, 2, 5);
      assert.equal(vscode.window.activeTextEditor, second);
      const tabs = vscode.window.tabGroups.all.reduce((n, g) => n + g.tabs.length, 0);
      await run('eqp.token.insert');
      assert.equal(doc.getText(), `one\ntwo\nthree${token}`, 'at the active editor\'s cursor (line 3), not the other editor\'s');
      assert.equal(vscode.window.tabGroups.all.reduce((n, g) => n + g.tabs.length, 0), tabs, 'no tab was opened');
      assert.equal(vscode.window.activeTextEditor?.viewColumn, vscode.ViewColumn.Two, 'the focus stays in the second editor');
    });

    it('with no editor open, copies instead and says so', async () => {
      await addKey('sandbox', 'CI');
      await closeEditors();
      ui = new ScriptedUi();
      const result = await run<{ inserted: number; copied: boolean }>('eqp.token.insert');
      assert.deepEqual([result.inserted, result.copied], [0, true]);
      const token = (await peek(api.tokens, 'sandbox'))!.token;
      assert.equal(await vscode.env.clipboard.readText(), token);
      assert.match(ui.messages[0]?.message ?? '', /No editor is open, so the Sandbox session token of "CI" was copied/);
      assert.ok(!ui.allText().includes(token), 'the message does not show the token');
    });
  });

  describe('copy and the clipboard', () => {
    // Clearing reads the clipboard first. On the desktop a refused read is an error we catch; in VS Code for the
    // Web (code-server here) the workbench answers a refused read with its own "Unable to read from the browser's
    // clipboard…" prompt, so there the guard never reads. The clearing logic is tested with a guard that may read.
    const desktopGuard = (seconds: number): ClipboardGuard => new ClipboardGuard(() => seconds, () => true);

    it('clears the clipboard after clearAfterSeconds when it still holds the token (a VS Code that can read it)', async () => {
      const guard = desktopGuard(1);
      try {
        const clearsAt = await guard.copy('TOKEN-FOR-THE-CLEAR-TEST');
        assert.equal(await vscode.env.clipboard.readText(), 'TOKEN-FOR-THE-CLEAR-TEST');
        assert.ok(clearsAt && clearsAt - Date.now() <= 1000);
        await sleep(1400);
        assert.equal(await vscode.env.clipboard.readText(), '');
      } finally {
        guard.dispose();
      }
    });

    it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
      const guard = desktopGuard(1);
      try {
        await guard.copy('TOKEN-FOR-THE-CLEAR-TEST');
        await vscode.env.clipboard.writeText('something the user copied');
        await sleep(1400);
        assert.equal(await vscode.env.clipboard.readText(), 'something the user copied');
      } finally {
        guard.dispose();
      }
    });

    it('a read that fails is silent and leaves the clipboard alone', async () => {
      const real = vscode.env.clipboard;
      let writes = 0;
      const refusing = { readText: () => Promise.reject(new Error('Unable to read from the clipboard')), writeText: (v: string) => { writes++; return real.writeText(v); } };
      const guard = new ClipboardGuard(() => 1, () => true, refusing);
      ui = new ScriptedUi();
      try {
        await guard.copy('TOKEN-FOR-THE-CLEAR-TEST');
        assert.equal(writes, 1);
        await sleep(1400);
        assert.equal(writes, 1, 'nothing was written after the failed read');
        assert.equal(await vscode.env.clipboard.readText(), 'TOKEN-FOR-THE-CLEAR-TEST');
        assert.deepEqual(ui.messages, [], 'nothing was shown');
      } finally {
        guard.dispose();
      }
    });

    it('in the browser, Copy never reads the clipboard (no "Unable to read" prompt), keeps the token there and says so', async function () {
      if (vscode.env.uiKind !== vscode.UIKind.Web) this.skip();
      await addKey('sandbox', 'CI');
      await setting('clipboard.clearAfterSeconds', 1);
      ui = new ScriptedUi();
      const r = await vscode.commands.executeCommand<{ clearsAt?: number }>('eqp.token.copy');
      assert.equal(r.clearsAt, undefined, 'no clearing is promised');
      assert.equal(api.clipboard.pending, false, 'no timer, so no read later');
      await sleep(1400);
      assert.equal(api.clipboard.pending, false);
      assert.match(ui.messages.map((m) => m.message).join('\n'), /not cleared automatically/);
      assert.equal(await vscode.env.clipboard.readText(), (await peek(api.tokens, 'sandbox'))!.token, 'the token is still on the clipboard');
    });

    it('0 never clears', async () => {
      await addKey('sandbox', 'CI');
      await setting('clipboard.clearAfterSeconds', 0);
      const r = await run<{ clearsAt?: number }>('eqp.token.copy');
      assert.equal(r.clearsAt, undefined);
      assert.equal(api.clipboard.pending, false, 'no timer');
      await sleep(300);
      assert.equal(await vscode.env.clipboard.readText(), (await peek(api.tokens, 'sandbox'))!.token);
    });
  });

  describe('eqp.token.get, tasks and reuse', () => {
    it('returns the token string, for the active environment or {environment}', async () => {
      const sb = await addKey('sandbox', 'CI');
      const prod = await addKey('production', 'Prod');
      const sbToken = await run<string>('eqp.token.get');
      const prodToken = await run<string>('eqp.token.get', { environment: 'production' });
      assert.equal(typeof sbToken, 'string');
      assert.equal(sbToken, (await cached(sb.key))?.token);
      assert.equal(prodToken, (await cached(prod.key))?.token);
      assert.equal(await accepted('production', prodToken, sandbox.account('production').mageId), 200);
      assert.equal(await accepted('sandbox', prodToken, sandbox.account('sandbox').mageId), 401, 'a production token is refused by the sandbox');
      await assert.rejects(run('eqp.token.get', { environment: 'staging' }), /Unknown environment "staging"/);
      for (let i = 0; i < 5; i++) {
        await run('eqp.token.forget', { all: true });
        const minted = await timed(() => run<string>('eqp.token.get'));
        assert.equal(minted.requests, 1);
        figures.mint.push(figures.latencies.pop()!);
        const reused = await timed(() => run<string>('eqp.token.get'));
        assert.equal(reused.requests, 0);
        figures.cached.push(figures.latencies.pop()!);
      }
    });

    it('${command:eqp.token.get} is resolved by a real task (in the command line and in options.env)', async () => {
      await addKey('sandbox', 'CI');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-task-'));
      const inLine = path.join(dir, 'line.txt');
      const inEnv = path.join(dir, 'env.txt');
      const folder = vscode.workspace.workspaceFolders![0]!;
      const lineTask = new vscode.Task({ type: 'shell' }, folder, 'eqp-token-line', 'eqp-test', new vscode.ShellExecution(`printf '%s' '\${command:eqp.token.get}' > '${inLine}'`));
      const envTask = new vscode.Task({ type: 'shell' }, folder, 'eqp-token-env', 'eqp-test', new vscode.ShellExecution(`printf '%s' "$EQP_T" > '${inEnv}'`, { env: { EQP_T: '${command:eqp.token.get}' } }));
      const before = sandbox.tokenRequestCount();
      assert.equal(await runTask(lineTask), 0);
      assert.equal(await runTask(envTask), 0);
      const token = (await peek(api.tokens, 'sandbox'))!.token;
      assert.equal(fs.readFileSync(inLine, 'utf8'), token);
      assert.equal(fs.readFileSync(inEnv, 'utf8'), token);
      assert.equal(sandbox.tokenRequestCount() - before, 0, 'the cached token served both');
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the README's tasks.json example works as written: the API accepts the token it sends", async () => {
      await addKey('production', 'Prod');
      const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
      const block = /<!-- tasks-example -->\s*```jsonc\n([\s\S]*?)```/.exec(readme)?.[1];
      assert.ok(block, 'README has the tasks.json example');
      const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      const tasksFile = path.join(folder, '.vscode', 'tasks.json');
      const write = rewriter(tasksFile, block);
      try {
        let task: vscode.Task | undefined;
        await eventually(async () => {
          write();
          task = (await vscode.tasks.fetchTasks()).find((t) => t.name === 'EQP: account summary');
          assert.ok(task, 'the example task is found');
        }, 10000);
        sandbox.clearLog();
        assert.equal(await runTask(task!), 0);
        const profile = sandbox.requestLog('production').find((e) => e.path.startsWith('/rest/v1/users/'));
        assert.ok(profile, `curl reached the API: ${JSON.stringify(sandbox.requestLog())}`);
        assert.equal(profile.status, 200, 'the token was accepted');
        assert.equal(profile.headers.authorization, 'Bearer ‹redacted›');
        assert.equal(sandbox.tokenRequestCount(), 0, 'the cached token was used');
      } finally {
        fs.rmSync(tasksFile, { force: true });
      }
    });

    it('a cached token survives re-creating the token service over the same secret storage: no second request', async () => {
      await addKey('sandbox', 'CI', false);
      const first = await run<string>('eqp.token.get');
      assert.equal(sandbox.tokenRequestCount(), 1);
      sandbox.clearLog();
      const reloaded = api.newTokenService();
      const again = await reloaded.getToken('sandbox');
      assert.equal(again.token, first);
      assert.equal((await peek(reloaded, 'sandbox'))?.token, first);
      assert.equal(sandbox.tokenRequestCount(), 0, `no request in the sandbox log: ${JSON.stringify(sandbox.requestLog())}`);
    });

    it('single flight through the command: 50 concurrent eqp.token.get make 1 request', async () => {
      await addKey('sandbox', 'CI', false);
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 200 });
      const { value, requests } = await timed(() => Promise.all(Array.from({ length: 50 }, () => run<string>('eqp.token.get'))));
      assert.equal(requests, 1);
      assert.equal(new Set(value).size, 1);
    });

    it('honours the lifetime the server granted (clamped to 600 s), not the one asked for', async () => {
      const { key } = await addKey('sandbox', 'CI', false);
      sandbox.setLimits({ maxLifetime: 600 });
      await setting('token.lifetime', 3600);
      await run('eqp.token.get');
      const [request] = sandbox.requestLog('sandbox');
      assert.deepEqual(request?.body, { grant_type: 'session', expires_in: 3600 });
      const t = (await cached(key))!;
      assert.equal(t.expiresAt - t.obtainedAt, 600_000);
      await settled();
      assert.match(api.statusBar.snapshot().text, /^\$\(key\) Sandbox · CI · (9|10)m$/);
    });

    it('expiry follows the sandbox clock: inside the margin a new token is minted; the old one expires at the API', async () => {
      await addKey('sandbox', 'CI', false);
      api.clock.use(() => sandbox.clock.now());
      const first = await run<string>('eqp.token.get');
      sandbox.clock.advance(3600);
      assert.equal(await run<string>('eqp.token.get'), first, 'an hour later: still fresh');
      sandbox.clock.advance(3600 - 100);
      const second = await run<string>('eqp.token.get');
      assert.notEqual(second, first, 'inside the 120 s margin: a new one');
      assert.equal(sandbox.tokenRequestCount(), 2);
      sandbox.clock.advance(101);
      assert.equal(await accepted('sandbox', first, sandbox.account('sandbox').mageId), 401, 'the first token has expired at the API');
      assert.equal(await accepted('sandbox', second, sandbox.account('sandbox').mageId), 200);
      sandbox.clock.advance(7200);
      // The status bar's countdown timer is due now (by the clock it goes by): fire it instead of waiting a minute.
      api.clock.fireDue();
      await settled();
      assert.equal(api.statusBar.snapshot().text, '$(key) Sandbox · CI · no token', 'expired: the status bar says so');
      assert.equal(countdowns(), 0, 'no timer without a live token');
    });
  });

  describe('refresh and forget', () => {
    it('refresh mints a new token over a valid one; a failed refresh keeps the old one', async () => {
      const { key } = await addKey('sandbox', 'CI');
      const old = (await cached(key))!;
      const info = await run<{ keyName: string; expiresAt: number }>('eqp.token.refresh', { environment: 'sandbox' });
      const fresh = (await cached(key))!;
      assert.notEqual(fresh.token, old.token);
      assert.equal(info.keyName, 'CI');
      assert.ok(!JSON.stringify(info).includes(fresh.token));
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 3);
      await assert.rejects(run('eqp.token.refresh', { environment: 'sandbox' }), /Gave up after 3 attempts/);
      assert.equal((await cached(key))?.token, fresh.token, 'the valid token is kept');
    });

    it('forget one key ({environment, name}), all keys ({all: true}) or through the QuickPick; delete forgets too', async () => {
      const a = await addKey('sandbox', 'A');
      const b = await addKey('production', 'B');
      assert.ok(await cached(a.key));
      const one = await run<{ forgotten: unknown[] }>('eqp.token.forget', { environment: 'sandbox', name: 'A' });
      assert.deepEqual(one.forgotten, [{ environment: 'sandbox', keyName: 'A' }]);
      assert.equal(await cachedRaw(a.key), undefined);
      assert.ok(await cached(b.key));
      await run('eqp.token.get');
      const all = await run<{ forgotten: unknown[] }>('eqp.token.forget', { all: true });
      assert.equal(all.forgotten.length, 2);
      assert.equal(await cachedRaw(a.key), undefined);
      assert.equal(await cachedRaw(b.key), undefined);
      await run('eqp.token.get');
      // The QuickPick: one key per row, the active environment's first; "All keys…" is last and asks first.
      ui = new ScriptedUi().pick('All keys').answer(undefined);
      assert.equal(await run('eqp.token.forget'), undefined, 'dismissing the confirmation forgets nothing');
      assert.deepEqual(ui.picks[0]?.items, ['A', 'B', '', '$(discard) All keys…'], 'Enter on the preselected first row forgets one key at most');
      assert.match(ui.messages[0]?.message ?? '', /^Forget the cached session token\?/);
      assert.equal(ui.messages[0]?.modal, true);
      assert.ok(await cached(a.key), 'still cached');
      ui.restore();
      ui = new ScriptedUi().pick('All keys').answer('Forget All');
      const picked = await run<{ forgotten: unknown[] }>('eqp.token.forget');
      assert.equal(picked.forgotten.length, 1);
      assert.equal(await cachedRaw(a.key), undefined);
      await run('eqp.token.get');
      assert.ok(await cached(a.key));
      await run('eqp.keys.delete', { environment: 'sandbox', name: 'A', confirm: false });
      assert.equal(await cachedRaw(a.key), undefined, 'deleting a key forgets its token');
    });
  });

  describe('faults: documented behaviour, no bad token cached', () => {
    const setUp = async () => {
      const { key } = await addKey('sandbox', 'CI', false);
      sandbox.clearLog();
      return key;
    };

    for (const status of [401, 403] as const) {
      it(`${status}: the key is marked rejected, the error offers "Regenerate…" which opens the regenerate flow for that key`, async () => {
        const key = await setUp();
        sandbox.injectFault('sandbox', { kind: 'status', status });
        await assert.rejects(run('eqp.token.get'), (e: Error) => {
          assert.match(e.message, /refused|wrong|regenerated/i);
          return true;
        });
        assert.equal(sandbox.tokenRequestCount(), 1, 'not retried');
        assert.equal(await cachedRaw(key), undefined);
        await eventually(() => assert.equal(api.store.get(key.id)?.state, 'rejected'));
        sandbox.injectFault('sandbox', { kind: 'status', status });
        ui = new ScriptedUi().answer('Regenerate…');
        assert.equal(await run('eqp.token.insert'), undefined);
        const err = ui.messages.find((m) => m.level === 'error');
        assert.match(err?.message ?? '', /The Sandbox EQP API refused key "CI"/);
        assert.deepEqual(err?.items, ['Regenerate…']);
        await eventually(() => assert.match(ui!.picks[0]?.title ?? '', /Regenerate "CI" \(Sandbox\)/), 5000);
        assert.equal(await cachedRaw(key), undefined);
      });
    }

    it('429 with Retry-After 1: waits, then succeeds (2 requests); Retry-After 120: says when, 1 request, nothing cached', async () => {
      const key = await setUp();
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 1 });
      const t = Date.now();
      const token = await run<string>('eqp.token.get');
      assert.ok(Date.now() - t >= 950, 'waited for Retry-After');
      assert.equal(sandbox.tokenRequestCount(), 2);
      assert.equal((await cached(key))?.token, token);
      await run('eqp.token.forget', { environment: 'sandbox', name: 'CI' });
      sandbox.clearLog();
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 120 });
      await assert.rejects(run('eqp.token.get'), /Try again in 2 minutes \(after/);
      assert.equal(sandbox.tokenRequestCount(), 1);
      assert.equal(await cachedRaw(key), undefined);
    });

    it('500: retried with backoff; three in a row give up with the count, offer Retry, cache nothing', async () => {
      const key = await setUp();
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 });
      assert.ok(await run<string>('eqp.token.get'));
      assert.equal(sandbox.tokenRequestCount(), 2);
      await run('eqp.token.forget', { all: true });
      sandbox.clearLog();
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 3);
      ui = new ScriptedUi();
      assert.equal(await run('eqp.token.copy'), undefined);
      assert.equal(sandbox.tokenRequestCount(), 3);
      const err = ui.messages.find((m) => m.level === 'error');
      assert.match(err?.message ?? '', /Could not get a Sandbox session token: .*500.*Gave up after 3 attempts/);
      assert.deepEqual(err?.items, ['Retry', 'Show Log']);
      assert.equal(await cachedRaw(key), undefined);
    });

    it('timeout: each attempt is cut off, then a clear error; nothing cached', async () => {
      const key = await setUp();
      await setting('http.timeoutSeconds', 0.3); // the user setting, as a person on a slow network would set it
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 }, 3);
      await assert.rejects(run('eqp.token.get'), /did not answer within.*Gave up after 3 attempts/);
      assert.equal(sandbox.tokenRequestCount(), 3);
      assert.equal(await cachedRaw(key), undefined);
    });

    it('connection reset: retried, and the retry succeeds', async () => {
      const key = await setUp();
      sandbox.injectFault('sandbox', { kind: 'reset' });
      const token = await run<string>('eqp.token.get');
      assert.equal(sandbox.tokenRequestCount(), 2);
      assert.equal((await cached(key))?.token, token);
    });

    const malformed: [string, Parameters<EqpSandbox['injectFault']>[1]][] = [
      ['not JSON', { kind: 'malformed', body: '<html>proxy login</html>', contentType: 'text/html' }],
      ['no ust', { kind: 'status', status: 200, body: { mage_id: 'MAG987654321', expires_in: 7200 } }],
      ['expires_in 0', { kind: 'status', status: 200, body: { mage_id: 'MAG987654321', ust: 'a'.repeat(32), expires_in: 0 } }],
      ['cut off midway', { kind: 'truncated' }],
    ];
    for (const [what, fault] of malformed) {
      it(`a malformed answer (${what}): a clear error at once, nothing cached`, async () => {
        const key = await setUp();
        sandbox.injectFault('sandbox', fault);
        await assert.rejects(run('eqp.token.get'), (e: Error) => {
          assert.ok(!e.message.includes('a'.repeat(32)), 'the bad token is not echoed');
          return /not a valid|malformed|cut off|unexpected|invalid|expires_in|answer/i.test(e.message);
        });
        assert.equal(sandbox.tokenRequestCount(), 1);
        assert.equal(await cachedRaw(key), undefined);
      });
    }

    it('no key: a message offering "Create API Access Key…" (for that environment); scripted, a clear error', async () => {
      ui = new ScriptedUi().answer('Create API Access Key…');
      assert.equal(await run('eqp.token.insert'), undefined);
      const warning = ui.messages.find((m) => m.level === 'warning');
      assert.match(warning?.message ?? '', /There is no API access key for Sandbox/);
      assert.deepEqual(warning?.items, ['Create API Access Key…']);
      await eventually(() => assert.match(String(ui!.inputs[0]?.title), /Create Sandbox API Access Key/), 5000);
      await assert.rejects(run('eqp.token.get'), /There is no API access key for Sandbox/);
      assert.equal(sandbox.tokenRequestCount(), 0);
    });

    it('a fetch shows a cancellable progress notification; Cancel aborts the request and caches nothing', async () => {
      const key = await setUp();
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const shown: vscode.ProgressOptions[] = [];
      (vscode.window as { withProgress: unknown }).withProgress = (opts: vscode.ProgressOptions, task: (p: unknown, t: vscode.CancellationToken) => Thenable<unknown>) => {
        shown.push(opts);
        const cts = new vscode.CancellationTokenSource();
        setTimeout(() => cts.cancel(), 200);
        return task({ report: () => undefined }, cts.token);
      };
      ui = new ScriptedUi();
      const t = Date.now();
      assert.equal(await run('eqp.token.insert'), undefined);
      assert.ok(Date.now() - t < 2000, `cancel ended the wait (${Date.now() - t} ms)`);
      assert.equal(shown.length, 1);
      assert.equal(shown[0]?.location, vscode.ProgressLocation.Notification);
      assert.equal(shown[0]?.cancellable, true);
      assert.match(shown[0]?.title ?? '', /getting a Sandbox session token for "CI"/);
      assert.deepEqual(ui.messages, [], 'cancelling is not an error');
      assert.equal(sandbox.tokenRequestCount(), 1);
      await sleep(1500); // the sandbox answers the abandoned request now; nobody listens any more
      assert.equal(await cachedRaw(key), undefined, 'the answer to a cancelled request is not cached');
      (vscode.window as { withProgress: unknown }).withProgress = realWithProgress;
      // A cached, fresh token needs no progress at all.
      await run('eqp.token.get');
      let asked = 0;
      (vscode.window as { withProgress: unknown }).withProgress = () => { asked++; throw new Error('no progress expected'); };
      await run('eqp.token.get');
      assert.equal(asked, 0);
    });
  });

  describe('status bar item', () => {
    const snap = async () => {
      await settled();
      return api.statusBar.snapshot();
    };

    it('hidden with no keys (auto); "always" shows "no key" with a warning and a Create link; "never" hides it', async () => {
      let s = await snap();
      assert.equal(s.visible, false);
      await setting('statusBar.show', 'always');
      s = await snap();
      assert.equal(s.visible, true);
      assert.equal(s.text, '$(key) Sandbox · no key');
      assert.equal(s.background, 'statusBarItem.warningBackground');
      assert.match(s.tooltip, /\(command:eqp\.keys\.create\)/);
      assert.match(s.accessibilityLabel, /no API access key for Sandbox/);
      assert.equal(countdowns(), 0);
      await addKey('sandbox', 'CI');
      await setting('statusBar.show', 'never');
      s = await snap();
      assert.equal(s.visible, false);
      assert.equal(countdowns(), 0, 'no timer while hidden');
    });

    it('a key without a token: "Sandbox · CI · no token", no timer; with a token: env · key · time left, a per-minute timer', async () => {
      const { key, pk } = await addKey('sandbox', 'CI', false);
      let s = await snap();
      assert.equal(s.visible, true);
      assert.equal(s.text, '$(key) Sandbox · CI · no token');
      assert.equal(s.background, undefined);
      assert.equal(countdowns(), 0);
      assert.match(s.tooltip, /No token cached/);
      const token = await run<string>('eqp.token.get');
      s = await snap();
      assert.equal(s.text, '$(key) Sandbox · CI · 1h 59m');
      assert.equal(countdowns(), 1, 'one timer, the status bar\'s');
      assert.equal(s.command, 'eqp.token.insert');
      assert.match(s.accessibilityLabel, /EQP session token for Sandbox, key CI, expires in 1 hour 59 minutes/);
      assert.match(s.tooltip, /MAG987654321/);
      assert.match(s.tooltip, /valid until/);
      for (const link of ['eqp.token.insert', 'eqp.token.copy', 'eqp.token.refresh', 'eqp.environment.switch', 'eqp.keys.use']) {
        assert.match(s.tooltip, new RegExp(`\\(command:${link.replace(/\./g, '\\.')}\\)`), `tooltip links ${link}`);
      }
      for (const secret of [token, pk.applicationSecret]) {
        assert.ok(!JSON.stringify(s).includes(secret), 'no token or secret in the item');
      }
      assert.ok(!JSON.stringify(api.globalState.keys().map((k) => api.globalState.get(k))).includes(token), 'no token in globalState');
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('eqp')).includes(token), 'no token in settings');
      await run('eqp.token.forget', { environment: 'sandbox', name: key.name });
      s = await snap();
      assert.equal(s.text, '$(key) Sandbox · CI · no token', 'after Forget the item keeps the environment and the key');
      assert.equal(countdowns(), 0, 'the timer stops with the token');
    });

    it('a failed attempt is explained in the tooltip until a token is had', async () => {
      await addKey('sandbox', 'CI', false);
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: 'upstream down' } }, 3);
      await assert.rejects(run('eqp.token.get'), /Gave up after 3 attempts/);
      let s = await snap();
      assert.equal(s.text, '$(key) Sandbox · CI · no token');
      assert.match(s.tooltip, /⚠ The last attempt failed: .*500.*Gave up after 3 attempts/);
      await run('eqp.token.get');
      s = await snap();
      assert.match(s.text, /^\$\(key\) Sandbox · CI · 1h 59m$/);
      assert.doesNotMatch(s.tooltip, /last attempt failed/, 'a token was had: the failure is old news');
    });

    it('rejected key: warning look, "rejected", a Regenerate link for that key', async () => {
      await addKey('sandbox', 'CI', false);
      sandbox.injectFault('sandbox', { kind: 'status', status: 401 });
      await assert.rejects(run('eqp.token.get'));
      await eventually(async () => assert.equal((await snap()).text, '$(key) Sandbox · CI · rejected'));
      const s = await snap();
      assert.equal(s.background, 'statusBarItem.warningBackground');
      assert.match(s.tooltip, /command:eqp\.keys\.regenerate\?/);
      assert.match(decodeURIComponent(s.tooltip), /"environment":"sandbox","name":"CI"/);
      assert.match(s.accessibilityLabel, /refused/);
    });

    it('follows the environment and the click action setting', async () => {
      await addKey('sandbox', 'CI');
      await setting('environment', 'production');
      let s = await snap();
      assert.equal(s.text, '$(key) Production · no key');
      await setting('environment', 'sandbox');
      await setting('statusBar.clickAction', 'copy');
      s = await snap();
      assert.match(s.text, /^\$\(key\) Sandbox · CI · /);
      assert.equal(s.command, 'eqp.token.copy');
      await setting('statusBar.clickAction', 'menu');
      assert.equal((await snap()).command, 'eqp.token.menu');
      ui = new ScriptedUi().pick('Copy Session Token');
      assert.equal(await run('eqp.token.menu'), 'eqp.token.copy');
      assert.match(ui.picks[0]?.title ?? '', /EQP session token · Sandbox · "CI" · 1h 59m left/);
      assert.ok(ui.picks[0]?.items.includes('$(shield) Manage Session Token Access…'), `the menu offers who may get a token: ${ui.picks[0]?.items.join(' | ')}`);
      assert.equal(await vscode.env.clipboard.readText(), (await peek(api.tokens, 'sandbox'))!.token);
    });

    it('merges updates: twenty events at once render once', async () => {
      const { key } = await addKey('sandbox', 'CI');
      await snap();
      // Token events arriving within the merge window, as a burst: exactly one render.
      const forgets = Array.from({ length: 10 }, () => api.tokens.forget(key.id));
      for (let i = 0; i < 10; i++) api.tokens.invalidate(key.id);
      await Promise.all(forgets);
      await sleep(300);
      const before = api.statusBar.snapshot().renders;
      // Twenty "another window changed this token" events: twenty re-reads superseding each other, one render.
      for (let i = 0; i < 20; i++) api.tokens.invalidate(key.id);
      await sleep(300);
      assert.equal(api.statusBar.snapshot().renders - before, 1, 'twenty events at once, one render');
      assert.equal(api.statusBar.snapshot().text, '$(key) Sandbox · CI · no token');
    });
  });

  describe('the tree counts down', () => {
    const rowOf = async (keyId: string): Promise<string> => {
      const env = (await api.tree.getChildren()).find((n) => n.kind === 'environment' && n.environment === 'sandbox');
      const row = env && (await api.tree.getChildren(env)).find((n) => n.kind === 'key' && n.key.id === keyId);
      return row ? String(api.tree.getTreeItem(row).description) : '';
    };

    it('a row\'s time left changes on its own when the minute changes, and no timer runs once no token is shown', async () => {
      await setting('token.lifetime', 61);
      // Only the tree's timers count below: the status bar (which counts down too) is hidden.
      await setting('statusBar.show', 'never');
      const { key } = await addKey('sandbox', 'CI');
      await api.tree.flushRefresh();
      await sleep(300); // let the events of adding the key settle
      assert.equal(await rowOf(key.id), '★ verified · 1m');
      assert.equal(countdowns(), 1, 'a timer for the next change');
      // From here no key, token or setting changes: only the countdown can ask the view to render again.
      let renders = 0;
      const sub = api.tree.onDidChangeTreeData(() => renders++);
      try {
        await eventually(() => assert.ok(renders >= 1, 'the tree asked for a new render by itself'), 4000);
      } finally {
        sub.dispose();
      }
      assert.equal(await rowOf(key.id), '★ verified · <1m');
      await api.tokens.forget(key.id);
      await api.tree.flushRefresh();
      assert.equal(await rowOf(key.id), '★ verified');
      assert.equal(countdowns(), 0, 'no token shown, no timer');
    });
  });

  describe('terminal export', () => {
    const terminalValue = async (variable: string): Promise<string> => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-term-')), 'out.txt');
      const terminal = vscode.window.createTerminal({ name: 'eqp-env-check', shellPath: '/bin/sh', shellArgs: ['-c', `printf '%s' "$${variable}" > '${file}'`] });
      try {
        await eventually(() => assert.ok(fs.existsSync(file)), 15000);
        await sleep(100);
        return fs.readFileSync(file, 'utf8');
      } finally {
        terminal.dispose();
      }
    };

    it('on: new terminals get EQP_SESSION_TOKEN, EQP_MAGE_ID, EQP_API_URL (never persisted), refreshed with the token', async () => {
      await addKey('sandbox', 'CI', false);
      await setting('terminal.exportToken', true);
      await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 5000);
      assert.equal(sandbox.tokenRequestCount(), 1, 'a token was fetched for the terminals');
      const env = api.terminalEnv;
      const token = (await peek(api.tokens, 'sandbox'))!;
      assert.equal(env.persistent, false);
      assert.equal(env.get('EQP_SESSION_TOKEN')?.value, token.token);
      assert.equal(env.get('EQP_MAGE_ID')?.value, sandbox.account('sandbox').mageId);
      assert.equal(env.get('EQP_API_URL')?.value, sandbox.apiUrl('sandbox'));
      const description = typeof env.description === 'string' ? env.description : env.description?.value;
      assert.match(description ?? '', /session token of "CI"/);
      assert.ok(!description?.includes(token.token), 'the description shows no token');
      assert.equal(await terminalValue('EQP_SESSION_TOKEN'), token.token, 'a real terminal sees it');
      await run('eqp.token.refresh', { environment: 'sandbox' });
      const fresh = (await peek(api.tokens, 'sandbox'))!;
      assert.notEqual(fresh.token, token.token);
      await eventually(() => assert.equal(env.get('EQP_SESSION_TOKEN')?.value, fresh.token, 'refreshed when the token changed'), 5000);
    });

    it('off (the default), or no key: the variables are absent', async () => {
      await addKey('sandbox', 'CI');
      await settled();
      assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN'), undefined, 'off by default');
      await setting('terminal.exportToken', true);
      await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 5000);
      await setting('terminal.exportToken', false);
      await settled();
      for (const v of ['EQP_SESSION_TOKEN', 'EQP_MAGE_ID', 'EQP_API_URL']) assert.equal(api.terminalEnv.get(v), undefined, `${v} cleared`);
      assert.equal(await terminalValue('EQP_SESSION_TOKEN'), '', 'a real terminal no longer sees it');
      await setting('terminal.exportToken', true);
      await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 5000);
      await run('eqp.keys.delete', { environment: 'sandbox', name: 'CI', confirm: false });
      await settled();
      assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN'), undefined, 'cleared when the key goes');
    });

    it('a refusing server is asked once, not in a loop', async () => {
      await addKey('sandbox', 'CI', false);
      sandbox.injectFault('sandbox', { kind: 'status', status: 401 }, 5);
      await setting('terminal.exportToken', true);
      await eventually(() => assert.equal(sandbox.tokenRequestCount(), 1), 5000);
      // Events that make the export look again (another window's token write, a setting) ask no second time.
      api.tokens.invalidate(api.store.list()[0]!.id);
      await setting('terminal.exportToken', true);
      await sleep(500);
      assert.equal(sandbox.tokenRequestCount(), 1);
      assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN'), undefined);
    });
  });

  describe('background minting cannot loop (terminal export)', () => {
    it('secret storage cannot store (no keyring): one background mint, kept in memory and exported, never minted again', async () => {
      const { key } = await addKey('sandbox', 'CI', false);
      api.faults.failNext('store', 50);
      await setting('terminal.exportToken', true);
      await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 5000);
      await sleep(500);
      assert.equal(sandbox.tokenRequestCount(), 1, 'one mint, not a loop of them');
      assert.equal(await cachedRaw(key), undefined, 'nothing reached secret storage');
      const kept = (await peek(api.tokens, 'sandbox'))!;
      assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN')?.value, kept.token, 'the token kept in memory is exported');
      // What makes the export look again (another window's write, a setting) mints nothing, and neither does a command.
      api.tokens.invalidate(key.id);
      await setting('terminal.exportToken', true);
      assert.equal(await run<string>('eqp.token.get'), kept.token);
      await sleep(500);
      assert.equal(sandbox.tokenRequestCount(), 1);
    });

    it('a grant under 60 s is exported while it lives, but not refreshed in the background', async () => {
      sandbox.setLimits({ maxLifetime: 30 });
      await addKey('sandbox', 'CI', false);
      api.clock.use(() => sandbox.clock.now());
      await setting('terminal.exportToken', true);
      await eventually(() => assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN')), 5000);
      assert.equal(sandbox.tokenRequestCount(), 1);
      // Inside the refresh margin (half of 30 s), then past the expiry: the export's timers fire, nothing is minted.
      sandbox.clock.advance(20);
      api.clock.fireDue();
      await settled();
      assert.ok(api.terminalEnv.get('EQP_SESSION_TOKEN'), 'still exported while it lives');
      sandbox.clock.advance(20);
      api.clock.fireDue();
      await eventually(() => assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN'), undefined, 'cleared once expired'), 5000);
      await sleep(300);
      api.clock.fireDue();
      await settled();
      assert.equal(sandbox.tokenRequestCount(), 1, 'no background refresh off a short grant');
      // A token got otherwise (a command) is exported again.
      sandbox.setLimits({ maxLifetime: 7200 });
      const token = await run<string>('eqp.token.get');
      await eventually(() => assert.equal(api.terminalEnv.get('EQP_SESSION_TOKEN')?.value, token), 5000);
      assert.equal(sandbox.tokenRequestCount(), 2);
    });
  });

  describe('insert into a file git tracks asks first', () => {
    let repo: string;
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'EQP test', GIT_AUTHOR_EMAIL: 'eqp@example.invalid', GIT_COMMITTER_NAME: 'EQP test', GIT_COMMITTER_EMAIL: 'eqp@example.invalid' };
    const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: gitEnv });
    const open = async (name: string): Promise<vscode.TextEditor> => {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(repo, name))));
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      return editor;
    };
    const modals = (): ShownMessage[] => ui?.messages.filter((m) => m.modal) ?? [];

    before(() => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-git-'));
      git('init', '-q');
      fs.writeFileSync(path.join(repo, 'tracked.txt'), 'A\n');
      fs.writeFileSync(path.join(repo, '.gitignore'), 'ignored.txt\n');
      git('add', 'tracked.txt', '.gitignore');
      git('commit', '-q', '-m', 'init');
      fs.writeFileSync(path.join(repo, 'untracked.txt'), 'U\n');
      fs.writeFileSync(path.join(repo, 'ignored.txt'), 'I\n');
      assert.equal(git('ls-files').trim().split('\n').sort().join(','), '.gitignore,tracked.txt');
    });
    after(() => {
      fs.rmSync(repo, { recursive: true, force: true });
    });
    afterEach(async () => {
      await setting('token.confirmInsertIntoTrackedFiles', undefined);
    });

    it('a production token: a modal names the file and environment; Cancel inserts nothing and says so; "Insert anyway" inserts', async () => {
      await addKey('production', 'Prod');
      await setting('environment', 'production');
      const editor = await open('tracked.txt');
      ui = new ScriptedUi(); // no answer queued: the modal is dismissed (Cancel)
      assert.equal(await run('eqp.token.insert'), undefined);
      assert.equal(modals().length, 1);
      const ask = modals()[0]!;
      assert.equal(ask.level, 'warning');
      assert.match(ask.message, /Insert the Production session token into ".*tracked\.txt"\?/);
      assert.match(ask.detail ?? '', /Git tracks ".*tracked\.txt"/);
      assert.deepEqual(ask.items, ['Insert anyway']);
      assert.equal(editor.document.getText(), 'A\n', 'nothing inserted');
      assert.equal(editor.document.isDirty, false);
      assert.equal(fs.readFileSync(path.join(repo, 'tracked.txt'), 'utf8'), 'A\n');
      assert.match(ui.messages.at(-1)?.message ?? '', /Nothing was inserted/);
      const token = (await peek(api.tokens, 'production'))!.token;
      assert.ok(!ui.allText().includes(token), 'no message shows the token');

      ui.restore();
      ui = new ScriptedUi().answer('Insert anyway');
      const result = await run<{ inserted: number }>('eqp.token.insert');
      assert.equal(result.inserted, 1);
      assert.equal(modals().length, 1);
      assert.equal(editor.document.getText(), `${token}A\n`);
    });

    it('never asked: an untracked file, an ignored file, an untitled document, a sandbox token (default), or with "never"', async () => {
      await addKey('production', 'Prod');
      await addKey('sandbox', 'CI');
      await setting('environment', 'production');
      ui = new ScriptedUi();
      for (const name of ['untracked.txt', 'ignored.txt']) {
        const editor = await open(name);
        const result = await run<{ inserted: number }>('eqp.token.insert');
        assert.equal(result.inserted, 1, name);
        assert.notEqual(editor.document.getText(), fs.readFileSync(path.join(repo, name), 'utf8'));
      }
      const untitled = await editorWith('');
      assert.equal((await run<{ inserted: number }>('eqp.token.insert')).inserted, 1);
      assert.ok(untitled.document.getText().length > 0);
      await open('tracked.txt');
      await setting('token.confirmInsertIntoTrackedFiles', 'never');
      assert.equal((await run<{ inserted: number }>('eqp.token.insert')).inserted, 1, '"never" skips the question');
      await setting('token.confirmInsertIntoTrackedFiles', undefined);
      await setting('environment', 'sandbox');
      assert.equal((await run<{ inserted: number }>('eqp.token.insert')).inserted, 1, 'a sandbox token is not asked about by default');
      assert.deepEqual(modals(), []);
      // "always": sandbox tokens too.
      await setting('token.confirmInsertIntoTrackedFiles', 'always');
      assert.equal(await run('eqp.token.insert'), undefined);
      assert.match(modals()[0]?.message ?? '', /Insert the Sandbox session token into ".*tracked\.txt"\?/);
    });
  });
});
