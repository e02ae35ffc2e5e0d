// Token figures of `npm run bench`, in plain Node against the EQP sandbox server on 127.0.0.1 serving **https**
// (the throwaway loopback certificate of test/sandbox/tls/) and holding every answer `delayMs` (40 ms: a
// far-away API's round trip, so the figures are what a user waits for, not loopback's fraction of a millisecond):
//   - the cached getToken of TokenService (nothing sent);
//   - a fresh token against a bare node:https POST to the same endpoint, with the same CA and body (interleaved,
//     so both see the same machine);
//   - how many requests 100 getToken calls make over one token life;
//   - connection reuse: TLS handshakes the server sees for two API calls of one EqpClient 1 s apart and
//     `reuseGapS` apart (within a minute), with the bare node:https default agent beside it.
// Uses the tsc output in out/ (the same code the extension bundles).
//
// The EQP client has no CA option (it trusts what Node trusts, as in VS Code), so the measurements run in a child
// Node process started with NODE_EXTRA_CA_CERTS naming the loopback certificate, as `npm test` does for its
// unit stage. The child writes its figures to a JSON file; measureTokens() returns them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median, percentile } from './lib/stats.mjs';
import { memoryKeySource, memorySecretCache } from './lib/memory.mjs';

const LIFETIME = 7200;
const MARGIN = 120;
const SELF = fileURLToPath(import.meta.url);

/**
 * What a client without axios or a token service does: one POST over node:https (Node's default agent, which
 * keeps connections alive, like the EQP client's), read the body, parse the JSON.
 */
function barePost(url, ca, applicationId, applicationSecret) {
  const body = JSON.stringify({ grant_type: 'session', expires_in: LIFETIME });
  const basic = Buffer.from(`${applicationId}:${applicationSecret}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'POST',
      ca,
      headers: {
        Authorization: `Basic ${basic}`, 'Content-Type': 'application/json', Accept: 'application/json',
        'User-Agent': 'eqp-keys-bench', 'Content-Length': Buffer.byteLength(body),
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200 || typeof json.ust !== 'string') reject(new Error(`bare POST answered ${res.statusCode}`));
          else resolve(json);
        } catch (e) { reject(e); }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {object} o
 * @param {string} o.root
 * @param {number} o.cachedCalls   cached getToken calls timed
 * @param {number} o.pairs         fresh/bare pairs timed (after 5 warm-up pairs)
 * @param {number} o.delayMs       how long the sandbox holds each answer
 * @param {number} o.reuseGapS     seconds between the two calls of the "within a minute" reuse check
 * @param {(msg: string) => void} o.log
 */
export async function measureTokens({ root, cachedCalls, pairs, delayMs, reuseGapS, log }) {
  const require = createRequire(import.meta.url);
  const { LOOPBACK_CERT_FILE } = require(path.join(root, 'out/test/sandbox/tls.js'));
  const outFile = path.join(root, 'run', 'bench', 'tokens.json');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.rmSync(outFile, { force: true });
  const child = spawn(process.execPath, [SELF, JSON.stringify({ root, cachedCalls, pairs, delayMs, reuseGapS, outFile })], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: LOOPBACK_CERT_FILE },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) log(line);
  });
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)));
  if (buffered) log(buffered);
  if (code !== 0 || !fs.existsSync(outFile)) throw new Error(`the token measurements exited with ${code}`);
  return JSON.parse(fs.readFileSync(outFile, 'utf8'));
}

async function childMain({ root, cachedCalls, pairs, delayMs, reuseGapS, outFile }) {
  const log = (msg) => console.log(msg);
  const require = createRequire(import.meta.url);
  const { EqpSandbox } = require(path.join(root, 'out/test/sandbox/server.js'));
  const { loopbackTls, processTrustsLoopbackCert } = require(path.join(root, 'out/test/sandbox/tls.js'));
  const { EqpClient } = require(path.join(root, 'out/src/eqp/client.js'));
  const { TokenService } = require(path.join(root, 'out/src/tokens/tokenService.js'));
  if (!processTrustsLoopbackCert()) throw new Error('NODE_EXTRA_CA_CERTS does not name the loopback certificate');
  const tls = loopbackTls();
  // Idle connections stay open 65 s on the server (a load balancer's usual minute), so whether the second call of
  // the reuse check opens a new connection is up to the client.
  const sandboxOptions = { tls, maxLifetime: LIFETIME, answerDelayMs: delayMs, keepAliveTimeoutMs: 65_000 };

  // 0. Connection reuse, first calls. Its own sandbox, so its handshake count is its own; the long gap runs while
  //    the timed parts below run on the other sandbox.
  const reuseSandbox = await EqpSandbox.start(sandboxOptions);
  const sandbox = await EqpSandbox.start(sandboxOptions);
  try {
    // Two environments = two ports = separate connections: the long-gap pair on one, the 1 s pair on the other.
    const reuseCalls = (env) => {
      const k = reuseSandbox.createKey(env, 'Reuse');
      const c = new EqpClient(() => reuseSandbox.apiUrl(env));
      const url = `${reuseSandbox.apiUrl(env)}/rest/v1/app/session/token`;
      return {
        api: () => c.getSessionToken(env, k.applicationId, k.applicationSecret, LIFETIME),
        bare: () => barePost(url, tls.cert, k.applicationId, k.applicationSecret),
        handshakes: () => reuseSandbox.tlsHandshakeCount(env),
      };
    };
    const long = reuseCalls('production');
    const short = reuseCalls('sandbox');
    /** Handshakes the server saw for one call. */
    const counted = async (calls, which) => {
      const before = calls.handshakes();
      await calls[which]();
      return calls.handshakes() - before;
    };
    const reuse = { gapS: reuseGapS, shortGapS: 1 };
    // The long gap: first calls now (new connections), second calls after the timed parts, reuseGapS later.
    const clientFirstHandshakes = await counted(long, 'api');
    const clientFirstAt = performance.now();
    const bareFirstHandshakes = await counted(long, 'bare');
    const bareFirstAt = performance.now();
    reuse.clientShort = await counted(short, 'api');
    await sleep(1000);
    reuse.clientShort += await counted(short, 'api');
    reuse.bareShort = await counted(short, 'bare');
    await sleep(1000);
    reuse.bareShort += await counted(short, 'bare');
    log(`  reuse check: second calls in ${reuseGapS} s, meanwhile the timed parts`);

    const created = sandbox.createKey('production', 'Bench');
    const key = { applicationId: created.applicationId, applicationSecret: created.applicationSecret };
    const apiUrl = sandbox.apiUrl('production');
    const tokenUrl = `${apiUrl}/rest/v1/app/session/token`;
    const client = new EqpClient(() => apiUrl);
    const options = { lifetime: () => LIFETIME, refreshMargin: () => MARGIN, onWarning: (w) => log(`  warning: ${w.message}`) };

    // 1. Fresh token (TokenService with forceNew: client, axios, cache store) vs a bare node:https POST, A/B interleaved.
    const service = new TokenService(client, memoryKeySource(key), memorySecretCache(), options);
    const fresh = [];
    const bare = [];
    const WARMUP = 5;
    const run = {
      fresh: () => service.getToken('production', { forceNew: true }),
      bare: () => barePost(tokenUrl, tls.cert, key.applicationId, key.applicationSecret),
    };
    const handshakesBeforePairs = sandbox.tlsHandshakeCount();
    for (let i = 0; i < pairs + WARMUP; i++) {
      for (const which of i % 2 === 0 ? ['fresh', 'bare'] : ['bare', 'fresh']) {
        const ms = await timed(run[which]);
        if (i >= WARMUP) (which === 'fresh' ? fresh : bare).push(ms);
      }
    }
    const pairHandshakes = sandbox.tlsHandshakeCount() - handshakesBeforePairs;

    // 2. Cached getToken: the token minted above is fresh; nothing is sent.
    sandbox.clearLog();
    for (let i = 0; i < 200; i++) await service.getToken('production');
    const cached = [];
    for (let i = 0; i < cachedCalls; i++) cached.push(await timed(() => service.getToken('production')));
    const cachedRequests = sandbox.tokenRequestCount();

    // 3. Requests for 100 getToken calls over one token's life: 20 moments from 0 s to 6,650 s (the token lives
    //    7,200 s and is refreshed in its last 120 s), 5 concurrent calls at each, on a fresh service and cache.
    let offsetMs = 0;
    const start = Date.now();
    const counting = new TokenService(client, memoryKeySource(key), memorySecretCache(), { ...options, clock: { now: () => start + offsetMs, setTimer: (ms, fn) => { const t = setTimeout(fn, ms); return { dispose: () => clearTimeout(t) }; } } });
    sandbox.clearLog();
    for (let moment = 0; moment < 20; moment++) {
      offsetMs = moment * 350_000;
      await Promise.all(Array.from({ length: 5 }, () => counting.getToken('production')));
    }
    const serviceRequests = sandbox.tokenRequestCount();
    // Baseline: a client that mints a token per call.
    sandbox.clearLog();
    for (let i = 0; i < 100; i++) await client.getSessionToken('production', key.applicationId, key.applicationSecret, LIFETIME);
    const naiveRequests = sandbox.tokenRequestCount();

    // 0, continued: the second calls, reuseGapS after each first one.
    const waitClient = clientFirstAt + reuseGapS * 1000 - performance.now();
    if (waitClient < 0) log(`  warning: the timed parts took longer than ${reuseGapS} s; the reuse gap is ${((reuseGapS * 1000 - waitClient) / 1000).toFixed(1)} s`);
    await sleep(Math.max(0, waitClient));
    const clientGapMs = performance.now() - clientFirstAt;
    reuse.clientLong = clientFirstHandshakes + await counted(long, 'api');
    await sleep(Math.max(0, bareFirstAt + reuseGapS * 1000 - performance.now()));
    const bareGapMs = performance.now() - bareFirstAt;
    reuse.bareLong = bareFirstHandshakes + await counted(long, 'bare');
    reuse.clientGapS = clientGapMs / 1000;
    reuse.bareGapS = bareGapMs / 1000;

    const result = {
      delayMs,
      cached: { median: median(cached), p95: percentile(cached, 95), calls: cachedCalls, requests: cachedRequests },
      fresh: { median: median(fresh), p95: percentile(fresh, 95), n: fresh.length, pairRatio: median(fresh.map((f, i) => f / bare[i])) },
      bare: { median: median(bare), p95: percentile(bare, 95), n: bare.length },
      pairHandshakes,
      counts: { calls: 100, service: serviceRequests, naive: naiveRequests },
      reuse,
    };
    fs.writeFileSync(outFile, JSON.stringify(result));
  } finally {
    await sandbox.close();
    await reuseSandbox.close();
  }
}

if (process.argv[1] === SELF) {
  try {
    await childMain(JSON.parse(process.argv[2]));
    // Node's default agent keeps idle sockets to the (closed) sandbox for a few seconds: do not wait for them.
    process.exit(0);
  } catch (e) {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  }
}
