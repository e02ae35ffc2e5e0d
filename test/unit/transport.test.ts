// The EQP client's transport (src/eqp/transport.ts): proxy choice, a real CONNECT proxy on 127.0.0.1, certificate
// checks that an inherited NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch off, and the total deadline per request.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { EqpClient, EqpError, chooseProxy, isLoopbackHostname, noProxyMatches } from '../../src/eqp';
import { requestTransport } from '../../src/eqp/transport';
import { EqpSandbox } from '../sandbox/server';
import { type ThrowawayTls, loopbackTls, processTrustsLoopbackCert, throwawayTls } from '../sandbox/tls';
import { rejectsWith } from './eqpErrors';

const PROXY_VARS = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'] as const;

/** Sets (or, with undefined, deletes) environment variables until the returned function restores them. */
function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(vars)) {
    saved.set(name, process.env[name]);
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

/** No proxy variable from the machine running the tests leaks into a test. */
const noProxyEnv = (): Record<string, undefined> => Object.fromEntries(PROXY_VARS.map((n) => [n, undefined]));

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface SeenRequest {
  method: string;
  url: string;
  /** Every header line as received (name, value, name, value…). */
  rawHeaders: string[];
}

interface TestProxy {
  url: string;
  port: number;
  /** Every request the proxy received: CONNECTs and plain (absolute-URL) requests. */
  seen: SeenRequest[];
  connects(): number;
  /** Everything clients sent through the tunnels, as bytes (TLS records: it must be unreadable). */
  tunnelBytes(): Buffer;
  close(): Promise<void>;
}

/**
 * A real HTTP proxy on 127.0.0.1: CONNECT is piped to the target (any *.test name is 127.0.0.1), a plain
 * absolute-URL request is forwarded; `refuse` answers every CONNECT with that status instead.
 */
async function startTestProxy(refuse?: number): Promise<TestProxy> {
  const seen: SeenRequest[] = [];
  const tunnelled: Buffer[] = [];
  const mapHost = (host: string): string => (host.endsWith('.test') ? '127.0.0.1' : host);
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: [...req.rawHeaders] });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const upstream = http.request(
      { host: mapHost(target.hostname), port: target.port || 80, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: [...req.rawHeaders] });
    if (refuse !== undefined) {
      client.end(`HTTP/1.1 ${refuse} ${http.STATUS_CODES[refuse] ?? 'Refused'}\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), mapHost(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      client.on('data', (chunk: Buffer) => tunnelled.push(Buffer.from(chunk)));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    connects: () => seen.filter((r) => r.method === 'CONNECT').length,
    tunnelBytes: () => Buffer.concat(tunnelled),
    close: () => closeServer(server),
  };
}

const header = (r: SeenRequest, name: string): string | undefined => {
  for (let i = 0; i < r.rawHeaders.length; i += 2) {
    if (r.rawHeaders[i]?.toLowerCase() === name) {
      return r.rawHeaders[i + 1];
    }
  }
  return undefined;
};

describe('EQP transport: which proxy', () => {
  it('never proxies loopback: 127.0.0.0/8, ::1, localhost', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', '[::1]', '::1', 'localhost', 'LOCALHOST', 'api.localhost']) {
      assert.ok(isLoopbackHostname(host), host);
    }
    for (const host of ['128.0.0.1', 'localhost.example.com', 'commercedeveloper-api.adobe.com', '::2']) {
      assert.ok(!isLoopbackHostname(host), host);
    }
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' };
    for (const url of ['https://127.0.0.1:8443', 'https://[::1]:8443', 'https://localhost', 'http://127.0.0.1:1']) {
      assert.equal(chooseProxy(new URL(url), 'http://explicit:1', env), undefined, url);
    }
  });

  it('NO_PROXY: names and the names under them, .suffix, *.suffix, *, host:port, case-insensitive', () => {
    const api = 'commercedeveloper-api.adobe.com';
    assert.ok(noProxyMatches('adobe.com', api, 443));
    assert.ok(noProxyMatches('.adobe.com', api, 443));
    assert.ok(noProxyMatches('*.adobe.com', api, 443));
    assert.ok(noProxyMatches('example.org, ADOBE.COM', api, 443));
    assert.ok(noProxyMatches('example.org commercedeveloper-api.adobe.com', api, 443));
    assert.ok(noProxyMatches('*', api, 443));
    assert.ok(noProxyMatches(`${api}:443`, api, 443));
    assert.ok(!noProxyMatches(`${api}:8443`, api, 443));
    assert.ok(!noProxyMatches('.commercedeveloper-api.adobe.com', api, 443), '.name matches only names under it');
    assert.ok(!noProxyMatches('obe.com', api, 443), 'a suffix matches whole labels only');
    assert.ok(!noProxyMatches('', api, 443));
    assert.ok(!noProxyMatches(undefined, api, 443));
    assert.ok(noProxyMatches('[2001:db8::1]:443', '[2001:db8::1]', 443));

    const target = new URL(`https://${api}`);
    assert.equal(chooseProxy(target, undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.adobe.com' }), undefined);
    assert.equal(chooseProxy(target, 'http://p:1', { no_proxy: 'adobe.com' }), undefined, 'NO_PROXY applies to the option too');
  });

  it('the option wins over the environment; https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY in that order', () => {
    const target = new URL('https://commercedeveloper-api.adobe.com');
    const pick = (explicit: string | undefined, env: NodeJS.ProcessEnv) => {
      const c = chooseProxy(target, explicit, env);
      return c && [c.url.host, c.source];
    };
    const all = { https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', http_proxy: 'http://c:3', HTTP_PROXY: 'http://d:4' };
    assert.deepEqual(pick('http://opt:9', all), ['opt:9', 'option']);
    assert.deepEqual(pick('  ', all), ['a:1', 'https_proxy'], 'an empty option leaves it to the environment');
    assert.deepEqual(pick(undefined, { ...all, https_proxy: '' }), ['b:2', 'HTTPS_PROXY']);
    assert.deepEqual(pick(undefined, { http_proxy: 'http://c:3', HTTP_PROXY: 'http://d:4' }), ['c:3', 'http_proxy']);
    assert.deepEqual(pick(undefined, { HTTP_PROXY: 'proxy.corp:3128' }), ['proxy.corp:3128', 'HTTP_PROXY'], 'no scheme means http');
    assert.equal(pick(undefined, {}), undefined);
  });

  it('an unusable proxy URL is a config error that never quotes its password', () => {
    const target = new URL('https://commercedeveloper-api.adobe.com');
    for (const [raw, problem] of [
      ['socks5://user:hunter2@proxy:1080', /only http:\/\/ proxies/],
      ['https://user:hunter2@proxy:443', /only http:\/\/ proxies/],
      ['http://user:hunter2@[bad', /not a valid URL/],
    ] as const) {
      assert.throws(
        () => chooseProxy(target, undefined, { HTTPS_PROXY: raw }),
        (e: unknown) => e instanceof EqpError && e.kind === 'config' && problem.test(e.message) && /HTTPS_PROXY/.test(e.message) && !`${e.message} ${e.hint}`.includes('hunter2'),
      );
    }
  });
});

describe('EQP transport: through a real proxy on 127.0.0.1', function () {
  this.timeout(30_000);
  let restoreEnv: () => void;
  let proxy: TestProxy | undefined;
  let sandbox: EqpSandbox | undefined;
  let cert: ThrowawayTls | undefined;

  beforeEach(() => {
    restoreEnv = setEnv(noProxyEnv());
  });

  afterEach(async () => {
    restoreEnv();
    await proxy?.close();
    await sandbox?.close();
    cert?.remove();
    proxy = sandbox = cert = undefined;
  });

  it('a loopback API URL never goes through the proxy, even with HTTPS_PROXY, HTTP_PROXY and the option set', async () => {
    proxy = await startTestProxy();
    process.env.HTTPS_PROXY = proxy.url;
    process.env.HTTP_PROXY = proxy.url;
    const plain = await EqpSandbox.start();
    try {
      const p = proxy;
      const clients = [new EqpClient((env) => plain.apiUrl(env)), new EqpClient((env) => plain.apiUrl(env), { proxy: () => p.url })];
      for (const client of clients) {
        const key = plain.createKey('sandbox', `loopback ${clients.indexOf(client)}`);
        const token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
        await client.getProfile('sandbox', token.token, token.mageId);
        const localhost = new EqpClient((env) => plain.apiUrl(env).replace('127.0.0.1', 'localhost'), { proxy: () => p.url });
        await localhost.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
      }
      if (processTrustsLoopbackCert()) {
        sandbox = await EqpSandbox.start({ tls: loopbackTls() });
        const s = sandbox;
        const key = s.createKey('sandbox', 'https loopback');
        await new EqpClient((env) => s.apiUrl(env), { proxy: () => p.url }).getSessionToken('sandbox', key.applicationId, key.applicationSecret);
        assert.equal(s.tlsHandshakeCount('sandbox'), 1);
      }
    } finally {
      await plain.close();
    }
    assert.equal(proxy.seen.length, 0, `the proxy saw: ${JSON.stringify(proxy.seen)}`);
  });

  for (const status of [407, 403, 502]) {
    it(`a proxy that answers CONNECT with ${status}: a network error naming the proxy host (not its credentials), a proxy hint, no auth failure`, async () => {
      proxy = await startTestProxy(status);
      process.env.HTTPS_PROXY = `http://proxyuser:proxy-pw-123@127.0.0.1:${proxy.port}`;
      const client = new EqpClient(() => 'https://eqp-sandbox.test:8443');
      const err = await rejectsWith(client.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc'), 'network', ['app-secret-abc', 'proxy-pw-123', 'proxyuser']);
      assert.match(err.message, new RegExp(`proxy 127\\.0\\.0\\.1:${proxy.port} from the HTTPS_PROXY environment variable refused .*eqp-sandbox\\.test:8443 \\(HTTP ${status}`));
      assert.match(err.hint, /proxy settings.*http\.proxy.*HTTPS_PROXY.*NO_PROXY/);
      assert.equal(err.isAuthFailure, false, 'the key was not refused');
      assert.equal(err.status, undefined);
      assert.equal(proxy.connects(), 1);
      const connect = proxy.seen[0];
      assert.ok(connect);
      assert.equal(connect.url, 'eqp-sandbox.test:8443');
      assert.equal(header(connect, 'proxy-authorization'), `Basic ${Buffer.from('proxyuser:proxy-pw-123').toString('base64')}`);
      assert.equal(header(connect, 'authorization'), undefined, 'the API credentials are not on the CONNECT');
    });
  }

  it('the proxy option wins over HTTPS_PROXY and is named as the proxy setting; an unreachable proxy is named too', async () => {
    proxy = await startTestProxy(407);
    const dead = await closedPort();
    process.env.HTTPS_PROXY = `http://127.0.0.1:${dead}`;
    const p = proxy;
    const viaOption = new EqpClient(() => 'https://eqp-sandbox.test:8443', { proxy: () => p.url });
    const err = await rejectsWith(viaOption.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc'), 'network', ['app-secret-abc']);
    assert.match(err.message, new RegExp(`proxy 127\\.0\\.0\\.1:${proxy.port} from the proxy setting \\(http\\.proxy\\)`));
    assert.equal(proxy.connects(), 1);

    const viaEnv = new EqpClient(() => 'https://eqp-sandbox.test:8443');
    const down = await rejectsWith(viaEnv.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc'), 'network', ['app-secret-abc']);
    assert.match(down.message, new RegExp(`proxy 127\\.0\\.0\\.1:${dead} from the HTTPS_PROXY environment variable could not be used .*connection refused`));
  });

  it('NO_PROXY naming the API host: the proxy sees nothing (the request goes direct)', async () => {
    proxy = await startTestProxy();
    process.env.HTTPS_PROXY = proxy.url;
    process.env.NO_PROXY = 'example.org,.test';
    const client = new EqpClient(() => 'https://eqp-sandbox.test:8443', { timeoutMs: 3000 });
    // eqp-sandbox.test has no address outside the proxy: going direct fails, which is the point.
    const err = await client.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc').then(
      () => assert.fail('a direct request to eqp-sandbox.test cannot succeed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EqpError && (err.kind === 'network' || err.kind === 'timeout'), String(err));
    assert.doesNotMatch(err.message, /proxy/);
    assert.equal(proxy.seen.length, 0);
  });

  /**
   * The client in a child Node process that trusts `cert` (NODE_EXTRA_CA_CERTS is read at start-up, and no `ca`
   * option exists in product code): a token, the profile and a second token from `apiUrl`. Answers what it got.
   */
  async function runChild(apiUrl: string, key: { applicationId: string; applicationSecret: string }, env: NodeJS.ProcessEnv, proxyOption?: string) {
    const eqp = path.join(__dirname, '..', '..', 'src', 'eqp');
    const script = `
      const { EqpClient } = require(${JSON.stringify(eqp)});
      const [apiUrl, id, secret, proxy] = JSON.parse(process.env.EQP_CHILD_ARGS);
      const client = new EqpClient(() => apiUrl, proxy ? { proxy: () => proxy } : {});
      (async () => {
        const first = await client.getSessionToken('sandbox', id, secret);
        const profile = await client.getProfile('sandbox', first.token, first.mageId);
        const second = await client.getSessionToken('sandbox', id, secret);
        process.stdout.write(JSON.stringify({ ok: true, tokens: [first.token, second.token], mageId: profile.mageId }));
      })().catch((e) => process.stdout.write(JSON.stringify({ ok: false, kind: e.kind, message: e.message })));`;
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, EQP_CHILD_ARGS: JSON.stringify([apiUrl, key.applicationId, key.applicationSecret, proxyOption ?? '']) };
    const child = spawn(process.execPath, ['-e', script], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    return JSON.parse(out) as { ok: true; tokens: string[]; mageId: string } | { ok: false; kind: string; message: string };
  }

  for (const via of ['HTTPS_PROXY', 'the proxy option'] as const) {
    it(`https through the proxy (${via}): one CONNECT per connection, TLS to the API host inside it, the proxy never sees Authorization or the secret`, async function () {
      cert = throwawayTls(['eqp-sandbox.test']);
      if (cert === undefined) {
        this.skip(); // no openssl on this machine
      }
      proxy = await startTestProxy();
      sandbox = await EqpSandbox.start({ tls: { cert: cert.cert, key: cert.key }, extraHostNames: ['eqp-sandbox.test'] });
      const key = sandbox.createKey('sandbox', 'through a proxy');
      const apiUrl = `https://eqp-sandbox.test:${new URL(sandbox.apiUrl('sandbox')).port}`;
      const proxyWithCredentials = `http://proxyuser:proxy-pw-123@127.0.0.1:${proxy.port}`;
      const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: cert.certFile, ...noProxyEnv() };
      if (via === 'HTTPS_PROXY') {
        env.HTTPS_PROXY = proxyWithCredentials;
      } else {
        env.HTTPS_PROXY = `http://127.0.0.1:${await closedPort()}`; // the option must win over it
      }
      const result = await runChild(apiUrl, key, env, via === 'HTTPS_PROXY' ? undefined : proxyWithCredentials);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.mageId, 'MAG987654321');

      // Three requests on one kept-alive connection: one CONNECT, one TLS handshake at the API.
      assert.equal(sandbox.requestLog('sandbox').length, 3);
      assert.ok(sandbox.requestLog('sandbox').every((e) => e.tls));
      assert.equal(proxy.connects(), sandbox.tlsHandshakeCount('sandbox'), 'one CONNECT per new connection');
      assert.equal(proxy.connects(), 1);
      assert.equal(proxy.seen.length, 1, 'nothing but the CONNECT reached the proxy in clear');
      const connect = proxy.seen[0];
      assert.ok(connect);
      assert.equal(connect.url, `eqp-sandbox.test:${new URL(apiUrl).port}`);
      assert.equal(header(connect, 'proxy-authorization'), `Basic ${Buffer.from('proxyuser:proxy-pw-123').toString('base64')}`);
      assert.equal(header(connect, 'authorization'), undefined);
      // The proxy credentials stay at the proxy: the API never got them.
      assert.ok(sandbox.requestLog('sandbox').every((e) => !Object.keys(e.headers).some((h) => h.toLowerCase() === 'proxy-authorization')));

      const basic = Buffer.from(`${key.applicationId}:${key.applicationSecret}`).toString('base64');
      const proxyView = Buffer.concat([Buffer.from(JSON.stringify(proxy.seen)), proxy.tunnelBytes()]).toString('latin1');
      assert.ok(proxy.tunnelBytes().length > 0);
      for (const secret of [key.applicationSecret, basic, ...result.tokens, 'grant_type', '/rest/v1/', 'Bearer']) {
        assert.ok(!proxyView.includes(secret), `the proxy saw ${secret}`);
      }
      assert.ok(!proxy.tunnelBytes().toString('latin1').includes('Authorization'), 'no readable header went through the tunnel');
      // The tunnel carried TLS to the API host (SNI), not plain HTTP.
      assert.ok(proxy.tunnelBytes().includes('eqp-sandbox.test'), 'SNI names the API host');
      assert.equal(proxy.tunnelBytes()[0], 0x16, 'the first byte through the tunnel opens a TLS handshake');
    });
  }
});

describe('EQP transport: certificate checks stay on', function () {
  this.timeout(20_000);
  let restoreEnv: () => void;
  let cert: ThrowawayTls | undefined;
  let server: https.Server | undefined;
  let requests = 0;

  beforeEach(() => {
    restoreEnv = setEnv({ ...noProxyEnv(), NODE_TLS_REJECT_UNAUTHORIZED: undefined });
  });

  afterEach(async () => {
    restoreEnv();
    if (server) {
      await closeServer(server);
    }
    cert?.remove();
    server = cert = undefined;
  });

  it('an untrusted certificate is refused even with NODE_TLS_REJECT_UNAUTHORIZED=0 inherited; the trusted loopback one still works', async function () {
    cert = throwawayTls(['127.0.0.1']);
    if (cert === undefined) {
      this.skip(); // no openssl on this machine
    }
    requests = 0;
    server = https.createServer({ cert: cert.cert, key: cert.key }, (_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"mage_id":"MAG0","ust":"stolen","expires_in":60}');
    });
    const port = await listen(server);
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

    // Control: the variable is in effect for a request that does not force the check (so the test below means something).
    const status = await new Promise<number>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port, path: '/', agent: new https.Agent() }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(requests, 1);

    const client = new EqpClient(() => `https://127.0.0.1:${port}`);
    const err = await rejectsWith(client.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc'), 'network', ['app-secret-abc']);
    assert.match(err.message, /secure connection failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
    assert.match(err.hint, /certificate was not accepted/);
    assert.equal(requests, 1, 'nothing was sent to the untrusted server');

    // Even when something swaps our agent for one without the option (VS Code's `override` proxy support does).
    const swapped = await new Promise<string>((resolve) => {
      requestTransport
        .request({ protocol: 'https:', host: '127.0.0.1', port, path: '/', agent: new https.Agent() }, (res) => {
          res.resume();
          resolve(`answered ${res.statusCode}`);
        })
        .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
        .end();
    });
    assert.match(swapped, /SELF_SIGNED|UNABLE_TO_VERIFY/);
    assert.equal(requests, 1);

    if (processTrustsLoopbackCert()) {
      // NODE_EXTRA_CA_CERTS (the sandbox's loopback certificate) is still honoured: no `ca` list replaced the defaults.
      const sandbox = await EqpSandbox.start({ tls: loopbackTls() });
      try {
        const key = sandbox.createKey('sandbox', 'trusted');
        const token = await new EqpClient((env) => sandbox.apiUrl(env)).getSessionToken('sandbox', key.applicationId, key.applicationSecret);
        assert.equal(token.mageId, 'MAG987654321');
      } finally {
        await sandbox.close();
      }
    }
  });
});

describe('EQP transport: one deadline for the whole request', function () {
  this.timeout(20_000);
  let server: http.Server;
  let url: string;
  let open = 0;

  before(async () => {
    // Headers at once, then one byte of body every 200 ms, forever: an idle timer never fires.
    server = http.createServer((_req, res) => {
      open++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{');
      const drip = setInterval(() => res.write(' '), 200);
      res.on('close', () => {
        clearInterval(drip);
        open--;
      });
    });
    url = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => closeServer(server));

  it('a server that drips a byte every 200 ms: the timeout error after ~1 s, the connection closed', async () => {
    const client = new EqpClient(() => url, { timeoutMs: 1000 });
    const started = Date.now();
    const err = await rejectsWith(client.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc'), 'timeout', ['app-secret-abc']);
    const took = Date.now() - started;
    assert.ok(took >= 950 && took < 1500, `took ${took} ms`);
    assert.match(err.message, /^The EQP Sandbox API \(127\.0\.0\.1:\d+\) did not answer within 1 s\.$/);
    for (let i = 0; i < 50 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(open, 0, 'the dripping response was dropped');
  });

  it('a caller who cancels during the drip gets the cancelled error, not a timeout', async () => {
    const client = new EqpClient(() => url, { timeoutMs: 1000 });
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 300);
    const started = Date.now();
    await rejectsWith(client.getSessionToken('sandbox', 'AQ17NZ49WC', 'app-secret-abc', undefined, caller.signal), 'cancelled', ['app-secret-abc']);
    assert.ok(Date.now() - started < 900);
  });
});
