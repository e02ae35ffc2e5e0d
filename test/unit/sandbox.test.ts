// Tests of the EQP sandbox server over real HTTP on 127.0.0.1 (global fetch and node:http;
// deliberately not the extension's client, so the two cannot share a mistake).

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EqpSandbox, SandboxRuleError, type SandboxEnv, type SandboxKey } from '../sandbox/server';
import { loopbackTls, processTrustsLoopbackCert } from '../sandbox/tls';

const TOKEN_PATH = '/rest/v1/app/session/token';
const REDACTED = '‹redacted›';

interface TokenBody { mage_id: string; ust: string; expires_in: number }
interface ErrorBody { code: number; message: string }

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

function assertErrorBody(body: unknown, status: number): asserts body is ErrorBody {
  assert.equal(typeof body, 'object');
  const b = body as Partial<ErrorBody>;
  assert.equal(typeof b.code, 'number', `code in ${JSON.stringify(body)}`);
  assert.equal(typeof b.message, 'string', `message in ${JSON.stringify(body)}`);
  assert.ok((b.message ?? '').length > 0);
  assert.equal(b.code, status);
}

/** A raw HTTP exchange, for what fetch hides (Host header, truncated bodies). */
function rawRequest(url: string, options: http.RequestOptions & { body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => { aborted = true; });
      res.on('error', () => { aborted = true; });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), aborted: aborted || !res.complete }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('EQP sandbox server', () => {
  let sb: EqpSandbox;

  beforeEach(async () => {
    sb = await EqpSandbox.start();
  });

  afterEach(async () => {
    await sb.close();
  });

  function tokenRequest(env: SandboxEnv, authorization: string | undefined, body: unknown = { grant_type: 'session' }, contentType = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (authorization !== undefined) {
      headers.Authorization = authorization;
    }
    return fetch(sb.apiUrl(env) + TOKEN_PATH, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function mint(env: SandboxEnv, key: SandboxKey, expiresIn?: number): Promise<TokenBody> {
    const res = await tokenRequest(env, basic(key.applicationId, key.applicationSecret),
      expiresIn === undefined ? { grant_type: 'session' } : { grant_type: 'session', expires_in: expiresIn });
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json() as TokenBody;
  }

  function profile(env: SandboxEnv, token: string | undefined, mageId: string, query = '?style=summary', authorization?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) {
      headers.Authorization = authorization;
    } else if (token !== undefined) {
      headers.Authorization = `Bearer ${token}`;
    }
    return fetch(`${sb.apiUrl(env)}/rest/v1/users/${encodeURIComponent(mageId)}${query}`, { headers });
  }

  async function expectError(res: Response, status: number): Promise<ErrorBody> {
    const text = await res.text();
    assert.equal(res.status, status, text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body: unknown = JSON.parse(text);
    assertErrorBody(body, status);
    return body;
  }

  describe('listeners', () => {
    it('serves each environment on its own 127.0.0.1 port', () => {
      const prod = new URL(sb.apiUrl('production'));
      const sand = new URL(sb.apiUrl('sandbox'));
      assert.equal(prod.hostname, '127.0.0.1');
      assert.equal(sand.hostname, '127.0.0.1');
      assert.notEqual(prod.port, sand.port);
      assert.equal(sb.portalUrl('production'), `${sb.apiUrl('production')}/portal`);
    });

    it('listens on the ports it is given', async () => {
      // Find a free port, free it, then ask the sandbox for it.
      const probe = http.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const other = await EqpSandbox.start({ ports: { sandbox: port } });
      try {
        assert.equal(other.apiUrl('sandbox'), `http://127.0.0.1:${port}`);
        assert.notEqual(other.apiUrl('production'), other.apiUrl('sandbox'));
      } finally {
        await other.close();
      }
    });

    it('serves https with the tls option (the loopback certificate), and logs which requests came over TLS', async () => {
      const tls = loopbackTls();
      const secure = await EqpSandbox.start({ tls });
      try {
        assert.match(secure.apiUrl('sandbox'), /^https:\/\/127\.0\.0\.1:\d+$/);
        const key = secure.createKey('sandbox', 'TLS');
        const body = await new Promise<string>((resolve, reject) => {
          const req = https.request(`${secure.apiUrl('sandbox')}${TOKEN_PATH}`, {
            method: 'POST', ca: tls.cert, agent: false,
            headers: { Authorization: basic(key.applicationId, key.applicationSecret), 'Content-Type': 'application/json' },
          }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve(text)).on('error', reject);
          });
          req.on('error', reject);
          req.end(JSON.stringify({ grant_type: 'session' }));
        });
        assert.equal((JSON.parse(body) as { mage_id?: string }).mage_id, secure.account('sandbox').mageId);
        assert.deepEqual(secure.requestLog('sandbox').map((e) => [e.path, e.status, e.tls]), [[TOKEN_PATH, 200, true]]);
        // A client that does not trust the certificate refuses the connection (`npm test` makes this process trust it).
        if (!processTrustsLoopbackCert()) {
          await assert.rejects(fetch(`${secure.apiUrl('sandbox')}${TOKEN_PATH}`, { method: 'POST' }));
        }
      } finally {
        await secure.close();
      }
      await fetch(`${sb.apiUrl('sandbox')}/rest/v1/unknown`);
      assert.equal(sb.requestLog('sandbox').at(-1)?.tls, false, 'a plain http sandbox logs tls: false');
    });

    it('counts TLS handshakes (one per connection), holds answers with answerDelayMs, keeps idle connections keepAliveTimeoutMs', async () => {
      const tls = loopbackTls();
      const secure = await EqpSandbox.start({ tls, answerDelayMs: 40, keepAliveTimeoutMs: 60_000 });
      const agent = new https.Agent({ keepAlive: true, ca: tls.cert });
      try {
        const key = secure.createKey('sandbox', 'TLS');
        const post = (): Promise<number> => new Promise((resolve, reject) => {
          const t0 = Date.now();
          const req = https.request(`${secure.apiUrl('sandbox')}${TOKEN_PATH}`, {
            method: 'POST', agent,
            headers: { Authorization: basic(key.applicationId, key.applicationSecret), 'Content-Type': 'application/json' },
          }, (res) => {
            res.resume().on('end', () => resolve(Date.now() - t0)).on('error', reject);
          });
          req.on('error', reject);
          req.end(JSON.stringify({ grant_type: 'session' }));
        });
        assert.equal(secure.tlsHandshakeCount(), 0);
        assert.ok(await post() >= 39, 'the answer is held 40 ms');
        await post();
        assert.equal(secure.tlsHandshakeCount('sandbox'), 1, 'a kept-alive connection needs no second handshake');
        agent.destroy();
        await post();
        assert.equal(secure.tlsHandshakeCount(), 2, 'a new connection is a new handshake');
        assert.equal(sb.tlsHandshakeCount(), 0, 'a plain http sandbox counts none');
      } finally {
        agent.destroy();
        await secure.close();
      }
    });

    it('refuses to start on a port that is taken', async () => {
      const taken = Number(new URL(sb.apiUrl('sandbox')).port);
      await assert.rejects(EqpSandbox.start({ ports: { sandbox: taken } }), /EADDRINUSE/);
    });

    it('refuses requests whose Host is not 127.0.0.1 or localhost (DNS rebinding)', async () => {
      const port = new URL(sb.apiUrl('production')).port;
      for (const host of ['attacker.example', `attacker.example:${port}`, `127.0.0.1.attacker.example:${port}`, `localhost.attacker.example`, `evil.example:${port}`]) {
        const res = await rawRequest(`${sb.apiUrl('production')}/__sandbox/state`, { headers: { Host: host } });
        assert.equal(res.status, 421, host);
        assert.equal((await rawRequest(sb.portalUrl('production'), { headers: { Host: host } })).status, 421, host);
      }
      const ok = await rawRequest(`${sb.apiUrl('production')}/__sandbox/state`, { headers: { Host: `localhost:${port}` } });
      assert.equal(ok.status, 200);
    });

    it('answers a loopback Host on another port: what a local proxy forwards (code-server /proxy/PORT/)', async () => {
      const key = sb.createKey('production', 'Demo');
      for (const host of ['127.0.0.1:8080', 'localhost:45678', 'LOCALHOST:1', '127.0.0.1']) {
        const res = await rawRequest(sb.portalUrl('production'), { headers: { Host: host } });
        assert.equal(res.status, 200, host);
        assert.ok(res.body.includes(key.applicationId), host);
      }
    });

    it('closes promptly even with a keep-alive connection and a delayed request pending', async () => {
      await fetch(`${sb.apiUrl('production')}/__sandbox/state`); // leaves a pooled keep-alive socket
      sb.injectFault('production', { kind: 'delay', ms: 60_000 });
      const pending = fetch(sb.apiUrl('production') + TOKEN_PATH, { method: 'POST', body: '{}' }).then(() => 'answered', () => 'failed');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await sb.close();
      assert.ok(Date.now() - started < 2000, 'close() waited for the delay');
      await pending;
      await assert.rejects(fetch(`${sb.apiUrl('production')}/__sandbox/state`));
      await sb.close(); // idempotent
    });
  });

  describe('POST /rest/v1/app/session/token', () => {
    it('answers 200 {mage_id, ust, expires_in} with a fresh token each time', async () => {
      const key = sb.createKey('production', 'CI');
      const a = await mint('production', key, 600);
      const b = await mint('production', key, 600);
      assert.deepEqual(Object.keys(a).sort(), ['expires_in', 'mage_id', 'ust']);
      assert.equal(a.mage_id, sb.account('production').mageId);
      assert.equal(a.expires_in, 600);
      assert.equal(typeof a.ust, 'string');
      assert.ok(a.ust.length >= 20);
      assert.notEqual(a.ust, b.ust);
    });

    it('uses the default lifetime (3600) when expires_in is absent', async () => {
      const key = sb.createKey('production', 'CI');
      assert.equal((await mint('production', key)).expires_in, 3600);
    });

    it('clamps expires_in to the maximum (7200 by default)', async () => {
      const key = sb.createKey('production', 'CI');
      assert.equal((await mint('production', key, 99_999)).expires_in, 7200);
      assert.equal((await mint('production', key, 7200)).expires_in, 7200);
      assert.equal((await mint('production', key, 1)).expires_in, 1);
    });

    it('honours lifetimes from the options and from setLimits', async () => {
      const other = await EqpSandbox.start({ maxLifetime: 900, defaultLifetime: 300 });
      try {
        const key = other.createKey('sandbox', 'CI');
        const req = (expiresIn?: number): Promise<Response> => fetch(other.apiUrl('sandbox') + TOKEN_PATH, {
          method: 'POST',
          headers: { Authorization: basic(key.applicationId, key.applicationSecret), 'Content-Type': 'application/json' },
          body: JSON.stringify({ grant_type: 'session', expires_in: expiresIn }),
        });
        assert.equal(((await (await req()).json()) as TokenBody).expires_in, 300);
        assert.equal(((await (await req(5000)).json()) as TokenBody).expires_in, 900);
        other.setLimits({ maxLifetime: 100 });
        // A default above the maximum is clamped too.
        assert.equal(((await (await req()).json()) as TokenBody).expires_in, 100);
        other.setLimits({ defaultLifetime: 50 });
        assert.equal(((await (await req()).json()) as TokenBody).expires_in, 50);
        assert.throws(() => other.setLimits({ maxLifetime: 0 }), RangeError);
      } finally {
        await other.close();
      }
    });

    it('answers 401 without an Authorization header, or with a garbled one', async () => {
      sb.createKey('production', 'CI');
      await expectError(await tokenRequest('production', undefined), 401);
      for (const garbled of ['Basic', 'Basic !!!not-base64!!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Bearer abcdef', 'Digest x=y']) {
        await expectError(await tokenRequest('production', garbled), 401);
      }
    });

    it('answers 401 for an unknown id or a wrong secret', async () => {
      const key = sb.createKey('production', 'CI');
      await expectError(await tokenRequest('production', basic(key.applicationId, 'f'.repeat(40))), 401);
      await expectError(await tokenRequest('production', basic('ZZZZZZZZZZ', key.applicationSecret)), 401);
      await expectError(await tokenRequest('production', basic(key.applicationId, key.applicationSecret.toUpperCase())), 401);
    });

    it('answers 400 for a missing or wrong grant_type', async () => {
      const key = sb.createKey('production', 'CI');
      const auth = basic(key.applicationId, key.applicationSecret);
      await expectError(await tokenRequest('production', auth, {}), 400);
      await expectError(await tokenRequest('production', auth, { expires_in: 60 }), 400);
      await expectError(await tokenRequest('production', auth, { grant_type: 'client_credentials' }), 400);
      await expectError(await tokenRequest('production', auth, { grant_type: 'SESSION' }), 400);
    });

    it('answers 400 when the body is not a JSON object', async () => {
      const key = sb.createKey('production', 'CI');
      const auth = basic(key.applicationId, key.applicationSecret);
      for (const body of ['', 'grant_type=session', '{"grant_type":', '[{"grant_type":"session"}]', 'null', '"session"', '42']) {
        await expectError(await tokenRequest('production', auth, body), 400);
      }
    });

    it('tolerates a wrong content type when the body parses', async () => {
      const key = sb.createKey('production', 'CI');
      const auth = basic(key.applicationId, key.applicationSecret);
      const res = await tokenRequest('production', auth, { grant_type: 'session', expires_in: 60 }, 'text/plain');
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as TokenBody).expires_in, 60);
    });

    it('answers 400 for an invalid expires_in', async () => {
      const key = sb.createKey('production', 'CI');
      const auth = basic(key.applicationId, key.applicationSecret);
      for (const expires_in of ['7200', 0, -5, 1.5, null, true, [60], {}]) {
        await expectError(await tokenRequest('production', auth, { grant_type: 'session', expires_in }), 400);
      }
    });

    it('answers 405 JSON to a wrong method', async () => {
      const res = await fetch(sb.apiUrl('production') + TOKEN_PATH);
      await expectError(res, 405);
      assert.equal(res.headers.get('allow'), 'POST');
    });
  });

  describe('GET /rest/v1/users/:mage_id', () => {
    let key: SandboxKey;
    let mageId: string;
    beforeEach(() => {
      key = sb.createKey('production', 'CI');
      mageId = sb.account('production').mageId;
    });

    it('answers the profile summary with ?style=summary', async () => {
      const { ust } = await mint('production', key);
      const res = await profile('production', ust, mageId);
      assert.equal(res.status, 200);
      const account = sb.account('production');
      assert.deepEqual(await res.json(), {
        mage_id: account.mageId,
        first_name: account.firstName,
        last_name: account.lastName,
        email: account.email,
        screen_name: account.screenName,
      });
    });

    it('answers the summary plus more fields without style', async () => {
      const { ust } = await mint('production', key);
      const summary = await (await profile('production', ust, mageId)).json() as Record<string, unknown>;
      const res = await profile('production', ust, mageId, '');
      assert.equal(res.status, 200);
      const full = await res.json() as Record<string, unknown>;
      for (const [field, value] of Object.entries(summary)) {
        assert.deepEqual(full[field], value, field);
      }
      assert.ok(Object.keys(full).length > Object.keys(summary).length);
    });

    it('answers 401 without a token, with an unknown token, or with Basic credentials', async () => {
      await expectError(await profile('production', undefined, mageId), 401);
      await expectError(await profile('production', 'not-a-real-token', mageId), 401);
      await expectError(await profile('production', undefined, mageId, '?style=summary', basic(key.applicationId, key.applicationSecret)), 401);
    });

    it('answers 401 once the token has expired on the sandbox clock', async () => {
      const { ust, expires_in } = await mint('production', key, 120);
      assert.equal(expires_in, 120);
      sb.clock.advance(119);
      assert.equal((await profile('production', ust, mageId)).status, 200);
      sb.clock.advance(1);
      await expectError(await profile('production', ust, mageId), 401);
    });

    it("answers 403 for another user's mage_id", async () => {
      const { ust } = await mint('production', key);
      await expectError(await profile('production', ust, 'MAG000000001'), 403);
    });

    it('answers 404 JSON to unknown paths and 405 JSON to a wrong method', async () => {
      await expectError(await fetch(`${sb.apiUrl('production')}/rest/v1/nothing/here`), 404);
      await expectError(await fetch(`${sb.apiUrl('production')}/rest/v1/users/${mageId}/reports/sales`), 404);
      await expectError(await fetch(`${sb.apiUrl('production')}/elsewhere`), 404);
      const res = await fetch(`${sb.apiUrl('production')}/rest/v1/users/${mageId}`, { method: 'POST', body: '{}' });
      await expectError(res, 405);
      assert.equal(res.headers.get('allow'), 'GET');
    });
  });

  describe('environments', () => {
    it('refuses a key of one environment on the other', async () => {
      const prod = sb.createKey('production', 'CI');
      const sand = sb.createKey('sandbox', 'CI');
      await expectError(await tokenRequest('sandbox', basic(prod.applicationId, prod.applicationSecret)), 401);
      await expectError(await tokenRequest('production', basic(sand.applicationId, sand.applicationSecret)), 401);
      assert.equal((await mint('production', prod)).mage_id, sb.account('production').mageId);
      assert.equal((await mint('sandbox', sand)).mage_id, sb.account('sandbox').mageId);
    });

    it('refuses a token of one environment on the other', async () => {
      const prod = sb.createKey('production', 'CI');
      const { ust, mage_id } = await mint('production', prod);
      await expectError(await profile('sandbox', ust, mage_id), 401);
      assert.equal((await profile('production', ust, mage_id)).status, 200);
    });
  });

  describe('keys and portal rules', () => {
    it('makes application IDs of 10 uppercase letters/digits and secrets of 40 lowercase hex', () => {
      const keys = [sb.createKey('production', 'a'), sb.createKey('production', 'b'), sb.createKey('sandbox', 'a')];
      for (const key of keys) {
        assert.match(key.applicationId, /^[A-Z0-9]{10}$/);
        assert.match(key.applicationSecret, /^[0-9a-f]{40}$/);
      }
      assert.equal(new Set(keys.map((k) => k.applicationId)).size, 3);
      assert.equal(new Set(keys.map((k) => k.applicationSecret)).size, 3);
    });

    it('lists keys with their name and creation time on the sandbox clock, as copies', () => {
      sb.clock.advance(3600);
      const before = sb.clock.now();
      const key = sb.createKey('production', '  CI  ');
      assert.equal(key.name, 'CI');
      assert.ok(key.createdAt >= before && key.createdAt <= sb.clock.now());
      const listed = sb.keys('production');
      assert.deepEqual(listed, [key]);
      (listed[0] as SandboxKey).applicationSecret = 'changed';
      assert.equal(sb.keys('production')[0]?.applicationSecret, key.applicationSecret);
      assert.deepEqual(sb.keys('sandbox'), []);
    });

    it('allows at most three keys per environment', () => {
      for (const name of ['one', 'two', 'three']) {
        sb.createKey('production', name);
      }
      assert.throws(() => sb.createKey('production', 'four'), (err: unknown) =>
        err instanceof SandboxRuleError && err.status >= 400 && err.status < 500 && /3|three/i.test(err.message));
      assert.equal(sb.keys('production').length, 3);
      // The other environment has its own three.
      sb.createKey('sandbox', 'four');
      // Deleting one makes room again.
      sb.deleteKey('production', (sb.keys('production')[0] as SandboxKey).applicationId);
      sb.createKey('production', 'four');
    });

    it('wants a non-empty name, unique per environment', () => {
      sb.createKey('production', 'CI');
      for (const name of ['', '   ']) {
        assert.throws(() => sb.createKey('production', name), (err: unknown) => err instanceof SandboxRuleError && err.status === 400);
      }
      assert.throws(() => sb.createKey('production', 'CI'), (err: unknown) => err instanceof SandboxRuleError && err.status === 409);
      assert.throws(() => sb.createKey('production', ' CI '), SandboxRuleError);
      sb.createKey('sandbox', 'CI');
      assert.equal(sb.keys('production').length, 1);
    });

    it('refuses to create or regenerate keys when not eligible', () => {
      const existing = sb.createKey('sandbox', 'Before');
      sb.setEligible('sandbox', false);
      assert.throws(() => sb.createKey('sandbox', 'CI'), (err: unknown) =>
        err instanceof SandboxRuleError && err.status === 403 && /not eligible/i.test(err.message));
      assert.throws(() => sb.regenerateKey('sandbox', existing.applicationId), SandboxRuleError);
      assert.deepEqual(sb.keys('sandbox'), [existing]);
      sb.createKey('production', 'CI'); // production is not affected
      sb.setEligible('sandbox', true);
      sb.createKey('sandbox', 'CI');
    });

    it('regenerate: new id and secret under the same name; the old pair is refused, its tokens live until they expire', async () => {
      const old = sb.createKey('production', 'CI');
      const { ust, mage_id } = await mint('production', old, 600);
      const fresh = sb.regenerateKey('production', old.applicationId);
      assert.equal(fresh.name, 'CI');
      assert.notEqual(fresh.applicationId, old.applicationId);
      assert.notEqual(fresh.applicationSecret, old.applicationSecret);
      assert.deepEqual(sb.keys('production'), [fresh]);

      await expectError(await tokenRequest('production', basic(old.applicationId, old.applicationSecret)), 401);
      await expectError(await tokenRequest('production', basic(fresh.applicationId, old.applicationSecret)), 401);
      await mint('production', fresh);

      assert.equal((await profile('production', ust, mage_id)).status, 200);
      sb.clock.advance(601);
      await expectError(await profile('production', ust, mage_id), 401);
    });

    it('delete: the pair is refused, its tokens live until they expire', async () => {
      const key = sb.createKey('sandbox', 'CI');
      const { ust, mage_id } = await mint('sandbox', key, 300);
      sb.deleteKey('sandbox', key.applicationId);
      assert.deepEqual(sb.keys('sandbox'), []);
      await expectError(await tokenRequest('sandbox', basic(key.applicationId, key.applicationSecret)), 401);
      sb.clock.advance(299);
      assert.equal((await profile('sandbox', ust, mage_id)).status, 200);
      sb.clock.advance(1);
      await expectError(await profile('sandbox', ust, mage_id), 401);
    });

    it('throws a 404 rule error for an unknown application ID', () => {
      const key = sb.createKey('production', 'CI');
      for (const act of [() => sb.deleteKey('sandbox', key.applicationId), () => sb.regenerateKey('production', 'NOPE000000')]) {
        assert.throws(act, (err: unknown) => err instanceof SandboxRuleError && err.status === 404);
      }
    });
  });

  describe('clock', () => {
    it('runs with real time plus what advance() added', async () => {
      const t0 = sb.clock.now();
      assert.ok(Math.abs(t0 - Date.now()) < 1000);
      sb.clock.advance(90);
      const t1 = sb.clock.now();
      assert.ok(t1 - t0 >= 90_000 && t1 - t0 < 91_000, String(t1 - t0));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(sb.clock.now() > t1);
      assert.throws(() => sb.clock.advance(-1), RangeError);
    });
  });

  describe('faults', () => {
    let key: SandboxKey;
    let auth: string;
    beforeEach(() => {
      key = sb.createKey('production', 'CI');
      auth = basic(key.applicationId, key.applicationSecret);
    });

    it("'status' answers the status with a default {code, message} body, for the next N requests, then answers normally", async () => {
      sb.injectFault('production', { kind: 'status', status: 500 }, 2);
      await expectError(await tokenRequest('production', auth), 500);
      await expectError(await tokenRequest('production', auth), 500);
      assert.equal((await tokenRequest('production', auth)).status, 200);
      assert.equal(sb.tokenRequestCount('production'), 3);
      // A faulted token request mints nothing.
      assert.deepEqual(sb.requestLog('production').map((e) => [e.status, e.fault]), [[500, 'status'], [500, 'status'], [200, undefined]]);
    });

    it("'status' sends a given body and headers", async () => {
      sb.injectFault('production', { kind: 'status', status: 200, body: { mage_id: 'MAG1' }, headers: { 'X-Test': 'yes' } });
      const res = await tokenRequest('production', auth);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-test'), 'yes');
      assert.deepEqual(await res.json(), { mage_id: 'MAG1' });
    });

    it('applies faults in the order they were injected', async () => {
      sb.injectFault('production', { kind: 'status', status: 500 });
      sb.injectFault('production', { kind: 'status', status: 502 });
      assert.equal((await tokenRequest('production', auth)).status, 500);
      assert.equal((await tokenRequest('production', auth)).status, 502);
      assert.equal((await tokenRequest('production', auth)).status, 200);
    });

    it("'retry-after' answers 429 (or 503) with Retry-After and a JSON error", async () => {
      sb.injectFault('production', { kind: 'retry-after', seconds: 7 });
      sb.injectFault('production', { kind: 'retry-after', seconds: 3, status: 503 });
      let res = await tokenRequest('production', auth);
      assert.equal(res.headers.get('retry-after'), '7');
      await expectError(res, 429);
      res = await tokenRequest('production', auth);
      assert.equal(res.headers.get('retry-after'), '3');
      await expectError(res, 503);
    });

    it("'delay' waits, then answers normally", async () => {
      sb.injectFault('production', { kind: 'delay', ms: 300 });
      const started = Date.now();
      const res = await tokenRequest('production', auth);
      assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as TokenBody).mage_id, sb.account('production').mageId);
      assert.equal(sb.requestLog('production')[0]?.fault, 'delay');
    });

    it("'malformed' sends the raw body as given", async () => {
      sb.injectFault('production', { kind: 'malformed', body: '{"mage_id": "MAG', status: 200 });
      sb.injectFault('production', { kind: 'malformed', body: '<html>gateway</html>', status: 502, contentType: 'text/html' });
      let res = await tokenRequest('production', auth);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '{"mage_id": "MAG');
      res = await tokenRequest('production', auth);
      assert.equal(res.status, 502);
      assert.equal(res.headers.get('content-type'), 'text/html');
      assert.equal(await res.text(), '<html>gateway</html>');
    });

    it("'truncated' promises more bytes than it sends, then closes", async () => {
      sb.injectFault('production', { kind: 'truncated' });
      const raw = await rawRequest(sb.apiUrl('production') + TOKEN_PATH, { method: 'POST', headers: { Authorization: auth }, body: '{"grant_type":"session"}' });
      assert.equal(raw.status, 200);
      assert.ok(Number(raw.headers['content-length']) > Buffer.byteLength(raw.body), `${raw.headers['content-length']} vs ${raw.body.length}`);
      assert.equal(raw.aborted, true);

      sb.injectFault('production', { kind: 'truncated' });
      const res = await tokenRequest('production', auth);
      await assert.rejects(res.text());
    });

    it("'reset' destroys the socket without an answer", async () => {
      sb.injectFault('production', { kind: 'reset' });
      await assert.rejects(tokenRequest('production', auth));
      const entry = sb.requestLog('production')[0];
      assert.equal(entry?.status, 0);
      assert.equal(entry?.fault, 'reset');
      assert.equal((await tokenRequest('production', auth)).status, 200);
    });

    it("'redirect' answers 302 (or the given 3xx) with Location", async () => {
      sb.injectFault('production', { kind: 'redirect', location: 'https://elsewhere.example/token' });
      sb.injectFault('production', { kind: 'redirect', location: '/rest/v1/moved', status: 307 });
      const send = (): Promise<Response> => fetch(sb.apiUrl('production') + TOKEN_PATH, {
        method: 'POST', redirect: 'manual', headers: { Authorization: auth }, body: '{"grant_type":"session"}',
      });
      let res = await send();
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://elsewhere.example/token');
      res = await send();
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), '/rest/v1/moved');
      assert.equal((await send()).status, 200);
      assert.deepEqual(sb.requestLog('production').map((e) => e.fault), ['redirect', 'redirect', undefined]);
    });

    it("applies to one environment, or to the next N of each with 'all'", async () => {
      const sand = sb.createKey('sandbox', 'CI');
      const sandAuth = basic(sand.applicationId, sand.applicationSecret);
      sb.injectFault('sandbox', { kind: 'status', status: 500 });
      assert.equal((await tokenRequest('production', auth)).status, 200);
      assert.equal((await tokenRequest('sandbox', sandAuth)).status, 500);
      sb.injectFault('all', { kind: 'status', status: 418 }, 2);
      for (let i = 0; i < 2; i++) {
        assert.equal((await tokenRequest('production', auth)).status, 418);
        assert.equal((await tokenRequest('sandbox', sandAuth)).status, 418);
      }
      assert.equal((await tokenRequest('production', auth)).status, 200);
      assert.equal((await tokenRequest('sandbox', sandAuth)).status, 200);
    });

    it('applies to every API request (profile too), not to control or portal requests', async () => {
      const { ust, mage_id } = await mint('production', key);
      sb.injectFault('production', { kind: 'status', status: 503 });
      assert.equal((await fetch(`${sb.apiUrl('production')}/__sandbox/state`)).status, 200);
      assert.equal((await fetch(sb.portalUrl('production'))).status, 200);
      await expectError(await profile('production', ust, mage_id), 503);
      assert.equal((await profile('production', ust, mage_id)).status, 200);
    });

    it('clearFaults() drops pending faults', async () => {
      sb.injectFault('all', { kind: 'status', status: 500 }, 5);
      sb.clearFaults();
      assert.equal((await tokenRequest('production', auth)).status, 200);
    });

    it('refuses malformed faults and counts', () => {
      assert.throws(() => sb.injectFault('production', { kind: 'status', status: 500 }, 0), RangeError);
      assert.throws(() => sb.injectFault('production', { kind: 'status', status: 500 }, 1.5), RangeError);
      assert.throws(() => sb.injectFault('production', { kind: 'explode' } as unknown as { kind: 'reset' }), TypeError);
      assert.throws(() => sb.injectFault('production', { kind: 'status', status: 99 }), TypeError);
      assert.throws(() => sb.injectFault('production', { kind: 'redirect', location: 'x', status: 200 }), TypeError);
    });
  });

  describe('request log', () => {
    it('records every API request with method, path, query, headers, body, status and sandbox time', async () => {
      const key = sb.createKey('production', 'CI');
      sb.clock.advance(1000);
      const before = sb.clock.now();
      const { ust, mage_id } = await mint('production', key, 60);
      await profile('production', ust, mage_id);
      await fetch(`${sb.apiUrl('production')}/rest/v1/unknown?x=1`);
      const log = sb.requestLog('production');
      assert.equal(log.length, 3);
      const [tokenEntry, profileEntry, unknownEntry] = log;
      assert.equal(tokenEntry?.env, 'production');
      assert.equal(tokenEntry?.method, 'POST');
      assert.equal(tokenEntry?.path, TOKEN_PATH);
      assert.deepEqual(tokenEntry?.body, { grant_type: 'session', expires_in: 60 });
      assert.equal(tokenEntry?.status, 200);
      assert.equal(tokenEntry?.headers.authorization, `Basic ${REDACTED}`);
      assert.equal(tokenEntry?.headers['content-type'], 'application/json');
      assert.ok((tokenEntry?.at ?? 0) >= before && (tokenEntry?.at ?? 0) <= sb.clock.now());
      assert.equal(tokenEntry?.fault, undefined);
      assert.equal(profileEntry?.path, `/rest/v1/users/${mage_id}`);
      assert.deepEqual(profileEntry?.query, { style: 'summary' });
      assert.equal(profileEntry?.headers.authorization, `Bearer ${REDACTED}`);
      assert.equal(profileEntry?.body, undefined);
      assert.equal(unknownEntry?.status, 404);
      assert.deepEqual(unknownEntry?.query, { x: '1' });
    });

    it('holds no secret and no token anywhere, however a client sends them', async () => {
      const key = sb.createKey('production', 'CI');
      const other = sb.createKey('sandbox', 'CI');
      const wrongSecret = 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0';
      const { ust, mage_id } = await mint('production', key);
      const { ust: ust2 } = await mint('sandbox', other);
      await profile('production', ust, mage_id);
      await profile('production', ust2, mage_id);
      await tokenRequest('production', basic(key.applicationId, wrongSecret));
      // Careless clients: the secret in the body, in the query, in another header.
      await tokenRequest('production', basic(key.applicationId, key.applicationSecret), { grant_type: 'session', application_secret: key.applicationSecret, note: `x${ust}x` });
      await fetch(`${sb.apiUrl('production')}/rest/v1/users/${mage_id}?token=${ust}&s=${key.applicationSecret}`, { headers: { 'X-Api-Key': key.applicationSecret } });
      await tokenRequest('sandbox', basic(other.applicationId, wrongSecret), `{"broken": "${wrongSecret}`);
      // A regenerated key's old secret stays a secret.
      const old = other.applicationSecret;
      sb.regenerateKey('sandbox', other.applicationId);
      await tokenRequest('sandbox', basic(other.applicationId, old), { grant_type: 'session', old });

      const text = JSON.stringify(sb.requestLog());
      assert.equal(sb.requestLog().length, 9);
      for (const secret of [key.applicationSecret, other.applicationSecret, old, wrongSecret, ust, ust2, basic(key.applicationId, key.applicationSecret).slice(6)]) {
        assert.ok(!text.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
      }
      assert.ok(text.includes(REDACTED));
      // Over HTTP too.
      const viaHttp = await (await fetch(`${sb.apiUrl('production')}/__sandbox/log`)).text();
      assert.ok(!viaHttp.includes(key.applicationSecret) && !viaHttp.includes(ust));
    });

    it('redacts short credentials and secret-looking fields the sandbox never issued', async () => {
      const mageId = sb.account('production').mageId;
      await tokenRequest('production', basic('u', 'p'), { grant_type: 'session', application_secret: 'hunter2', password: 'pw1', nested: { api_token: 'tk1' } });
      await profile('production', 'tk', mageId);
      await profile('production', undefined, mageId, '', 'Token zzz');
      const [token, bearer, other] = sb.requestLog('production');
      assert.equal(token?.headers.authorization, `Basic ${REDACTED}`);
      assert.deepEqual(token?.body, { grant_type: 'session', application_secret: REDACTED, password: REDACTED, nested: { api_token: REDACTED } });
      assert.equal(bearer?.headers.authorization, `Bearer ${REDACTED}`);
      assert.equal(other?.headers.authorization, REDACTED);
      const text = JSON.stringify(sb.requestLog());
      for (const secret of ['hunter2', 'pw1', 'tk1', 'zzz', Buffer.from('u:p').toString('base64')]) {
        assert.ok(!text.includes(secret), `log leaks ${secret}`);
      }
    });

    it('does not log control or portal requests', async () => {
      await fetch(`${sb.apiUrl('production')}/__sandbox/state`);
      await fetch(sb.portalUrl('production'));
      await fetch(`${sb.apiUrl('production')}/favicon.ico`);
      assert.deepEqual(sb.requestLog(), []);
    });

    it('counts token requests per environment; clearLog() resets log and counts', async () => {
      const key = sb.createKey('sandbox', 'CI');
      await mint('sandbox', key);
      await tokenRequest('sandbox', undefined);
      await tokenRequest('production', undefined);
      await fetch(sb.apiUrl('production') + TOKEN_PATH); // a GET is not a token request
      assert.equal(sb.tokenRequestCount('sandbox'), 2);
      assert.equal(sb.tokenRequestCount('production'), 1);
      assert.equal(sb.tokenRequestCount(), 3);
      assert.equal(sb.requestLog('sandbox').length, 2);
      assert.equal(sb.requestLog('production').length, 2);
      assert.equal(sb.requestLog().length, 4);
      assert.ok(sb.requestLog('sandbox').every((e) => e.env === 'sandbox'));
      sb.clearLog();
      assert.equal(sb.tokenRequestCount(), 0);
      assert.deepEqual(sb.requestLog(), []);
    });
  });

  describe('control interface (/__sandbox)', () => {
    const control = (env: SandboxEnv, p: string, init?: RequestInit): Promise<Response> => fetch(`${sb.apiUrl(env)}/__sandbox${p}`, init);
    const post = (env: SandboxEnv, p: string, body?: unknown, method = 'POST'): Promise<Response> =>
      control(env, p, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    it('GET /state tells keys (without secrets), eligibility, limits and counts', async () => {
      const key = sb.createKey('sandbox', 'CI');
      await mint('sandbox', key);
      sb.injectFault('sandbox', { kind: 'reset' });
      const res = await control('sandbox', '/state');
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(!text.includes(key.applicationSecret));
      const state = JSON.parse(text) as Record<string, unknown>;
      assert.equal(state.environment, 'sandbox');
      assert.equal(state.eligible, true);
      assert.equal(state.apiUrl, sb.apiUrl('sandbox'));
      assert.deepEqual(state.limits, { maxKeys: 3, maxLifetime: 7200, defaultLifetime: 3600 });
      assert.deepEqual(state.keys, [{ name: 'CI', applicationId: key.applicationId, createdAt: key.createdAt }]);
      assert.deepEqual(state.counts, { keys: 1, tokenRequests: 1, apiRequests: 1, validTokens: 1, pendingFaults: 1 });
    });

    it('POST /keys creates a key and shows its pair once; rule errors are JSON 4xx', async () => {
      const res = await post('production', '/keys', { name: 'From UI test' });
      assert.equal(res.status, 201);
      const key = await res.json() as SandboxKey;
      assert.deepEqual(sb.keys('production'), [key]);
      await mint('production', key);
      await expectError(await post('production', '/keys', { name: 'From UI test' }), 409);
      await expectError(await post('production', '/keys', {}), 400);
      await expectError(await post('production', '/keys'), 400);
      await expectError(await control('production', '/keys', { method: 'POST', body: 'not json' }), 400);
      await post('production', '/keys', { name: 'two' });
      await post('production', '/keys', { name: 'three' });
      await expectError(await post('production', '/keys', { name: 'four' }), 409);
      await post('sandbox', '/eligible', { eligible: false });
      const refused = await expectError(await post('sandbox', '/keys', { name: 'x' }), 403);
      assert.match(refused.message, /not eligible/i);
    });

    it('POST /keys/:id/regenerate and DELETE /keys/:id follow the portal rules', async () => {
      const key = sb.createKey('sandbox', 'CI');
      const res = await post('sandbox', `/keys/${key.applicationId}/regenerate`);
      assert.equal(res.status, 200);
      const fresh = await res.json() as SandboxKey;
      assert.equal(fresh.name, 'CI');
      assert.notEqual(fresh.applicationId, key.applicationId);
      await expectError(await tokenRequest('sandbox', basic(key.applicationId, key.applicationSecret)), 401);
      await mint('sandbox', fresh);
      // The production listener does not know this key.
      await expectError(await post('production', `/keys/${fresh.applicationId}`, undefined, 'DELETE'), 404);
      assert.equal((await post('sandbox', `/keys/${fresh.applicationId}`, undefined, 'DELETE')).status, 204);
      assert.deepEqual(sb.keys('sandbox'), []);
      await expectError(await post('sandbox', `/keys/${fresh.applicationId}/regenerate`), 404);
    });

    it('POST /faults queues faults for that listener; DELETE /faults clears them', async () => {
      const key = sb.createKey('production', 'CI');
      const auth = basic(key.applicationId, key.applicationSecret);
      const res = await post('production', '/faults', { fault: { kind: 'status', status: 500 }, count: 2 });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { pendingFaults: 2 });
      await expectError(await tokenRequest('production', auth), 500);
      assert.equal((await post('production', '/faults', undefined, 'DELETE')).status, 200);
      assert.equal((await tokenRequest('production', auth)).status, 200);
      await expectError(await post('production', '/faults', { fault: { kind: 'nope' } }), 400);
      await expectError(await post('production', '/faults', { fault: { kind: 'delay', ms: 1 }, count: 0 }), 400);
      await expectError(await post('production', '/faults', {}), 400);
    });

    it('POST /clock advances the sandbox clock', async () => {
      const key = sb.createKey('production', 'CI');
      const { ust, mage_id } = await mint('production', key, 60);
      const before = sb.clock.now();
      const res = await post('production', '/clock', { advance: 61 });
      assert.equal(res.status, 200);
      const { now } = await res.json() as { now: number };
      assert.ok(now - before >= 61_000);
      await expectError(await profile('production', ust, mage_id), 401);
      await expectError(await post('production', '/clock', { advance: '61' }), 400);
      await expectError(await post('production', '/clock', { advance: -1 }), 400);
    });

    it("GET /log answers that listener's request log", async () => {
      await tokenRequest('production', undefined);
      await tokenRequest('sandbox', undefined);
      const res = await control('sandbox', '/log');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), sb.requestLog('sandbox'));
      assert.equal(sb.requestLog('sandbox').length, 1);
    });

    it('answers 404 to unknown control paths and 405 to wrong methods', async () => {
      await expectError(await control('production', '/nothing'), 404);
      await expectError(await post('production', '/state', {}), 405);
      await expectError(await control('production', '/keys'), 405);
      await expectError(await control('production', '/log', { method: 'DELETE' }), 405);
      await expectError(await post('production', '/eligible', { eligible: 'no' }), 400);
    });
  });

  describe('portal (/portal)', () => {
    const form = (env: SandboxEnv, p: string, fields: Record<string, string> = {}): Promise<Response> =>
      fetch(`${sb.apiUrl(env)}${p}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

    /** The path every link and form of a page leads to, resolved against `pageUrl` as a browser does. */
    function targets(html: string, pageUrl: string): string[] {
      return [...html.matchAll(/\b(?:href|action)="([^"]*)"/g)].map((m) => new URL((m[1] as string).replace(/&amp;/g, '&'), pageUrl).pathname);
    }

    function newPair(html: string): { id: string; secret: string } {
      const id = /id="new-application-id">([^<]*)</.exec(html)?.[1];
      const secret = /id="new-application-secret">([^<]*)</.exec(html)?.[1];
      assert.ok(id && secret, 'the page shows the new pair');
      return { id, secret };
    }

    it('lists keys with name, application ID and creation time, never the secret', async () => {
      const a = sb.createKey('production', 'Laptop');
      const b = sb.createKey('production', 'CI server');
      const res = await fetch(sb.portalUrl('production'));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const html = await res.text();
      assert.match(html, /<title>Manage API Keys — Production \(EQP sandbox\)<\/title>/);
      assert.ok(html.includes(sb.account('production').email));
      const links = targets(html, sb.portalUrl('production'));
      for (const key of [a, b]) {
        assert.ok(html.includes(key.name));
        assert.ok(html.includes(key.applicationId));
        assert.ok(links.includes(`/portal/keys/${key.applicationId}/regenerate`), links.join(' '));
        assert.ok(links.includes(`/portal/keys/${key.applicationId}/delete`), links.join(' '));
        assert.ok(!html.includes(key.applicationSecret));
      }
      assert.ok(links.includes('/portal/keys'), links.join(' '));
      assert.ok(!/<script|<link|src=/i.test(html), 'no scripts or external assets');
      const sandbox = await (await fetch(sb.portalUrl('sandbox'))).text();
      assert.match(sandbox, /<title>Manage API Keys — Sandbox \(EQP sandbox\)<\/title>/);
      assert.ok(!sandbox.includes(a.applicationId));
    });

    it('create shows the new pair once; the list afterwards does not show the secret', async () => {
      const res = await form('production', '/portal/keys', { name: 'Made in portal' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const { id, secret } = newPair(await res.text());
      const [key] = sb.keys('production');
      assert.equal(key?.name, 'Made in portal');
      assert.equal(key?.applicationId, id);
      assert.equal(key?.applicationSecret, secret);
      await mint('production', key as SandboxKey);
      const list = await (await fetch(sb.portalUrl('production'))).text();
      assert.ok(list.includes(id));
      assert.ok(!list.includes(secret));
    });

    it('regenerate shows the new pair; the old one is gone and refused', async () => {
      const old = sb.createKey('sandbox', 'CI');
      const res = await form('sandbox', `/portal/keys/${old.applicationId}/regenerate`);
      assert.equal(res.status, 200);
      const { id, secret } = newPair(await res.text());
      assert.notEqual(id, old.applicationId);
      assert.deepEqual(sb.keys('sandbox').map((k) => [k.name, k.applicationId, k.applicationSecret]), [['CI', id, secret]]);
      await expectError(await tokenRequest('sandbox', basic(old.applicationId, old.applicationSecret)), 401);
      const list = await (await fetch(sb.portalUrl('sandbox'))).text();
      assert.ok(!list.includes(old.applicationId) && !list.includes(secret));
    });

    it('delete removes the key and goes back to the list', async () => {
      const key = sb.createKey('production', 'CI');
      const res = await form('production', `/portal/keys/${key.applicationId}/delete`);
      assert.equal(res.status, 303);
      assert.equal(new URL(res.headers.get('location') ?? '', res.url).pathname, '/portal');
      assert.deepEqual(sb.keys('production'), []);
      const missing = await form('production', `/portal/keys/${key.applicationId}/delete`);
      assert.equal(missing.status, 404);
    });

    it('keeps every link, form and redirect under a path prefix a proxy adds (code-server /proxy/PORT/)', async () => {
      // code-server opens http://127.0.0.1:SANDBOX_PORT/portal as /proxy/SANDBOX_PORT/portal on its own port and
      // strips the prefix before forwarding; a link to "/portal/..." would leave the prefix and reach code-server.
      const prefix = `/proxy/${new URL(sb.apiUrl('production')).port}`;
      const key = sb.createKey('production', 'CI');
      sb.createKey('production', 'Laptop');
      const pages: Array<[string, Response]> = [
        ['/portal', await fetch(sb.portalUrl('production'))],
        ['/portal/', await fetch(`${sb.portalUrl('production')}/`)],
        ['/portal/keys', await form('production', '/portal/keys', { name: 'Made in portal' })],
        ['/portal/keys', await form('production', '/portal/keys', { name: 'four' })],
        [`/portal/keys/${key.applicationId}/regenerate`, await form('production', `/portal/keys/${key.applicationId}/regenerate`)],
        [`/portal/keys/${key.applicationId}/delete`, await fetch(`${sb.portalUrl('production')}/keys/${key.applicationId}/delete`)],
        ['/portal/no/such/page', await fetch(`${sb.portalUrl('production')}/no/such/page`)],
      ];
      for (const [path, res] of pages) {
        const proxied = `http://127.0.0.1:1${prefix}${path}`;
        const links = targets(await res.text(), proxied);
        assert.ok(links.length > 0, `${path} (${res.status}) has links`);
        for (const link of links) assert.ok(link.startsWith(`${prefix}/portal`), `${path} (${res.status}) links to ${link}`);
      }
      const deleted = await form('production', `/portal/keys/${sb.keys('production')[0]?.applicationId ?? ''}/delete`);
      assert.equal(deleted.status, 303);
      const proxied = `http://127.0.0.1:1${prefix}/portal/keys/x/delete`;
      assert.equal(new URL(deleted.headers.get('location') ?? '', proxied).pathname, `${prefix}/portal`);
    });

    it('shows rule errors with a 4xx status: 4th key, duplicate name, empty name', async () => {
      for (const name of ['one', 'two', 'three']) {
        sb.createKey('production', name);
      }
      let res = await form('production', '/portal/keys', { name: 'four' });
      assert.equal(res.status, 409);
      let html = await res.text();
      assert.match(html, /id="error"[^>]*>[^<]*at most 3/);
      assert.ok(!html.includes('new-application-secret'));
      assert.equal(sb.keys('production').length, 3);

      sb.createKey('sandbox', 'CI');
      res = await form('sandbox', '/portal/keys', { name: 'CI' });
      assert.equal(res.status, 409);
      assert.match(await res.text(), /already exists/);
      res = await form('sandbox', '/portal/keys', { name: '  ' });
      assert.equal(res.status, 400);
      html = await res.text();
      assert.ok(html.includes('id="error"'));
      assert.ok(!html.includes(sb.keys('sandbox')[0]?.applicationSecret ?? 'unreachable'));
    });

    it('shows a "not eligible" page and refuses every action when not eligible', async () => {
      const key = sb.createKey('sandbox', 'CI');
      sb.setEligible('sandbox', false);
      const res = await fetch(sb.portalUrl('sandbox'));
      assert.equal(res.status, 403);
      const html = await res.text();
      assert.match(html, /id="not-eligible"/);
      assert.match(html, /not eligible/i);
      assert.ok(!targets(html, res.url).includes('/portal/keys'));
      assert.equal((await form('sandbox', '/portal/keys', { name: 'x' })).status, 403);
      assert.equal((await form('sandbox', `/portal/keys/${key.applicationId}/regenerate`)).status, 403);
      assert.equal((await form('sandbox', `/portal/keys/${key.applicationId}/delete`)).status, 403);
      assert.deepEqual(sb.keys('sandbox'), [key]);
      assert.equal((await fetch(sb.portalUrl('production'))).status, 200);
    });

    it('escapes HTML in key names', async () => {
      const evil = '<img src=x onerror="alert(1)">&';
      const res = await form('production', '/portal/keys', { name: evil });
      assert.equal(res.status, 201);
      const created = await res.text();
      const list = await (await fetch(sb.portalUrl('production'))).text();
      for (const html of [created, list]) {
        assert.ok(!html.includes(evil));
        assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;'));
      }
    });

    it('answers 404 and 405 pages', async () => {
      assert.equal((await fetch(`${sb.portalUrl('production')}/elsewhere`)).status, 404);
      assert.equal((await fetch(`${sb.portalUrl('production')}/keys`)).status, 405);
      assert.equal((await form('production', '/portal')).status, 405);
    });
  });

  describe('cli (npm run sandbox)', () => {
    it('prints URLs and the demo keys, writes --info-file, and stops cleanly on SIGTERM', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-sandbox-cli-'));
      const infoFile = path.join(dir, 'info.json');
      const child = spawn(process.execPath, [path.join(__dirname, '../sandbox/cli.js'), '--info-file', infoFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        // Wait for the info, printed after the info file is written.
        for (let i = 0; i < 100 && !stdout.includes('Sandbox\n'); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as {
          environments: Record<SandboxEnv, { apiUrl: string; portalUrl: string; demoKey: { name: string; applicationId: string; applicationSecret: string } }>;
        };
        for (const env of ['production', 'sandbox'] as const) {
          const e = info.environments[env];
          assert.equal(e.demoKey.name, 'Demo');
          assert.ok(stdout.includes(e.apiUrl) && stdout.includes(e.portalUrl) && stdout.includes(e.demoKey.applicationSecret));
          const res = await fetch(e.apiUrl + TOKEN_PATH, {
            method: 'POST',
            headers: { Authorization: basic(e.demoKey.applicationId, e.demoKey.applicationSecret) },
            body: '{"grant_type":"session"}',
          });
          assert.equal(res.status, 200);
        }
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
        assert.equal(fs.existsSync(infoFile), false, 'the info file is removed on exit');
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--no-seed starts with no keys', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-sandbox-cli-'));
      const infoFile = path.join(dir, 'info.json');
      const child = spawn(process.execPath, [path.join(__dirname, '../sandbox/cli.js'), '--no-seed', '--info-file', infoFile], { stdio: 'ignore' });
      try {
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        for (let i = 0; i < 100 && !fs.existsSync(infoFile); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { environments: Record<SandboxEnv, { apiUrl: string; demoKey: unknown }> };
        assert.equal(info.environments.production.demoKey, null);
        const state = await (await fetch(`${info.environments.sandbox.apiUrl}/__sandbox/state`)).json() as { keys: unknown[] };
        assert.deepEqual(state.keys, []);
        child.kill('SIGINT');
        assert.equal(await exited, 0);
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
