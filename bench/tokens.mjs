// Token figures of `npm run bench`, in plain Node against the EQP sandbox server (a real HTTP server on
// 127.0.0.1): the cached getToken of TokenService, a fresh token against a bare node:http POST to the same
// endpoint (interleaved, so both see the same machine), and how many requests 100 getToken calls make.
// Uses the tsc output in out/ (the same code the extension bundles).
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, percentile } from './lib/stats.mjs';

const LIFETIME = 7200;
const MARGIN = 120;

/** In-memory stand-ins for the key store and SecretStorage: the figures are the service's own cost. */
function memoryKeySource(key) {
  return {
    activeKey: async () => ({ keyId: 'bench-key', environment: 'production', name: 'Bench', ...key }),
    markRejected: async () => {},
    markVerified: async () => {},
  };
}
function memorySecretCache() {
  const map = new Map();
  return {
    get: async (k) => map.get(k),
    store: async (k, v) => { map.set(k, v); },
    delete: async (k) => { map.delete(k); },
  };
}

/** What a client without axios or a token service does: one POST, read the body, parse the JSON. */
function barePost(url, applicationId, applicationSecret) {
  const body = JSON.stringify({ grant_type: 'session', expires_in: LIFETIME });
  const basic = Buffer.from(`${applicationId}:${applicationSecret}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
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

/**
 * @param {object} o
 * @param {string} o.root
 * @param {number} o.cachedCalls   cached getToken calls timed
 * @param {number} o.pairs         fresh/bare pairs timed (after 5 warm-up pairs)
 * @param {(msg: string) => void} o.log
 */
export async function measureTokens({ root, cachedCalls, pairs, log }) {
  const require = createRequire(import.meta.url);
  const { EqpSandbox } = require(path.join(root, 'out/test/sandbox/server.js'));
  const { EqpClient } = require(path.join(root, 'out/src/eqp/client.js'));
  const { TokenService } = require(path.join(root, 'out/src/tokens/tokenService.js'));

  const sandbox = await EqpSandbox.start({ maxLifetime: LIFETIME });
  try {
    const created = sandbox.createKey('production', 'Bench');
    const key = { applicationId: created.applicationId, applicationSecret: created.applicationSecret };
    const apiUrl = sandbox.apiUrl('production');
    const tokenUrl = `${apiUrl}/rest/v1/app/session/token`;
    const client = new EqpClient(() => apiUrl);
    const options = { lifetime: () => LIFETIME, refreshMargin: () => MARGIN, onWarning: (w) => log(`  warning: ${w.message}`) };

    // 1. Fresh token (TokenService with forceNew: client, axios, cache store) vs a bare node:http POST, A/B interleaved.
    const service = new TokenService(client, memoryKeySource(key), memorySecretCache(), options);
    const fresh = [];
    const bare = [];
    const WARMUP = 5;
    const run = {
      fresh: () => service.getToken('production', { forceNew: true }),
      bare: () => barePost(tokenUrl, key.applicationId, key.applicationSecret),
    };
    for (let i = 0; i < pairs + WARMUP; i++) {
      for (const which of i % 2 === 0 ? ['fresh', 'bare'] : ['bare', 'fresh']) {
        const ms = await timed(run[which]);
        if (i >= WARMUP) (which === 'fresh' ? fresh : bare).push(ms);
      }
    }

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
    const counting = new TokenService(client, memoryKeySource(key), memorySecretCache(), { ...options, now: () => start + offsetMs });
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

    return {
      cached: { median: median(cached), p95: percentile(cached, 95), calls: cachedCalls, requests: cachedRequests },
      fresh: { median: median(fresh), p95: percentile(fresh, 95), n: fresh.length, pairRatio: median(fresh.map((f, i) => f / bare[i])) },
      bare: { median: median(bare), p95: percentile(bare, 95), n: bare.length },
      counts: { calls: 100, service: serviceRequests, naive: naiveRequests },
    };
  } finally {
    await sandbox.close();
  }
}
