// Submissions view figures of `npm run bench` (issue 12 §5), in plain Node against the EQP sandbox server on
// 127.0.0.1 (http) holding every API answer `delayMs` (a far-away API's round trip), using the tsc output in out/
// (the same code the extension bundles; the parts that import `vscode` are not run, see each step):
//   1. First screen of 500 submissions (25 pages of 20): API requests SubmissionsModel.ensure makes over
//      SubmissionsService, TokenService and the real EqpClient from a cold start (list requests, token mints apart),
//      and the time to the first rows with the token cached against a bare node:http GET of the same page with the
//      same token + JSON.parse, interleaved.
//   2. Opening a phpcs report of 10,000 findings: SubmissionsService.report (GET + the client's parse) →
//      phpcsSummary → mapFindings onto a copy of test/fixtures/demo-module (real fs.stat existence checks) →
//      planDiagnostics, against JSON.parse of the same raw body alone and a bare GET + JSON.parse, interleaved.
//      Not included: the workspace search for composer.json (vscode.workspace.findFiles) and turning the plan into
//      vscode.Diagnostic objects set with one DiagnosticCollection.set call; those run in the extension host.
//   3. Requests in an idle hour: the poll rule of SubmissionsPoller (shouldPoll + PollBackoff of pollSchedule.js,
//      isInReview of presentation.js) stepped over a simulated hour on a fake clock, over the list the model
//      loaded from the sandbox; every poll it decides on is a real GET to the sandbox, and the requests are counted
//      in the sandbox's request log. SubmissionsPoller itself (timers, vscode events) is not run here.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { median, percentile } from './lib/stats.mjs';
import { memoryKeySource, memorySecretCache } from './lib/memory.mjs';

const ENV = 'sandbox';
const PACKAGE = 'acme/module-example';
const LIFETIME = 7200;
const HOUR_MS = 3_600_000;
/** Steps of the simulated hour: the poller's timer has no finer use than a second. */
const STEP_MS = 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A plain node:http GET with a bearer token (Node's default agent, keep-alive like the client's); body bytes and the parsed JSON. */
function bareGet(url, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'User-Agent': 'eqp-keys-bench' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) throw new Error(`bare GET ${url} answered ${res.statusCode}`);
          resolve({ bytes: body.length, json: JSON.parse(body.toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const stats = (values) => ({ n: values.length, median: median(values), p95: percentile(values, 95), min: Math.min(...values), max: Math.max(...values) });

/** Runs `a` and `b` `runs` times after `warmup` pairs, alternating which goes first; returns their times and the paired ratios. */
async function interleaved(runs, warmup, a, b) {
  const ta = [];
  const tb = [];
  for (let i = 0; i < runs + warmup; i++) {
    const order = i % 2 === 0 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]];
    for (const [fn, into] of order) {
      const t0 = performance.now();
      await fn();
      const d = performance.now() - t0;
      if (i >= warmup) into.push(d);
    }
  }
  return { a: ta, b: tb, pairRatio: median(ta.map((v, i) => v / tb[i])) };
}

/**
 * @param {object} o
 * @param {string} o.root
 * @param {number} o.delayMs    how long the sandbox holds each API answer
 * @param {number} o.runs       timed pairs per comparison (after 3 warm-up pairs)
 * @param {number} [o.total]    submissions in the account (7 seeded + the rest synthetic)
 * @param {number} [o.findings] phpcs findings in the big report
 * @param {(msg: string) => void} o.log
 */
export async function measureSubmissions({ root, delayMs, runs, total = 500, findings = 10_000, log }) {
  const require = createRequire(import.meta.url);
  const { EqpSandbox } = require(path.join(root, 'out/test/sandbox/server.js'));
  const { EqpClient } = require(path.join(root, 'out/src/eqp/client.js'));
  const { TokenService } = require(path.join(root, 'out/src/tokens/tokenService.js'));
  const { phpcsSummary } = require(path.join(root, 'out/src/eqp/submissions.js'));
  const { SubmissionsService } = require(path.join(root, 'out/src/submissions/service.js'));
  const { SubmissionsModel, PAGE_SIZE, SORT } = require(path.join(root, 'out/src/submissions/model.js'));
  const { mapFindings } = require(path.join(root, 'out/src/submissions/pathMapping.js'));
  const { planDiagnostics } = require(path.join(root, 'out/src/submissions/diagnosticsPlan.js'));
  const { PollBackoff, shouldPoll } = require(path.join(root, 'out/src/submissions/pollSchedule.js'));
  const { isInReview } = require(path.join(root, 'out/src/submissions/presentation.js'));

  const sandbox = await EqpSandbox.start({ answerDelayMs: delayMs, maxLifetime: LIFETIME });
  const moduleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-bench-module-'));
  try {
    const seeded = sandbox.submissions(ENV).length;
    sandbox.addSubmissions(ENV, total - seeded);
    const count = sandbox.submissions(ENV).length;
    if (count !== total) throw new Error(`the sandbox holds ${count} submissions, not ${total}`);
    const apiUrl = sandbox.apiUrl(ENV);
    const created = sandbox.createKey(ENV, 'Bench');
    const client = new EqpClient(() => apiUrl);
    const tokens = new TokenService(client, memoryKeySource({ applicationId: created.applicationId, applicationSecret: created.applicationSecret }, ENV), memorySecretCache(), {
      lifetime: () => LIFETIME, refreshMargin: () => 120, onWarning: (w) => log(`  warning: ${w.message}`),
    });
    const service = new SubmissionsService(client, tokens);

    // ---- 1. First screen: a cold start (no token yet), as when the view is first shown.
    sandbox.clearLog();
    const cold = new SubmissionsModel(service);
    const coldStart = performance.now();
    await cold.ensure(ENV);
    const coldMs = performance.now() - coldStart;
    await sleep(delayMs * 3); // anything sent late would show in the log
    const coldLog = sandbox.requestLog(ENV);
    const isList = (e) => e.method === 'GET' && e.path === '/rest/v1/products/packages';
    const firstScreen = {
      listRequests: coldLog.filter(isList).length,
      tokenMints: sandbox.tokenRequestCount(ENV),
      other: coldLog.filter((e) => !isList(e) && !(e.method === 'POST' && e.path === '/rest/v1/app/session/token')).map((e) => `${e.method} ${e.path}`),
      listQuery: coldLog.find(isList)?.query,
      coldMs,
    };
    const coldState = cold.state(ENV);
    if (coldState.status !== 'loaded') throw new Error(`the first page did not load: ${String(coldState.error)}`);
    Object.assign(firstScreen, { rows: coldState.items.length, total: coldState.total, hasMore: coldState.hasMore, pages: Math.ceil((coldState.total ?? 0) / PAGE_SIZE) });
    cold.dispose();

    // Time to first rows with the token cached: a new model per run (what the view shows on a new window with the
    // token in SecretStorage, minus that read), against the bare GET of the same page with the same token.
    const { token } = await tokens.getToken(ENV);
    const pageUrl = `${apiUrl}/rest/v1/products/packages?${new URLSearchParams({ offset: '0', limit: String(PAGE_SIZE), sort: SORT })}`;
    sandbox.clearLog();
    let modelRuns = 0;
    const rows = await interleaved(runs, 3, async () => {
      const model = new SubmissionsModel(service);
      await model.ensure(ENV);
      const n = model.state(ENV).items.length;
      model.dispose();
      modelRuns++;
      if (n !== PAGE_SIZE) throw new Error(`first screen showed ${n} rows`);
    }, async () => {
      const r = await bareGet(pageUrl, token);
      if (!Array.isArray(r.json) || r.json.length !== PAGE_SIZE) throw new Error('bare GET: not a page of 20');
    });
    const warmLog = sandbox.requestLog(ENV);
    // The bare GETs say who they are; the rest are the model's.
    const perWarmScreen = warmLog.filter((e) => isList(e) && e.headers['user-agent'] !== 'eqp-keys-bench').length / modelRuns;
    log(`submissions: ${count} submissions (${seeded} seeded); first screen ${firstScreen.rows} rows of ${firstScreen.total}, ${firstScreen.listRequests} list request + ${firstScreen.tokenMints} token mint cold; ${perWarmScreen} list request per screen with the token cached`);

    // ---- 2. A phpcs report with `findings` findings on one PHP version, mapped onto a copy of the demo module.
    const submissionId = sandbox.submissionId(ENV, PACKAGE, '1.0.1');
    const runId = sandbox.setPhpcsFindings(ENV, submissionId, findings, ['8.3.8']);
    fs.cpSync(path.join(root, 'test', 'fixtures', 'demo-module'), moduleDir, { recursive: true });
    const composer = JSON.parse(fs.readFileSync(path.join(moduleDir, 'composer.json'), 'utf8'));
    const roots = [{ root: moduleDir, version: composer.version }];
    const exists = async (file) => {
      try {
        return (await fs.promises.stat(file)).isFile();
      } catch {
        return false;
      }
    };
    const steps = { fetch: [], summary: [], map: [], plan: [] };
    let last;
    const open = async () => {
      const t0 = performance.now();
      const answer = await service.report(ENV, submissionId, 'phpcs', runId);
      const t1 = performance.now();
      const summary = phpcsSummary(answer.report);
      const t2 = performance.now();
      const mapped = await mapFindings(summary.findings, { packageName: composer.name, roots, exists });
      const t3 = performance.now();
      const plan = planDiagnostics(mapped.mapped);
      const t4 = performance.now();
      steps.fetch.push(t1 - t0);
      steps.summary.push(t2 - t1);
      steps.map.push(t3 - t2);
      steps.plan.push(t4 - t3);
      last = { raw: answer.raw, findings: summary.findings.length, mapped: mapped.mapped.length, unmatched: mapped.unmatched.length, problems: plan.total, files: plan.byFile.size };
      if (plan.findings !== findings) throw new Error(`planned ${plan.findings} findings, not ${findings}`);
    };
    const reportUrl = `${apiUrl}/rest/v1/products/packages/${encodeURIComponent(submissionId)}/status/phpcs/${encodeURIComponent(runId)}`;
    let bareBytes = 0;
    const report = await interleaved(runs, 3, open, async () => {
      bareBytes = (await bareGet(reportUrl, token)).bytes;
    });
    for (const k of Object.keys(steps)) steps[k] = steps[k].slice(3); // drop the warm-up runs, as `interleaved` does
    // JSON.parse alone, of the same raw body, as many times (after a few unmeasured ones).
    const parse = [];
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      JSON.parse(last.raw);
      if (i >= 3) parse.push(performance.now() - t0);
    }
    log(`submissions: phpcs report ${bareBytes.toLocaleString('en-US')} B, ${last.findings} findings → ${last.problems} problems on ${last.files} files (${last.unmatched} not placed)`);

    // ---- 3. An idle hour, three ways. The model holds the first page as the view would.
    const model = new SubmissionsModel(service);
    await model.ensure(ENV);
    const hour = async (label, conditions) => {
      let now = 0;
      const clock = { now: () => now };
      const backoff = new PollBackoff(clock);
      const at = [];
      sandbox.clearLog();
      let inReviewAtStart;
      for (now = 0; now <= HOUR_MS; now += STEP_MS) {
        const inReview = model.items(ENV).filter((s) => isInReview(s));
        inReviewAtStart ??= inReview.length;
        // As SubmissionsPoller.update: not wanted → no timer, and the next start is a minute after, as if new.
        if (!shouldPoll({ ...conditions, windowFocused: true, anyInReview: inReview.length > 0 })) {
          backoff.reset();
          continue;
        }
        if (!backoff.isDue()) continue;
        // As SubmissionsPoller.poll: each submission in review read again (background), its row replaced.
        let changed = false;
        for (const s of inReview) {
          const got = await service.get(ENV, s.submissionId, undefined, true);
          if (JSON.stringify(got.status) !== JSON.stringify(s.status)) changed = true;
          model.put(ENV, got);
        }
        at.push(now / 60_000);
        backoff.polled(changed);
      }
      await sleep(delayMs * 3);
      const requests = sandbox.requestLog(ENV).length;
      return { label, inReview: inReviewAtStart, polls: at.length, pollMinutes: at, requests };
    };
    const hidden = await hour('view hidden, notify whenVisible', { notify: 'whenVisible', viewVisible: false });
    const visibleInReview = await hour('view visible, in review', { notify: 'whenVisible', viewVisible: true });
    // Everything in review reaches a final status in the sandbox; the view's list is read again (a refresh), then idle.
    for (const s of model.items(ENV).filter((x) => isInReview(x))) {
      sandbox.advanceSubmission(ENV, s.submissionId, { overall: 'released_to_store', technical: 'approved', marketing: 'approved' });
    }
    await model.reload(ENV);
    const visibleQuiet = await hour('view visible, nothing in review', { notify: 'whenVisible', viewVisible: true });
    model.dispose();
    log(`submissions: idle hour: hidden ${hidden.requests} requests (${hidden.inReview} in review), visible + nothing in review ${visibleQuiet.requests}, visible + ${visibleInReview.inReview} in review ${visibleInReview.requests} (polls at ${visibleInReview.pollMinutes.join(', ')} min)`);

    return {
      delayMs, total: count, seeded, runs,
      firstScreen: { ...firstScreen, perWarmScreen },
      rows: { ours: stats(rows.a), bare: stats(rows.b), pairRatio: rows.pairRatio },
      report: {
        findings, bytes: bareBytes, ...last, raw: undefined,
        open: stats(report.a), bare: stats(report.b), pairRatio: report.pairRatio, parse: stats(parse),
        steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)])),
      },
      idle: { hidden, visibleQuiet, visibleInReview, stepMs: STEP_MS },
    };
  } finally {
    fs.rmSync(moduleDir, { recursive: true, force: true });
    await sandbox.close();
  }
}
