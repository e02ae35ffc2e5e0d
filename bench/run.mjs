// `npm run bench`: bundle size, activation time in a real VS Code, session-token latency over TLS with a 40 ms round
// trip, connection reuse and request counts, listing 50 Composer keys, the Submissions view (requests and time for the first screen of
// 500 submissions, opening a phpcs report of 10,000 findings, requests in an idle hour), submitting a package (building and
// uploading a 25 MiB package vs one bare streamed upload of the same zip, and memory while uploading), and click on the status
// bar → token in the editor, each printed beside a baseline measured in the same run and, where it has one, checked against its budget (PASS/OVER).
// Writes bench/RESULTS.md (keeping the previous run's figures beside the new ones). Not part of `npm test`.
//
//   node bench/run.mjs [--strict] [--runs=N] [--only=bundle,tokens,composer,submissions,submit,activation,click] [--clicks=N]
//                      [--sub-runs=N] [--submit-rounds=N] [--reuse-gap=S] [--profile]
//
//   --strict   exit 1 when a figure is over budget (default: report it, exit 0)
//   --runs=N   activation runs per extension (default 10)
//   --only=…   measure only these parts; RESULTS.md is then left alone
//   --clicks=N timed clicks per status bar item in the click part (default 20)
//   --sub-runs=N  timed pairs per comparison in the submissions part (default 20)
//   --submit-rounds=N  timed pairs (build + upload, bare upload) in the submit part (default 8)
//   --reuse-gap=S  seconds between the two calls of the connection-reuse check (default 55: within a minute)
//   --profile  one more EQP Keys activation under the V8 profiler: run/bench/activation/ipc/profile-*.cpuprofile
//
// Exit code: 1 if a measurement could not be made, or with --strict when over budget; else 0.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, CS_VERSION, NODE24_VERSION } from '../scripts/lib/vscode-runtime.mjs';
import { CHECK_AFTER_MS, measureActivation, snapshotExtensions } from './activation/runner.mjs';
import { buildProduction, measureBundle } from './bundle.mjs';
import { measureClick } from './click.mjs';
import { readPrevious, row, writeResults } from './lib/results.mjs';
import { fmt, fmtInt, median } from './lib/stats.mjs';
import { measureComposer } from './composer.mjs';
import { measureSubmissions } from './submissions.mjs';
import { measureSubmit } from './submit.mjs';
import { measureTokens } from './tokens.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(ROOT, 'run', 'bench');
const RESULTS = path.join(ROOT, 'bench', 'RESULTS.md');
const argValue = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const strict = process.argv.includes('--strict');
const profile = process.argv.includes('--profile');
const RUNS = Number(argValue('runs') ?? 10);
const ALL_PARTS = ['bundle', 'tokens', 'composer', 'submissions', 'submit', 'activation', 'click'];
const PARTS = argValue('only')?.split(',') ?? ALL_PARTS;
/** Timed clicks per status bar item in the click part. */
const CLICK_RUNS = Number(argValue('clicks') ?? 20);
/** Timed pairs per comparison in the submissions part. */
const SUB_RUNS = Number(argValue('sub-runs') ?? 20);
/** Timed pairs in the submit part (each pair builds and uploads 25 MiB, then uploads it bare: a few seconds). */
const SUBMIT_ROUNDS = Number(argValue('submit-rounds') ?? 8);
const SETTLE_MS = 300;
const CACHED_CALLS = 2000;
const PAIRS = 100;
/** How long the sandbox holds each API answer: a far-away API's round trip. */
const DELAY_MS = 40;
/** Seconds between the two calls of the connection-reuse check ("a second API call within a minute"). */
const REUSE_GAP_S = Number(argValue('reuse-gap') ?? 55);

/** Budgets. KB = KiB = 1,024 bytes (1000-based figures are printed beside). */
const BUDGET = { bundleKiB: 200, cachedMs: 1, freshRatio: 1.05, handshakes: 1, requests: 1, activationRatio: 2, composerListRatio: 1.1, firstScreenListRequests: 1, idleRequests: 0, submitUploadRatio: 1.5, submitMemoryShare: 0.25 };

const log = (msg) => console.log(`[bench] ${msg}`);
const kib = (bytes) => `${fmt(bytes / 1024)} KiB`;
const sizeText = (bytes) => `${fmtInt(bytes)} B = ${kib(bytes)} (${fmt(bytes / 1000)} kB)`;
const ratio = (a, b) => `${fmt(a / b, a / b < 0.1 ? 4 : 2)}×`;
const ms = (v, digits = 2) => `${fmt(v, digits)} ms`;

const figures = [];
const sections = [];
const errors = [];
const commands = ['node node_modules/typescript/bin/tsc -p tsconfig.test.json'];
let browserVersion;

function figure(f) {
  figures.push(f);
  const mark = f.status === 'OVER' ? 'OVER ' : f.status === 'PASS' ? 'PASS ' : 'info ';
  log(`${mark} ${f.label}: ${f.value}${f.baseline ? ` | baseline ${f.baseline}` : ''}${f.ratio ? ` | ratio ${f.ratio}` : ''}${f.budget ? ` | budget ${f.budget}` : ''}`);
}
const status = (ok) => (ok ? 'PASS' : 'OVER');

/** The production bundle of this run, built once (by whichever part needs it first). */
let productionBuild;
function production() {
  productionBuild ??= buildProduction({ root: ROOT, workDir: WORK });
  return productionBuild;
}

function compile() {
  const t = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json'], { cwd: ROOT, encoding: 'utf8' });
  const needed = ['out/src/tokens/tokenService.js', 'out/src/eqp/client.js', 'out/test/sandbox/server.js', 'out/bench/activation/entry.js', 'out/src/submissions/model.js', 'out/src/submit/prepare.js', 'out/src/submit/service.js'];
  const missing = needed.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (r.status !== 0) {
    // Type errors still emit JavaScript; someone's work in progress should not stop the bench, but say so.
    log(`tsc reported errors (JavaScript was still emitted):\n${(r.stdout + r.stderr).trim().split('\n').slice(0, 10).join('\n')}`);
  }
  if (missing.length) throw new Error(`tsc did not produce ${missing.join(', ')}`);
  log(`compiled with tsc in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

async function bundlePart() {
  commands.push('# + in-process esbuild builds: axios alone (`require(\'axios\')`, platform node, cjs, minify) and one build per stub left out');
  const b = await measureBundle({ root: ROOT, build: production() });
  figure({
    id: 'bundle.bytes',
    label: 'Bundle: dist/extension.js, minified',
    value: sizeText(b.bytes),
    baseline: `axios alone ${sizeText(b.axiosAlone.bytes)}`,
    ratio: ratio(b.bytes, b.axiosAlone.bytes),
    budget: `≤ ${BUDGET.bundleKiB} KiB (${fmtInt(BUDGET.bundleKiB * 1024)} B)`,
    status: status(b.bytes <= BUDGET.bundleKiB * 1024),
  });
  figure({
    id: 'bundle.gzip',
    label: 'Bundle: gzip -9',
    value: sizeText(b.gzip),
    baseline: `axios alone ${sizeText(b.axiosAlone.gzip)}`,
    ratio: ratio(b.gzip, b.axiosAlone.gzip),
    status: 'info',
  });
  const total = b.bytes;
  const own = b.packages.filter((p) => p.name.startsWith('src')).reduce((s, p) => s + p.bytes, 0);
  log('top packages by bytes in the bundle:');
  for (const p of b.packages.filter((x) => !x.name.startsWith('src')).slice(0, 8)) log(`  ${p.name.padEnd(20)} ${fmtInt(p.bytes).padStart(8)} B  ${fmt((100 * p.bytes) / total, 1).padStart(5)} %`);
  log(`  ${'(extension source)'.padEnd(20)} ${fmtInt(own).padStart(8)} B  ${fmt((100 * own) / total, 1).padStart(5)} %`);
  log(`stubs in esbuild.js save ${sizeText(b.withoutAnyStub - b.bytes)} together:`);
  for (const s of b.stubs) log(`  ${s.name.padEnd(30)} ${fmtInt(s.saves).padStart(8)} B`);
  sections.push(
    {
      title: 'Bundle: packages by bytes',
      lines: [
        'From the metafile of the production build (bytes each input contributes to the minified output; the rest is esbuild\'s',
        'module wrappers).',
        '',
        row(['Package / source folder', 'Bytes', 'Share']),
        row(['---', '---:', '---:']),
        ...b.packages.map((p) => row([p.name, fmtInt(p.bytes), `${fmt((100 * p.bytes) / total, 1)} %`])),
      ],
    },
    {
      title: 'Bundle: what each stub in esbuild.js saves',
      lines: [
        `Each row: the production build with that one stub left out, minus the real one. All together they save ${sizeText(b.withoutAnyStub - b.bytes)}`,
        `(${sizeText(b.withoutAnyStub)} without any).`,
        '',
        row(['Stub', 'Bytes saved']),
        row(['---', '---:']),
        ...b.stubs.map((s) => row([s.name, fmtInt(s.saves)])),
      ],
    },
  );
}

async function composerPart() {
  commands.push(`# Composer figures: bench/composer.mjs; EqpSandbox on 127.0.0.1 (http), every answer held ${DELAY_MS} ms; out/src/composer/composerService.js over out/src/eqp/client.js`);
  const c = await measureComposer({ root: ROOT, keys: 50, pairs: 30, delayMs: DELAY_MS, log });
  figure({
    id: 'composer.list50',
    label: `Composer keys: list ${c.keys} (${c.delayMs} ms round trip), median of ${c.ours.n}`,
    value: `${ms(c.ours.median, 3)} (p95 ${ms(c.ours.p95, 3)}; median of the paired ratios ${fmt(c.pairRatio, 3)}×)`,
    baseline: `bare node:http GET + JSON.parse ${ms(c.bare.median, 3)} (p95 ${ms(c.bare.p95, 3)}), interleaved`,
    ratio: ratio(c.ours.median, c.bare.median),
    budget: `≤ ${BUDGET.composerListRatio}×`,
    status: status(c.ours.median / c.bare.median <= BUDGET.composerListRatio),
  });
  figure({
    id: 'composer.requests',
    label: 'Composer keys: requests per list (the view\'s first render; a refresh)',
    value: `${c.firstRender} (the list, and the profile once for the organizations' names); ${c.refresh} on a refresh`,
    baseline: '1 (the list alone)',
    status: 'info',
  });
}

async function submissionsPart() {
  commands.push(`# submissions: bench/submissions.mjs; EqpSandbox on 127.0.0.1 (http), every answer held ${DELAY_MS} ms; out/src/submissions/{model,service,pathMapping,diagnosticsPlan,pollSchedule,presentation}.js over out/src/tokens/tokenService.js and out/src/eqp/client.js`);
  const s = await measureSubmissions({ root: ROOT, delayMs: DELAY_MS, runs: SUB_RUNS, log });
  const f = s.firstScreen;
  const firstOk = f.listRequests === BUDGET.firstScreenListRequests && f.other.length === 0 && f.perWarmScreen === BUDGET.firstScreenListRequests;
  figure({
    id: 'submissions.first-screen',
    label: `Submissions: requests for the first screen of ${fmtInt(s.total)} (cold start)`,
    value: `${f.rows} rows (page 1 of ${f.pages}): ${f.listRequests} list request (offset ${f.listQuery?.offset}, limit ${f.listQuery?.limit}) + ${f.tokenMints} token mint${f.other.length ? `; other: ${f.other.join(', ')}` : ', nothing else'}; ${f.perWarmScreen} list request per screen with the token cached`,
    baseline: 'goal: 1 list request (the token mint counted apart)',
    budget: `${BUDGET.firstScreenListRequests} list request, nothing else`,
    status: status(firstOk),
  });
  const r = s.rows;
  figure({
    id: 'submissions.first-rows',
    label: `Submissions: time to first rows, token cached, median of ${r.ours.n}`,
    value: `${ms(r.ours.median, 1)} (${f.rows} of ${fmtInt(s.total)}, ${s.delayMs} ms round trip; p95 ${ms(r.ours.p95, 1)}; median of the paired ratios ${fmt(r.pairRatio, 3)}×)`,
    baseline: `bare node:http GET of the same page with the same token + JSON.parse ${ms(r.bare.median, 1)} (p95 ${ms(r.bare.p95, 1)}), interleaved`,
    ratio: ratio(r.ours.median, r.bare.median),
    budget: 'none (see notes)',
    status: 'info',
  });
  const p = s.report;
  figure({
    id: 'submissions.phpcs-open',
    label: `Submissions: open ${fmtInt(p.findings)} phpcs findings → Problems plan, median of ${p.open.n}`,
    value: `${ms(p.open.median, 1)} to the plan ready; the DiagnosticCollection.set call is NOT in this figure (it runs in the extension host, where PhpcsProblems.show sets every file's findings in one call) (p95 ${ms(p.open.p95, 1)}; GET + client parse ${ms(p.steps.fetch, 1)}, phpcsSummary ${ms(p.steps.summary, 1)}, mapFindings ${ms(p.steps.map, 1)}, planDiagnostics ${ms(p.steps.plan, 1)}; ${fmtInt(p.findings)} findings → ${fmtInt(p.problems)} problems on ${p.files} files, ${p.unmatched} not placed)`,
    baseline: `JSON.parse of the same ${fmtInt(p.bytes)} B body alone ${ms(p.parse.median, 1)}; bare node:http GET + JSON.parse ${ms(p.bare.median, 1)} (p95 ${ms(p.bare.p95, 1)}), interleaved`,
    ratio: `${ratio(p.open.median, p.parse.median)} JSON.parse; ${ratio(p.open.median, p.bare.median)} bare GET`,
    budget: 'none (see notes)',
    status: 'info',
  });
  const { hidden, visibleQuiet, visibleInReview, stepMs } = s.idle;
  figure({
    id: 'submissions.idle',
    label: 'Submissions: requests per idle hour (simulated clock): hidden / none in review',
    value: `${hidden.requests} with the view hidden and notify whenVisible (${hidden.inReview} submissions in review) / ${visibleQuiet.requests} with it visible and none in review (the poll rule stepped over a simulated hour; any poll it decides on is a real GET, counted in the sandbox's request log)`,
    baseline: `polling every minute: 60 an hour per submission in review`,
    budget: `${BUDGET.idleRequests} / ${BUDGET.idleRequests}`,
    status: status(hidden.requests === BUDGET.idleRequests && visibleQuiet.requests === BUDGET.idleRequests),
  });
  figure({
    id: 'submissions.poll-in-review',
    label: `Submissions: requests per hour (simulated clock), ${visibleInReview.inReview} in review, visible`,
    value: `${visibleInReview.requests}, statuses unchanged (contrast; same simulation: ${visibleInReview.polls} polls × ${visibleInReview.inReview} submissions, at ${visibleInReview.pollMinutes.join(', ')} min; 6 polls an hour once the wait is at its 10 min maximum)`,
    baseline: `polling every minute: ${60 * visibleInReview.inReview}`,
    ratio: ratio(visibleInReview.requests, 60 * visibleInReview.inReview),
    status: 'info',
  });
  const list = (v) => v.map((x) => fmt(x, 1)).join(', ');
  sections.push({
    title: 'Submissions view',
    lines: [
      `Plain Node against the EQP sandbox (http on 127.0.0.1, every API answer held ${s.delayMs} ms): ${s.seeded} seeded submissions plus ${fmtInt(s.total - s.seeded)} synthetic ones`,
      '(older, so the seeded ones fill the top of the first page), SubmissionsModel over SubmissionsService over TokenService (in-memory',
      'key source and secret cache) over EqpClient. Timed pairs alternate which goes first, after 3 warm-up pairs.',
      '',
      `- First screen, cold (no token yet): ${f.tokenMints} POST /rest/v1/app/session/token, then ${f.listRequests} GET /rest/v1/products/packages?offset=0&limit=20&sort=-created_at; ${f.rows} rows shown, X-Total-Count ${fmtInt(f.total)}, Load More offered: ${f.hasMore}. It took ${ms(f.coldMs, 0)}, which includes the first request of this Node process (axios and module set-up paid once), so it is not compared with anything.`,
      `- Time to first rows (a new model per run, token cached), ms: ${list([r.ours.min, r.ours.median, r.ours.max])} (min, median, max); bare GET: ${list([r.bare.min, r.bare.median, r.bare.max])}.`,
      `- phpcs report: ${fmtInt(p.findings)} findings on PHP 8.3.8 over the 4 PHP files of test/fixtures/demo-module (copied to a temporary folder; reviewer paths such as /eqp-automation/temp/acme/module-example/acme-module-example-1.0.1/Model/Greeting.php), ${fmtInt(p.bytes)} B of JSON. Open = SubmissionsService.report (cached token; GET, then the client's JSON.parse and parseToolReport) → phpcsSummary → mapFindings (each distinct path once, fs.promises.stat for existence) → planDiagnostics (repeats of one finding merged: ${fmtInt(p.problems)} problems). Medians of the steps, ms: GET + client parse ${fmt(p.steps.fetch, 1)}, phpcsSummary ${fmt(p.steps.summary, 1)}, mapFindings ${fmt(p.steps.map, 1)}, planDiagnostics ${fmt(p.steps.plan, 1)}. JSON.parse alone: min ${fmt(p.parse.min, 1)}, median ${fmt(p.parse.median, 1)}, max ${fmt(p.parse.max, 1)} ms.`,
      '- Not in the open figure: the workspace search for composer.json files naming the package (vscode.workspace.findFiles), building the vscode.Diagnostic objects, and the one DiagnosticCollection.set call; those run in the extension host (PhpcsProblems.show in src/submissions/problems.ts sets every file\'s findings in one call).',
      `- Idle hour: the rule SubmissionsPoller follows, stepped every ${stepMs / 1000} s over 60 simulated minutes with the window focused: shouldPoll (pollSchedule.js) with anyInReview from isInReview (presentation.js) over the rows the model loaded; when it says poll and PollBackoff is due, every submission in review is read again with a real GET to the sandbox (SubmissionsService.get, background) and the backoff told whether a status changed. The sandbox's request log is cleared before each hour and counted after it. SubmissionsPoller itself (its timer and vscode events) is not run in plain Node.`,
      `  - ${hidden.label}: ${hidden.inReview} in review, ${hidden.polls} polls, ${hidden.requests} requests.`,
      `  - ${visibleInReview.label}: ${visibleInReview.inReview} in review, ${visibleInReview.polls} polls at ${visibleInReview.pollMinutes.join(', ')} min, ${visibleInReview.requests} requests.`,
      `  - ${visibleQuiet.label} (the submissions in review set to released in the sandbox and the list read again before the hour): ${visibleQuiet.polls} polls, ${visibleQuiet.requests} requests.`,
    ],
  });
}

async function submitPart() {
  commands.push('# submit: bench/submit.mjs; EqpSandbox on 127.0.0.1 (http, no added delay) in this process, the clients in child Node processes (--expose-gc for the memory runs); out/src/submit/{prepare,service}.js over out/src/tokens/tokenService.js and out/src/eqp/client.js');
  const s = await measureSubmit({ root: ROOT, rounds: SUBMIT_ROUNDS, log });
  const mib = (bytes) => `${fmt(bytes / 1024 ** 2, 1)} MiB`;
  const zipText = `${mib(s.zip.size)} (${fmtInt(s.zip.size)} B)`;
  const o = s.ours;
  const bareText = `bare node:http streamed multipart upload of the same zip ${ms(s.bare.median, 0)} (p95 ${ms(s.bare.p95, 0)}), interleaved`;
  figure({
    id: 'submit.build-upload',
    label: `Submit: pre-flight + zip + upload, ${mib(s.zip.size)} package, median of ${o.total.n}`,
    value: `${ms(o.total.median, 0)} (p95 ${ms(o.total.p95, 0)}; pre-flight ${ms(o.preflight.median, 0)}, zip ${ms(o.zip.median, 0)}, upload ${ms(o.upload.median, 0)}; median of the paired ratios ${fmt(s.pairRatio.total, 2)}×)`,
    baseline: bareText,
    ratio: ratio(o.total.median, s.bare.median),
    budget: 'none (see notes)',
    status: 'info',
  });
  figure({
    id: 'submit.upload',
    label: `Submit: upload step (SubmitService.upload), median of ${o.upload.n}`,
    value: `${ms(o.upload.median, 0)} (p95 ${ms(o.upload.p95, 0)}; median of the paired ratios ${fmt(s.pairRatio.upload, 2)}×)`,
    baseline: bareText,
    ratio: ratio(o.upload.median, s.bare.median),
    budget: `≤ ${BUDGET.submitUploadRatio}×`,
    status: status(o.upload.median / s.bare.median <= BUDGET.submitUploadRatio),
  });
  const m = s.memory;
  const share = (bytes) => `${fmt((100 * bytes) / s.zip.size, 1)} %`;
  const worst = Math.max(m.minorGc.growth.live, m.fullGc.growth.live);
  figure({
    id: 'submit.memory',
    label: 'Submit: peak memory growth while uploading (live, GC forced)',
    value: `${mib(m.minorGc.growth.live)} = ${share(m.minorGc.growth.live)} of the ${zipText} zip (heapUsed + arrayBuffers, minor GC before each ${m.minorGc.everyMs} ms sample; arrayBuffers ${mib(m.minorGc.growth.arrayBuffers)}, rss ${mib(m.minorGc.growth.rss)}; full GC before each sample: ${mib(m.fullGc.growth.live)} = ${share(m.fullGc.growth.live)})`,
    baseline: `buffered upload (fs.readFile, one write), same sampler: ${mib(m.buffered.growth.live)} = ${share(m.buffered.growth.live)}`,
    ratio: ratio(m.minorGc.growth.live, m.buffered.growth.live),
    budget: `≤ ${fmt(100 * BUDGET.submitMemoryShare, 0)} % of the file, with either GC`,
    status: status(worst <= BUDGET.submitMemoryShare * s.zip.size),
  });
  figure({
    id: 'submit.memory-nogc',
    label: 'Submit: memory growth while uploading, no GC forced',
    value: `rss ${mib(m.noGc.growth.rss)} = ${share(m.noGc.growth.rss)}, arrayBuffers ${mib(m.noGc.growth.arrayBuffers)} = ${share(m.noGc.growth.arrayBuffers)} of the file (spent chunks V8 had not collected yet: garbage, see the full-GC figure)`,
    baseline: `buffered upload, rss ${mib(m.buffered.growth.rss)} = ${share(m.buffered.growth.rss)}`,
    ratio: ratio(m.noGc.growth.rss, m.buffered.growth.rss),
    status: 'info',
  });
  const list = (v) => v.map((x) => fmt(x, 0)).join(', ');
  const memLine = (label, r) => `  - ${label}: ${r.samples} samples every ${r.everyMs} ms over ${ms(r.ms, 0)}; peak growth over the level before (${mib(r.base.heapUsed)} heapUsed, ${mib(r.base.arrayBuffers)} arrayBuffers, ${mib(r.base.rss)} rss): heapUsed + arrayBuffers ${mib(r.growth.live)} (${share(r.growth.live)}), heapUsed ${mib(r.growth.heapUsed)}, arrayBuffers ${mib(r.growth.arrayBuffers)}, external ${mib(r.growth.external)}, rss ${mib(r.growth.rss)} (${share(r.growth.rss)}).`;
  sections.push({
    title: 'Package submission',
    lines: [
      `Plain Node (${process.version}) against the EQP sandbox on 127.0.0.1 (http, no added round trip), the sandbox in the bench's process and the`,
      'clients in child processes (bench/submit.mjs). The package: a temporary magento2-module folder (composer.json acme/module-bench 1.0.0,',
      `registration.php, etc/module.xml, eqp-submission.json asking for a draft) with ${s.pkg.textFiles} text files (${fmtInt(s.pkg.textBytes)} B) and ${s.pkg.randomFiles} files of random bytes`,
      `(${fmtInt(s.pkg.randomBytes)} B in all), plus ${s.pkg.leftOut.join(', ')}, which the zip leaves out. Listed: ${s.listed.files} files, ${fmtInt(s.listed.bytes)} B; the zip: ${zipText}.`,
      '',
      `- Ours, each round: preparePackage (needSpec, ${s.secrets} fake known secrets for the scan, \`existing\` undefined: no versions request) → buildPackageZip to a temporary folder → SubmitService.upload (token cached; a progress callback, called ${s.uploadProgressCalls} times per upload). Bare: node:http POST of the zip ours built before the rounds, one part \`file[]\` streamed from fs.createReadStream, Content-Length computed, the same token; the JSON answer parsed. ${s.rounds} rounds after one warm-up round, alternating which goes first; the sandbox saw ${s.uploadsChecked} uploads, each the zip's size and md5.`,
      `- Ours, total, ms: ${list(o.total.all)}`,
      `  - pre-flight: ${list(o.preflight.all)} (median ${fmt(o.preflight.median, 0)})`,
      `  - zip: ${list(o.zip.all)} (median ${fmt(o.zip.median, 0)})`,
      `  - upload: ${list(o.upload.all)} (median ${fmt(o.upload.median, 0)})`,
      `- Bare upload, ms: ${list(s.bare.all)} (median ${fmt(s.bare.median, 0)})`,
      '- Memory: one upload of the zip per child (node --expose-gc), after two warm-up uploads of a small zip and a full GC; process.memoryUsage() sampled on a timer during the upload and once after it.',
      memLine('SubmitService.upload, minor GC (scavenge) before each sample (the figure: the upload runs at about its normal speed; old-generation garbage still counts, so an upper bound of live memory)', m.minorGc),
      memLine('SubmitService.upload, full GC before each sample (live memory; each GC pauses the upload, so it runs slower, but what is in flight is set by buffer sizes and backpressure, not speed)', m.fullGc),
      memLine('SubmitService.upload, no GC forced (garbage included: V8 collects the spent chunks when it sees fit)', m.noGc),
      memLine('buffered upload (fs.readFile, then the body concatenated and written at once; minor GC before each sample): the sampler sees the file held, twice', m.buffered),
    ],
  });
}

async function tokensPart() {
  commands.push(`# token figures: bench/tokens.mjs in a child Node with NODE_EXTRA_CA_CERTS=test/sandbox/tls/loopback.cert.pem; EqpSandbox on 127.0.0.1 over https, every answer held ${DELAY_MS} ms; out/src/tokens/tokenService.js over out/src/eqp/client.js`);
  const t = await measureTokens({ root: ROOT, cachedCalls: CACHED_CALLS, pairs: PAIRS, delayMs: DELAY_MS, reuseGapS: REUSE_GAP_S, log });
  const bareText = `bare node:https POST ${ms(t.bare.median, 3)}`;
  figure({
    id: 'token.cached',
    label: `Token: cached getToken, median of ${fmtInt(t.cached.calls)}`,
    value: `${ms(t.cached.median, 4)} (p95 ${ms(t.cached.p95, 4)}; ${t.cached.requests} requests)`,
    baseline: bareText,
    ratio: ratio(t.cached.median, t.bare.median),
    budget: `≤ ${BUDGET.cachedMs} ms`,
    status: status(t.cached.median <= BUDGET.cachedMs && t.cached.requests === 0),
  });
  figure({
    id: 'token.fresh-tls',
    label: `Token: fresh over TLS + ${t.delayMs} ms round trip, median of ${t.fresh.n}`,
    value: `${ms(t.fresh.median, 3)} (p95 ${ms(t.fresh.p95, 3)}; median of the ${t.fresh.n} paired ratios ${fmt(t.fresh.pairRatio, 3)}×; ${t.pairHandshakes} TLS handshakes for all ${t.fresh.n + t.bare.n + 10} requests)`,
    baseline: `${bareText} (p95 ${ms(t.bare.p95, 3)}), interleaved`,
    ratio: ratio(t.fresh.median, t.bare.median),
    budget: `≤ ${BUDGET.freshRatio}×`,
    status: status(t.fresh.median / t.bare.median <= BUDGET.freshRatio),
  });
  const r = t.reuse;
  figure({
    id: 'token.reuse',
    label: `Token: TLS handshakes for two API calls ${REUSE_GAP_S} s apart (within a minute)`,
    value: `${r.clientLong} (EqpClient, gap ${fmt(r.clientGapS, 1)} s; two calls ${r.shortGapS} s apart: ${r.clientShort})`,
    baseline: `bare node:https, Node's default agent: ${r.bareLong} (${r.shortGapS} s apart: ${r.bareShort})`,
    budget: `≤ ${BUDGET.handshakes}`,
    status: status(r.clientLong <= BUDGET.handshakes),
  });
  figure({
    id: 'token.requests',
    label: 'Token: requests for 100 getToken calls over one token life',
    value: `${t.counts.service}`,
    baseline: `a client minting per call: ${t.counts.naive}`,
    ratio: ratio(t.counts.service, t.counts.naive),
    budget: `≤ ${BUDGET.requests} request`,
    status: status(t.counts.service <= BUDGET.requests),
  });
}

async function activationPart() {
  commands.push(
    `# activation: code-server ${CS_VERSION} (VS Code) on 127.0.0.1, headless Chromium via playwright-core; per run a new browser`,
    `# context + workbench page (= a new extension host) loading one extension in development mode and`,
    `# out/bench/activation/entry.js as extensionTestsPath; ${RUNS} runs each of EQP Keys and bench/fixtures/hello, ABBA order`,
  );
  const require = createRequire(import.meta.url);
  const { EqpSandbox } = require(path.join(ROOT, 'out/test/sandbox/server.js'));
  const sandbox = await EqpSandbox.start();
  try {
    const snapshot = snapshotExtensions(ROOT, path.join(WORK, 'extensions'), production().bundleFile);
    const a = await measureActivation({ root: ROOT, workDir: path.join(WORK, 'activation'), snapshot, sandbox, runs: RUNS, settleMs: SETTLE_MS, log, profile });
    browserVersion = a.browserVersion;
    if (a.profileFile) log(`CPU profile of one EQP Keys activation: ${path.relative(ROOT, a.profileFile)} (open in Chrome DevTools)`);
    const eqp = median(a.times.eqp);
    const hello = median(a.times.hello);
    const range = (v) => `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}`;
    figure({
      id: 'activation.eqp',
      label: `Activation: getExtension(id).activate() of EQP Keys, median of ${a.times.eqp.length}`,
      value: `${ms(eqp)} (range ${range(a.times.eqp)})`,
      baseline: `hello extension ${ms(hello)} (range ${range(a.times.hello)})`,
      ratio: ratio(eqp, hello),
      budget: `≤ ${BUDGET.activationRatio}× hello`,
      status: status(eqp / hello <= BUDGET.activationRatio),
    });
    const split = (which) => `loading the module ${ms(median(a.parts[which].load))}, its activate() ${ms(median(a.parts[which].activate))}`;
    figure({
      id: 'activation.split',
      label: 'Activation: where the time goes (medians)',
      value: `EQP Keys: ${split('eqp')}`,
      baseline: `hello: ${split('hello')}`,
      ratio: `EQP − hello: ${ms(eqp - hello)}`,
      status: 'info',
    });
    const c = a.check;
    const sum = (o) => Object.values(o).reduce((s, v) => s + v, 0);
    const during = sum(c.secretCallsDuringActivate);
    const secretReadsAfter = c.secretCalls.after.filter((x) => x.includes('eqp.secret.')).length;
    const quiet = c.instrumentWorks && !c.wasActive && during === 0 && c.apiRequestsDuringActivate === 0 && c.sandboxLogGrewBy === 0 && secretReadsAfter === 0;
    figure({
      id: 'activation.quiet',
      label: 'Activation: SecretStorage calls / EQP API requests during activate()',
      value: `${during} / ${c.apiRequestsDuringActivate}; in the ${CHECK_AFTER_MS} ms after: ${c.secretCalls.after.join(', ') || 'none'} / ${c.apiRequestsAfterActivate} (with ${c.keysPresent} key stored by the seed run)`,
      baseline: 'hello: none by construction',
      budget: '0 / 0; afterwards no application secret read, no request',
      status: quiet ? 'PASS' : 'OVER',
    });
    sections.push({
      title: 'Activation runs',
      lines: [
        `Milliseconds from \`getExtension(id).activate()\` to its promise resolving, measured inside the extension host once the`,
        `workbench page has rendered and gone idle and the extension host's event loop has been quiet for ${SETTLE_MS} ms (so start-up work`,
        'of the workbench is not counted); one fresh extension host per run.',
        '',
        `- EQP Keys: ${a.times.eqp.map((v) => fmt(v)).join(', ')}`,
        `  - loading dist/extension.js: ${a.parts.eqp.load.map((v) => fmt(v)).join(', ')}`,
        `  - its activate(): ${a.parts.eqp.activate.map((v) => fmt(v)).join(', ')}`,
        `- hello: ${a.times.hello.map((v) => fmt(v)).join(', ')}`,
        `  - loading extension.js: ${a.parts.hello.load.map((v) => fmt(v)).join(', ')}`,
        `  - its activate(): ${a.parts.hello.activate.map((v) => fmt(v)).join(', ')}`,
        '',
        'Loading includes compiling the file and running its top level (for EQP Keys: axios and the services\' modules); the',
        'rest of each figure is the extension host\'s own work (creating the extension\'s `vscode` API object and context,',
        'reading its storage), which the hello fixture pays too.',
        '',
        'Check, in two more page loads of one browser profile: the first stores a key (metadata in globalState; the',
        'application secret in SecretStorage, which code-server keeps only for the page), the second activates EQP Keys',
        'with that key present while the SecretStorage methods of the extension host are counted (through the',
        'bench/fixtures/secrets-probe extension) and the sandbox counts API requests.',
        '',
        `- keys stored by the seed run (the shipped bundle has no hook to count them at activation): ${c.keysPresent}; extension was inactive before: ${!c.wasActive}; counter verified on the probe's SecretStorage (the class EQP Keys' shares): ${c.instrumentWorks}`,
        `- during activate(): ${c.secretCalls.during.join(', ') || 'no SecretStorage call'}; ${c.apiRequestsDuringActivate} API requests`,
        `- in the ${CHECK_AFTER_MS} ms after: ${c.secretCalls.after.join(', ') || 'no SecretStorage call'}; ${c.apiRequestsAfterActivate} API requests; sandbox request log grew by ${c.sandboxLogGrewBy}`,
      ],
    });
  } finally {
    await sandbox.close();
  }
}

async function clickPart() {
  commands.push(
    `# click: code-server ${CS_VERSION} + headless Chromium (bench/click.mjs); one page loading EQP Keys (production bundle) and`,
    `# bench/fixtures/status-insert; a key created with the keyboard against the EQP sandbox; ${CLICK_RUNS} clicks on each item, ABBA order`,
  );
  const dir = path.join(WORK, 'click-extensions');
  snapshotExtensions(ROOT, dir, production().bundleFile);
  fs.rmSync(path.join(dir, 'secrets-probe'), { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'bench', 'fixtures', 'status-insert'), path.join(dir, 'status-insert'), { recursive: true });
  const c = await measureClick({ root: ROOT, workDir: path.join(WORK, 'click'), extensionsDir: dir, runs: CLICK_RUNS, log });
  browserVersion ??= c.browserVersion;
  const eqp = median(c.times.eqp);
  const floor = median(c.times.floor);
  const range = (v) => `${fmt(Math.min(...v), 1)}–${fmt(Math.max(...v), 1)}`;
  figure({
    id: 'click.token',
    label: `Click on the status bar → cached token in the editor, median of ${c.times.eqp.length}`,
    value: `${ms(eqp, 1)} (range ${range(c.times.eqp)}; ${c.requests} token requests for ${c.clicks} clicks)`,
    baseline: `status bar item inserting a constant ${ms(floor, 1)} (range ${range(c.times.floor)})`,
    ratio: ratio(eqp, floor),
    budget: 'none: reported beside its floor',
    status: 'info',
  });
  sections.push({
    title: 'Click → token runs',
    lines: [
      'Milliseconds from the pointer going down on the status bar item to the inserted text being in the editor\'s DOM, timed',
      'inside the workbench page (the paint follows at the next frame, for both alike). One page, README.md open, both items',
      'clicked in turn (ABBA); the EQP token is cached (minted by the key\'s verification when it was added), so no request.',
      '',
      `- EQP Keys (cached token): ${c.times.eqp.map((v) => fmt(v, 1)).join(', ')}`,
      `- floor (bench/fixtures/status-insert, inserts "[floor]"): ${c.times.floor.map((v) => fmt(v, 1)).join(', ')}`,
      `- token requests during the ${c.clicks} EQP clicks: ${c.requests}`,
    ],
  });
}

function machine() {
  const cpus = os.cpus();
  const lines = [
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB memory, ${os.type()} ${os.release()} (${os.arch()})`,
    `Node: ${process.version} (bench, bundle and token figures); ${NODE24_VERSION} in the VS Code extension host`,
  ];
  try {
    const cs = path.join(CACHE, 'cs', 'node_modules', 'code-server');
    const vscodeVersion = JSON.parse(fs.readFileSync(path.join(cs, 'lib', 'vscode', 'package.json'), 'utf8')).version;
    lines.push(`VS Code: ${vscodeVersion} (code-server ${CS_VERSION})${browserVersion ? `, Chromium ${browserVersion} headless` : ''}`);
  } catch {
    lines.push('VS Code: not installed (activation not measured)');
  }
  const esbuildVersion = createRequire(path.join(ROOT, 'package.json'))('esbuild/package.json').version;
  const axiosVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/axios/package.json'), 'utf8')).version;
  lines.push(`esbuild ${esbuildVersion}, axios ${axiosVersion}`);
  return lines;
}

function commit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} (the working tree had uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

const NOTES = [
  `Budgets: bundle ≤ ${BUDGET.bundleKiB} KB with KB = KiB = 1,024 bytes (kB = 1,000 bytes is shown beside); cached token ≤ ${BUDGET.cachedMs} ms; fresh token ≤ ${BUDGET.freshRatio}× a bare node:https request over TLS with a ${DELAY_MS} ms round trip; ≤ ${BUDGET.handshakes} TLS handshake for two API calls within a minute; 1 request per token life; activation ≤ ${BUDGET.activationRatio}× the hello fixture's median in the same run, with no SecretStorage call or network request in activate(). Click → token has no budget: it is reported beside its floor.`,
  'Bundle baseline: `require(\'axios\')` alone, bundled by esbuild for Node (cjs, minified) with nothing left out: axios\'s prebuilt Node build plus form-data (and mime-db), follow-redirects and proxy support. The extension bundles axios\'s ES module source instead, with the stubs listed below.',
  `Token figures run in plain Node (${process.version}), in a child process that trusts the throwaway loopback certificate (NODE_EXTRA_CA_CERTS=test/sandbox/tls/loopback.cert.pem), against the EQP sandbox server on 127.0.0.1 serving https and holding every answer ${DELAY_MS} ms (a far-away API's round trip), using the tsc output of src/ with in-memory stand-ins for the key store and SecretStorage: they are the service's and client's own cost. In VS Code a SecretStorage read is an extra round trip to the workbench (and the OS keychain).`,
  `Fresh vs bare: ${PAIRS} pairs after 5 warm-up pairs, alternating which goes first; both use Node's default https agent (keep-alive), the loopback certificate as CA, the same headers and body, and the bare one parses the JSON too. The sandbox runs in the same process, so CPU time either client spends shows in both figures; on a busy machine axios's fixed per-request work (a fraction of a millisecond when idle) stretches to a few milliseconds.`,
  `Connection reuse: the sandbox keeps idle connections 65 s (a load balancer's usual minute) and counts TLS handshakes ('secureConnection', full or resumed). Two EqpClient calls ${REUSE_GAP_S} s apart (the first on a new connection; \`--reuse-gap=S\` changes the gap) should need 1; two calls 1 s apart are shown beside. EqpClient sends through Node's default agent, which closes idle sockets after 5 s, so calls further apart open a new connection. Giving the client its own keep-alive agent is not a safe fix: in VS Code, @vscode/proxy-agent replaces the agent under the default http.proxySupport "override" (and leaves keepAlive out, microsoft/vscode#228872), and under "on" an agent of our own would bypass the user's proxy.`,
  'Requests per token life: 20 moments spread over the fresh part of a 7,200 s token (0 s to 6,650 s; refresh margin 120 s), 5 concurrent getToken calls at each, on a new service with an empty cache; the baseline calls EqpClient.getSessionToken 100 times.',
  `Activation: each run is a new browser context and workbench page on one code-server, so a new extension host; the extension is the production bundle in development mode (ExtensionMode.Test, since the probe is an extensionTestsPath). Timed: the promise of \`vscode.extensions.getExtension(id).activate()\`, which includes loading (compiling and running) dist/extension.js, the extension host's own bookkeeping, and activate() itself; the hello fixture (one registerCommand) gives the floor every extension pays. The budget is the ratio of the medians: absolute milliseconds swing from run to run on this shared machine.`,
  `Submissions view (issue 12 §5): plain Node against the EQP sandbox over http with a ${DELAY_MS} ms round trip, using the tsc output of src/ (see "Submissions view" below). Budgets: the first screen of 500 submissions takes ${BUDGET.firstScreenListRequests} list request (the token mint of a cold start is counted apart; the Composer keys view's first render fetches the profile too, this one nothing else), and an idle hour takes ${BUDGET.idleRequests} requests with the view hidden (default notify whenVisible) and with it visible but nothing in review. The times have no budget: issue 12 sets none, the first screen's page is a larger answer than the Composer list's (whose ≤ ${BUDGET.composerListRatio}× is the nearest precedent, and the first-rows ratio can be read against it), and opening 10,000 findings does work a bare parse does not (flattening, mapping paths onto the workspace, merging repeats), so its ratio to JSON.parse has no natural bound; it is reported so a change shows from run to run.`,
  `Package submission (issue 13): plain Node against the EQP sandbox over http on loopback with no added round trip (the strictest comparison: on a real uplink a 25 MiB upload takes seconds and any client overhead disappears in it), using the tsc output of src/ (see "Package submission" below). Budgets: the upload step ≤ ${BUDGET.submitUploadRatio}× a bare node:http streamed upload of the same zip; the peak growth of heapUsed + arrayBuffers while uploading ≤ ${fmt(100 * BUDGET.submitMemoryShare, 0)} % of the file's size (the file is streamed, not held: holding it would be 100 % or more), with a minor or a full GC before every sample. Building and uploading has no budget: its zip step deflates 25 MiB, which the bare upload does not do; it is reported with its steps so a change shows from run to run.`,
  `Click → token: one workbench page with EQP Keys and bench/fixtures/status-insert (a status bar item that inserts "[floor]" at the cursor); ${CLICK_RUNS} timed clicks on each after 2 warm-up pairs, ABBA order, timed in the page from pointerdown to the text in the editor's DOM. EQP Keys' click also hands the focus back to the editor group before its edit (so typing goes on in the editor); the floor does only the edit.`,
];

/** The 1-minute load average against the core count: other work on the machine makes every timing noisier. */
function load() {
  const [one] = os.loadavg();
  return { one, busy: one > os.cpus().length * 0.5 };
}

async function main() {
  const t0 = Date.now();
  commands.push('node esbuild.js --production --metafile=run/bench/metafile.json   # then copied to run/bench/extension.production.js');
  const loadBefore = load();
  if (loadBefore.busy) log(`warning: the machine is busy (load average ${fmt(loadBefore.one)} on ${os.cpus().length} cores): timings will be noisier`);
  fs.mkdirSync(WORK, { recursive: true });
  compile();
  const parts = { bundle: bundlePart, tokens: tokensPart, composer: composerPart, submissions: submissionsPart, submit: submitPart, activation: activationPart, click: clickPart };
  for (const name of ALL_PARTS) {
    if (!PARTS.includes(name)) continue;
    const t = Date.now();
    log(`--- ${name}`);
    try {
      await parts[name]();
    } catch (e) {
      errors.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      log(`ERROR in ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    log(`${name} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }

  const over = figures.filter((f) => f.status === 'OVER');
  console.log('');
  console.log('Figure'.padEnd(72) + 'Result');
  for (const f of figures) console.log(`${f.label.padEnd(72)}${f.status === 'info' ? '(info)' : f.status}`);
  console.log('');
  if (ALL_PARTS.every((p) => PARTS.includes(p)) && errors.length === 0) {
    const previous = readPrevious(RESULTS);
    writeResults({
      file: RESULTS,
      run: {
        date: new Date().toISOString(),
        commit: commit(),
        machine: [...machine(), `Load average (1 min) at the start and end: ${fmt(loadBefore.one)} and ${fmt(load().one)} on ${os.cpus().length} cores${loadBefore.busy || load().busy ? ' (busy: other processes shared the CPU, so timings are noisier than usual)' : ''}`],
        commands: ['npm run bench   # = node bench/run.mjs', ...commands],
      },
      figures,
      previous,
      sections,
      notes: NOTES,
    });
    log(`wrote ${path.relative(ROOT, RESULTS)}${previous ? ` (previous run: ${previous.date})` : ''}`);
  } else {
    log('RESULTS.md not written (partial run or errors)');
  }
  for (const e of errors) log(`ERROR ${e}`);
  if (over.length) log(`${over.length} figure(s) OVER budget: ${over.map((f) => f.label).join('; ')}${strict ? '' : ' (exit code stays 0 without --strict)'}`);
  else if (figures.length) log('every figure is within budget');
  log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return errors.length > 0 || (strict && over.length > 0) ? 1 : 0;
}

process.exitCode = await main();
