// EqpClient's Magento 2 Composer key calls against the real EQP sandbox server on 127.0.0.1: no stubbed axios.
import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { EqpClient, RedactionList } from '../../src/eqp';
import { EqpSandbox, type SandboxKey } from '../sandbox/server';
import { rejectsWith } from './eqpErrors';


const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Labels a path, a query or a fragment would cut or garble if not encoded. */
const AWKWARD_LABELS = ['ci/deploy', 'what?', 'team #2', '100% sure', 'with space', 'rocket 🚀', '%2F already encoded'];

describe('EqpClient Composer keys (against the EQP sandbox server)', () => {
  let sandbox: EqpSandbox;
  let client: EqpClient;
  let apiKey: SandboxKey;
  let token: string;
  let mageId: string;
  let orgId: string;

  /** Secrets no error may contain: the session token and every password key the sandbox holds. */
  const secrets = (): string[] => [token, ...sandbox.composerKeys('sandbox').map((k) => k.passwordKey)];

  before(async () => {
    sandbox = await EqpSandbox.start();
    client = new EqpClient((env) => sandbox.apiUrl(env));
  });

  beforeEach(async () => {
    apiKey = sandbox.createKey('sandbox', 'composer tests');
    const session = await client.getSessionToken('sandbox', apiKey.applicationId, apiKey.applicationSecret);
    token = session.token;
    mageId = session.mageId;
    orgId = (sandbox.organizations('sandbox')[0] as { id: string }).id;
    sandbox.clearLog();
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.clearComposerKeys();
    sandbox.deleteAllKeys();
    sandbox.clearLog();
  });

  after(async () => {
    await sandbox.close();
  });

  describe('listComposerKeys', () => {
    it('all (the default): m2 keys of every owner, with uid, and the m1 product keys', async () => {
      const own = sandbox.createComposerKey('sandbox', 'main');
      const org = sandbox.createComposerKey('sandbox', 'shared', orgId);
      const list = await client.listComposerKeys('sandbox', token, mageId);
      assert.deepEqual(list.m2, [
        { label: 'main', userKey: own.userKey, passwordKey: own.passwordKey, isEnabled: true, uid: mageId },
        { label: 'shared', userKey: org.userKey, passwordKey: org.passwordKey, isEnabled: true, uid: orgId },
      ]);
      assert.deepEqual(list.m1, sandbox.productKeys('sandbox'));
      assert.ok(list.m1.length > 0);
      const entry = sandbox.requestLog('sandbox')[0];
      assert.equal(entry?.path, `/rest/v1/users/${mageId}/keys`);
      assert.deepEqual(entry?.query, { type: 'all' });
      assert.equal(entry?.headers.authorization, 'Bearer ‹redacted›');
    });

    it('type m2 answers no m1 keys, type m1 no m2 keys', async () => {
      sandbox.createComposerKey('sandbox', 'main');
      const m2 = await client.listComposerKeys('sandbox', token, mageId, { type: 'm2' });
      assert.equal(m2.m2.length, 1);
      assert.deepEqual(m2.m1, []);
      const m1 = await client.listComposerKeys('sandbox', token, mageId, { type: 'm1' });
      assert.deepEqual(m1.m2, []);
      assert.deepEqual(m1.m1, sandbox.productKeys('sandbox'));
      assert.deepEqual(sandbox.requestLog('sandbox').map((e) => e.query.type), ['m2', 'm1']);
    });

    it('label and uid filters: only the matching key, only the owner’s keys', async () => {
      sandbox.createComposerKey('sandbox', 'main');
      sandbox.createComposerKey('sandbox', 'other');
      sandbox.createComposerKey('sandbox', 'main', orgId);
      const byLabel = await client.listComposerKeys('sandbox', token, mageId, { type: 'm2', label: 'main' });
      assert.deepEqual(byLabel.m2.map((k) => [k.label, k.uid]), [['main', mageId], ['main', orgId]]);
      const byOrg = await client.listComposerKeys('sandbox', token, mageId, { type: 'm2', uid: orgId });
      assert.deepEqual(byOrg.m2.map((k) => [k.label, k.uid]), [['main', orgId]]);
      const byUser = await client.listComposerKeys('sandbox', token, mageId, { uid: mageId });
      assert.deepEqual(byUser.m2.map((k) => k.label), ['main', 'other']);
      assert.deepEqual(sandbox.requestLog('sandbox').map((e) => e.query), [
        { type: 'm2', label: 'main' },
        { type: 'm2', uid: orgId },
        { type: 'all', uid: mageId },
      ]);
    });

    it('a uid left out of the answer is the mage_id', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'malformed',
        body: JSON.stringify({ m2: [{ label: 'docs', user_key: 'd41d8cd98f00b204e9800998ecf8427e', password_key: '12cbdcd3332eb8f166f62ee1a9bd33d0', is_enabled: false }], m1: [] }),
      });
      const list = await client.listComposerKeys('sandbox', token, mageId);
      assert.deepEqual(list.m2[0], { label: 'docs', userKey: 'd41d8cd98f00b204e9800998ecf8427e', passwordKey: '12cbdcd3332eb8f166f62ee1a9bd33d0', isEnabled: false, uid: mageId });
    });

    it('an "all" answer without m1 has no product keys (an account without Magento 1 products)', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m2":[]}' });
      assert.deepEqual(await client.listComposerKeys('sandbox', token, mageId), { m2: [], m1: [] });
    });

    it('403 for an organization the account does not belong to', async () => {
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId, { uid: '111AAA222BBB333@AdobeOrg' }), 'http', secrets());
      assert.equal(err.status, 403);
      assert.match(err.message, /refused access to these Composer keys \(HTTP 403: You do not have access/);
      assert.match(err.hint, /organization/);
    });

    it('403 for another user’s mage_id', async () => {
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, 'MAG000000001'), 'http', secrets());
      assert.equal(err.status, 403);
    });
  });

  describe('createComposerKeys', () => {
    it('a batch with one new and one duplicate label: the new key is made, only the duplicate fails', async () => {
      sandbox.createComposerKey('sandbox', 'taken');
      const results = await client.createComposerKeys('sandbox', token, mageId, [{ label: 'fresh' }, { label: 'taken' }]);
      assert.equal(results.length, 2);
      const [fresh, taken] = results;
      assert.ok(fresh?.ok);
      const stored = sandbox.composerKeys('sandbox').find((k) => k.label === 'fresh');
      assert.deepEqual(fresh.key, { ...stored, uid: mageId });
      assert.equal(fresh.label, 'fresh');
      assert.match(fresh.key.passwordKey, /^[0-9a-f]{32}$/);
      assert.ok(taken && !taken.ok);
      assert.equal(taken.label, 'taken');
      assert.equal(taken.code, 409);
      assert.match(taken.message, /already exists/);
      assert.deepEqual(sandbox.requestLog('sandbox')[0]?.body, { m2: [{ label: 'fresh' }, { label: 'taken' }] });
      assert.equal(sandbox.requestLog('sandbox')[0]?.status, 200);
    });

    it('the same label twice in one batch: the second fails', async () => {
      const results = await client.createComposerKeys('sandbox', token, mageId, [{ label: 'twice' }, { label: 'twice' }]);
      assert.deepEqual(results.map((r) => r.ok), [true, false]);
      assert.equal(sandbox.composerKeys('sandbox').length, 1);
    });

    it('an invalid label (too long) fails only its own item', async () => {
      const results = await client.createComposerKeys('sandbox', token, mageId, [{ label: 'x'.repeat(300) }, { label: 'fine' }]);
      const [long, fine] = results;
      assert.ok(long && !long.ok);
      assert.equal(long.code, 400);
      assert.ok(fine?.ok);
    });

    it('for an organization: the key is the organization’s, and its label may repeat the user’s', async () => {
      sandbox.createComposerKey('sandbox', 'deploy');
      const [result] = await client.createComposerKeys('sandbox', token, mageId, [{ label: 'deploy', uid: orgId }]);
      assert.ok(result?.ok, inspect(result));
      assert.equal(result.key.uid, orgId);
      assert.deepEqual(sandbox.composerKeys('sandbox').map((k) => k.uid), [mageId, orgId]);
      assert.deepEqual(sandbox.requestLog('sandbox')[0]?.body, { m2: [{ label: 'deploy', uid: orgId }] });
    });

    it('an organization the account does not belong to fails that item with 403', async () => {
      const [result] = await client.createComposerKeys('sandbox', token, mageId, [{ label: 'x', uid: '111AAA222BBB333@AdobeOrg' }]);
      assert.ok(result && !result.ok);
      assert.equal(result.code, 403);
    });

    it('refuses an empty batch or an empty label before sending anything', async () => {
      await rejectsWith(client.createComposerKeys('sandbox', token, mageId, []), 'config', secrets());
      await rejectsWith(client.createComposerKeys('sandbox', token, mageId, [{ label: '  ' }]), 'config', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });

    it('an item message that echoes a password (of this very answer) is scrubbed', async () => {
      const password = 'f00dfacecafebabe0123456789abcdef';
      sandbox.injectFault('sandbox', {
        kind: 'malformed',
        body: JSON.stringify({ m2: [
          { label: 'a', user_key: 'aaaabbbbccccddddeeeeffff00001111', password_key: password, is_enabled: true, code: 200, message: 'Success' },
          { label: 'b', code: 409, message: `label b clashes with ${password}` },
        ] }),
      });
      const [a, b] = await client.createComposerKeys('sandbox', token, mageId, [{ label: 'a' }, { label: 'b' }]);
      assert.ok(a?.ok && b && !b.ok);
      assert.equal(b.message, 'label b clashes with ‹redacted›');
    });
  });

  describe('setComposerKeyEnabled', () => {
    it('disables then enables a key, answering the updated key each time', async () => {
      const made = sandbox.createComposerKey('sandbox', 'toggle');
      const off = await client.setComposerKeyEnabled('sandbox', token, mageId, 'toggle', false);
      assert.deepEqual(off, { ...made, isEnabled: false, uid: mageId });
      assert.equal(sandbox.composerKeys('sandbox')[0]?.isEnabled, false);
      const on = await client.setComposerKeyEnabled('sandbox', token, mageId, 'toggle', true);
      assert.equal(on.isEnabled, true);
      assert.equal(sandbox.composerKeys('sandbox')[0]?.isEnabled, true);
      assert.deepEqual(sandbox.requestLog('sandbox').map((e) => [e.method, e.path, e.body]), [
        ['PUT', `/rest/v1/users/${mageId}/keys/toggle`, { m2: [{ is_enabled: false }] }],
        ['PUT', `/rest/v1/users/${mageId}/keys/toggle`, { m2: [{ is_enabled: true }] }],
      ]);
    });

    it('an organization’s key: uid goes in the body, and only that owner’s key changes', async () => {
      sandbox.createComposerKey('sandbox', 'same');
      sandbox.createComposerKey('sandbox', 'same', orgId);
      const key = await client.setComposerKeyEnabled('sandbox', token, mageId, 'same', false, orgId);
      assert.equal(key.uid, orgId);
      assert.deepEqual(sandbox.composerKeys('sandbox').map((k) => [k.uid, k.isEnabled]), [[mageId, true], [orgId, false]]);
      assert.deepEqual(sandbox.requestLog('sandbox')[0]?.body, { m2: [{ is_enabled: false, uid: orgId }] });
    });

    it('404 for an unknown label: says there is no such key', async () => {
      const err = await rejectsWith(client.setComposerKeyEnabled('sandbox', token, mageId, 'nope', false), 'http', secrets());
      assert.equal(err.status, 404);
      assert.match(err.message, /has no Composer key with that label/);
      assert.match(err.hint, /list the keys again/);
    });

    it('an answer with more than one key, or a key whose is_enabled is not a boolean, is malformed', async () => {
      sandbox.createComposerKey('sandbox', 'k');
      const item = { label: 'k', user_key: 'aaaabbbbccccddddeeeeffff00001111', password_key: '0123456789abcdef0123456789abcdef', is_enabled: true };
      sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ m2: [item, item] }) });
      const two = await rejectsWith(client.setComposerKeyEnabled('sandbox', token, mageId, 'k', true), 'malformed', [...secrets(), item.password_key]);
      assert.match(two.message, /not a valid Composer key answer: "m2" holds 2 keys/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ m2: [{ ...item, is_enabled: 'yes' }] }) });
      const str = await rejectsWith(client.setComposerKeyEnabled('sandbox', token, mageId, 'k', true), 'malformed', [...secrets(), item.password_key]);
      assert.match(str.message, /m2 item 1: "is_enabled" is not true or false/);
    });
  });

  describe('deleteComposerKey', () => {
    it('204, then 404 for the same label', async () => {
      sandbox.createComposerKey('sandbox', 'gone');
      await client.deleteComposerKey('sandbox', token, mageId, 'gone');
      assert.deepEqual(sandbox.composerKeys('sandbox'), []);
      assert.equal(sandbox.requestLog('sandbox')[0]?.status, 204);
      const err = await rejectsWith(client.deleteComposerKey('sandbox', token, mageId, 'gone'), 'http', secrets());
      assert.equal(err.status, 404);
    });

    it('an organization’s key: uid in the query, the user’s own key with the same label stays', async () => {
      sandbox.createComposerKey('sandbox', 'same');
      sandbox.createComposerKey('sandbox', 'same', orgId);
      await client.deleteComposerKey('sandbox', token, mageId, 'same', orgId);
      assert.deepEqual(sandbox.composerKeys('sandbox').map((k) => k.uid), [mageId]);
      assert.deepEqual(sandbox.requestLog('sandbox')[0]?.query, { uid: orgId });
    });
  });

  describe('labels that need encoding', () => {
    for (const label of AWKWARD_LABELS) {
      it(`"${label}" survives create, list, put and delete`, async () => {
        const [created] = await client.createComposerKeys('sandbox', token, mageId, [{ label }]);
        assert.ok(created?.ok, inspect(created));
        assert.equal(created.key.label, label);
        const listed = await client.listComposerKeys('sandbox', token, mageId, { type: 'm2', label });
        assert.deepEqual(listed.m2.map((k) => k.label), [label]);
        const off = await client.setComposerKeyEnabled('sandbox', token, mageId, label, false);
        assert.equal(off.label, label);
        assert.equal(off.isEnabled, false);
        await client.deleteComposerKey('sandbox', token, mageId, label);
        assert.deepEqual(sandbox.composerKeys('sandbox'), []);
        const encoded = `/rest/v1/users/${mageId}/keys/${encodeURIComponent(label)}`;
        assert.deepEqual(sandbox.requestLog('sandbox').map((e) => [e.method, e.path, e.status]), [
          ['POST', `/rest/v1/users/${mageId}/keys`, 200],
          ['GET', `/rest/v1/users/${mageId}/keys`, 200],
          ['PUT', encoded, 200],
          ['DELETE', encoded, 204],
        ]);
        assert.equal(sandbox.requestLog('sandbox')[1]?.query.label, label);
      });
    }
  });

  describe('the sandbox endpoints, asked directly', () => {
    const call = (method: string, path: string, body?: string): Promise<Response> =>
      fetch(`${sandbox.apiUrl('sandbox')}/rest/v1/users/${mageId}/keys${path}`, { method, body, headers: { Authorization: `Bearer ${token}` } });

    it('400 for a body without m2, a bad type, and a broken escape in the label', async () => {
      assert.equal((await call('POST', '', '{"keys":[]}')).status, 400);
      assert.equal((await call('POST', '', '{"m2":[]}')).status, 400);
      assert.equal((await call('GET', '?type=m3')).status, 400);
      assert.equal((await call('PUT', '/%zz', '{"m2":[{"is_enabled":true}]}')).status, 400);
      assert.equal((await call('PUT', '/x', '{"m2":[{"is_enabled":"no"}]}')).status, 400);
    });

    it('405 with Allow for a wrong method; 401 without a token', async () => {
      const put = await call('PUT', '');
      assert.equal(put.status, 405);
      assert.equal(put.headers.get('allow'), 'GET, POST');
      const get = await call('GET', '/label');
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'PUT, DELETE');
      assert.equal((await fetch(`${sandbox.apiUrl('sandbox')}/rest/v1/users/${mageId}/keys`)).status, 401);
    });

    it('the profile lists the account’s organizations; passwords never reach the request log', async () => {
      const res = await fetch(`${sandbox.apiUrl('sandbox')}/rest/v1/users/${mageId}`, { headers: { Authorization: `Bearer ${token}` } });
      assert.deepEqual(((await res.json()) as { organizations?: unknown }).organizations, sandbox.organizations('sandbox'));
      await client.createComposerKeys('sandbox', token, mageId, [{ label: 'logged' }]);
      const password = (sandbox.composerKeys('sandbox')[0] as { passwordKey: string }).passwordKey;
      assert.ok(!JSON.stringify(sandbox.requestLog()).includes(password));
    });
  });

  it('the portal page lists the Composer keys without their passwords', async () => {
    const made = sandbox.createComposerKey('sandbox', '<b>label</b>', orgId);
    const html = await (await fetch(sandbox.portalUrl('sandbox'))).text();
    assert.ok(html.includes('&lt;b&gt;label&lt;/b&gt;'), 'the label, escaped');
    assert.ok(html.includes(made.userKey) && html.includes(orgId));
    assert.ok(!html.includes(made.passwordKey));
  });

  describe('refusals and faults', () => {
    it('401 once the session token has expired (sandbox clock advanced)', async () => {
      sandbox.clock.advance(3601);
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'http', secrets());
      assert.equal(err.status, 401);
      assert.ok(err.isAuthFailure);
      assert.match(err.message, /refused the session token \(HTTP 401: The session token has expired/);
    });

    it('401 for a token of the other environment', async () => {
      const err = await rejectsWith(client.createComposerKeys('production', token, sandbox.account('production').mageId, [{ label: 'x' }]), 'http', secrets());
      assert.equal(err.status, 401);
      assert.match(err.hint, /Production|Sandbox/);
      assert.deepEqual(sandbox.composerKeys('production'), []);
    });

    it('429 with Retry-After: captured on the error', async () => {
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 42 });
      const err = await rejectsWith(client.deleteComposerKey('sandbox', token, mageId, 'any'), 'http', secrets());
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterSeconds, 42);
      assert.match(err.hint, /Wait 42 s/);
    });

    it('500 with a message: shown, as server trouble', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: 'Key store unavailable' } });
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'http', secrets());
      assert.equal(err.status, 500);
      assert.equal(err.serverMessage, 'Key store unavailable');
      assert.match(err.message, /had trouble on its side/);
    });

    it('a 500 whose message echoes a password key seen earlier, and the token: neither is in the error', async () => {
      const made = sandbox.createComposerKey('sandbox', 'secret');
      await client.listComposerKeys('sandbox', token, mageId);
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: `cannot update ${made.passwordKey} (token ${token})` } });
      const err = await rejectsWith(client.setComposerKeyEnabled('sandbox', token, mageId, 'secret', false), 'http', [made.passwordKey, token]);
      assert.equal(err.serverMessage, 'cannot update ‹redacted› (token ‹redacted›)');
    });

    it('the password goes on the shared redaction list: another client sharing it scrubs it too', async () => {
      const shared = new RedactionList();
      const first = new EqpClient((env) => sandbox.apiUrl(env), { redactions: shared });
      const [created] = await first.createComposerKeys('sandbox', token, mageId, [{ label: 'shared' }]);
      assert.ok(created?.ok);
      const password = created.key.passwordKey;
      assert.ok([...shared.values()].includes(password), 'the password is on the list');
      assert.ok([...shared.values()].includes(token), 'the token is on the list');
      const second = new EqpClient((env) => sandbox.apiUrl(env), { redactions: shared });
      sandbox.injectFault('sandbox', { kind: 'status', status: 400, body: { code: 400, message: `bad password ${password}` } });
      const err = await rejectsWith(second.deleteComposerKey('sandbox', token, mageId, 'shared'), 'http', [password]);
      assert.equal(err.serverMessage, 'bad password ‹redacted›');
    });

    it('an answer slower than the client timeout: kind timeout', async () => {
      const impatient = new EqpClient((env) => sandbox.apiUrl(env), { timeoutMs: 300 });
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const err = await rejectsWith(impatient.listComposerKeys('sandbox', token, mageId), 'timeout', secrets());
      assert.match(err.message, /did not answer within 0\.3 s/);
      for (let i = 0; i < 100 && sandbox.requestLog('sandbox').length < 1; i++) {
        await sleep(20);
      }
    });

    it('a connection reset: kind network', async () => {
      sandbox.injectFault('sandbox', { kind: 'reset' });
      await rejectsWith(client.deleteComposerKey('sandbox', token, mageId, 'x'), 'network', secrets());
    });

    it('an aborted signal: cancelled, named as a Composer key request', async () => {
      const controller = new AbortController();
      controller.abort();
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId, {}, controller.signal), 'cancelled', secrets());
      assert.match(err.message, /Composer key request/);
    });

    it('a body that is not JSON', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '<html>login</html>', contentType: 'text/html' });
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'malformed', secrets());
      assert.match(err.message, /not a valid Composer key answer: the body is not JSON \(an HTML page\)/);
    });

    it('an answer without m2 (list, put and create)', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m1":[]}' }, 3);
      assert.match((await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'malformed', secrets())).message, /"m2" is missing/);
      assert.match((await rejectsWith(client.setComposerKeyEnabled('sandbox', token, mageId, 'k', true), 'malformed', secrets())).message, /"m2" is missing/);
      assert.match((await rejectsWith(client.createComposerKeys('sandbox', token, mageId, [{ label: 'k' }]), 'malformed', secrets())).message, /"m2" is missing/);
    });

    it('a type m1 answer without m1, and an m1 item that is not a product key', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m2":[]}' });
      assert.match((await rejectsWith(client.listComposerKeys('sandbox', token, mageId, { type: 'm1' }), 'malformed', secrets())).message, /"m1" is missing/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m2":[],"m1":[{"product_name":"a"}]}' });
      assert.match((await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'malformed', secrets())).message, /m1 item 1/);
    });

    it('one bad item makes the whole list malformed, and its password is not in the error', async () => {
      const good = { label: 'good', user_key: 'aaaabbbbccccddddeeeeffff00001111', password_key: 'abcdefabcdefabcdefabcdefabcdef01', is_enabled: true };
      const bad = { label: 'bad', user_key: 'aaaabbbbccccddddeeeeffff00002222', password_key: 'fedcbafedcbafedcbafedcbafedcba02', is_enabled: 1 };
      sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ m2: [good, bad], m1: [] }) });
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'malformed', [...secrets(), good.password_key, bad.password_key]);
      assert.match(err.message, /m2 item 2: "is_enabled" is not true or false/);
      for (const missing of ['label', 'user_key', 'password_key'] as const) {
        const item: Partial<Record<string, unknown>> = { ...good };
        delete item[missing];
        sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ m2: [item] }) });
        const e = await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'malformed', [...secrets(), good.password_key]);
        assert.match(e.message, new RegExp(`"${missing}" is missing`));
      }
    });

    it('a create answer with a different number of items, or an item without code, is malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m2":[]}' });
      assert.match((await rejectsWith(client.createComposerKeys('sandbox', token, mageId, [{ label: 'a' }]), 'malformed', secrets())).message, /1 keys were asked for but 0 answered/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m2":[{"label":"a","message":"?"}]}' });
      assert.match((await rejectsWith(client.createComposerKeys('sandbox', token, mageId, [{ label: 'a' }]), 'malformed', secrets())).message, /has no "code"/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '{"m2":[{"label":"a","code":200,"message":"Success"}]}' });
      assert.match((await rejectsWith(client.createComposerKeys('sandbox', token, mageId, [{ label: 'a' }]), 'malformed', secrets())).message, /"user_key" is missing/);
    });

    it('a truncated answer is malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'truncated' });
      const err = await rejectsWith(client.listComposerKeys('sandbox', token, mageId), 'malformed', secrets());
      assert.match(err.message, /Composer key answer: the answer was cut off/);
    });
  });
});
