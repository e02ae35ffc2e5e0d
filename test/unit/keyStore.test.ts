// The key store's write ordering, in plain Node. The two storages are small in-memory stand-ins for
// context.secrets and context.globalState that can fail on demand (the integration suite runs the same
// store over VS Code's real SecretStorage).
import * as assert from 'node:assert/strict';
import { EqpError } from '../../src/eqp/errors';
import { KeyStore, KeyStoreError, KeysCatchUp, REVISION_KEY } from '../../src/keys/keyStore';

class Secrets {
  readonly map = new Map<string, string>();
  fail: Partial<Record<'get' | 'store' | 'delete', boolean>> = {};
  async get(k: string) { if (this.fail.get) throw new Error('keyring locked'); return this.map.get(k); }
  async store(k: string, v: string) { if (this.fail.store) throw new Error('no keyring'); this.map.set(k, v); }
  async delete(k: string) { if (this.fail.delete) throw new Error('no keyring'); this.map.delete(k); }
  /** The application secrets held (not the keys' revision entry). */
  secretKeys() { return [...this.map.keys()].filter((k) => k.startsWith('eqp.secret.')); }
}
class Memento {
  readonly map = new Map<string, unknown>();
  fail = false;
  failWith = 'disk full';
  get<T>(k: string) { return this.map.get(k) as T | undefined; }
  async update(k: string, v: unknown) { if (this.fail) throw new Error(this.failWith); this.map.set(k, JSON.parse(JSON.stringify(v))); }
}

const S1 = 'a'.repeat(40);
const S2 = 'b'.repeat(40);

describe('KeyStore', () => {
  let secrets: Secrets;
  let memento: Memento;
  let store: KeyStore;
  let n = 0;
  beforeEach(() => {
    secrets = new Secrets();
    memento = new Memento();
    store = new KeyStore(secrets, memento, { newId: () => `k${++n}` });
  });

  it('stores the secret in secrets and everything else in the memento', async () => {
    const k = await store.add({ environment: 'sandbox', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 });
    assert.equal(secrets.map.get(`eqp.secret.${k.id}.AQ17NZ49WC`), S1);
    assert.ok(!JSON.stringify([...memento.map.values()]).includes(S1));
    assert.equal(await store.secret(k.id), S1);
    assert.equal(store.activeKeyId('sandbox'), k.id);
  });

  it('add({ id }) keeps an id reserved with newKeyId() (a token can be cached under it first), and refuses one in use', async () => {
    const id = store.newKeyId();
    const k = await store.add({ id, environment: 'sandbox', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 });
    assert.equal(k.id, id);
    assert.equal(store.get(id)?.name, 'CI');
    await assert.rejects(store.add({ id, environment: 'production', name: 'Other', applicationId: 'AQ17NZ49WD', applicationSecret: S1 }), /exists already/);
    assert.equal(store.list().length, 1);
  });

  it('enforces 3 keys per environment, unique names per environment and unique application IDs', async () => {
    for (const [i, name] of ['A', 'B', 'C'].entries()) await store.add({ environment: 'production', name, applicationId: `ID00000${i}`, applicationSecret: S1 });
    await assert.rejects(store.add({ environment: 'production', name: 'D', applicationId: 'ID000009', applicationSecret: S1 }), (e: KeyStoreError) => e.kind === 'limit');
    await store.add({ environment: 'sandbox', name: 'A', applicationId: 'ID000010', applicationSecret: S1 });
    await assert.rejects(store.add({ environment: 'sandbox', name: 'a', applicationId: 'ID000011', applicationSecret: S1 }), (e: KeyStoreError) => e.kind === 'duplicate-name');
    await assert.rejects(store.add({ environment: 'sandbox', name: 'Z', applicationId: 'ID000001', applicationSecret: S1 }), (e: KeyStoreError) => e.kind === 'duplicate-id');
    assert.equal(secrets.secretKeys().length, 4);
  });

  it('a failed secret store changes nothing; a failed metadata write takes the secret back out', async () => {
    secrets.fail.store = true;
    await assert.rejects(store.add({ environment: 'sandbox', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 }), /could not store.*keyring.*plain text/s);
    assert.equal(store.list().length, 0);
    secrets.fail.store = false;
    memento.fail = true;
    await assert.rejects(store.add({ environment: 'sandbox', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 }), /Nothing was changed/);
    assert.equal(secrets.secretKeys().length, 0, 'no orphaned secret');
  });

  it('replacePair stores the new secret before switching, and keeps the old pair on any failure', async () => {
    const k = await store.add({ environment: 'sandbox', name: 'CI', applicationId: 'OLD0000001', applicationSecret: S1 });
    secrets.fail.store = true;
    await assert.rejects(store.replacePair(k.id, 'NEW0000001', S2));
    assert.equal(store.get(k.id)?.applicationId, 'OLD0000001');
    assert.equal(await store.secret(k.id), S1);
    secrets.fail.store = false;
    memento.fail = true;
    await assert.rejects(store.replacePair(k.id, 'NEW0000001', S2), /old pair is kept/);
    memento.fail = false;
    assert.equal(await store.secret(k.id), S1);
    assert.deepEqual(secrets.secretKeys(), [`eqp.secret.${k.id}.OLD0000001`]);
    const r = await store.replacePair(k.id, 'NEW0000001', S2, { state: 'verified', mageId: 'MAG1' });
    assert.equal(r.id, k.id);
    assert.equal(await store.secret(k.id), S2);
    assert.deepEqual(secrets.secretKeys(), [`eqp.secret.${k.id}.NEW0000001`]);
  });

  it('remove: a refused secret delete keeps the key whole; a failed metadata write puts the secret back', async () => {
    const k = await store.add({ environment: 'production', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 });
    secrets.fail.delete = true;
    await assert.rejects(store.remove(k.id), /could not delete/);
    assert.equal(await store.secret(k.id), S1);
    secrets.fail.delete = false;
    memento.fail = true;
    await assert.rejects(store.remove(k.id), /kept/);
    memento.fail = false;
    assert.ok(store.get(k.id));
    assert.equal(await store.secret(k.id), S1);
    await store.remove(k.id);
    assert.equal(store.list().length, 0);
    assert.equal(secrets.secretKeys().length, 0);
  });

  it('a failed metadata write during remove is reported without the secret, even when the error quotes it', async () => {
    const k = await store.add({ environment: 'production', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 });
    memento.fail = true;
    memento.failWith = `cannot write ${S1} to disk`;
    await assert.rejects(store.remove(k.id), (e: Error) => /kept/.test(e.message) && !e.message.includes(S1));
  });

  it('a late answer about a pair the key no longer holds relabels nothing (a request still running across a regenerate)', async () => {
    const refused = new EqpError('http', 'refused', { status: 401, serverMessage: 'Invalid application ID or secret.' });
    const k = await store.add({ environment: 'sandbox', name: 'CI', applicationId: 'OLD0000001', applicationSecret: S1, verification: { state: 'verified', mageId: 'MAG1' } });
    await store.replacePair(k.id, 'NEW0000001', S2, { state: 'verified', mageId: 'MAG1' });
    await store.markRejected(k.id, 'OLD0000001', refused);
    assert.equal(store.get(k.id)?.state, 'verified', 'a 401 for the old pair does not mark the new, verified pair rejected');
    await store.replacePair(k.id, 'NEW0000002', S1, { state: 'unverified' });
    await store.markVerified(k.id, 'NEW0000001', 'MAG1');
    assert.equal(store.get(k.id)?.state, 'unverified', 'a success with an older pair does not mark the new, unverified pair verified');
    await store.markVerified(k.id, 'NEW0000002', 'MAG1');
    assert.equal(store.get(k.id)?.state, 'verified', 'an answer about the current pair counts');
    await store.markRejected(k.id, 'NEW0000002', refused);
    assert.equal(store.get(k.id)?.state, 'rejected');
  });

  it('every metadata change writes a new revision to secret storage after the metadata (the one event other windows get)', async () => {
    const order: string[] = [];
    const realStore = secrets.store.bind(secrets);
    const realUpdate = memento.update.bind(memento);
    secrets.store = async (k: string, v: string) => { order.push(k.startsWith('eqp.secret.') ? 'secret' : k); await realStore(k, v); };
    memento.update = async (k: string, v: unknown) => { order.push('metadata'); await realUpdate(k, v); };
    const k = await store.add({ environment: 'sandbox', name: 'CI', applicationId: 'AQ17NZ49WC', applicationSecret: S1 });
    const first = secrets.map.get(REVISION_KEY);
    await store.rename(k.id, 'Nightly');
    assert.deepEqual(order, ['secret', 'metadata', REVISION_KEY, 'metadata', REVISION_KEY]);
    assert.notEqual(secrets.map.get(REVISION_KEY), first, 'a new value each time');
    assert.equal(store.isOwnRevision(secrets.map.get(REVISION_KEY)), true);
    assert.equal(store.isOwnRevision(first), false);
    assert.ok(!/AQ17NZ49WC|CI|Nightly/.test(secrets.map.get(REVISION_KEY) ?? ''), 'the revision holds nothing about the keys');
  });

  it('catching up: reloads again after a revision arrived early, and stops at the first reload that finds the change', async () => {
    let calls = 0;
    const catchUp = new KeysCatchUp(() => ++calls === 2, [5, 5, 5]);
    catchUp.schedule();
    catchUp.schedule(); // one schedule at a time
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls, 2);
    catchUp.dispose();
  });

  it('serialises concurrent writes so none is lost', async () => {
    await Promise.all(['A', 'B', 'C'].map((name, i) => store.add({ environment: 'sandbox', name, applicationId: `ID10000${i}`, applicationSecret: S1 })));
    assert.deepEqual(store.list('sandbox').map((k) => k.name).sort(), ['A', 'B', 'C']);
  });

  it('reload fires only when the metadata really changed (secrets.onDidChange may fire twice)', async () => {
    let fired = 0;
    store.onDidChange(() => fired++);
    assert.equal(store.reload(), false);
    const other = new KeyStore(secrets, memento, { newId: () => 'other' });
    await other.add({ environment: 'sandbox', name: 'W2', applicationId: 'AQ17NZ49WC', applicationSecret: S1 });
    assert.equal(store.reload(), true);
    assert.equal(store.reload(), false);
    assert.equal(fired, 1);
  });
});
