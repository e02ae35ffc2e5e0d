// Composer key figures of `npm run bench`, in plain Node against the EQP sandbox server on 127.0.0.1 holding every
// answer `delayMs` (a far-away API's round trip):
//   - listing 50 Composer keys through ComposerKeyService.list (session token cached, so one GET, the answer
//     parsed and reduced to public records) against a bare node:http GET of the same URL + JSON.parse, interleaved;
//   - requests per list: the first render of the view (the list, plus the profile for the organizations' names
//     once per environment), and a refresh.
// Uses the tsc output in out/ (the same code the extension bundles).
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, percentile } from './lib/stats.mjs';

function bareGet(url, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
  });
}

export async function measureComposer({ root, keys = 50, pairs = 30, delayMs = 40, log = () => {} }) {
  const require = createRequire(import.meta.url);
  const { EqpSandbox } = require(path.join(root, 'out/test/sandbox/server.js'));
  const { EqpClient } = require(path.join(root, 'out/src/eqp/client.js'));
  const { ComposerKeyService } = require(path.join(root, 'out/src/composer/composerService.js'));
  const { ComposerKeysModel } = require(path.join(root, 'out/src/composer/composerModel.js'));
  const sandbox = await EqpSandbox.start({ answerDelayMs: delayMs });
  try {
    const env = 'production';
    const apiKey = sandbox.createKey(env, 'Bench');
    for (let i = 0; i < keys; i++) sandbox.createComposerKey(env, `key-${String(i).padStart(2, '0')}`);
    const client = new EqpClient(() => sandbox.apiUrl(env));
    const minted = await client.getSessionToken(env, apiKey.applicationId, apiKey.applicationSecret, 7200);
    const tokens = { getToken: async () => ({ token: minted.token, mageId: minted.mageId }) };
    const service = new ComposerKeyService(client, tokens);
    const url = `${sandbox.apiUrl(env)}/rest/v1/users/${encodeURIComponent(minted.mageId)}/keys?type=m2`;

    // Requests per list, as the view makes them: its first render, then a refresh.
    const model = new ComposerKeysModel(service);
    sandbox.clearLog();
    await model.ensure(env);
    await new Promise((r) => setTimeout(r, delayMs * 3));
    const firstRender = sandbox.requestLog(env).length;
    sandbox.clearLog();
    await model.reload(env);
    const refresh = sandbox.requestLog(env).length;
    const listed = model.keys(env)?.length ?? 0;
    model.dispose();

    // Warm-up, then interleaved pairs (which goes first alternates).
    for (let i = 0; i < 3; i++) {
      await service.list(env);
      await bareGet(url, minted.token);
    }
    const ours = [];
    const bare = [];
    const pairRatios = [];
    for (let i = 0; i < pairs; i++) {
      const timeOurs = async () => { const t = performance.now(); const r = await service.list(env); const d = performance.now() - t; if (r.keys.length !== keys) throw new Error(`listed ${r.keys.length}`); return d; };
      const timeBare = async () => { const t = performance.now(); const r = await bareGet(url, minted.token); const d = performance.now() - t; if (r.m2.length !== keys) throw new Error(`bare listed ${r.m2.length}`); return d; };
      let a;
      let b;
      if (i % 2 === 0) { a = await timeOurs(); b = await timeBare(); } else { b = await timeBare(); a = await timeOurs(); }
      ours.push(a);
      bare.push(b);
      pairRatios.push(a / b);
    }
    log(`composer: listed ${listed} keys; ${firstRender} requests on the first render, ${refresh} on a refresh`);
    return {
      keys, delayMs, listed, firstRender, refresh,
      ours: { n: ours.length, median: median(ours), p95: percentile(ours, 95) },
      bare: { n: bare.length, median: median(bare), p95: percentile(bare, 95) },
      pairRatio: median(pairRatios),
    };
  } finally {
    await sandbox.close();
  }
}
