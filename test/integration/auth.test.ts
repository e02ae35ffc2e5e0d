// The `eqp` authentication provider inside the real VS Code, against the EQP sandbox server: what
// vscode.authentication.getSession hands out, what the workbench's own listing costs (nothing), the guided create
// when an environment has no key, Sign Out, and onDidChangeSessions counted in two windows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EqpAuthenticationProvider } from '../../src/auth/provider';
import type { KeyRecord } from '../../src/keys/keyStore';
import type { EqpSandbox, SandboxEnv } from '../sandbox/server';
import { ScriptedUi, TestApi, clearKeys, eventually, settled, setting, startSandbox, stopSandbox, testApi } from './helpers';

const run = async <T = unknown>(id: string, arg?: unknown): Promise<T> => vscode.commands.executeCommand<T>(id, arg);
type Delta = vscode.AuthenticationProviderAuthenticationSessionsChangeEvent;

describe('authentication provider "eqp" (real VS Code, EQP sandbox server)', function () {
  this.timeout(30000);
  let api: TestApi;
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
  });
  after(async () => {
    await clearKeys(api);
    await stopSandbox(sandbox);
  });
  beforeEach(async () => {
    await clearKeys(api);
    await api.tokens.forget();
    sandbox.clearFaults();
    sandbox.deleteAllKeys();
    await setting('environment', 'sandbox');
    sandbox.clearLog();
  });
  afterEach(() => {
    ui?.restore();
    ui = undefined;
    api.faults.reset();
  });

  const addKey = async (env: SandboxEnv, name: string): Promise<KeyRecord> => {
    const pk = sandbox.createKey(env, name);
    return run<KeyRecord>('eqp.keys.create', { environment: env, name, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
  };
  /** The sandbox accepts the token (GET the profile with it). */
  const accepted = async (env: SandboxEnv, token: string, mageId: string): Promise<number> =>
    (await fetch(`${sandbox.apiUrl(env)}/rest/v1/users/${mageId}?style=summary`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('getSessions(["sandbox"]) gives the cached token of the active key, which the sandbox accepts; no second request', async () => {
    const key = await addKey('sandbox', 'CI');
    const before = sandbox.tokenRequestCount();
    const [session] = await api.auth.getSessions(['sandbox']);
    assert.ok(session, 'a session');
    assert.equal(sandbox.tokenRequestCount() - before, 0, 'the token the verification minted is handed out: no second request');
    assert.deepEqual([...session.scopes], ['sandbox']);
    assert.equal(session.id, `eqp.sandbox.${key.id}`);
    assert.equal(session.account.label, `EQP Sandbox (${key.mageId})`);
    assert.equal(session.account.id, key.mageId);
    assert.equal(await accepted('sandbox', session.accessToken, key.mageId!), 200);
    // Asked again (and through the command): the same token, no request.
    assert.equal((await api.auth.getSessions(['sandbox']))[0]?.accessToken, session.accessToken);
    assert.equal(await run<string>('eqp.token.get', { environment: 'sandbox' }), session.accessToken);
    assert.equal(sandbox.tokenRequestCount() - before, 0);
  });

  it('is registered with VS Code as "eqp", and VS Code keeps its sessions from an extension the user has not allowed', async () => {
    await addKey('sandbox', 'CI');
    assert.equal((await api.auth.getSessions(['sandbox'])).length, 1, 'a session exists');
    // This extension was never allowed (the consent dialog is a UI check: test/ui/auth-ui.mjs): silently, nothing.
    assert.equal(await vscode.authentication.getSession('eqp', ['sandbox'], { silent: true }), undefined);
    // Asking with createIfNone reaches VS Code's own consent prompt, naming the provider's label.
    await assert.rejects(
      Promise.resolve(vscode.authentication.getSession('eqp', ['sandbox'], { createIfNone: true })),
      /wants to sign in using Adobe Commerce Marketplace \(EQP\)|Adobe Commerce Marketplace \(EQP\)/,
    );
  });

  it('no scope means the active environment; an unknown scope is refused with a message naming the valid ones', async () => {
    const key = await addKey('production', 'Prod');
    await setting('environment', 'production');
    const [session] = await api.auth.getSessions([]);
    assert.equal(session?.id, `eqp.production.${key.id}`);
    await assert.rejects(api.auth.getSessions(['staging']), /unknown scope "staging".*\["production"\] or \["sandbox"\]/);
  });

  it('the workbench\'s listing (no scopes) reads no secret and sends no request; a scoped ask mints only when nothing is cached', async () => {
    const key = await addKey('sandbox', 'CI');
    // A provider as activation builds it, over a token service that has read nothing yet (a new window).
    const tokens = api.newTokenService();
    const provider = new EqpAuthenticationProvider({ tokens, store: api.store, logger: { info: () => undefined } as never, activeEnvironment: () => 'sandbox', createKey: async () => undefined });
    try {
      const reads = api.faults.calls.get;
      const requests = sandbox.tokenRequestCount();
      assert.deepEqual(await provider.getSessions(undefined), [], 'nothing in memory yet: no session listed');
      await settled();
      assert.equal(api.faults.calls.get - reads, 0, 'no secret storage read');
      assert.equal(sandbox.tokenRequestCount() - requests, 0, 'no request');
      // An extension asks for the sandbox: the cached token is read (one secret read, no request) and handed out.
      const [session] = await provider.getSessions(['sandbox']);
      assert.equal(session?.id, `eqp.sandbox.${key.id}`);
      assert.equal(sandbox.tokenRequestCount() - requests, 0, 'the cached token, not a new one');
      // Now the listing shows it, still without a read.
      const reads2 = api.faults.calls.get;
      assert.deepEqual((await provider.getSessions(undefined)).map((s) => s.account.label), [`EQP Sandbox (${key.mageId})`]);
      assert.equal(api.faults.calls.get - reads2, 0);
      // Forgotten (elsewhere): the next scoped ask mints exactly one.
      await tokens.forget(key.id);
      const [minted] = await provider.getSessions(['sandbox']);
      assert.equal(sandbox.tokenRequestCount('sandbox') - requests, 1);
      assert.equal(await accepted('sandbox', minted!.accessToken, key.mageId!), 200);
    } finally {
      provider.dispose();
      tokens.dispose();
    }
  });

  it('no key in the environment: createSession runs the guided create flow; cancelled, the caller gets a clear error', async () => {
    assert.deepEqual(await api.auth.getSessions(['production']), []);
    ui = new ScriptedUi(); // no answers: the first step is dismissed
    await assert.rejects(api.auth.createSession(['production']), /No Production API access key was added, so EQP Keys has no Production session to give/);
    assert.equal(ui.inputs[0]?.title, 'Create Production API Access Key: name', 'the flow started at the name, for Production');
    ui.restore();
    // Completed: the key is stored and its verification token is the session.
    const pk = sandbox.createKey('production', 'Ext');
    ui = new ScriptedUi().input('Ext').pick('I have the application ID').input(`${pk.applicationId}:${pk.applicationSecret}`);
    const session = await api.auth.createSession(['production']);
    assert.equal(api.store.list('production').map((k) => k.name).join(), 'Ext');
    assert.equal(sandbox.tokenRequestCount('production'), 1, 'one token: the verification\'s');
    assert.equal(await accepted('production', session.accessToken, session.account.id), 200);
  });

  it('Sign Out (removeSession) forgets the token and keeps the key; the next ask mints a new one', async () => {
    const key = await addKey('sandbox', 'CI');
    const [session] = await api.auth.getSessions(['sandbox']);
    assert.ok(session);
    await api.auth.removeSession(session.id);
    assert.equal(api.tokens.inMemory(key.id), undefined, 'the cached token is forgotten');
    assert.equal(await api.secrets.get(`eqp.token.${key.id}`), undefined);
    assert.deepEqual(api.store.list().map((k) => [k.name, api.store.activeKeyId('sandbox') === k.id]), [['CI', true]], 'the key is kept, still active');
    assert.deepEqual(await api.auth.getSessions(undefined), [], 'no session listed until one is asked for');
    const requests = sandbox.tokenRequestCount();
    const [next] = await api.auth.getSessions(['sandbox']);
    assert.equal(sandbox.tokenRequestCount() - requests, 1);
    assert.notEqual(next?.accessToken, session.accessToken);
  });

  it('onDidChangeSessions: once per change (add, refresh, forget, regenerate, ask, delete) in this window and in another', async () => {
    const other = api.otherWindow();
    const here: Delta[] = [];
    const there: Delta[] = [];
    const workbench: vscode.AuthenticationSessionsChangeEvent[] = [];
    const subs = [
      api.auth.onDidChangeSessions((e) => here.push(e)),
      other.auth.onDidChangeSessions((e) => there.push(e)),
      vscode.authentication.onDidChangeSessions((e) => { if (e.provider.id === 'eqp') workbench.push(e); }),
    ];
    const shape = (l: Delta[]): string[] => l.map((e) => `+${e.added?.length ?? 0} -${e.removed?.length ?? 0} ~${e.changed?.length ?? 0}`);
    const both = async (expected: string[], what: string): Promise<void> => {
      await eventually(() => {
        assert.deepEqual(shape(here), expected, `this window, after ${what}`);
        assert.deepEqual(shape(there), expected, `the other window, after ${what}`);
      });
    };
    try {
      const pk = sandbox.createKey('sandbox', 'CI');
      const key = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'CI', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      const steps: string[] = [];
      const step = async (shape1: string, what: string): Promise<void> => { steps.push(shape1); await both([...steps], what); };
      await step('+1 -0 ~0', 'adding a key (its verification token is cached)');
      await run('eqp.token.refresh', { environment: 'sandbox' });
      await step('+0 -0 ~1', 'a refresh (a new token)');
      await run('eqp.token.forget', { environment: 'sandbox', name: 'CI' });
      await step('+0 -1 ~0', 'forgetting the token');
      // Regenerated with no live token: the new pair's verification token becomes the session's.
      const fresh = sandbox.regenerateKey('sandbox', pk.applicationId);
      await run('eqp.keys.regenerate', { environment: 'sandbox', name: 'CI', applicationId: fresh.applicationId, applicationSecret: fresh.applicationSecret, confirm: false });
      await step('+1 -0 ~0', 'a regenerate');
      await run('eqp.token.forget', { environment: 'sandbox', name: 'CI' });
      await step('+0 -1 ~0', 'forgetting again');
      await api.auth.getSessions(['sandbox']);
      await step('+1 -0 ~0', 'an extension asking (a token minted)');
      await run('eqp.keys.delete', { environment: 'sandbox', name: 'CI', confirm: false });
      await step('+0 -1 ~0', 'deleting the key');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(here.length, steps.length, 'no late duplicates here');
      assert.equal(there.length, steps.length, 'no late duplicates there');
      assert.equal(here[0]!.added![0]!.id, `eqp.sandbox.${key.id}`);
      // The workbench heard each of this window's changes too (it then lists the sessions again).
      assert.ok(workbench.length >= steps.length, `the workbench heard ${workbench.length} changes`);
    } finally {
      for (const s of subs) s.dispose();
      other.dispose();
    }
  });
});
