// TokenService with the real EqpClient against the real EQP sandbox server on 127.0.0.1, an in-memory
// SecretCache and a key source backed by keys created in the sandbox. Request counts come from the sandbox.
import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { EqpClient, EqpError, type EnvironmentId, type EqpErrorKind } from '../../src/eqp';
import {
  type ActiveKey,
  type CachedToken,
  type SecretCache,
  type TokenKeySource,
  TokenService,
  isRetryable,
  refreshDueAt,
  type TokenServiceOptions,
  type TokenServiceWarning,
} from '../../src/tokens/tokenService';
import { EqpSandbox, type SandboxKey } from '../sandbox/server';
import type { Clock } from '../../src/util/clock';
import { cachedFor, fresh, peek } from '../tokenReads';

/** SecretStorage stand-in: a Map, with switches to make it fail like a missing OS keyring does. */
class MemoryCache implements SecretCache {
  readonly map = new Map<string, string>();
  failStore = false;
  failGet = false;
  /** SecretStorage reads (the keychain), to check that renders read memory instead. */
  gets = 0;

  async get(key: string): Promise<string | undefined> {
    this.gets++;
    if (this.failGet) throw new Error('keyring unavailable (get)');
    return this.map.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    if (this.failStore) throw new Error('keyring unavailable (store)');
    this.map.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }

  parsed(keyId: string): CachedToken | undefined {
    const raw = this.map.get(`eqp.token.${keyId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as CachedToken);
  }
}

/** The key store's part, holding sandbox keys under stable key ids; records what it was told. */
class FakeKeys implements TokenKeySource {
  private readonly active = new Map<EnvironmentId, ActiveKey>();
  readonly rejected: { keyId: string; applicationId: string; error: EqpError }[] = [];
  readonly verified: { keyId: string; applicationId: string; mageId: string }[] = [];

  use(env: EnvironmentId, keyId: string, key: SandboxKey): ActiveKey {
    const active: ActiveKey = {
      keyId,
      environment: env,
      name: key.name,
      applicationId: key.applicationId,
      applicationSecret: key.applicationSecret,
    };
    this.active.set(env, active);
    return active;
  }

  /** How often the application secret was read (activeKey); only minting should. */
  secretReads = 0;

  activeKeyRef(env: EnvironmentId): Omit<ActiveKey, 'applicationSecret'> | undefined {
    const key = this.active.get(env);
    if (!key) return undefined;
    const { applicationSecret: _secret, ...ref } = key;
    return ref;
  }

  async activeKey(env: EnvironmentId): Promise<ActiveKey | undefined> {
    this.secretReads++;
    const key = this.active.get(env);
    return key ? { ...key } : undefined;
  }

  async markRejected(keyId: string, applicationId: string, error: EqpError): Promise<void> {
    this.rejected.push({ keyId, applicationId, error });
  }

  async markVerified(keyId: string, applicationId: string, mageId: string): Promise<void> {
    this.verified.push({ keyId, applicationId, mageId });
  }
}

async function rejectsWith(promise: Promise<unknown>, kind: EqpErrorKind, secrets: readonly string[] = []): Promise<EqpError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof EqpError, `expected an EqpError, got ${inspect(e)}`);
    assert.equal(e.kind, kind, `kind of: ${e.message}`);
    for (const secret of secrets) {
      assert.ok(!e.message.includes(secret) && !e.hint.includes(secret), `a secret in: ${e.message} ${e.hint}`);
    }
    return e;
  }
  return assert.fail(`expected an EqpError of kind ${kind}, but the call succeeded`);
}

describe('TokenService (real EqpClient, real EQP sandbox)', function () {
  this.timeout(10_000);

  let sandbox: EqpSandbox;
  let client: EqpClient;
  let cache: MemoryCache;
  let keys: FakeKeys;
  /** What the injected sleep was asked to wait, in ms (it returns at once). */
  let sleeps: number[];
  let warnings: TokenServiceWarning[];
  let key: SandboxKey;
  const ENV: EnvironmentId = 'sandbox';
  const KEY_ID = 'key-1';

  /** A clock reading `now`, whose timers (the retry waits) are recorded in `sleeps` and fire at once. */
  function instantClock(now: () => number): Clock {
    return {
      now,
      setTimer(ms, fn) {
        sleeps.push(ms);
        let cancelled = false;
        void Promise.resolve().then(() => { if (!cancelled) fn(); });
        return { dispose: () => { cancelled = true; } };
      },
    };
  }

  function service(overrides: Partial<TokenServiceOptions> = {}, useClient: EqpClient = client): TokenService {
    return new TokenService(useClient, keys, cache, {
      lifetime: () => 7200,
      refreshMargin: () => 120,
      // The local clock follows the sandbox clock, so advancing one advances both; its timers fire at once.
      clock: instantClock(() => sandbox.clock.now()),
      retryBaseMs: 10,
      onWarning: (w) => warnings.push(w),
      ...overrides,
    });
  }

  before(async () => {
    sandbox = await EqpSandbox.start();
    client = new EqpClient((env) => sandbox.apiUrl(env));
  });

  after(async () => {
    await sandbox.close();
  });

  beforeEach(() => {
    cache = new MemoryCache();
    keys = new FakeKeys();
    sleeps = [];
    warnings = [];
    key = sandbox.createKey(ENV, 'ci');
    keys.use(ENV, KEY_ID, key);
    sandbox.clearLog();
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.setLimits({ maxLifetime: 7200, defaultLifetime: 3600 });
    sandbox.deleteAllKeys();
  });

  describe('caching', () => {
    it('mints on the first call, and reuses the cached token on the second', async () => {
      const tokens = service();
      const before = sandbox.clock.now();
      const first = await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.equal(first.keyId, KEY_ID);
      assert.equal(first.environment, ENV);
      assert.equal(first.applicationId, key.applicationId);
      assert.equal(first.keyName, 'ci');
      assert.equal(first.mageId, sandbox.account(ENV).mageId);
      assert.ok(first.obtainedAt >= before && first.obtainedAt <= sandbox.clock.now());
      assert.equal(first.expiresAt, first.obtainedAt + 7200_000);
      assert.deepEqual(keys.verified, [{ keyId: KEY_ID, applicationId: key.applicationId, mageId: sandbox.account(ENV).mageId }], 'the mark names the pair that minted');
      assert.deepEqual(cache.parsed(KEY_ID), first);

      const second = await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.deepEqual(second, first);

      // It is a real token: the sandbox accepts it.
      const profile = await client.getProfile(ENV, first.token, first.mageId);
      assert.equal(profile.mageId, sandbox.account(ENV).mageId);
    });

    it('only minting reads the application secret: a cached token, peek and fresh read none', async () => {
      const tokens = service();
      await tokens.getToken(ENV);
      assert.equal(keys.secretReads, 1, 'the mint read it once');
      await tokens.getToken(ENV);
      await peek(tokens, ENV);
      await fresh(tokens, ENV);
      assert.equal(keys.secretReads, 1, 'handing out the cached token read no secret');
      await tokens.getToken(ENV, { forceNew: true });
      assert.equal(keys.secretReads, 2);
    });

    it('one in-memory picture: after the first read, cached tokens come from memory; invalidate reads again', async () => {
      const tokens = service();
      await tokens.getToken(ENV);
      const reads = cache.gets;
      for (let i = 0; i < 10; i++) await cachedFor(tokens, KEY_ID);
      await peek(tokens, ENV);
      await fresh(tokens, ENV);
      assert.equal(cache.gets, reads, 'no SecretStorage read for a render');
      tokens.invalidate(KEY_ID);
      assert.deepEqual(await cachedFor(tokens, KEY_ID), cache.parsed(KEY_ID));
      assert.equal(cache.gets, reads + 1, 'one read after another window changed it');
      await tokens.forget(KEY_ID);
      assert.equal(await cachedFor(tokens, KEY_ID), undefined);
      assert.equal(cache.gets, reads + 1, 'a forgotten token is known to be gone');
    });

    it('50 concurrent callers share one request', async () => {
      const tokens = service();
      const all = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken(ENV)));
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.equal(new Set(all.map((t) => t.token)).size, 1);
      assert.equal(keys.verified.length, 1);
    });

    it('a new TokenService over the same cache (a reload) reuses the stored token without a request', async () => {
      const first = await service().getToken(ENV);
      sandbox.clearLog();
      const reloaded = service();
      assert.deepEqual(await reloaded.getToken(ENV), first);
      assert.deepEqual(await peek(reloaded, ENV), first);
      assert.equal(sandbox.tokenRequestCount(), 0);
    });

    it('uses the lifetime the server granted, not the one asked for', async () => {
      sandbox.setLimits({ maxLifetime: 600 });
      // A slow answer: the lifetime counts from when the request was sent, not from when the answer came.
      sandbox.injectFault(ENV, { kind: 'delay', ms: 300 });
      const before = sandbox.clock.now();
      const token = await service({ lifetime: () => 7200 }).getToken(ENV);
      const [request] = sandbox.requestLog(ENV);
      assert.deepEqual(request?.body, { grant_type: 'session', expires_in: 7200 });
      assert.equal(request?.fault, 'delay');
      assert.equal(token.expiresAt - token.obtainedAt, 600_000);
      assert.ok(token.expiresAt - (before + 600_000) < 200, `expiresAt is ${token.expiresAt - before} ms after the send`);
    });

    it('mints a new token once the cached one has refreshMargin() seconds or less to live', async () => {
      let clock = sandbox.clock.now();
      const tokens = service({ clock: instantClock(() => clock), refreshMargin: () => 120 });
      const first = await tokens.getToken(ENV);

      clock = first.expiresAt - 121_000;
      assert.equal((await tokens.getToken(ENV)).token, first.token);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);

      clock = first.expiresAt - 120_000;
      const second = await tokens.getToken(ENV);
      assert.notEqual(second.token, first.token);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.equal(second.obtainedAt, clock);
      assert.deepEqual(cache.parsed(KEY_ID), second);
    });

    it('does not mint on every call when the server grants less than the refresh margin', async () => {
      sandbox.setLimits({ maxLifetime: 60 });
      const tokens = service({ refreshMargin: () => 120 });
      await tokens.getToken(ENV);
      await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
    });

    it('follows the sandbox clock: an expired token is refused by the API and replaced by getToken', async () => {
      const tokens = service();
      const first = await tokens.getToken(ENV);
      sandbox.clock.advance(7200);

      const refused = await rejectsWith(client.getProfile(ENV, first.token, first.mageId), 'http');
      assert.equal(refused.status, 401);
      assert.equal(await peek(tokens, ENV), undefined, 'peek does not offer an expired token');

      const second = await tokens.getToken(ENV);
      assert.notEqual(second.token, first.token);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.equal((await client.getProfile(ENV, second.token, second.mageId)).mageId, first.mageId);
    });

    it('ignores a cache entry that does not parse, or is of another key', async () => {
      cache.map.set(`eqp.token.${KEY_ID}`, '{not json');
      const tokens = service();
      assert.equal(await cachedFor(tokens, KEY_ID), undefined);
      await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);

      // Written under the service (another window): secrets.onDidChange makes the extension call invalidate.
      const other = { ...cache.parsed(KEY_ID), keyId: 'key-2' };
      cache.map.set(`eqp.token.${KEY_ID}`, JSON.stringify(other));
      tokens.invalidate(KEY_ID);
      await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
    });
  });

  describe('state(): one synchronous picture per environment', () => {
    const nextChange = (tokens: TokenService): Promise<EnvironmentId> =>
      new Promise((resolve) => {
        const sub = tokens.onDidChange((env) => {
          sub.dispose();
          resolve(env);
        });
      });

    it('says "loading" until the stored token is read, then fires and shows it, with no secret read', async () => {
      const stored = await service().getToken(ENV);
      keys.secretReads = 0;
      const reloaded = service();
      const changed = nextChange(reloaded);
      const before = reloaded.state(ENV);
      assert.equal(before.loading, true);
      assert.equal(before.token, undefined);
      assert.equal(before.key?.keyId, KEY_ID);
      await changed;
      const after = reloaded.state(ENV);
      assert.equal(after.loading, false);
      assert.equal(after.token?.token, stored.token);
      assert.equal(after.live, true);
      assert.equal(after.fresh, true);
      assert.equal(after.refreshAt, stored.expiresAt - 120_000);
      assert.equal(keys.secretReads, 0, 'a render never reads an application secret');
      assert.equal(reloaded.state('production').key, undefined, 'no key in production: nothing to load');
    });

    it('busy while a mint runs; the last error stays until a mint succeeds, and only for the pair that failed', async () => {
      const tokens = service();
      const busy: boolean[] = [];
      tokens.onDidChange(() => busy.push(tokens.state(ENV).busy));
      sandbox.injectFault(ENV, { kind: 'status', status: 500 }, 3);
      await rejectsWith(tokens.getToken(ENV), 'http');
      assert.ok(busy.includes(true), 'a render during the mint saw busy');
      const failed = tokens.state(ENV);
      assert.equal(failed.busy, false);
      assert.ok(failed.lastError instanceof EqpError && failed.lastError.status === 500, 'the last error is kept');
      // The pair regenerated: the old pair's error is not this pair's.
      const newer = sandbox.regenerateKey(ENV, key.applicationId);
      keys.use(ENV, KEY_ID, newer);
      assert.equal(tokens.state(ENV).lastError, undefined);
      await tokens.getToken(ENV);
      const ok = tokens.state(ENV);
      assert.equal(ok.lastError, undefined);
      assert.equal(ok.busy, false);
      assert.ok(ok.fresh);
    });

    it('after invalidate (another window wrote the entry) it shows the old token until the new one is read', async () => {
      const tokens = service();
      const first = await tokens.getToken(ENV);
      const other = service();
      const second = await other.getToken(ENV, { forceNew: true });
      const changed = nextChange(tokens);
      tokens.invalidate(KEY_ID);
      assert.equal(tokens.state(ENV).token?.token, first.token, 'no flicker to "none" while reading');
      await changed;
      assert.equal(tokens.state(ENV).token?.token, second.token);
    });
  });

  describe('a regenerated key', () => {
    it('keeps using the old token while valid, then reports the stale pair as rejected until it is replaced', async () => {
      const tokens = service();
      const old = await tokens.getToken(ENV);
      const regenerated = sandbox.regenerateKey(ENV, key.applicationId);

      // The key source still has the old pair; the token it minted is still good.
      assert.deepEqual(await tokens.getToken(ENV), old);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.equal((await client.getProfile(ENV, old.token, old.mageId)).mageId, old.mageId);

      sandbox.clock.advance(7200);
      const error = await rejectsWith(tokens.getToken(ENV), 'http', [key.applicationSecret, old.token]);
      assert.equal(error.status, 401);
      assert.equal(sandbox.tokenRequestCount(ENV), 2, 'no retry after 401');
      assert.equal(keys.rejected.length, 1);
      assert.equal(keys.rejected[0]?.keyId, KEY_ID);
      assert.equal(keys.rejected[0]?.applicationId, key.applicationId, 'the mark names the refused pair, not whatever the key holds by then');
      assert.equal(keys.rejected[0]?.error, error);
      assert.deepEqual(cache.parsed(KEY_ID), old, 'nothing new is cached; the expired token is left as it was');

      // The key store learns the new pair under the same key id.
      keys.use(ENV, KEY_ID, regenerated);
      const fresh = await tokens.getToken(ENV);
      assert.equal(fresh.applicationId, regenerated.applicationId);
      assert.equal(sandbox.tokenRequestCount(ENV), 3);
      assert.deepEqual(cache.parsed(KEY_ID), fresh);
    });
  });

  describe('errors and retries', () => {
    it('no active key: a config error naming the environment, and no request', async () => {
      const error = await rejectsWith(service().getToken('production'), 'config');
      assert.match(error.message, /no API access key for Production/);
      assert.match(error.hint, /Create one/);
      assert.equal(sandbox.tokenRequestCount(), 0);
    });

    it('401 (wrong secret): markRejected, no retry, nothing cached, no secret in the message', async () => {
      const wrong = 'f'.repeat(40);
      keys.use(ENV, KEY_ID, { ...key, applicationSecret: wrong });
      const error = await rejectsWith(service().getToken(ENV), 'http', [wrong, key.applicationSecret]);
      assert.equal(error.status, 401);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.deepEqual(keys.rejected.map((r) => r.keyId), [KEY_ID]);
      assert.equal(keys.verified.length, 0);
      assert.equal(cache.map.size, 0);
    });

    it('403: markRejected, no retry', async () => {
      sandbox.injectFault(ENV, { kind: 'status', status: 403 });
      const error = await rejectsWith(service().getToken(ENV), 'http');
      assert.equal(error.status, 403);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.equal(keys.rejected.length, 1);
      assert.equal(sleeps.length, 0);
      assert.equal(cache.map.size, 0);
    });

    it('429 with Retry-After 1: waits 1 s, then succeeds', async () => {
      sandbox.injectFault(ENV, { kind: 'retry-after', seconds: 1 });
      const token = await service().getToken(ENV);
      assert.deepEqual(sleeps, [1000]);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.deepEqual(cache.parsed(KEY_ID), token);
    });

    it('dispose (deactivation) aborts a mint waiting out a Retry-After: its caller gets "cancelled", no request follows, nothing is stored', async () => {
      let entered!: () => void;
      const waiting = new Promise<void>((r) => { entered = r; });
      const tokens = service({
        // A retry wait that never ends by itself.
        clock: { now: () => sandbox.clock.now(), setTimer: () => { entered(); return { dispose: () => undefined }; } },
      });
      let fired = 0;
      tokens.onDidChange(() => fired++);
      sandbox.injectFault(ENV, { kind: 'retry-after', seconds: 1 });
      const pending = tokens.getToken(ENV);
      await waiting;
      assert.ok(fired > 0 && tokens.state(ENV).busy, 'busy while waiting, and said so');
      fired = 0;
      tokens.dispose();
      await rejectsWith(pending, 'cancelled');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sandbox.tokenRequestCount(ENV), 1, 'no request after dispose');
      assert.equal(cache.parsed(KEY_ID), undefined, 'nothing stored');
      assert.equal(fired, 0);
      await rejectsWith(tokens.getToken(ENV), 'cancelled');
      assert.equal(sandbox.tokenRequestCount(ENV), 1, 'a call after dispose sends nothing');
    });

    it('429 with Retry-After 120: an error saying when to try again, no wait, one request', async () => {
      sandbox.injectFault(ENV, { kind: 'retry-after', seconds: 120 });
      const error = await rejectsWith(service({ maxRetryAfterSeconds: 30 }).getToken(ENV), 'http');
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 120);
      assert.match(error.message, /Try again in 2 minutes/);
      assert.deepEqual(sleeps, []);
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.equal(cache.map.size, 0);
    });

    it('500 twice, then success: three requests with exponential backoff', async () => {
      sandbox.injectFault(ENV, { kind: 'status', status: 500 }, 2);
      const token = await service({ retryBaseMs: 10 }).getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 3);
      assert.deepEqual(sleeps, [10, 20]);
      assert.deepEqual(cache.parsed(KEY_ID), token);
    });

    it('500 three times: gives up, saying how many attempts were made, nothing cached', async () => {
      sandbox.injectFault(ENV, { kind: 'status', status: 500 }, 3);
      const error = await rejectsWith(service().getToken(ENV), 'http');
      assert.equal(error.status, 500);
      assert.match(error.message, /3 attempts/);
      assert.equal(sandbox.tokenRequestCount(ENV), 3);
      assert.equal(cache.map.size, 0);
      assert.equal(keys.rejected.length, 0);
    });

    it('a failed refresh leaves the older, still valid cached token alone', async () => {
      let clock = sandbox.clock.now();
      const tokens = service({ clock: instantClock(() => clock) });
      const first = await tokens.getToken(ENV);
      clock = first.expiresAt - 60_000;
      sandbox.injectFault(ENV, { kind: 'status', status: 502 }, 3);
      await rejectsWith(tokens.getToken(ENV), 'http');
      assert.deepEqual(cache.parsed(KEY_ID), first);
      assert.deepEqual(await peek(tokens, ENV), first);
    });

    it('a timeout is retried', async () => {
      const impatient = new EqpClient((env) => sandbox.apiUrl(env), { timeoutMs: 200 });
      sandbox.injectFault(ENV, { kind: 'delay', ms: 1000 });
      const token = await service({}, impatient).getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.deepEqual(sleeps, [10]);
      assert.deepEqual(cache.parsed(KEY_ID), token);
    });

    it('a connection reset is retried', async () => {
      sandbox.injectFault(ENV, { kind: 'reset' });
      await service().getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
    });

    const malformed: [string, string][] = [
      ['a body that is not JSON', '<html>proxy login</html>'],
      ['expires_in 0', '{"mage_id":"MAG987654321","ust":"tok-abcdef","expires_in":0}'],
      ['no ust', '{"mage_id":"MAG987654321","expires_in":3600}'],
    ];
    for (const [what, body] of malformed) {
      it(`a malformed answer (${what}): error, no retry, nothing cached`, async () => {
        sandbox.injectFault(ENV, { kind: 'malformed', body });
        const error = await rejectsWith(service().getToken(ENV), 'malformed', ['tok-abcdef']);
        assert.ok(error.hint.length > 0);
        assert.equal(sandbox.tokenRequestCount(ENV), 1);
        assert.equal(cache.map.size, 0);
        assert.equal(keys.verified.length, 0);
      });
    }
  });

  describe('cancellation', () => {
    it("a caller's abort stops only its own wait; the shared request goes on for the others", async () => {
      sandbox.injectFault(ENV, { kind: 'delay', ms: 300 });
      const tokens = service();
      const controller = new AbortController();
      const leaving = tokens.getToken(ENV, { signal: controller.signal });
      const staying = tokens.getToken(ENV);
      setTimeout(() => controller.abort(), 50);

      const started = Date.now();
      await rejectsWith(leaving, 'cancelled');
      assert.ok(Date.now() - started < 250, 'the aborted caller does not wait for the request');
      const token = await staying;
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
      assert.deepEqual(cache.parsed(KEY_ID), token);
    });

    it('when every caller has aborted, the request is dropped and the next caller starts afresh', async () => {
      sandbox.injectFault(ENV, { kind: 'delay', ms: 300 });
      const tokens = service();
      const controller = new AbortController();
      const a = tokens.getToken(ENV, { signal: controller.signal });
      const b = tokens.getToken(ENV, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await rejectsWith(a, 'cancelled');
      await rejectsWith(b, 'cancelled');
      assert.equal(cache.map.size, 0);

      await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.equal(cache.map.size, 1);
    });

    it('an already aborted signal sends nothing', async () => {
      await rejectsWith(service().getToken(ENV, { signal: AbortSignal.abort() }), 'cancelled');
      assert.equal(sandbox.tokenRequestCount(), 0);
    });
  });

  describe('forceNew, forget, onDidChange', () => {
    it('forceNew mints a new token over a valid cached one, one request for concurrent callers', async () => {
      const tokens = service();
      const first = await tokens.getToken(ENV);
      const forced = await Promise.all([
        tokens.getToken(ENV, { forceNew: true }),
        tokens.getToken(ENV, { forceNew: true }),
        tokens.getToken(ENV),
      ]);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.notEqual(forced[0].token, first.token);
      assert.equal(forced[1].token, forced[0].token);
      assert.deepEqual(cache.parsed(KEY_ID), forced[0]);
    });

    it('forceNew arriving while a plain call reads the cache does not settle for the cached token', async () => {
      const tokens = service();
      const first = await tokens.getToken(ENV);
      const [plain, forced] = await Promise.all([tokens.getToken(ENV), tokens.getToken(ENV, { forceNew: true })]);
      assert.equal(plain.token, first.token);
      assert.notEqual(forced.token, first.token);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
    });

    it('forget drops a token and fires onDidChange; the next call mints', async () => {
      const tokens = service();
      const fired: EnvironmentId[] = [];
      const subscription = tokens.onDidChange((env) => fired.push(env));
      const first = await tokens.getToken(ENV);
      assert.ok(fired.includes(ENV), 'fires when a token is stored');
      assert.equal(tokens.state(ENV).token?.token, first.token);
      fired.length = 0;
      await tokens.getToken(ENV);
      assert.deepEqual(fired, [], 'a cache hit changes nothing, so fires nothing');

      await tokens.forget(KEY_ID);
      assert.equal(cache.map.size, 0);
      assert.equal(await cachedFor(tokens, KEY_ID), undefined);
      assert.deepEqual(fired, [ENV]);
      assert.equal(tokens.state(ENV).token, undefined);

      subscription.dispose();
      fired.length = 0;
      await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.deepEqual(fired, [], 'a disposed listener is not called');
    });

    it('forget() drops the tokens of every known key, in both environments', async () => {
      const prodKey = sandbox.createKey('production', 'prod');
      keys.use('production', 'key-p', prodKey);
      const tokens = service();
      await tokens.getToken(ENV);
      await tokens.getToken('production');
      assert.equal(cache.map.size, 2);

      const fired: EnvironmentId[] = [];
      tokens.onDidChange((env) => fired.push(env));
      // A reloaded service learns about a key when it looks at its token.
      const reloaded = service();
      reloaded.onDidChange((env) => fired.push(env));
      await peek(reloaded, ENV);
      await peek(reloaded, 'production');
      fired.length = 0;
      await reloaded.forget();
      assert.equal(cache.map.size, 0);
      assert.deepEqual(fired.sort(), ['production', 'sandbox']);
      assert.equal(reloaded.state('production').token, undefined);
      assert.equal(reloaded.state(ENV).token, undefined);
    });

    it('a token minted while its key is being forgotten is returned but not stored', async () => {
      sandbox.injectFault(ENV, { kind: 'delay', ms: 100 });
      const tokens = service();
      const pending = tokens.getToken(ENV);
      await new Promise((r) => setTimeout(r, 20));
      await tokens.forget(KEY_ID);
      const token = await pending;
      assert.ok(token.token.length > 0);
      assert.equal(cache.map.size, 0);
    });
  });

  describe('adopt, fresh, the redaction list', () => {
    const adopted = { id: KEY_ID, environment: ENV, name: 'ci' } as const;

    it("adopts the token a verification minted: the first getToken makes no request of its own", async () => {
      const tokens = service();
      const fired: EnvironmentId[] = [];
      tokens.onDidChange((env) => fired.push(env));
      const requestedAt = sandbox.clock.now();
      const session = await client.getSessionToken(ENV, key.applicationId, key.applicationSecret, 600);
      sandbox.clearLog();
      await tokens.adopt({ ...adopted, applicationId: key.applicationId }, session, requestedAt);
      assert.ok(fired.includes(ENV));
      assert.equal(tokens.state(ENV).token?.token, session.token, 'the state shows it at once');
      const token = await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(), 0, 'no request: the adopted token was used');
      assert.equal(token.token, session.token);
      assert.equal(token.mageId, sandbox.account(ENV).mageId);
      assert.equal(token.obtainedAt, requestedAt);
      assert.equal(token.expiresAt, requestedAt + 600_000, 'expiry from the lifetime granted, counted from the request');
      assert.deepEqual(await fresh(tokens, ENV), token);
    });

    it('keeps a cached token that lives longer, and ignores an expired or implausible one', async () => {
      const tokens = service();
      const long = await tokens.getToken(ENV);
      const now = sandbox.clock.now();
      const base = { ...adopted, applicationId: key.applicationId };
      await tokens.adopt(base, { mageId: 'MAG1', token: 'shorter-token-value', expiresIn: 60 }, now);
      await tokens.adopt(base, { mageId: 'MAG1', token: 'expired-token-value', expiresIn: 60 }, now - 120_000);
      await tokens.adopt(base, { mageId: 'MAG1', token: 'zero-token-value', expiresIn: 0 }, now);
      await tokens.adopt(base, { mageId: 'MAG1', token: '', expiresIn: 7200 }, now);
      assert.deepEqual(cache.parsed(KEY_ID), long);
      await tokens.adopt(base, { mageId: 'MAG1', token: 'longer-token-value', expiresIn: 9000 }, now);
      assert.equal(cache.parsed(KEY_ID)?.token, 'longer-token-value', 'one that lives longer replaces the cached one');
      await tokens.forget(KEY_ID);
      await tokens.adopt(base, { mageId: 'MAG1', token: 'expired-token-value', expiresIn: 60 }, now - 120_000);
      assert.equal(cache.map.size, 0, 'an expired token is not stored');
    });

    it('a failing store is reported, not thrown', async () => {
      cache.failStore = true;
      const tokens = service();
      await tokens.adopt({ ...adopted, applicationId: key.applicationId }, { mageId: 'MAG1', token: 'some-token-value', expiresIn: 600 }, sandbox.clock.now());
      assert.equal(warnings[0]?.operation, 'cache-store');
      assert.ok(!warnings[0]?.message.includes('some-token-value'));
    });

    it('fresh: undefined when a call would mint (none, or inside the margin), never a request', async () => {
      const tokens = service();
      assert.equal(await fresh(tokens, ENV), undefined);
      const token = await tokens.getToken(ENV);
      assert.deepEqual(await fresh(tokens, ENV), token);
      sandbox.clock.advance(7200 - 100);
      assert.equal(await fresh(tokens, ENV), undefined, 'inside the refresh margin');
      assert.ok(await peek(tokens, ENV), 'but still valid for peek');
      assert.equal(sandbox.tokenRequestCount(ENV), 1);
    });

    it('the redaction list gets the application secret and every token minted, read or adopted', async () => {
      const seen = new Set<string>();
      const tokens = service({ redactions: { add: (v) => seen.add(v) } });
      const minted = await tokens.getToken(ENV);
      assert.ok(seen.has(key.applicationSecret));
      assert.ok(seen.has(minted.token));
      const reloadedSeen = new Set<string>();
      await peek(service({ redactions: { add: (v) => reloadedSeen.add(v) } }), ENV);
      assert.ok(reloadedSeen.has(minted.token), 'a token read from the cache');
      await tokens.adopt({ ...adopted, applicationId: key.applicationId }, { mageId: 'MAG1', token: 'adopted-token-value', expiresIn: 9000 }, sandbox.clock.now());
      assert.ok(seen.has('adopted-token-value'));
      const throwing = service({ redactions: { add: () => { throw new Error('boom'); } } });
      assert.ok((await throwing.getToken(ENV)).token, 'a throwing observer changes nothing');
    });
  });

  describe('a failing secret storage', () => {
    it('store fails: the token is still returned, the failure is reported without secrets, and it is kept in memory for its life instead of minted again', async () => {
      cache.failStore = true;
      const tokens = service();
      const fired: EnvironmentId[] = [];
      tokens.onDidChange((env) => fired.push(env));
      const token = await tokens.getToken(ENV);
      assert.equal((await client.getProfile(ENV, token.token, token.mageId)).mageId, token.mageId);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.operation, 'cache-store');
      assert.equal(warnings[0]?.keyId, KEY_ID);
      assert.match(warnings[0]?.message ?? '', /keyring unavailable/);
      assert.ok(!warnings[0]?.message.includes(token.token));
      assert.ok(!warnings[0]?.message.includes(key.applicationSecret));
      assert.equal(cache.map.size, 0, 'nothing reached secret storage');
      assert.deepEqual(tokens.state(ENV).token, token, 'the state shows the token kept in memory');
      assert.equal(tokens.state(ENV).fresh, true);
      assert.equal(tokens.state(ENV).busy, false);
      assert.ok(fired.includes(ENV), 'renders were told');
      assert.equal(keys.verified.length, 1);

      // Kept in memory: handed out again, to every kind of caller, and not dropped when secret storage changes.
      assert.deepEqual(await tokens.getToken(ENV), token);
      assert.deepEqual(await tokens.getToken(ENV, { background: true }), token);
      tokens.invalidate(KEY_ID);
      assert.deepEqual(await cachedFor(tokens, KEY_ID), token, 'another window\'s write (none stored) does not drop it');
      cache.failGet = true;
      tokens.invalidate(KEY_ID);
      assert.deepEqual(await cachedFor(tokens, KEY_ID), token, 'nor does a failing read');
      cache.failGet = false;
      assert.equal(sandbox.tokenRequestCount(ENV), 1, 'one mint for all of them');
      assert.equal(warnings.length, 2, 'one store warning and one read warning');

      // For its life: inside the refresh margin a call mints as usual (the store fails again: kept again) ...
      sandbox.clock.advance(7200 - 100);
      const second = await tokens.getToken(ENV);
      assert.notEqual(second.token, token.token);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.deepEqual(await tokens.getToken(ENV), second);
      // ... and once it has expired it is no longer live.
      sandbox.clock.advance(7200);
      assert.equal(tokens.state(ENV).live, false);
      // Forgetting drops it even though secret storage holds nothing to delete.
      await tokens.forget(KEY_ID);
      assert.equal(tokens.state(ENV).token, undefined);
      cache.failStore = false;
      const stored = await tokens.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 3);
      assert.deepEqual(cache.parsed(KEY_ID), stored, 'once storing works, the token is stored');
    });

    it('store fails, then forget: the token kept in memory is dropped, so the next call mints', async () => {
      cache.failStore = true;
      const tokens = service();
      const token = await tokens.getToken(ENV);
      await tokens.forget(KEY_ID);
      assert.equal(tokens.state(ENV).token, undefined);
      const next = await tokens.getToken(ENV);
      assert.notEqual(next.token, token.token);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
    });

    it('get fails: treated as no cache (reported), and a token is minted', async () => {
      await service().getToken(ENV);
      cache.failGet = true;
      const reloaded = service(); // a new window: nothing in memory, the keychain must be read
      const token = await reloaded.getToken(ENV);
      assert.equal(sandbox.tokenRequestCount(ENV), 2);
      assert.equal(warnings[0]?.operation, 'cache-read');
      cache.failGet = false;
      assert.deepEqual(await cachedFor(reloaded, KEY_ID), token);
    });
  });
});

describe('TokenService background limits (real EqpClient, real EQP sandbox)', function () {
  this.timeout(10_000);
  const ENV: EnvironmentId = 'sandbox';
  const KEY_ID = 'key-1';
  let sandbox: EqpSandbox;
  let client: EqpClient;
  let cache: MemoryCache;
  let keys: FakeKeys;
  let key: SandboxKey;

  const service = (): TokenService =>
    new TokenService(client, keys, cache, {
      lifetime: () => 7200,
      refreshMargin: () => 120,
      clock: { now: () => sandbox.clock.now(), setTimer: (_ms, fn) => { void Promise.resolve().then(fn); return { dispose: () => undefined }; } },
      onWarning: () => undefined,
    });
  const requests = (): number => sandbox.tokenRequestCount(ENV);

  before(async () => {
    sandbox = await EqpSandbox.start();
    client = new EqpClient((env) => sandbox.apiUrl(env));
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    cache = new MemoryCache();
    keys = new FakeKeys();
    key = sandbox.createKey(ENV, 'ci');
    keys.use(ENV, KEY_ID, key);
    sandbox.clearLog();
  });
  afterEach(() => {
    sandbox.clearFaults();
    sandbox.setLimits({ maxLifetime: 7200, defaultLifetime: 3600 });
    sandbox.deleteAllKeys();
  });

  it('one background mint per key a minute: then the live cached token, else a throttled error, and never a request', async () => {
    const tokens = service();
    assert.equal(tokens.state(ENV).backgroundMintAt, 0, 'a background call may mint now');
    const before = sandbox.clock.now();
    const first = await tokens.getToken(ENV, { background: true });
    assert.equal(requests(), 1);
    // The minute counts from the moment the background mint was allowed, which is at or before the request was
    // sent (on a loaded machine a few ms before: the two were once compared as equal, and that was flaky).
    const mintAt = tokens.state(ENV).backgroundMintAt;
    assert.ok(mintAt !== undefined && mintAt >= before + 60_000 && mintAt <= first.obtainedAt + 60_000, `the next background mint is a minute away: ${mintAt} vs ${before}..${first.obtainedAt} + 60000`);

    // The token goes (forgotten here; another window, a reload): a background caller may not mint it back at once.
    await tokens.forget(KEY_ID);
    const refused = await rejectsWith(tokens.getToken(ENV, { background: true }), 'throttled');
    assert.ok(refused.retryAfterSeconds !== undefined && refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, `retry after ${refused.retryAfterSeconds}`);
    assert.match(refused.message, /requested in the background less than 60 seconds ago/);
    assert.equal(tokens.state(ENV).lastError, undefined, 'a refusal is not a failure of the key');
    assert.equal(requests(), 1);

    // A live token inside the refresh margin (one a verification minted 60 s ago, granted 100 s) is handed out.
    const now = sandbox.clock.now();
    await tokens.adopt({ id: KEY_ID, environment: ENV, name: 'ci', applicationId: key.applicationId }, { mageId: first.mageId, token: 'adopted-token-value', expiresIn: 100 }, now - 60_000);
    assert.equal(tokens.state(ENV).fresh, false);
    assert.equal((await tokens.getToken(ENV, { background: true })).token, 'adopted-token-value');
    assert.equal(requests(), 1);

    // A caller that is not in the background is never limited.
    const foreground = await tokens.getToken(ENV);
    assert.notEqual(foreground.token, 'adopted-token-value');
    assert.equal(requests(), 2);

    // A minute later a background caller may mint again, once.
    sandbox.clock.advance(61);
    await tokens.forget(KEY_ID);
    await tokens.getToken(ENV, { background: true });
    assert.equal(requests(), 3);
    await tokens.forget(KEY_ID);
    await rejectsWith(tokens.getToken(ENV, { background: true }), 'throttled');
    assert.equal(requests(), 3);
  });

  it('a caller that is not in the background joins a background request without being limited', async () => {
    const tokens = service();
    await tokens.getToken(ENV, { background: true });
    await tokens.forget(KEY_ID);
    // The background call starts the flight, the other one joins it before it decides: one mint, both served.
    const [background, foreground] = await Promise.all([tokens.getToken(ENV, { background: true }), tokens.getToken(ENV)]);
    assert.deepEqual(background, foreground);
    assert.equal(requests(), 2);
    // The other way round: a background caller shares the request of one that is not.
    await tokens.forget(KEY_ID);
    const [fg, bg] = await Promise.all([tokens.getToken(ENV), tokens.getToken(ENV, { background: true })]);
    assert.deepEqual(bg, fg);
    assert.equal(requests(), 3);
  });

  it('a grant under 60 s serves the call that asked, but background callers never replace it', async () => {
    sandbox.setLimits({ maxLifetime: 30 });
    const tokens = service();
    const short = await tokens.getToken(ENV);
    assert.equal(short.expiresAt - short.obtainedAt, 30_000);
    assert.equal(requests(), 1);
    assert.equal(tokens.state(ENV).backgroundMintAt, undefined, 'no background mint at all');
    assert.deepEqual(await tokens.getToken(ENV, { background: true }), short, 'fresh: handed out');
    sandbox.clock.advance(20);
    assert.equal(tokens.state(ENV).fresh, false);
    assert.deepEqual(await tokens.getToken(ENV, { background: true }), short, 'inside the margin: still handed out, not replaced');
    sandbox.clock.advance(20);
    const refused = await rejectsWith(tokens.getToken(ENV, { background: true }), 'throttled');
    assert.equal(refused.retryAfterSeconds, undefined, 'not a matter of waiting');
    assert.match(refused.message, /only 30 seconds/);
    sandbox.clock.advance(600);
    await rejectsWith(tokens.getToken(ENV, { background: true }), 'throttled');
    assert.equal(requests(), 1, 'however long one waits');

    // A call that is not in the background replaces it; a normal grant lifts the rule.
    sandbox.setLimits({ maxLifetime: 7200 });
    await tokens.getToken(ENV);
    assert.equal(requests(), 2);
    assert.equal(tokens.state(ENV).backgroundMintAt, 0);
    // After a regenerate, the short grant of the old pair does not hold the new pair back.
    sandbox.setLimits({ maxLifetime: 30 });
    await tokens.getToken(ENV, { forceNew: true });
    assert.equal(tokens.state(ENV).backgroundMintAt, undefined);
    keys.use(ENV, KEY_ID, sandbox.regenerateKey(ENV, key.applicationId));
    assert.equal(tokens.state(ENV).backgroundMintAt, 0);
  });
});

describe('the token rules, in one place', () => {
  it('refreshDueAt: the margin before expiry, capped at half the granted lifetime', () => {
    assert.equal(refreshDueAt({ obtainedAt: 0, expiresAt: 7_200_000 }, 120), 7_080_000);
    assert.equal(refreshDueAt({ obtainedAt: 0, expiresAt: 60_000 }, 120), 30_000, 'a 60 s token is replaced after 30 s, not at once');
    assert.equal(refreshDueAt({ obtainedAt: 0, expiresAt: 7_200_000 }, -5), 7_200_000, 'a negative margin counts as none');
  });

  it('isRetryable: network, timeout, 429 and 5xx; not 4xx, malformed, config or cancelled', () => {
    const yes = [new EqpError('network', 'x'), new EqpError('timeout', 'x'), new EqpError('http', 'x', { status: 429 }), new EqpError('http', 'x', { status: 503 })];
    const no = [new EqpError('http', 'x', { status: 401 }), new EqpError('http', 'x', { status: 404 }), new EqpError('malformed', 'x'), new EqpError('config', 'x'), new EqpError('cancelled', 'x'), new Error('x'), undefined];
    for (const e of yes) assert.equal(isRetryable(e), true, String(e?.message));
    for (const e of no) assert.equal(isRetryable(e), false, String(e));
  });
});
