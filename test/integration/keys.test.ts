import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { KeyStore, type KeyRecord } from '../../src/keys/keyStore';
import type { EqpSandbox } from '../sandbox/server';
import { ScriptedUi, TestApi, eventually, resetAll, startSandbox, stopSandbox, setting, testApi } from './helpers';
import { cachedFor } from '../tokenReads';

const run = async <T = KeyRecord | undefined>(id: string, arg?: unknown): Promise<T> => vscode.commands.executeCommand<T>(id, arg);

describe('API access keys (real VS Code, EQP sandbox server)', function () {
  this.timeout(30000);
  let api: TestApi;
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
  });
  after(async () => {
    await stopSandbox(sandbox);
  });
  beforeEach(async () => {
    await resetAll(api, sandbox);
  });
  afterEach(async () => {
    ui?.restore();
    ui = undefined;
    api.faults.reset();
    await setting('environment', undefined);
  });

  /** A key as the sandbox's portal would show it, created in the portal first. */
  const portalKey = (env: 'production' | 'sandbox', name: string) => sandbox.createKey(env, name);
  const secretsOf = async (k: KeyRecord) => api.secrets.get(`eqp.secret.${k.id}.${k.applicationId}`);

  describe('create (guided, with prompts answered)', () => {
    it('walks from the environment to a verified key: portal opened, pair pasted as ID:secret, secret in SecretStorage only', async () => {
      const pk = portalKey('sandbox', 'CI');
      ui = new ScriptedUi().pick('Sandbox').input('CI').pick('Developer Portal').input(`${pk.applicationId}:${pk.applicationSecret}`);
      const before = sandbox.tokenRequestCount('sandbox');
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.ok(key, 'no key returned');
      assert.equal(key.name, 'CI');
      assert.equal(key.environment, 'sandbox');
      assert.equal(key.applicationId, pk.applicationId);
      assert.equal(key.state, 'verified');
      assert.equal(key.mageId, sandbox.account('sandbox').mageId);
      assert.ok(key.profileName, 'profile name recorded');
      assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'verified by minting exactly one token');
      assert.deepEqual(ui.opened, [`${sandbox.portalUrl('sandbox')}`]);
      assert.equal(await secretsOf(key), pk.applicationSecret, 'the secret is in SecretStorage');
      assert.ok(!JSON.stringify(key).includes(pk.applicationSecret), 'the returned record holds no secret');
      assert.ok(!JSON.stringify(api.globalState.keys().map((k) => api.globalState.get(k))).includes(pk.applicationSecret), 'globalState holds no secret');
      const info = ui.messages.find((m) => m.level === 'info');
      assert.match(info?.message ?? '', /Saved API access key "CI" \(Sandbox\), verified as MAG/);
      assert.ok(!ui.allText().includes(pk.applicationSecret), 'no prompt or message repeats the secret');
    });

    it('takes the ID and the secret in two boxes, the secret as a password box that survives focus loss', async () => {
      const pk = portalKey('production', 'Laptop');
      ui = new ScriptedUi().pick('Production').input('  Laptop ').pick('I have').input(`\u200B${pk.applicationId} `, `${pk.applicationSecret}\n`);
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.equal(key?.name, 'Laptop');
      assert.equal(key?.state, 'verified');
      const secretBox = ui.inputs[2];
      assert.equal(secretBox?.password, true);
      assert.equal(secretBox?.ignoreFocusOut, true);
      // Each box carries the step counter: environment 1/5, name 2/5, portal 3/5, ID 4/5, secret 5/5.
      const steps = [ui.picks[0], ui.inputs[0], ui.picks[1], ui.inputs[1], ui.inputs[2]].map((p) => `${p?.step}/${p?.totalSteps}`);
      assert.deepEqual(steps, ['1/5', '2/5', '3/5', '4/5', '5/5']);
      assert.deepEqual(ui.opened, [], 'the portal is not opened when the user has the pair');
    });

    it('a pair pasted as ID:secret into the first box is never in a clear box, and the ID is said back', async () => {
      const pk = portalKey('sandbox', 'Pasted');
      ui = new ScriptedUi().pick('Sandbox').input('Pasted').pick('I have').input(`${pk.applicationId}:${pk.applicationSecret}`);
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.equal(key?.state, 'verified');
      const pasted = ui.typed.filter((t) => t.value.includes(pk.applicationSecret));
      assert.equal(pasted.length, 1, 'the pair was typed once');
      assert.equal(pasted[0]?.password, true, 'the box was a password box when the pair was set');
      assert.equal(pasted[0]?.step, 4, 'into the ID box (4/5)');
      assert.equal(ui.inputs.length, 2, 'no secret box after a pasted pair');
      assert.match(ui.inputs[1]?.prompt ?? '', /or the pair as "ID:secret"\. Hidden as you type; the ID is shown below/);
      const regen = sandbox.regenerateKey('sandbox', pk.applicationId);
      ui.pick('Pasted').pick('I have the new').input(`${regen.applicationId}:${regen.applicationSecret}`);
      const updated = await run<KeyRecord>('eqp.keys.regenerate');
      assert.equal(updated?.applicationId, regen.applicationId);
      const again = ui.typed.filter((t) => t.value.includes(regen.applicationSecret));
      assert.deepEqual(again.map((t) => [t.password, t.step]), [[true, 2]], 'regenerate: the pair went into a password box (2/3)');
      assert.ok(ui.typed.every((t) => t.password || !/[0-9a-f]{40}/.test(t.value)), 'no secret was ever set in a clear box');
      assert.ok(!ui.allText().includes(pk.applicationSecret) && !ui.allText().includes(regen.applicationSecret));
    });

    it('explains what is wrong with an invalid ID or secret and lets the user retype', async () => {
      const pk = portalKey('sandbox', 'Retype');
      ui = new ScriptedUi()
        .pick('Sandbox').input('Retype').pick('I have')
        .input(pk.applicationSecret, 'AQ 12', `${pk.applicationId}:x:y`, pk.applicationId)
        .input('short', pk.applicationSecret);
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.equal(key?.state, 'verified');
      assert.deepEqual(ui.invalid.map((i) => i.message.split(/[.:]/)[0]), [
        'That looks like the application secret, not the application ID',
        'That is not an application ID',
        'Paste the application ID alone, or the pair as "ID',
        'That is not an application secret',
      ]);
    });

    it('refuses a pair of the other environment with the right hint, and re-entry keeps what was typed', async () => {
      const prod = portalKey('production', 'Prod');
      const sb = portalKey('sandbox', 'Sb');
      let refilled: string | undefined;
      ui = new ScriptedUi()
        .pick('Sandbox').input('Mixed').pick('I have').input(prod.applicationId, prod.applicationSecret)
        .answer('Re-enter the Pair')
        .input((o: vscode.InputBoxOptions) => { refilled = o.value; return sb.applicationId; }, sb.applicationSecret);
      const key = await run<KeyRecord>('eqp.keys.create');
      const refusal = ui.messages.find((m) => m.level === 'error');
      assert.ok(refusal, 'the refusal is shown');
      assert.match(refusal.message, /refused/i);
      assert.match(refusal.message, /other environment|production/i);
      assert.equal(refilled, prod.applicationId, 'the ID box is refilled with what was typed');
      assert.equal(key?.applicationId, sb.applicationId);
      assert.equal(key?.state, 'verified');
      assert.ok(!ui.allText().includes(prod.applicationSecret));
    });

    it('on a network failure offers Save Anyway (Unverified), and saves the key as not verified', async () => {
      const pk = portalKey('sandbox', 'Offline');
      sandbox.injectFault('sandbox', { kind: 'reset' }, 1);
      ui = new ScriptedUi().pick('Sandbox').input('Offline').pick('I have').input(`${pk.applicationId}:${pk.applicationSecret}`).answer('Save Anyway (Unverified)');
      const key = await run<KeyRecord>('eqp.keys.create');
      const warning = ui.messages.find((m) => m.level === 'warning');
      assert.ok(warning?.items.includes('Save Anyway (Unverified)'));
      assert.match(warning?.message ?? '', /Could not verify "Offline"/);
      assert.equal(key?.state, 'unverified');
      assert.equal(await secretsOf(key!), pk.applicationSecret);
    });

    it('on a 500 offers Retry, and the retry verifies once the fault clears', async () => {
      const pk = portalKey('sandbox', 'Flaky');
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 1);
      ui = new ScriptedUi().pick('Sandbox').input('Flaky').pick('I have').input(`${pk.applicationId}:${pk.applicationSecret}`).answer('Retry');
      const key = await run<KeyRecord>('eqp.keys.create');
      assert.match(ui.messages[0]?.message ?? '', /500/);
      assert.equal(key?.state, 'verified');
    });

    it('refuses a 4th key at once, offering Regenerate or Delete, and asks nothing else', async () => {
      for (const n of ['A', 'B', 'C']) {
        const pk = portalKey('sandbox', n);
        await run('eqp.keys.create', { environment: 'sandbox', name: n, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      }
      await setting('environment', 'sandbox');
      ui = new ScriptedUi().pick('Sandbox');
      const key = await run('eqp.keys.create');
      assert.equal(key, undefined);
      // The picker: the full environment is marked, listed last and so never preselected, even when active.
      assert.deepEqual(ui.picks[0]?.items, ['Production', 'Sandbox']);
      assert.deepEqual(ui.picks[0]?.descriptions, ['0/3 keys', '3/3 · full · active']);
      assert.match(ui.picks[0]?.details?.[1] ?? '', /partners only/);
      const err = ui.messages.find((m) => m.level === 'error');
      assert.match(err?.message ?? '', /Sandbox already has 3 API access keys/);
      assert.deepEqual(err?.items, ['Regenerate a Key…', 'Delete a Key…']);
      assert.equal(ui.inputs.length, 0, 'no name was asked for');
      await assert.rejects(run('eqp.keys.create', { environment: 'sandbox', name: 'D', applicationId: 'ZZZZ000001', applicationSecret: 'f'.repeat(40) }), /already has 3/);
      assert.equal(api.store.count('sandbox'), 3);
    });

    it('Switch Active Key from the palette: the active environment\'s keys first, the active key marked', async () => {
      for (const [env, n] of [['production', 'P'], ['sandbox', 'S1'], ['sandbox', 'S2']] as const) {
        const pk = portalKey(env, n);
        await run('eqp.keys.create', { environment: env, name: n, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret, verify: false });
      }
      await setting('environment', 'sandbox');
      ui = new ScriptedUi().pick('S2');
      const picked = await run<KeyRecord>('eqp.keys.use');
      assert.deepEqual(ui.picks[0]?.items, ['$(star-full) S1', '$(blank) S2', '$(star-full) P']);
      assert.match(ui.picks[0]?.descriptions?.[0] ?? '', /active key/);
      assert.equal(picked?.name, 'S2');
      assert.equal(api.store.activeKeyId('sandbox'), picked?.id);
    });

    it('refuses a duplicate name in the same environment and an application ID already stored', async () => {
      const pk = portalKey('production', 'Dup');
      await run('eqp.keys.create', { environment: 'production', name: 'Dup', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      await assert.rejects(run('eqp.keys.create', { environment: 'production', name: 'dup', applicationId: 'QQQQ123456', applicationSecret: 'a'.repeat(40) }), /already a key named "dup"/);
      await assert.rejects(run('eqp.keys.create', { environment: 'sandbox', name: 'Other', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret }), /already stored as "Dup" \(Production\)/);
      ui = new ScriptedUi().pick('Production').input('Dup', 'Dup2').pick('I have').input(pk.applicationId);
      const key = await run('eqp.keys.create');
      assert.equal(key, undefined);
      assert.match(ui.invalid[0]?.message ?? '', /already a key named "Dup"/);
      assert.match(ui.invalid[1]?.message ?? '', /already stored as "Dup"/);
      assert.equal(api.store.list().length, 1);
    });
  });

  describe('scripted commands', () => {
    it('create, rename, use, verify, copy ID, delete by argument object, returning the public record', async () => {
      const a = portalKey('sandbox', 'One');
      const b = portalKey('sandbox', 'Two');
      const one = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'One', applicationId: a.applicationId, applicationSecret: a.applicationSecret });
      const two = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'Two', applicationId: b.applicationId, applicationSecret: b.applicationSecret, verify: false });
      assert.equal(one.state, 'verified');
      assert.equal(two.state, 'unverified');
      assert.deepEqual(Object.keys(one).filter((k) => /secret/i.test(k)), []);
      assert.equal(api.store.activeKeyId('sandbox'), one.id, 'the first key of an environment is its active key');
      const renamed = await run<KeyRecord>('eqp.keys.rename', { environment: 'sandbox', name: 'Two', newName: 'Second' });
      assert.equal(renamed.name, 'Second');
      await run('eqp.keys.use', { environment: 'sandbox', name: 'Second' });
      assert.equal(api.store.activeKeyId('sandbox'), two.id);
      const verified = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Second' });
      assert.equal(verified.state, 'verified');
      await run('eqp.keys.copyApplicationId', { environment: 'sandbox', name: 'Second' });
      assert.equal(await vscode.env.clipboard.readText(), b.applicationId);
      const removed = await run<KeyRecord>('eqp.keys.delete', { environment: 'sandbox', applicationId: b.applicationId, confirm: false });
      assert.equal(removed.id, two.id);
      assert.equal(await api.secrets.get(`eqp.secret.${two.id}.${b.applicationId}`), undefined, 'secret removed');
      assert.equal(api.store.activeKeyId('sandbox'), one.id);
    });

    it('rejects bad scripted arguments with a clear error and stores nothing', async () => {
      const cases: [unknown, RegExp][] = [
        [{ environment: 'staging', name: 'X', applicationId: 'AQ17NZ49WC', applicationSecret: 'a'.repeat(40) }, /Unknown environment "staging"/],
        [{ environment: 'sandbox', name: 42, applicationId: 'AQ17NZ49WC', applicationSecret: 'a'.repeat(40) }, /"name" argument must be a string/],
        [{ environment: 'sandbox', name: '   ', applicationId: 'AQ17NZ49WC', applicationSecret: 'a'.repeat(40) }, /Give the key a name/],
        [{ environment: 'sandbox', name: 'X', applicationId: 'AQ17NZ49WC\n', applicationSecret: 'a'.repeat(40), verify: false }, /./],
        [{ environment: 'sandbox', name: 'X', applicationId: 'a'.repeat(40), applicationSecret: 'a'.repeat(40) }, /looks like the application secret/],
        [{ environment: 'sandbox', name: 'X', applicationId: 'AQ17NZ49WC', applicationSecret: 'too short' }, /no spaces|not an application secret/],
        [{ environment: 'sandbox', name: 'X', applicationId: 'AQ17NZ49WC' }, /secret must be text/],
        [{ environment: 'sandbox', name: 'X'.repeat(65), applicationId: 'AQ17NZ49WC', applicationSecret: 'a'.repeat(40) }, /64 characters/],
        [{ environment: 'sandbox', name: 'bad\u0007name', applicationId: 'AQ17NZ49WC', applicationSecret: 'a'.repeat(40) }, /control characters/],
      ];
      let stored = 0;
      for (const [args, expected] of cases) {
        try {
          const r = await run<KeyRecord>('eqp.keys.create', args);
          // An ID with a trailing newline is cleaned, not refused: that one may be stored.
          if (r) { stored++; assert.equal(r.applicationId, 'AQ17NZ49WC'); await run('eqp.keys.delete', { environment: 'sandbox', name: 'X', confirm: false }); }
        } catch (e) {
          assert.match(String((e as Error).message), expected);
        }
      }
      assert.equal(stored, 1);
      assert.equal(api.store.list().length, 0);
      await assert.rejects(run('eqp.keys.delete', { environment: 'sandbox', name: 'Nope', confirm: false }), /no API access key named "Nope" in Sandbox/);
      await assert.rejects(run('eqp.environment.switch', { environment: 'qa' }), /Unknown environment "qa"/);
    });

    it('a refused pair is not stored, with the server\'s answer in the error and the secret nowhere', async () => {
      const pk = portalKey('sandbox', 'Wrong');
      const wrongSecret = 'b'.repeat(40);
      await assert.rejects(run('eqp.keys.create', { environment: 'sandbox', name: 'Wrong', applicationId: pk.applicationId, applicationSecret: wrongSecret }), (e: Error) => {
        assert.match(e.message, /refused/i);
        assert.ok(!e.message.includes(wrongSecret));
        return true;
      });
      assert.equal(api.store.list().length, 0);
    });
  });

  describe('regenerate, verify, delete', () => {
    it('regenerated in the portal: Verify shows rejected, Regenerate with the new pair fixes it and drops the old secret', async () => {
      const pk = portalKey('sandbox', 'Rot');
      const key = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'Rot', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      const fresh = sandbox.regenerateKey('sandbox', pk.applicationId);
      ui = new ScriptedUi();
      const rejected = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Rot' });
      assert.equal(rejected.state, 'rejected');
      // guided regenerate from the key: pick the key, skip the portal, paste the new pair
      ui.pick('Rot').pick('I have the new').input(`${fresh.applicationId}:${fresh.applicationSecret}`);
      const fixed = await run<KeyRecord>('eqp.keys.regenerate');
      assert.equal(fixed?.id, key.id, 'the same key, not a new one');
      assert.equal(fixed?.applicationId, fresh.applicationId);
      assert.equal(fixed?.state, 'verified');
      assert.equal(await api.secrets.get(`eqp.secret.${key.id}.${pk.applicationId}`), undefined, 'old secret removed');
      assert.equal(await api.secrets.get(`eqp.secret.${key.id}.${fresh.applicationId}`), fresh.applicationSecret);
      assert.match(ui.messages.at(-1)?.message ?? '', /Regenerated "Rot" \(Sandbox\): new application ID/);
    });

    it('after a regenerate, the token obtained with the old pair stays usable until it expires, and the tree says so', async () => {
      const pk = portalKey('sandbox', 'Old');
      const key = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'Old', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      const oldToken = await run<string>('eqp.token.get', { environment: 'sandbox' });
      const fresh = sandbox.regenerateKey('sandbox', pk.applicationId);
      ui = new ScriptedUi().pick('Old').pick('I have the new').input(`${fresh.applicationId}:${fresh.applicationSecret}`);
      await run('eqp.keys.regenerate');
      assert.match(ui.messages.at(-1)?.message ?? '', /The session token obtained with the old pair stays valid until/);
      assert.equal(await run<string>('eqp.token.get', { environment: 'sandbox' }), oldToken, 'the old token is still handed out while valid');
      const envNode = (await api.tree.getChildren()).find((n) => n.kind === 'environment' && n.environment === 'sandbox');
      assert.ok(envNode);
      const node = (await api.tree.getChildren(envNode)).find((n) => n.kind === 'key' && n.key.id === key.id);
      assert.ok(node);
      const tip = api.tree.getTreeItem(node).tooltip;
      assert.match(typeof tip === 'string' ? tip : tip?.value ?? '', /obtained with the pair before it was regenerated: it stays valid until then/);
      // deleting the key says the token stays valid at the API, and forgets it here
      ui.pick('Old').answer('Delete');
      await run('eqp.keys.delete');
      await eventually(() => assert.match(ui!.messages.at(-1)?.message ?? '', /A session token already obtained with it stays valid at the EQP API until/));
      assert.equal(await cachedFor(api.tokens, key.id), undefined);
    });

    it('regenerate refuses the old pair, and a refused new pair keeps the old one working', async () => {
      const pk = portalKey('production', 'Keep');
      const key = await run<KeyRecord>('eqp.keys.create', { environment: 'production', name: 'Keep', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      await assert.rejects(run('eqp.keys.regenerate', { environment: 'production', name: 'Keep', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret, confirm: false }), /current application ID/);
      await assert.rejects(run('eqp.keys.regenerate', { environment: 'production', name: 'Keep', applicationId: 'NEWID12345', applicationSecret: 'c'.repeat(40), confirm: false }), /refused/i);
      const after = api.store.get(key.id);
      assert.equal(after?.applicationId, pk.applicationId);
      assert.equal(await secretsOf(after!), pk.applicationSecret);
      assert.equal((await run<KeyRecord>('eqp.keys.verify', { environment: 'production', name: 'Keep' })).state, 'verified');
    });

    it('verify on an unreachable server says unreachable and keeps the key', async () => {
      const pk = portalKey('sandbox', 'Net');
      await run('eqp.keys.create', { environment: 'sandbox', name: 'Net', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '<html>proxy login</html>', contentType: 'text/html' }, 1);
      const r = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Net' });
      assert.equal(r.state, 'unreachable');
      assert.ok(r.stateDetail);
    });

    it('delete asks with a modal naming key and environment; Cancel keeps it, Delete removes it and points to the portal', async () => {
      const pk = portalKey('sandbox', 'Gone');
      const key = await run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name: 'Gone', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      ui = new ScriptedUi().pick('Gone').answer(undefined);
      assert.equal(await run('eqp.keys.delete'), undefined);
      assert.equal(ui.messages[0]?.modal, true);
      assert.match(ui.messages[0]?.message ?? '', /Delete API access key "Gone" \(Sandbox/);
      assert.ok(api.store.get(key.id), 'kept after Cancel');
      ui.pick('Gone').answer('Delete');
      const removed = await run<KeyRecord>('eqp.keys.delete');
      assert.equal(removed?.id, key.id);
      assert.equal(api.store.get(key.id), undefined);
      assert.equal(await secretsOf(key), undefined);
      await eventually(() => assert.match(ui!.messages.at(-1)?.message ?? '', /Delete it in the Sandbox Developer Portal too/));
      assert.deepEqual(ui.messages.at(-1)?.items, ['Open Developer Portal']);
    });
  });

  describe('secret storage failing (no OS keyring)', () => {
    it('a failed store on create says so plainly, with the fix, and stores nothing', async () => {
      const pk = portalKey('sandbox', 'NoRing');
      // Without a keyring every store fails: the verification's token (cached first, a warning) and the secret.
      api.faults.failNext('store', 2);
      ui = new ScriptedUi().pick('Sandbox').input('NoRing').pick('I have').input(`${pk.applicationId}:${pk.applicationSecret}`);
      const key = await run('eqp.keys.create');
      assert.equal(key, undefined);
      const err = ui.messages.find((m) => m.level === 'error');
      assert.match(err?.message ?? '', /secret storage could not store the application secret/);
      assert.match(err?.message ?? '', /keyring/);
      assert.match(err?.message ?? '', /Nothing was changed/);
      assert.equal(api.store.list().length, 0);
    });

    it('a failed delete leaves the key whole; a failed regenerate store keeps the old pair; a failed read is explained', async () => {
      const pk = portalKey('production', 'Whole');
      const key = await run<KeyRecord>('eqp.keys.create', { environment: 'production', name: 'Whole', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
      api.faults.failNext('delete');
      await assert.rejects(run('eqp.keys.delete', { environment: 'production', name: 'Whole', confirm: false }), /could not delete/);
      assert.ok(api.store.get(key.id));
      assert.equal(await secretsOf(key), pk.applicationSecret);
      const fresh = sandbox.regenerateKey('production', pk.applicationId);
      api.faults.failNext('store');
      await assert.rejects(run('eqp.keys.regenerate', { environment: 'production', name: 'Whole', applicationId: fresh.applicationId, applicationSecret: fresh.applicationSecret, confirm: false }), /could not store/);
      assert.equal(api.store.get(key.id)?.applicationId, pk.applicationId);
      assert.equal(await secretsOf(key), pk.applicationSecret);
      api.faults.failNext('get');
      await assert.rejects(run('eqp.keys.verify', { environment: 'production', name: 'Whole' }), /could not read/);
    });
  });

  describe('two windows', () => {
    it('a key added, renamed and made active in another window reaches this one, once per change, in the order KeyStore writes', async () => {
      const pk = portalKey('sandbox', 'Elsewhere');
      // "Window A": a second KeyStore over the same secret storage and global state, writing as KeyStore.add does
      // (the secret first, then the metadata, then the revision). This window hears only secrets.onDidChange.
      const otherWindow = new KeyStore(api.secrets, api.globalState);
      let changes = 0;
      const sub = api.store.onDidChange(() => changes++);
      try {
        const added = await otherWindow.add({ environment: 'sandbox', name: 'Elsewhere', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
        await eventually(() => assert.equal(changes, 1, 'the add reached this window'));
        assert.equal(api.store.list('sandbox').map((k) => k.name).join(), 'Elsewhere');
        // Metadata-only changes (no secret written) reach it too: rename, then the active key.
        await otherWindow.rename(added.id, 'Renamed');
        await eventually(() => assert.equal(changes, 2, 'the rename reached this window'));
        await eventually(() => assert.equal(api.store.get(added.id)?.name, 'Renamed'));
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(changes, 2, 'once per change, although the events may come twice');
      } finally {
        sub.dispose();
        otherWindow.dispose();
      }
      const verified = await run<KeyRecord>('eqp.keys.verify', { environment: 'sandbox', name: 'Renamed' });
      assert.equal(verified.state, 'verified');
    });
  });

  it('environment switch updates the user setting', async () => {
    assert.equal(await run('eqp.environment.switch', { environment: 'sandbox' }), 'sandbox');
    assert.equal(vscode.workspace.getConfiguration('eqp').get('environment'), 'sandbox');
    ui = new ScriptedUi().pick('Production');
    assert.equal(await run('eqp.environment.switch'), 'production');
    assert.equal(vscode.workspace.getConfiguration('eqp').get('environment'), 'production');
  });
});
