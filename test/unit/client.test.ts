// EqpClient against the real EQP sandbox server (test/sandbox/server.ts) on 127.0.0.1: no stubbed axios.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EqpClient, RedactionList, type EnvironmentId } from '../../src/eqp';
import { EqpSandbox, type SandboxKey } from '../sandbox/server';
import { loopbackTls, processTrustsLoopbackCert } from '../sandbox/tls';
import { rejectsWith } from './eqpErrors';


function basicOf(key: SandboxKey): string {
  return Buffer.from(`${key.applicationId}:${key.applicationSecret}`).toString('base64');
}

function secretsOf(key: SandboxKey, ...tokens: string[]): string[] {
  return [key.applicationSecret, basicOf(key), `${key.applicationId}:${key.applicationSecret}`, ...tokens];
}

/** A tiny HTTP server that counts what reaches it (the redirect target). */
async function startCountingServer(): Promise<{ url: string; host: string; requests: http.IncomingHttpHeaders[]; close(): Promise<void> }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"mage_id":"MAG0","ust":"stolen","expires_in":60}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('EqpClient (against the EQP sandbox server)', () => {
  let sandbox: EqpSandbox;
  let client: EqpClient;
  let key: SandboxKey;
  let productionKey: SandboxKey;

  /** Waits until the sandbox has answered (and logged) `count` requests: a delayed answer must not leak into the next test. */
  async function settled(env: EnvironmentId, count: number): Promise<void> {
    for (let i = 0; i < 100 && sandbox.requestLog(env).length < count; i++) {
      await sleep(20);
    }
  }

  before(async () => {
    sandbox = await EqpSandbox.start({ maxLifetime: 7200, defaultLifetime: 3600 });
    client = new EqpClient((env) => sandbox.apiUrl(env));
  });

  beforeEach(() => {
    key = sandbox.createKey('sandbox', 'unit tests');
    productionKey = sandbox.createKey('production', 'unit tests');
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.deleteAllKeys();
    sandbox.clearLog();
  });

  after(async () => {
    await sandbox.close();
  });

  describe('getSessionToken', () => {
    it('returns the mage_id, the token and the lifetime the server granted', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 1800);
      assert.equal(token.mageId, sandbox.account('sandbox').mageId);
      assert.equal(typeof token.token, 'string');
      assert.ok(token.token.length >= 16);
      assert.equal(token.expiresIn, 1800);
    });

    it('returns the clamped lifetime, not the one asked for (99999 → server maximum)', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 99999);
      assert.equal(token.expiresIn, 7200);
      assert.deepEqual(sandbox.requestLog('sandbox')[0]?.body, { grant_type: 'session', expires_in: 99999 });
    });

    it('leaves expires_in out when no lifetime is asked for, and gets the server default', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      assert.equal(token.expiresIn, 3600);
      assert.deepEqual(sandbox.requestLog('sandbox')[0]?.body, { grant_type: 'session' });
    });

    it('sends a Basic header the server accepts, JSON headers and the session grant', async () => {
      await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 600);
      const log = sandbox.requestLog('sandbox');
      assert.equal(log.length, 1);
      const entry = log[0];
      assert.ok(entry);
      assert.equal(entry.method, 'POST');
      assert.equal(entry.path, '/rest/v1/app/session/token');
      assert.equal(entry.status, 200, 'the server accepted the credentials');
      assert.equal(entry.headers['authorization'], 'Basic ‹redacted›');
      assert.equal(entry.headers['accept'], 'application/json');
      assert.match(entry.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(entry.headers['user-agent'], 'eqp-keys-vscode');
      assert.deepEqual(entry.body, { grant_type: 'session', expires_in: 600 });
    });

    it('talks to the environment it is asked for (production keys, production mage_id)', async () => {
      const token = await client.getSessionToken('production', productionKey.applicationId, productionKey.applicationSecret);
      assert.equal(token.mageId, sandbox.account('production').mageId);
      assert.equal(sandbox.tokenRequestCount('production'), 1);
      assert.equal(sandbox.tokenRequestCount('sandbox'), 0);
    });

    it('reads and checks the URL setting on every call', async () => {
      let url = 'http://example.com';
      const switching = new EqpClient(() => url, { settingName: () => 'eqp.sandbox.apiUrl' });
      const err = await rejectsWith(switching.getSessionToken('sandbox', key.applicationId, key.applicationSecret), 'config', secretsOf(key));
      assert.match(err.message, /eqp\.sandbox\.apiUrl/);
      assert.equal(sandbox.tokenRequestCount(), 0, 'nothing was sent anywhere');
      url = `${sandbox.apiUrl('sandbox')}/`;
      const token = await switching.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      assert.equal(token.mageId, sandbox.account('sandbox').mageId);
    });

    it('a URL callback that throws is a config error naming the setting', async () => {
      const broken = new EqpClient(() => {
        throw new Error('settings unavailable');
      });
      const err = await rejectsWith(broken.getSessionToken('sandbox', key.applicationId, key.applicationSecret), 'config', secretsOf(key));
      assert.match(err.message, /EQP Sandbox API URL setting/);
    });

    it('refuses inputs it cannot send, before sending anything', async () => {
      await rejectsWith(client.getSessionToken('sandbox', 'AB:CD', key.applicationSecret), 'config', secretsOf(key));
      await rejectsWith(client.getSessionToken('sandbox', '', key.applicationSecret), 'config', secretsOf(key));
      await rejectsWith(client.getSessionToken('sandbox', key.applicationId, ''), 'config', secretsOf(key));
      await rejectsWith(client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 0), 'config', secretsOf(key));
      await rejectsWith(client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 1.5), 'config', secretsOf(key));
      assert.equal(sandbox.tokenRequestCount(), 0);
    });
  });

  describe('refused credentials', () => {
    it('401 for a wrong secret: the server message, and a hint that points at the portal', async () => {
      const wrong = 'f'.repeat(40);
      const err = await rejectsWith(client.getSessionToken('sandbox', key.applicationId, wrong), 'http', [...secretsOf(key), wrong]);
      assert.equal(err.status, 401);
      assert.equal(err.isAuthFailure, true);
      assert.equal(err.serverMessage, 'Invalid application ID or secret.');
      assert.equal(err.code, 401);
      assert.equal(err.message, 'The EQP Sandbox API refused the application ID and secret (HTTP 401: Invalid application ID or secret).', 'one full stop, not "secret.)."');
      assert.match(err.hint, /Developer Portal \(Account → Manage API Keys\)/);
      assert.match(err.hint, /mistyped, regenerated or deleted/);
    });

    it('a production key sent to the sandbox: refused, and the hint names the other environment', async () => {
      const err = await rejectsWith(
        client.getSessionToken('sandbox', productionKey.applicationId, productionKey.applicationSecret),
        'http',
        secretsOf(productionKey),
      );
      assert.equal(err.isAuthFailure, true);
      assert.match(err.message, /EQP Sandbox API/);
      assert.match(err.hint, /belong to the Production environment/);
    });

    it('a sandbox key sent to production: the hint names Sandbox', async () => {
      const err = await rejectsWith(client.getSessionToken('production', key.applicationId, key.applicationSecret), 'http', secretsOf(key));
      assert.equal(err.isAuthFailure, true);
      assert.match(err.message, /EQP Production API/);
      assert.match(err.hint, /belong to the Sandbox environment/);
    });

    it('the old pair of a regenerated key, and the pair of a deleted key, are auth failures', async () => {
      const fresh = sandbox.regenerateKey('sandbox', key.applicationId);
      const regenerated = await rejectsWith(
        client.getSessionToken('sandbox', key.applicationId, key.applicationSecret),
        'http',
        [...secretsOf(key), ...secretsOf(fresh)],
      );
      assert.equal(regenerated.isAuthFailure, true);
      await client.getSessionToken('sandbox', fresh.applicationId, fresh.applicationSecret);
      sandbox.deleteKey('sandbox', fresh.applicationId);
      const deleted = await rejectsWith(client.getSessionToken('sandbox', fresh.applicationId, fresh.applicationSecret), 'http', secretsOf(fresh));
      assert.equal(deleted.isAuthFailure, true);
    });
  });

  describe('getProfile', () => {
    it('returns the profile summary for the token’s mage_id', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      const profile = await client.getProfile('sandbox', token.token, token.mageId);
      const account = sandbox.account('sandbox');
      assert.deepEqual(profile, {
        mageId: account.mageId,
        firstName: account.firstName,
        lastName: account.lastName,
        email: account.email,
        screenName: account.screenName,
      });
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.equal(entry?.method, 'GET');
      assert.equal(entry?.path, `/rest/v1/users/${account.mageId}`);
      assert.deepEqual(entry?.query, { style: 'summary' });
      assert.equal(entry?.headers['authorization'], 'Bearer ‹redacted›');
    });

    it('an expired token is refused: an auth failure that says to get a new token', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 60);
      sandbox.clock.advance(61);
      const err = await rejectsWith(client.getProfile('sandbox', token.token, token.mageId), 'http', secretsOf(key, token.token));
      assert.equal(err.isAuthFailure, true);
      assert.match(err.message, /refused the session token \(HTTP 401: The session token has expired\)\./);
      assert.match(err.hint, /get a new session token/);
    });

    it('a token of the other environment is refused, and the hint names it', async () => {
      const token = await client.getSessionToken('production', productionKey.applicationId, productionKey.applicationSecret);
      const err = await rejectsWith(client.getProfile('sandbox', token.token, token.mageId), 'http', secretsOf(productionKey, token.token));
      assert.equal(err.isAuthFailure, true);
      assert.match(err.hint, /Production environment/);
    });

    it('403 for a mage_id the token does not cover is an auth failure too', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      const err = await rejectsWith(client.getProfile('sandbox', token.token, 'MAG000000000'), 'http', secretsOf(key, token.token));
      assert.equal(err.status, 403);
      assert.equal(err.isAuthFailure, true);
      assert.match(err.message, /refused the session token \(HTTP 403: /);
    });

    it('a profile answer that is not JSON is malformed', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: 'not json' });
      const err = await rejectsWith(client.getProfile('sandbox', token.token, token.mageId), 'malformed', secretsOf(key, token.token));
      assert.match(err.message, /not a valid profile: the body is not JSON/);
    });
  });

  describe('server text can form no link (notifications turn [title](command:…) into one)', () => {
    const LINK = '[x](command:eqp.keys.delete)';
    /** VS Code's own pattern for links in notification text (linkedText.ts). */
    const notificationLink = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;
    /** What a reader sees: the zero-width space that breaks the link is invisible. */
    const looks = (text: string | undefined) => (text ?? '').replace(/\u200B/g, '');

    afterEach(() => sandbox.setProfile('sandbox', undefined));

    it('a server error message: unlinked in serverMessage and in the message, and reads as sent', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 401, body: { code: 401, message: `Denied, see ${LINK} or [y](https://evil.example/)` } });
      const err = await rejectsWith(client.getSessionToken('sandbox', key.applicationId, key.applicationSecret), 'http', secretsOf(key));
      for (const text of [err.serverMessage, err.message]) {
        assert.doesNotMatch(text ?? '', notificationLink, `a link in ${text}`);
      }
      assert.equal(looks(err.serverMessage), `Denied, see ${LINK} or [y](https://evil.example/)`);
      assert.match(looks(err.message), /\(HTTP 401: Denied, see \[x\]\(command:eqp\.keys\.delete\) or \[y\]\(https:\/\/evil\.example\/\)\)\./);
    });

    it('a Composer key refusal in a create batch: its message is unlinked too', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      sandbox.injectFault('sandbox', { kind: 'malformed', contentType: 'application/json', body: JSON.stringify({ m2: [{ code: 409, message: `Taken ${LINK}` }] }) });
      const [result] = await client.createComposerKeys('sandbox', token.token, token.mageId, [{ label: 'dup' }]);
      assert.ok(result && !result.ok);
      assert.doesNotMatch(result.message, notificationLink);
      assert.equal(looks(result.message), `Taken ${LINK}`);
    });

    it('profile names and organization names are unlinked; mage_id and organization ids come back unchanged', async () => {
      const orgId = '000EEE111EEE222@AdobeOrg';
      sandbox.setProfile('sandbox', { firstName: `Eve ${LINK}`, lastName: 'Doe', screenName: `[s](file:///etc/passwd)`, email: `eve${LINK}@example.com`, organizations: [{ id: orgId, name: `Org ${LINK}` }] });
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      const profile = await client.getProfile('sandbox', token.token, token.mageId);
      for (const field of [profile.firstName, profile.screenName, profile.email]) {
        assert.doesNotMatch(field ?? '', notificationLink, `a link in ${field}`);
      }
      assert.equal(looks(profile.firstName), `Eve ${LINK}`);
      assert.equal(looks(profile.screenName), '[s](file:///etc/passwd)');
      assert.equal(looks(profile.email), `eve${LINK}@example.com`);
      assert.equal(profile.lastName, 'Doe', 'text without a link is kept exactly');
      assert.equal(profile.mageId, token.mageId);
      const orgs = await client.getOrganizations('sandbox', token.token, token.mageId);
      const org = orgs.find((o) => o.id === orgId);
      assert.ok(org, JSON.stringify(orgs));
      assert.doesNotMatch(org.name, notificationLink);
      assert.equal(looks(org.name), `Org ${LINK}`);
    });
  });

  describe('faults', () => {
    const get = () => client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 3600);

    it('a server message echoing any secret the caller knows (another key, a session token) is scrubbed', async () => {
      const otherToken = 'sess-9f8e7d6c5b4a39281706';
      const knowing = new EqpClient((env) => sandbox.apiUrl(env), { redactions: new RedactionList([otherToken]) });
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: `failed for ${otherToken} and ${key.applicationSecret}` } });
      const err = await rejectsWith(knowing.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 3600), 'http', [otherToken, ...secretsOf(key)]);
      assert.match(err.serverMessage ?? '', /failed for ‹redacted› and ‹redacted›/);
    });

    it('500 with a JSON message: shown, and the hint says it is server trouble', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 5001, message: 'Database unavailable' } });
      const err = await rejectsWith(get(), 'http', secretsOf(key));
      assert.equal(err.status, 500);
      assert.equal(err.code, 5001);
      assert.equal(err.serverMessage, 'Database unavailable');
      assert.equal(err.isAuthFailure, false);
      assert.match(err.message, /\(HTTP 500: Database unavailable\)/);
      assert.match(err.hint, /try again later/);
    });

    it('a server message that echoes the secret or a credential is scrubbed', async () => {
      const message = `Bad pair ${key.applicationId}:${key.applicationSecret}; header was Authorization: Basic ${basicOf(key)}`;
      sandbox.injectFault('sandbox', { kind: 'status', status: 401, body: { code: 401, message } });
      const err = await rejectsWith(get(), 'http', secretsOf(key));
      assert.match(err.serverMessage ?? '', /‹redacted›/);
    });

    it('a very long server message is cut to about 300 characters', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 400, body: { code: 400, message: 'x'.repeat(5000) } });
      const err = await rejectsWith(get(), 'http', secretsOf(key));
      assert.ok((err.serverMessage ?? '').length <= 300);
      assert.ok(err.message.length < 500);
    });

    it('502 with an HTML body: says it was not JSON, does not dump the page', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'malformed',
        status: 502,
        contentType: 'text/html; charset=utf-8',
        body: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
      });
      const err = await rejectsWith(get(), 'http', secretsOf(key));
      assert.equal(err.status, 502);
      assert.equal(err.serverMessage, undefined);
      assert.match(err.message, /HTTP 502; the answer was not JSON \(an HTML page\)/);
      assert.ok(!err.message.includes('<'), err.message);
      assert.match(err.hint, /try again later/);
    });

    it('429 with Retry-After: retryAfterSeconds, and a hint to wait that long', async () => {
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 30 });
      const err = await rejectsWith(get(), 'http', secretsOf(key));
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterSeconds, 30);
      assert.match(err.hint, /Wait 30 s/);
    });

    it('503 with Retry-After: server trouble, retryAfterSeconds set', async () => {
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 5, status: 503 });
      const err = await rejectsWith(get(), 'http', secretsOf(key));
      assert.equal(err.status, 503);
      assert.equal(err.retryAfterSeconds, 5);
      assert.match(err.hint, /try again later.*wait 5 s/);
    });

    it('an answer slower than the client timeout: kind timeout, naming the limit', async () => {
      const impatient = new EqpClient((env) => sandbox.apiUrl(env), { timeoutMs: 300 });
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const started = Date.now();
      const err = await rejectsWith(
        impatient.getSessionToken('sandbox', key.applicationId, key.applicationSecret),
        'timeout',
        secretsOf(key),
      );
      assert.ok(Date.now() - started < 1200, 'gave up at the timeout, not when the server answered');
      assert.match(err.message, /did not answer within 0\.3 s/);
      await settled('sandbox', 1);
    });

    it('a 200 body that is not JSON', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: 'Hello, I am a captive portal', contentType: 'text/plain' });
      const err = await rejectsWith(get(), 'malformed', secretsOf(key));
      assert.match(err.message, /answered with something that is not a valid session token: the body is not JSON \(text\/plain\)/);
      assert.ok(!err.message.includes('captive'));
    });

    it('an empty 200 body, and a JSON body that is not an object', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '' });
      assert.match((await rejectsWith(get(), 'malformed', secretsOf(key))).message, /the body is empty/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '["MAG1","tok",3600]' });
      assert.match((await rejectsWith(get(), 'malformed', secretsOf(key))).message, /not an object/);
    });

    it('a token answer without "ust"', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: 'MAG1', expires_in: 3600 }) });
      const err = await rejectsWith(get(), 'malformed', secretsOf(key));
      assert.match(err.message, /not a valid session token: "ust" is missing/);
    });

    it('a token answer whose mage_id is not a string', async () => {
      sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: 123456789, ust: 'tok-ABCDEFGH12345678', expires_in: 3600 }) });
      const err = await rejectsWith(get(), 'malformed', [...secretsOf(key), 'tok-ABCDEFGH12345678']);
      assert.match(err.message, /"mage_id" is not a non-empty string/);
    });

    // The mage_id goes into URL paths, tooltips (Markdown), terminal variables: only what a Magento ID looks like.
    const hostileMageIds: readonly (readonly [string, string])[] = [
      ['a backtick', 'MAG`1`'],
      ['a Markdown command link', '](command:workbench.action.terminal.new)'],
      ['spaces', 'MAG 123 456'],
      ['65 characters', 'M'.repeat(65)],
      ['a slash (a path of its own)', '../admin'],
      ['a newline', 'MAG1\nX'],
      ['empty', ''],
    ];
    for (const [label, mageId] of hostileMageIds) {
      it(`a token answer whose mage_id has ${label} is malformed, and the value is not quoted`, async () => {
        const ust = 'tok-MAGEID0123456789';
        sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: mageId, ust, expires_in: 3600 }) });
        const err = await rejectsWith(get(), 'malformed', [...secretsOf(key), ust]);
        assert.match(err.message, /not a valid session token: "mage_id" is (not a Magento ID \(1 to 64 letters, digits, "_" or "-"\)|not a non-empty string)\.$/);
        if (mageId !== '') {
          assert.ok(!err.message.includes(mageId) && !err.hint.includes(mageId));
        }
      });
    }

    it('a profile answer whose mage_id is hostile is malformed too', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      for (const [, mageId] of hostileMageIds.filter(([, m]) => m !== '')) {
        sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: mageId, first_name: 'Dana' }) });
        const err = await rejectsWith(client.getProfile('sandbox', token.token, token.mageId), 'malformed', secretsOf(key, token.token));
        assert.match(err.message, /not a valid profile: "mage_id" is not a Magento ID/);
        assert.ok(!err.message.includes(mageId));
      }
      sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: '', first_name: 'Dana' }) });
      await rejectsWith(client.getProfile('sandbox', token.token, token.mageId), 'malformed', secretsOf(key, token.token));
    });

    it('valid mage_ids pass: MAG123456789, a_b-C, 64 characters', async () => {
      for (const mageId of ['MAG123456789', 'a_b-C', 'x'.repeat(64)]) {
        sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: mageId, ust: 'tok-VALID0123456789', expires_in: 3600 }) });
        assert.equal((await get()).mageId, mageId);
        sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: mageId, first_name: 'Dana' }) });
        assert.equal((await client.getProfile('sandbox', 'tok-VALID0123456789', mageId)).mageId, mageId);
      }
    });

    for (const [label, value] of [
      ['missing', undefined],
      ['0', 0],
      ['-5', -5],
      ['"abc"', 'abc'],
      ['1e12 (more than 30 days)', 1e12],
      ['null', null],
    ] as const) {
      it(`a token answer with expires_in ${label}`, async () => {
        const ust = 'tok-ZYXWVUTS98765432';
        sandbox.injectFault('sandbox', { kind: 'malformed', body: JSON.stringify({ mage_id: 'MAG1', ust, expires_in: value }) });
        const err = await rejectsWith(get(), 'malformed', [...secretsOf(key), ust]);
        assert.match(err.message, /not a valid session token: "expires_in"/);
      });
    }

    it('a truncated answer (fewer bytes than promised, then closed)', async () => {
      sandbox.injectFault('sandbox', { kind: 'truncated' });
      const err = await rejectsWith(get(), 'malformed', secretsOf(key));
      assert.match(err.message, /cut off/);
    });

    it('a connection reset without an answer: kind network', async () => {
      sandbox.injectFault('sandbox', { kind: 'reset' });
      const err = await rejectsWith(get(), 'network', secretsOf(key));
      const host = new URL(sandbox.apiUrl('sandbox')).host;
      assert.match(err.message, new RegExp(`Could not reach the EQP Sandbox API at ${host.replace(/\./g, '\\.')}`));
      assert.match(err.hint, /network connection.*proxy/);
    });

    for (const status of [302, 307, 308]) {
      it(`a ${status} redirect is not followed: the target receives nothing`, async () => {
        const target = await startCountingServer();
        try {
          sandbox.injectFault('sandbox', { kind: 'redirect', status, location: `${target.url}/rest/v1/app/session/token?steal=1` });
          const err = await rejectsWith(get(), 'http', secretsOf(key));
          assert.equal(err.status, status);
          assert.match(err.message, new RegExp(`answered with a redirect to ${target.host.replace(/\./g, '\\.')}; credentials are not re-sent`));
          assert.ok(!err.message.includes('steal'), 'only the host of the Location is named');
          await sleep(100);
          assert.equal(target.requests.length, 0, 'the redirect target got a request');
        } finally {
          await target.close();
        }
      });
    }

    it('connection refused (nothing listening): kind network', async () => {
      const port = await closedPort();
      const nowhere = new EqpClient(() => `http://127.0.0.1:${port}`);
      const err = await rejectsWith(nowhere.getSessionToken('sandbox', key.applicationId, key.applicationSecret), 'network', secretsOf(key));
      assert.match(err.message, new RegExp(`at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
    });

    it('an already aborted signal: cancelled, nothing sent', async () => {
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(
        client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, undefined, controller.signal),
        'cancelled',
        secretsOf(key),
      );
      assert.equal(sandbox.tokenRequestCount(), 0);
    });

    it('a signal aborted while waiting: cancelled at once', async () => {
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const err = await rejectsWith(
        client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, undefined, controller.signal),
        'cancelled',
        secretsOf(key),
      );
      assert.ok(Date.now() - started < 1000);
      assert.match(err.message, /was cancelled/);
      await settled('sandbox', 1);
    });

    it('a profile request aborted: cancelled, the token not in the error', async () => {
      const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(client.getProfile('sandbox', token.token, token.mageId, controller.signal), 'cancelled', secretsOf(key, token.token));
    });
  });
});

// The client has no CA option (it trusts what Node trusts), so this needs a process started with
// NODE_EXTRA_CA_CERTS naming the loopback certificate: `npm test` starts the unit stage that way.
describe('EqpClient over https (the EQP sandbox server with the loopback certificate)', () => {
  let sandbox: EqpSandbox | undefined;

  before(async function () {
    if (!processTrustsLoopbackCert()) {
      this.skip();
    }
    sandbox = await EqpSandbox.start({ tls: loopbackTls() });
  });

  after(async () => {
    await sandbox?.close();
  });

  it('mints a token and reads the profile over TLS', async () => {
    const sb = sandbox as EqpSandbox;
    const client = new EqpClient((env) => sb.apiUrl(env));
    const key = sb.createKey('sandbox', 'https');
    const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret, 600);
    const profile = await client.getProfile('sandbox', token.token, token.mageId);
    assert.equal(profile.mageId, sb.account('sandbox').mageId);
    assert.deepEqual(sb.requestLog('sandbox').map((e) => [e.method, e.status, e.tls]), [['POST', 200, true], ['GET', 200, true]]);
  });
});
