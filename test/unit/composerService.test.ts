// ComposerKeyService and ComposerKeysModel over the real TokenService and the real EqpClient, against the real EQP
// sandbox server on 127.0.0.1: no stubbed HTTP. Request counts come from the sandbox's request log; every EqpError a
// test receives is checked for the session tokens and the Composer private keys seen in that test.
import * as assert from 'node:assert/strict';
import { EqpClient, EqpError, type EnvironmentId, type EqpErrorKind } from '../../src/eqp';
import { type ComposerKeyRecord, ComposerKeyService, MAX_LABEL_LENGTH, hostProblem, labelProblem, nextLabel } from '../../src/composer/composerService';
import { ComposerKeysModel } from '../../src/composer/composerModel';
import { type ActiveKey, type SecretCache, type TokenKeySource, TokenService } from '../../src/tokens/tokenService';
import { EqpSandbox, type SandboxComposerKey, type SandboxKey, type SandboxOrganization } from '../sandbox/server';
import { assertNoSecrets, rejectsWith } from './eqpErrors';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SecretStorage stand-in. */
class MemoryCache implements SecretCache {
  readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

/** The key store's part: one sandbox key per environment; counts what it is told. */
class MemoryKeys implements TokenKeySource {
  private readonly active = new Map<EnvironmentId, ActiveKey>();
  markRejectedCalls = 0;
  markVerifiedCalls = 0;

  use(env: EnvironmentId, keyId: string, key: SandboxKey): void {
    this.active.set(env, { keyId, environment: env, name: key.name, applicationId: key.applicationId, applicationSecret: key.applicationSecret });
  }

  activeKeyRef(env: EnvironmentId): Omit<ActiveKey, 'applicationSecret'> | undefined {
    const key = this.active.get(env);
    if (!key) return undefined;
    const { applicationSecret: _secret, ...ref } = key;
    return ref;
  }

  async activeKey(env: EnvironmentId): Promise<ActiveKey | undefined> {
    const key = this.active.get(env);
    return key ? { ...key } : undefined;
  }

  async markRejected(): Promise<void> {
    this.markRejectedCalls++;
  }

  async markVerified(): Promise<void> {
    this.markVerifiedCalls++;
  }
}

const ENV: EnvironmentId = 'sandbox';
const TOKEN_PATH = '/rest/v1/app/session/token';

describe('ComposerKeyService and ComposerKeysModel (real TokenService, real EqpClient, real EQP sandbox)', function () {
  this.timeout(10_000);

  let sandbox: EqpSandbox;
  let client: EqpClient;
  let keys: MemoryKeys;
  let tokens: TokenService;
  let service: ComposerKeyService;
  let mageId: string;
  let org: SandboxOrganization;
  /** Everything the token service was given or minted (application secret, session tokens). */
  let handled: Set<string>;
  /** Every Composer private key a test made or was handed (also the deleted ones). */
  let passwords: Set<string>;

  const secrets = (): string[] => [...handled, ...passwords, ...sandbox.composerKeys(ENV).map((k) => k.passwordKey)];
  const keysPath = (): string => `/rest/v1/users/${mageId}/keys`;
  const profilePath = (): string => `/rest/v1/users/${mageId}`;
  const log = () => sandbox.requestLog(ENV);
  const listReads = () => log().filter((e) => e.method === 'GET' && e.path === keysPath());
  const profileReads = () => log().filter((e) => e.method === 'GET' && e.path === profilePath());
  const expectedOwners = () => [
    { uid: mageId, name: mageId, isAccount: true },
    ...sandbox.organizations(ENV).map((o) => ({ uid: o.id, name: o.name, isAccount: false })),
  ];

  /** A key made in the portal. */
  function make(label: string, uid?: string): SandboxComposerKey {
    const key = sandbox.createComposerKey(ENV, label, uid);
    passwords.add(key.passwordKey);
    return key;
  }

  function record(key: SandboxComposerKey): ComposerKeyRecord {
    return { environment: ENV, label: key.label, userKey: key.userKey, isEnabled: key.isEnabled, uid: key.uid };
  }

  /** The call fails with an EqpError of `kind` that holds no secret known once it has failed. */
  async function fails(promise: Promise<unknown>, kind: EqpErrorKind): Promise<EqpError> {
    let error: unknown;
    try {
      await promise;
    } catch (e) {
      error = e;
    }
    if (error === undefined) return assert.fail(`expected an EqpError of kind ${kind}, but the call succeeded`);
    return rejectsWith(Promise.reject(error as Error), kind, secrets());
  }

  /** A request held by a delay fault is logged when its wait ends: wait for that, so it does not land in the next test's log. */
  async function settleDelayed(): Promise<void> {
    for (let i = 0; i < 200 && !log().some((e) => e.fault === 'delay'); i++) await sleep(20);
  }

  /** Mints the session token the next calls will use, and forgets the request it took. */
  async function primeToken(): Promise<string> {
    const { token } = await tokens.getToken(ENV);
    sandbox.clearLog();
    return token;
  }

  before(async () => {
    sandbox = await EqpSandbox.start();
    client = new EqpClient((env) => sandbox.apiUrl(env));
    mageId = sandbox.account(ENV).mageId;
    org = sandbox.organizations(ENV)[0] as SandboxOrganization;
  });

  beforeEach(() => {
    handled = new Set();
    passwords = new Set();
    keys = new MemoryKeys();
    keys.use(ENV, 'key-1', sandbox.createKey(ENV, 'composer'));
    tokens = new TokenService(client, keys, new MemoryCache(), {
      lifetime: () => 7200,
      refreshMargin: () => 120,
      retryBaseMs: 1,
      redactions: { add: (v) => handled.add(v) },
      onWarning: (w) => assert.fail(`unexpected token service warning: ${w.message}`),
    });
    service = new ComposerKeyService(client, tokens);
    sandbox.clearLog();
  });

  afterEach(() => {
    tokens.dispose();
    sandbox.clearFaults();
    sandbox.clearComposerKeys();
    sandbox.deleteAllKeys();
    sandbox.clearLog();
  });

  after(async () => {
    await sandbox.close();
  });

  describe('list', () => {
    it('public records only: label, user key, enabled, owner, environment; no private key anywhere', async () => {
      const own = make('main');
      const shared = make('shared', org.id);
      const result = await service.list(ENV);
      assert.equal(result.mageId, mageId);
      assert.deepEqual(result.keys, [
        { environment: ENV, label: 'main', userKey: own.userKey, isEnabled: true, uid: mageId },
        { environment: ENV, label: 'shared', userKey: shared.userKey, isEnabled: true, uid: org.id },
      ]);
      for (const k of result.keys) assert.ok(!('passwordKey' in k), 'no passwordKey field');
      const json = JSON.stringify(result);
      assert.ok(!json.includes(own.passwordKey) && !json.includes(shared.passwordKey), 'no private key in the result');
      assert.deepEqual(listReads().map((e) => e.query), [{ type: 'm2' }], 'only Magento 2 keys are asked for');
    });

    it('Magento 1 product keys are not in it, even when the server sends them along', async () => {
      const own = make('main');
      const json = JSON.stringify(await service.list(ENV));
      for (const p of sandbox.productKeys(ENV)) assert.ok(!json.includes(p.productKey) && !json.includes(p.productName));
      // A server that ignored `type` and answered both lists.
      sandbox.injectFault(ENV, {
        kind: 'malformed',
        body: JSON.stringify({
          m2: [{ label: 'main', user_key: own.userKey, password_key: own.passwordKey, is_enabled: true, uid: mageId }],
          m1: sandbox.productKeys(ENV).map((p) => ({ product_name: p.productName, product_key: p.productKey })),
        }),
      });
      const both = await service.list(ENV);
      assert.deepEqual(both.keys, [record(own)]);
      const bothJson = JSON.stringify(both);
      for (const p of sandbox.productKeys(ENV)) assert.ok(!bothJson.includes(p.productKey));
      assert.ok(!bothJson.includes(own.passwordKey));
    });

    it('one GET per list: the session token is minted once and then reused', async () => {
      make('a');
      await service.list(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.equal(listReads().length, 1);
      await service.list(ENV);
      await service.list(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 1, 'no new token');
      assert.equal(listReads().length, 3, 'exactly one GET per list');
      assert.equal(log().length, 4);
    });

    it('an account without keys: an empty list', async () => {
      assert.deepEqual(await service.list(ENV), { keys: [], mageId });
    });
  });

  describe('ownersOf', () => {
    it('the account first (its mage_id), then the organizations with their names; the profile is read once', async () => {
      const owners = await service.ownersOf(ENV);
      assert.deepEqual(owners, expectedOwners());
      assert.deepEqual(owners[1], { uid: org.id, name: org.name, isAccount: false });
      assert.equal(profileReads().length, 1);
      const before = log().length;
      assert.deepEqual(await service.ownersOf(ENV), owners);
      assert.equal(log().length, before, 'the second call makes no request');
    });

    it('a failed profile read leaves only the account as owner, and is not remembered: the next call reads it again', async () => {
      await primeToken();
      sandbox.injectFault(ENV, { kind: 'status', status: 500 });
      const [account, ...others] = expectedOwners();
      assert.deepEqual(await service.ownersOf(ENV), [account], 'no organizations, but Create can still go on');
      assert.ok(others.length > 0, 'the sandbox account has organizations');
      assert.deepEqual(await service.ownersOf(ENV), expectedOwners());
      assert.equal(profileReads().length, 2);
    });

    for (const leaverFirst of [true, false]) {
      it(`a caller's abort ends only its own wait on a shared profile read (the ${leaverFirst ? 'aborting' : 'other'} caller asked first)`, async () => {
        await primeToken();
        sandbox.injectFault(ENV, { kind: 'delay', ms: 400 });
        const controller = new AbortController();
        const ask = (signal?: AbortSignal) => service.ownersOf(ENV, signal);
        // The first caller's read is on its way before the second one asks.
        const leaving = leaverFirst ? ask(controller.signal) : sleep(30).then(() => ask(controller.signal));
        const staying = leaverFirst ? sleep(30).then(() => ask()) : ask();
        await sleep(80);
        controller.abort();
        const err = await fails(leaving, 'cancelled');
        assert.match(err.message, /cancelled/);
        assert.equal(profileReads().length, 0, 'the aborting caller stopped waiting at once, before the answer');
        assert.deepEqual(await staying, expectedOwners());
        assert.equal(profileReads().length, 1, 'one profile read for both');
        assert.deepEqual(await service.ownersOf(ENV), expectedOwners());
        assert.equal(profileReads().length, 1, 'and it is kept');
      });
    }
  });

  describe('create', () => {
    it('answers the public record and, once, the private key; no uid is sent for the account itself', async () => {
      const created = await service.create(ENV, 'ci', undefined);
      passwords.add(created.password);
      const stored = sandbox.composerKeys(ENV);
      assert.equal(stored.length, 1);
      assert.deepEqual(created.record, { environment: ENV, label: 'ci', userKey: stored[0]?.userKey, isEnabled: true, uid: mageId });
      assert.ok(!('passwordKey' in created.record));
      assert.equal(created.password, stored[0]?.passwordKey);
      assert.match(created.password, /^[0-9a-f]{32}$/);
      const post = log().find((e) => e.method === 'POST' && e.path === keysPath());
      assert.deepEqual(post?.body, { m2: [{ label: 'ci' }] });
      // Listing afterwards shows it without the private key.
      const listed = await service.list(ENV);
      assert.deepEqual(listed.keys, [created.record]);
      assert.ok(!JSON.stringify(listed).includes(created.password));
    });

    it('uid equal to the mage_id: the account owns it, and no uid is sent', async () => {
      const created = await service.create(ENV, 'mine', mageId);
      passwords.add(created.password);
      assert.equal(created.record.uid, mageId);
      const post = log().find((e) => e.method === 'POST' && e.path === keysPath());
      assert.deepEqual(post?.body, { m2: [{ label: 'mine' }] });
    });

    it('an organization uid is sent, and the organization owns the key', async () => {
      make('deploy');
      const created = await service.create(ENV, 'deploy', org.id);
      passwords.add(created.password);
      assert.equal(created.record.uid, org.id);
      assert.equal(created.record.label, 'deploy');
      const post = log().find((e) => e.method === 'POST' && e.path === keysPath());
      assert.deepEqual(post?.body, { m2: [{ label: 'deploy', uid: org.id }] });
      assert.deepEqual(sandbox.composerKeys(ENV).map((k) => [k.label, k.uid]), [['deploy', mageId], ['deploy', org.id]]);
      assert.equal(sandbox.composerKeys(ENV)[1]?.passwordKey, created.password);
    });

    it('a duplicate label: an EqpError naming the label, the server’s reason and its code; nothing created', async () => {
      make('dup');
      const err = await fails(service.create(ENV, 'dup', undefined), 'http');
      assert.match(err.message, /did not create the Composer key "dup": A key labelled "dup" already exists \(code 409\)\.$/);
      assert.equal(err.code, 409);
      assert.equal(err.serverMessage, 'A key labelled "dup" already exists.');
      assert.match(err.hint, /labels are unique/);
      assert.equal(sandbox.composerKeys(ENV).length, 1, 'nothing created');
      assert.equal(sandbox.tokenRequestCount(ENV), 1, 'a refused item is not a refused token');
    });

    it('a 100-emoji label (100 characters) is accepted by the rules and by the server', async () => {
      const label = '🚀'.repeat(MAX_LABEL_LENGTH);
      assert.equal(labelProblem(label), undefined);
      const created = await service.create(ENV, label, undefined);
      passwords.add(created.password);
      assert.equal(created.record.label, label);
    });
  });

  describe('setEnabled, delete, privateKey', () => {
    it('setEnabled disables and enables a key, answering its public record', async () => {
      const key = make('toggle');
      const off = await service.setEnabled(ENV, { label: 'toggle', uid: mageId }, false);
      assert.deepEqual(off, { ...record(key), isEnabled: false });
      assert.equal(sandbox.composerKeys(ENV)[0]?.isEnabled, false);
      assert.ok(!JSON.stringify(off).includes(key.passwordKey));
      const on = await service.setEnabled(ENV, off, true);
      assert.deepEqual(on, record(key));
      assert.equal(sandbox.composerKeys(ENV)[0]?.isEnabled, true);
    });

    it('setEnabled on an organization’s key changes only that owner’s key', async () => {
      make('same');
      const shared = make('same', org.id);
      const off = await service.setEnabled(ENV, { label: 'same', uid: org.id }, false);
      assert.deepEqual(off, { ...record(shared), isEnabled: false });
      assert.deepEqual(sandbox.composerKeys(ENV).map((k) => [k.uid, k.isEnabled]), [[mageId, true], [org.id, false]]);
    });

    it('delete: the key is gone, and the next list no longer has it', async () => {
      make('keep');
      make('gone');
      make('gone', org.id);
      await service.delete(ENV, { label: 'gone', uid: mageId });
      const listed = await service.list(ENV);
      assert.deepEqual(listed.keys.map((k) => [k.label, k.uid]), [['keep', mageId], ['gone', org.id]]);
      await service.delete(ENV, { label: 'gone', uid: org.id });
      assert.deepEqual((await service.list(ENV)).keys.map((k) => k.label), ['keep']);
    });

    it('privateKey: the private key of exactly that label and owner', async () => {
      const own = make('same');
      const shared = make('same', org.id);
      make('other');
      const a = await service.privateKey(ENV, { label: 'same', uid: mageId });
      assert.equal(a.password, own.passwordKey);
      assert.deepEqual(a.record, record(own));
      const b = await service.privateKey(ENV, { label: 'same', uid: org.id });
      assert.equal(b.password, shared.passwordKey);
      assert.deepEqual(b.record, record(shared));
      assert.ok(!('passwordKey' in b.record));
    });

    it('privateKey of a key deleted meanwhile (another window): 404, saying it is gone and to refresh', async () => {
      make('vanishing');
      const [listed] = (await service.list(ENV)).keys;
      assert.ok(listed);
      await new ComposerKeyService(client, tokens).delete(ENV, listed);
      const err = await fails(service.privateKey(ENV, listed), 'http');
      assert.equal(err.status, 404);
      assert.match(err.message, /no Composer key labelled "vanishing" any more/);
      assert.match(err.hint, /deleted elsewhere/);
      assert.match(err.hint, /refresh the Composer Keys view/);
    });

    it('delete of a key deleted meanwhile: 404, passed on (not a refusal)', async () => {
      make('twice');
      await service.delete(ENV, { label: 'twice', uid: mageId });
      const err = await fails(service.delete(ENV, { label: 'twice', uid: mageId }), 'http');
      assert.equal(err.status, 404);
      assert.doesNotMatch(err.message, /may not manage/);
    });
  });

  describe('the 401 rule', () => {
    const operations: [string, (s: ComposerKeyService) => Promise<unknown>, () => void][] = [
      ['list', (s) => s.list(ENV), () => undefined],
      ['ownersOf', (s) => s.ownersOf(ENV), () => undefined],
      ['create', (s) => s.create(ENV, 'fresh', undefined).then((c) => passwords.add(c.password)), () => undefined],
      ['setEnabled', (s) => s.setEnabled(ENV, { label: 'k', uid: mageId }, false), () => make('k')],
      ['delete', (s) => s.delete(ENV, { label: 'k', uid: mageId }), () => make('k')],
      ['privateKey', (s) => s.privateKey(ENV, { label: 'k', uid: mageId }), () => make('k')],
    ];

    for (const [name, run, setup] of operations) {
      it(`${name}: one 401 → a new token is minted and the call retried once, and it succeeds`, async () => {
        setup();
        const first = await primeToken();
        sandbox.injectFault(ENV, { kind: 'status', status: 401 });
        await run(service);
        assert.equal(sandbox.tokenRequestCount(ENV), 1, 'one new token');
        const [call, mint, retry, ...more] = log();
        assert.deepEqual(more, [], 'the call, the token, the retry: nothing else');
        assert.equal(call?.status, 401);
        assert.deepEqual([mint?.method, mint?.path, mint?.status], ['POST', TOKEN_PATH, 200]);
        assert.deepEqual([retry?.method, retry?.path], [call?.method, call?.path], 'the same call again');
        assert.ok(retry && retry.status >= 200 && retry.status < 300, `the retry succeeded (${String(retry?.status)})`);
        assert.notEqual((await tokens.getToken(ENV)).token, first, 'the new token is the cached one now');
        assert.equal(keys.markRejectedCalls, 0);
      });
    }

    it('list: the retried call sees the current keys', async () => {
      const key = make('k');
      await primeToken();
      sandbox.injectFault(ENV, { kind: 'status', status: 401 });
      assert.deepEqual((await service.list(ENV)).keys, [record(key)]);
    });

    it('401, new token, 401 again → the account may not manage these keys; the API access key is not marked', async () => {
      await primeToken();
      sandbox.injectFault(ENV, { kind: 'status', status: 401 });
      sandbox.injectFault(ENV, { kind: 'delay', ms: 1 }); // the token request passes
      sandbox.injectFault(ENV, { kind: 'status', status: 401 });
      const err = await fails(service.list(ENV), 'http');
      assert.equal(err.status, 401);
      assert.match(err.message, /: the Sandbox account may not manage these Magento 2 Composer keys\.$/);
      assert.match(err.hint, /Your API access key works/);
      assert.match(err.hint, /left as it is/);
      assert.equal(sandbox.tokenRequestCount(ENV), 1, 'one re-mint, not more');
      assert.deepEqual(log().map((e) => [e.method, e.status]), [['GET', 401], ['POST', 200], ['GET', 401]]);
      assert.equal(keys.markRejectedCalls, 0, 'markRejected is never called');
      assert.ok(tokens.state(ENV).fresh, 'the new token stays');
    });

    it('403 → the same wording at once, with no new token', async () => {
      await primeToken();
      sandbox.injectFault(ENV, { kind: 'status', status: 403 });
      const err = await fails(service.list(ENV), 'http');
      assert.equal(err.status, 403);
      assert.match(err.message, /: the Sandbox account may not manage these Magento 2 Composer keys\.$/);
      assert.match(err.hint, /Your API access key works/);
      assert.equal(sandbox.tokenRequestCount(ENV), 0, 'no re-mint');
      assert.equal(log().length, 1);
      assert.equal(keys.markRejectedCalls, 0, 'markRejected is never called');
    });

    it('a real 403: another organization’s key (the sandbox refuses the uid)', async () => {
      await primeToken();
      const err = await fails(service.setEnabled(ENV, { label: 'k', uid: '111AAA222BBB333@AdobeOrg' }, false), 'http');
      assert.equal(err.status, 403);
      assert.match(err.message, /may not manage these Magento 2 Composer keys/);
      assert.match(err.message, /You do not have access to the keys of 111AAA222BBB333@AdobeOrg/);
      assert.equal(sandbox.tokenRequestCount(ENV), 0);
      assert.equal(keys.markRejectedCalls, 0);
    });

    it('the token request itself refused (the API access key is bad): that error, and the key is marked', async () => {
      sandbox.injectFault(ENV, { kind: 'status', status: 401 });
      const err = await fails(service.list(ENV), 'http');
      assert.equal(err.status, 401);
      assert.match(err.message, /refused the application ID and secret/);
      assert.doesNotMatch(err.message, /may not manage/);
      assert.equal(keys.markRejectedCalls, 1);
      assert.equal(listReads().length, 0);
    });

    const passThrough: [string, Parameters<EqpSandbox['injectFault']>[1], EqpErrorKind, RegExp][] = [
      ['a 500', { kind: 'status', status: 500, body: { code: 500, message: 'Key store unavailable' } }, 'http', /had trouble on its side/],
      ['a malformed answer', { kind: 'malformed', body: '<html>login</html>', contentType: 'text/html' }, 'malformed', /not a valid Composer key answer/],
      ['a connection reset', { kind: 'reset' }, 'network', /./],
    ];
    for (const [what, fault, kind, message] of passThrough) {
      it(`${what} passes through unchanged (kind ${kind}), with no new token`, async () => {
        await primeToken();
        sandbox.injectFault(ENV, fault);
        const err = await fails(service.list(ENV), kind);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /may not manage/);
        assert.doesNotMatch(err.hint, /Your API access key works/);
        assert.equal(sandbox.tokenRequestCount(ENV), 0, 'no re-mint');
        assert.equal(listReads().length, 1);
        assert.equal(log().length, 1, 'no retry');
        assert.equal(keys.markRejectedCalls, 0);
      });
    }

    it('a 500 that echoes the session token and a private key: neither is in the error', async () => {
      const key = make('secret');
      const token = await primeToken();
      // The client learns the private key when an answer carries it (this read), and scrubs it from later errors.
      await service.privateKey(ENV, { label: 'secret', uid: mageId });
      sandbox.injectFault(ENV, { kind: 'status', status: 500, body: { code: 500, message: `cannot read ${key.passwordKey} for ${token}` } });
      const err = await fails(service.privateKey(ENV, { label: 'secret', uid: mageId }), 'http');
      assert.equal(err.serverMessage, 'cannot read ‹redacted› for ‹redacted›');
      assertNoSecrets(err, [token, key.passwordKey]);
    });
  });

  describe('label and host rules', () => {
    it('labelProblem: empty, blank, outer spaces, too long, control characters, taken', () => {
      assert.equal(labelProblem(''), 'Type a label for the key.');
      assert.equal(labelProblem('   '), 'Type a label for the key.');
      assert.equal(labelProblem(' ci'), 'A label cannot start or end with a space.');
      assert.equal(labelProblem('ci '), 'A label cannot start or end with a space.');
      assert.equal(labelProblem('x'.repeat(101)), 'A label has at most 100 characters.');
      assert.equal(labelProblem('x'.repeat(100)), undefined);
      assert.equal(labelProblem('🚀'.repeat(100)), undefined, 'an emoji is one character');
      assert.equal(labelProblem('🚀'.repeat(101)), 'A label has at most 100 characters.');
      for (const bad of ['a\tb', 'a\nb', 'a\rb', 'a\u0000b', 'a\u001bb', 'a\u007fb']) {
        assert.equal(labelProblem(bad), 'A label cannot contain control characters (such as a line break or a tab).', JSON.stringify(bad));
      }
      assert.equal(labelProblem('ci', ['ci', 'cd']), 'There is already a Composer key labelled "ci": labels are unique.');
      assert.equal(labelProblem('ci', ['CI', 'ci-2']), undefined, 'taken means exactly that label');
      assert.equal(labelProblem('ci/deploy #2 100%'), undefined);
    });

    it('nextLabel: the first free "-n" after the label', () => {
      assert.equal(nextLabel('ci', []), 'ci-2');
      assert.equal(nextLabel('ci-2', []), 'ci-3');
      assert.equal(nextLabel('ci', ['ci', 'ci-2', 'ci-3']), 'ci-4');
      assert.equal(nextLabel('ci-2', ['ci-2', 'ci-3', 'ci-4']), 'ci-5');
      assert.equal(nextLabel('v1.0', ['v1.0']), 'v1.0-2');
      assert.equal(nextLabel('deploy-prod', []), 'deploy-prod-2');
    });

    it('hostProblem: a host, or host:port; no scheme, no spaces, not empty', () => {
      assert.equal(hostProblem('repo.magento.com'), undefined);
      assert.equal(hostProblem('repo.example.com:8443'), undefined);
      assert.equal(hostProblem('localhost'), undefined);
      assert.equal(hostProblem('  repo.example.com  '), undefined, 'outer spaces are trimmed');
      assert.equal(hostProblem('https://repo.example.com'), 'Type the host name only, without https://.');
      assert.equal(hostProblem('http://repo.example.com'), 'Type the host name only, without https://.');
      assert.equal(hostProblem('repo example.com'), 'That is not a host name (letters, digits, dots and dashes, optionally :port).');
      assert.equal(hostProblem('repo.example.com/path'), 'That is not a host name (letters, digits, dots and dashes, optionally :port).');
      assert.equal(hostProblem(''), 'Type the host name, e.g. repo.example.com.');
      assert.equal(hostProblem('   '), 'Type the host name, e.g. repo.example.com.');
    });
  });

  describe('ComposerKeysModel', () => {
    let model: ComposerKeysModel;
    /** The status after each onDidChange of ENV, repeats folded. */
    let statuses: string[];

    beforeEach(() => {
      model = new ComposerKeysModel(service);
      statuses = [];
      model.onDidChange((env) => {
        const s = model.state(env).status;
        if (env === ENV && statuses[statuses.length - 1] !== s) statuses.push(s);
      });
    });

    afterEach(() => {
      model.dispose();
    });

    const labels = (): string[] | undefined => model.keys(ENV)?.map((k) => k.label);

    it('idle → loading → loaded, firing onDidChange; keys() sorted by label', async () => {
      const c = make('charlie');
      const a = make('alpha');
      const b = make('Bravo', org.id);
      assert.deepEqual(model.state(ENV), { status: 'idle' });
      assert.equal(model.keys(ENV), undefined);
      const loading = model.ensure(ENV);
      assert.equal(model.state(ENV).status, 'loading');
      assert.deepEqual(statuses, ['loading']);
      await loading;
      assert.deepEqual(model.state(ENV), { status: 'loaded', keys: [record(a), record(b), record(c)], mageId });
      assert.deepEqual(labels(), ['alpha', 'Bravo', 'charlie']);
      assert.deepEqual(statuses, ['loading', 'loaded']);
      assert.equal(model.state('production').status, 'idle', 'the other environment is untouched');
    });

    it('ensure twice (and again once loaded) makes one list request', async () => {
      make('a');
      await Promise.all([model.ensure(ENV), model.ensure(ENV)]);
      await model.ensure(ENV);
      assert.equal(listReads().length, 1);
      assert.deepEqual(labels(), ['a']);
    });

    it('reload re-reads the list, the old keys readable meanwhile', async () => {
      make('a');
      await model.ensure(ENV);
      make('b');
      const before = model.keys(ENV);
      const reloading = model.reload(ENV);
      assert.deepEqual(model.state(ENV), { status: 'loading', previous: before });
      assert.deepEqual(labels(), ['a']);
      await reloading;
      assert.deepEqual(labels(), ['a', 'b']);
      assert.equal(listReads().length, 2);
    });

    it('reload while loading replaces the first load: the first’s outcome is dropped', async () => {
      await model.ownersOf(ENV); // the token and the owners, so the next request is the list
      statuses.length = 0;
      make('a');
      sandbox.injectFault(ENV, { kind: 'delay', ms: 500 });
      const first = model.ensure(ENV);
      await sleep(50);
      make('b');
      const second = model.reload(ENV);
      await second;
      assert.deepEqual(labels(), ['a', 'b']);
      await first;
      assert.equal(log().some((e) => e.fault === 'delay'), false, 'the first load did not wait for its answer');
      assert.deepEqual(model.state(ENV), { status: 'loaded', keys: [record(sandbox.composerKeys(ENV)[0]!), record(sandbox.composerKeys(ENV)[1]!)], mageId });
      assert.deepEqual(statuses, ['loading', 'loaded'], 'no error (the cancelled first load) and no second "loaded"');
      await settleDelayed();
    });

    it('reload while the first load still waits for its token: loaded, the owners still named', async () => {
      make('a');
      sandbox.injectFault(ENV, { kind: 'delay', ms: 200 }); // the token request
      const first = model.ensure(ENV);
      await sleep(50);
      const second = model.reload(ENV);
      await Promise.all([first, second]);
      assert.deepEqual(labels(), ['a']);
      assert.deepEqual(statuses, ['loading', 'loaded']);
      await model.ownersOf(ENV);
      assert.equal(model.ownerName(ENV, org.id), org.name);
      await settleDelayed();
    });

    it('a failed reload: error state, the previous keys still readable; ensure does not retry, reload does', async () => {
      make('a');
      await model.ensure(ENV);
      const before = model.keys(ENV);
      sandbox.injectFault(ENV, { kind: 'status', status: 500, body: { code: 500, message: 'Key store unavailable' } });
      await model.reload(ENV);
      const s = model.state(ENV);
      assert.equal(s.status, 'error');
      assert.ok(s.status === 'error' && s.error instanceof EqpError);
      assert.equal(s.error.status, 500);
      assert.equal(s.error.serverMessage, 'Key store unavailable');
      assertNoSecrets(s.error, secrets());
      assert.deepEqual(s.previous, before);
      assert.deepEqual(model.keys(ENV), before, 'keys() shows the previous keys');
      assert.deepEqual(statuses, ['loading', 'loaded', 'loading', 'error']);
      await model.ensure(ENV);
      assert.equal(listReads().length, 2, 'ensure leaves an error alone');
      make('b');
      await model.reload(ENV);
      assert.deepEqual(labels(), ['a', 'b']);
      assert.equal(model.state(ENV).status, 'loaded');
    });

    it('a failed first load: error state, no keys', async () => {
      await primeToken();
      sandbox.injectFault(ENV, { kind: 'status', status: 403 }, 2);
      await model.ensure(ENV);
      const s = model.state(ENV);
      assert.ok(s.status === 'error' && s.error instanceof EqpError);
      assert.equal(s.error.status, 403);
      assert.match(s.error.message, /may not manage these Magento 2 Composer keys/);
      assertNoSecrets(s.error, secrets());
      assert.equal(model.keys(ENV), undefined);
    });

    it('reset aborts a load and returns to idle; the next ensure loads again', async () => {
      await model.ownersOf(ENV);
      statuses.length = 0;
      make('a');
      sandbox.injectFault(ENV, { kind: 'delay', ms: 500 });
      const loading = model.ensure(ENV);
      await sleep(50);
      model.reset(ENV);
      assert.deepEqual(model.state(ENV), { status: 'idle' });
      assert.deepEqual(statuses, ['loading', 'idle']);
      assert.equal(model.ownerName(ENV, org.id), undefined, 'the owners are forgotten too');
      await loading;
      assert.equal(log().some((e) => e.fault === 'delay'), false, 'the aborted load did not wait for its answer');
      assert.deepEqual(model.state(ENV), { status: 'idle' }, 'the aborted load sets nothing');
      assert.equal(model.keys(ENV), undefined);
      await settleDelayed();
      await model.ensure(ENV);
      assert.deepEqual(labels(), ['a']);
    });

    it('reset of a loaded environment fires; of an idle one does not', async () => {
      await model.ensure(ENV);
      model.reset(ENV);
      assert.deepEqual(statuses, ['loading', 'loaded', 'idle']);
      let fired = 0;
      model.onDidChange(() => fired++);
      model.reset(ENV);
      assert.equal(fired, 0);
    });

    it('put and remove update the loaded list (kept in label order); they do nothing before a load', async () => {
      const created = await service.create(ENV, 'orphan', undefined);
      passwords.add(created.password);
      model.put(created.record);
      assert.equal(model.keys(ENV), undefined, 'put before a load is ignored');
      model.remove(ENV, created.record);
      assert.equal(model.state(ENV).status, 'idle');

      make('bravo');
      make('delta');
      await model.ensure(ENV);
      assert.deepEqual(labels(), ['bravo', 'delta', 'orphan']);
      const fresh = await service.create(ENV, 'charlie', undefined);
      passwords.add(fresh.password);
      model.put(fresh.record);
      assert.deepEqual(labels(), ['bravo', 'charlie', 'delta', 'orphan'], 'a new key takes its place by label');
      assert.ok(!JSON.stringify(model.state(ENV)).includes(fresh.password));

      const off = await service.setEnabled(ENV, fresh.record, false);
      model.put(off);
      assert.deepEqual(model.keys(ENV)?.map((k) => [k.label, k.isEnabled]), [['bravo', true], ['charlie', false], ['delta', true], ['orphan', true]]);

      await service.delete(ENV, { label: 'delta', uid: mageId });
      model.remove(ENV, { label: 'delta', uid: mageId });
      assert.deepEqual(labels(), ['bravo', 'charlie', 'orphan']);
      model.remove(ENV, { label: 'bravo', uid: org.id });
      assert.deepEqual(labels(), ['bravo', 'charlie', 'orphan'], 'only the key of that owner is removed');
      // What the model shows is what the server has.
      await model.reload(ENV);
      assert.deepEqual(labels(), ['bravo', 'charlie', 'orphan']);
      assert.equal(model.keys(ENV)?.find((k) => k.label === 'charlie')?.isEnabled, false);
    });

    it('ownerName after the first load names the organization; the profile is read once', async () => {
      make('shared', org.id);
      assert.equal(model.ownerName(ENV, org.id), undefined, 'not known before a load');
      await model.ensure(ENV);
      assert.deepEqual(await model.ownersOf(ENV), expectedOwners());
      assert.equal(model.ownerName(ENV, org.id), org.name);
      assert.equal(model.ownerName(ENV, mageId), mageId);
      assert.equal(model.ownerName(ENV, 'unknown@AdobeOrg'), undefined);
      await model.reload(ENV);
      await model.ownersOf(ENV);
      assert.equal(profileReads().length, 1);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
    });

    it('a failed owners read only leaves organizations unnamed; the list still loads', async () => {
      make('shared', org.id);
      await primeToken();
      sandbox.injectFault(ENV, { kind: 'status', status: 500 }); // the profile read goes first
      await model.ensure(ENV);
      assert.deepEqual(labels(), ['shared']);
      assert.equal(model.ownerName(ENV, org.id), undefined);
      assert.deepEqual(profileReads().map((e) => e.status), [500]);
    });
  });
});
