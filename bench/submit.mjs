// Package submission figures of `npm run bench` (issue 13): a 25 MiB package built and uploaded to the EQP sandbox
// against one bare streamed upload of the same zip, and memory while uploading. Plain Node, using the tsc output in
// out/ (the same code the extension bundles; nothing here imports `vscode`).
//
// The parent (measureSubmit) writes a temporary magento2-module folder (composer.json acme/module-bench 1.0.0,
// registration.php, etc/module.xml, eqp-submission.json asking for a draft, a few dozen small PHP files and a few
// hundred files of random bytes, so the zip is ~25 MiB and does not shrink), runs the EQP sandbox server (http on
// 127.0.0.1, no added round trip: loopback is the strictest comparison, the client's own cost is all that differs)
// and runs the clients in child processes, so the sandbox's work (it parses the multipart body, keeps the zip's
// bytes to hash them and reads its entries with yauzl) is neither on the clients' event loop nor in their memory
// figures. The sandbox checks that every upload arrived whole (size and md5 of the zip).
//   1. time: interleaved rounds (after one warm-up pair, alternating which goes first) of
//        ours = preparePackage (pre-flight: eqp-submission.json, composer.json, module files, the file listing, the
//               secret scan with a handful of fake known secrets; `existing` undefined, so no versions request) →
//               buildPackageZip (yazl, deflate, to a temporary folder) → SubmitService.upload (TokenService with an
//               in-memory key source and secret cache, token cached; the real EqpClient: Node's FormData over
//               fs.openAsBlob through axios, with a progress callback as the extension passes one);
//        bare = one node:http POST of the zip ours built first, a hand-built multipart body (one part `file[]`)
//               streamed from fs.createReadStream with its Content-Length computed, same endpoint, same token,
//               JSON answer parsed.
//   2. memory: a fresh child per case (node --expose-gc) samples process.memoryUsage() every SAMPLE_MS during one
//      upload of that zip, after a warm-up upload of a small zip and a full GC for the level before:
//        - SubmitService.upload with a minor GC (scavenge) before every sample: the chunks already sent are young
//          garbage and go, the upload runs at about its normal speed; what stays is an upper bound of live memory;
//        - the same with a full GC before every sample (every FULL_GC_SAMPLE_MS): live memory exactly, but each GC
//          stops the upload for tens of milliseconds, so it runs slower (the amount in flight is set by the streams' buffer sizes
//          and backpressure, not by speed);
//        - the same with no GC forced: what the process holds, garbage included (V8 collects the spent chunks when
//          it sees fit, so this grows with the file and says nothing about streaming);
//        - the contrast that shows the sampler sees a file held in memory: a buffered upload (fs.readFile, one
//          write), minor GC before each sample.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setInterval, clearInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { median, percentile } from './lib/stats.mjs';
import { memoryKeySource, memorySecretCache } from './lib/memory.mjs';

const SELF = fileURLToPath(import.meta.url);
const ENV = 'sandbox';
const LIFETIME = 7200;
const MiB = 1024 * 1024;
/** Random (incompressible) bytes in the package, spread over RANDOM_FILES files of varying size. */
const RANDOM_BYTES = 25 * MiB;
const RANDOM_FILES = 240;
/** Small text files (PHP classes), besides the module's own three. */
const PHP_FILES = 60;
/** Milliseconds between memory samples; a full GC takes tens of milliseconds, so those are further apart. */
const SAMPLE_MS = 5;
const FULL_GC_SAMPLE_MS = 25;
/** Values the secret scan looks for (none is in the package): as many as a user with a few keys has. */
const FAKE_SECRETS = [
  ['bench-app-secret-0f3c9a7e5b1d4c2a8e6f0b9d7c5a3e1f', 'the application secret of Sandbox key "Bench"'],
  ['bench-app-secret-7a1e3c5b9d0f2e4a6c8b0d1f3e5a7c9b', 'the application secret of Production key "CI"'],
  ['eyJhbGciOiJIUzI1NiJ9.bench-session-token.c2lnbmF0dXJlLWJlbmNo', 'a session token of Sandbox key "Bench"'],
  ['eyJhbGciOiJIUzI1NiJ9.bench-session-token.cHJvZHVjdGlvbi1zaWdu', 'a session token of Production key "CI"'],
  ['9f8e7d6c5b4a39281706f5e4d3c2b1a0', 'the private Composer key "ci"'],
  ['0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'the private Composer key "deploy"'],
].map(([value, what]) => ({ value, what }));

const stats = (values) => ({ n: values.length, median: median(values), p95: percentile(values, 95), min: Math.min(...values), max: Math.max(...values), all: values });

/** Writes the package folder; returns what it holds. */
function writePackage(dir) {
  const write = (rel, data) => {
    const full = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  };
  write('composer.json', `${JSON.stringify({
    name: 'acme/module-bench',
    description: 'Bench module: a 25 MiB package for npm run bench.',
    type: 'magento2-module',
    version: '1.0.0',
    license: 'OSL-3.0',
    require: { php: '~8.2.0||~8.3.0', 'magento/framework': '^103.0' },
    autoload: { files: ['registration.php'], 'psr-4': { 'Acme\\Bench\\': '' } },
  }, null, 4)}\n`);
  write('registration.php', "<?php\nuse Magento\\Framework\\Component\\ComponentRegistrar;\n\nComponentRegistrar::register(ComponentRegistrar::MODULE, 'Acme_Bench', __DIR__);\n");
  write('etc/module.xml', '<?xml version="1.0"?>\n<config xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="urn:magento:framework:Module/etc/module.xsd">\n    <module name="Acme_Bench"/>\n</config>\n');
  write('eqp-submission.json', `${JSON.stringify({
    action: { technical: 'draft' },
    sku: 'acme/module-bench',
    version_compatibility: [{ edition: 'CE', versions: ['2.4'] }],
    release_notes: 'Bench release.',
    license_type: 'osl',
  }, null, 2)}\n`);
  // What a working folder also holds, left out of the zip: by .gitignore, and by name.
  write('.gitignore', '/build/\n*.log\n');
  write('build/cache.bin', crypto.randomBytes(64 * 1024));
  write('debug.log', 'left out by .gitignore\n');
  write('auth.json', '{"http-basic": {"repo.magento.com": {"username": "bench", "password": "not-a-real-one"}}}\n');
  let textBytes = 0;
  for (let i = 0; i < PHP_FILES; i++) {
    const cls = `Thing${String(i).padStart(3, '0')}`;
    const body = `<?php\ndeclare(strict_types=1);\n\nnamespace Acme\\Bench\\Model;\n\n/** Generated for the bench. */\nclass ${cls}\n{\n${Array.from({ length: 40 }, (_, j) => `    public function value${j}(): int\n    {\n        return ${i * 100 + j};\n    }\n`).join('\n')}}\n`;
    write(`Model/${cls}.php`, body);
    textBytes += Buffer.byteLength(body);
  }
  // Sizes vary (0.5× to 1.5× the mean) and add up to RANDOM_BYTES exactly.
  const weights = Array.from({ length: RANDOM_FILES }, (_, i) => 0.5 + ((i * 37) % RANDOM_FILES) / RANDOM_FILES);
  const sum = weights.reduce((s, w) => s + w, 0);
  const sizes = weights.map((w) => Math.floor((w / sum) * RANDOM_BYTES));
  sizes[0] += RANDOM_BYTES - sizes.reduce((s, n) => s + n, 0);
  sizes.forEach((n, i) => write(`view/frontend/web/media/asset-${String(i).padStart(3, '0')}.bin`, crypto.randomBytes(n)));
  return { randomFiles: RANDOM_FILES, randomBytes: RANDOM_BYTES, textFiles: PHP_FILES + 4, textBytes, leftOut: ['build/ (.gitignore)', 'debug.log (.gitignore)', 'auth.json (by name)'] };
}

/** Runs this file as a child in `mode`; resolves with what the child wrote to `outFile`. */
async function runChild(mode, config, { gc = 'none', log }) {
  const outFile = path.join(config.workDir, `${mode}-gc-${gc}.json`);
  fs.rmSync(outFile, { force: true });
  const child = spawn(process.execPath, ['--expose-gc', SELF, JSON.stringify({ ...config, mode, gc, outFile })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) log(line);
  });
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)));
  if (buffered) log(buffered);
  if (code !== 0 || !fs.existsSync(outFile)) throw new Error(`the submit child (${mode}, gc ${gc}) exited with ${code}`);
  return JSON.parse(fs.readFileSync(outFile, 'utf8'));
}

/**
 * @param {object} o
 * @param {string} o.root
 * @param {number} o.rounds  timed pairs (after one warm-up pair)
 * @param {(msg: string) => void} o.log
 */
export async function measureSubmit({ root, rounds, log }) {
  const require = createRequire(import.meta.url);
  const { EqpSandbox } = require(path.join(root, 'out/test/sandbox/server.js'));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-bench-submit-'));
  const packageDir = path.join(workDir, 'module-bench');
  fs.mkdirSync(packageDir);
  const sandbox = await EqpSandbox.start({ maxLifetime: LIFETIME });
  try {
    const t = performance.now();
    const pkg = writePackage(packageDir);
    log(`  package folder written in ${((performance.now() - t) / 1000).toFixed(1)} s: ${pkg.randomFiles} files of random bytes (${pkg.randomBytes} B) + ${pkg.textFiles} text files`);
    const key = sandbox.createKey(ENV, 'Bench');
    const config = { root, workDir, packageDir, apiUrl: sandbox.apiUrl(ENV), key: { applicationId: key.applicationId, applicationSecret: key.applicationSecret }, rounds };
    const time = await runChild('time', config, { log });
    // What arrived: every upload complete, the bytes of the zip (its md5).
    const uploads = sandbox.uploads(ENV);
    const expected = 2 * (rounds + 1) + 1; // the pairs, and the reference build's own check upload
    const wrong = uploads.filter((u) => u.size !== time.zip.size || u.md5 !== time.zip.md5);
    if (uploads.length !== expected || wrong.length) throw new Error(`the sandbox holds ${uploads.length} uploads (expected ${expected}), ${wrong.length} not the zip's bytes`);
    // A fresh child per case, one after the other (the sandbox's 25 MiB of buffering each time is in this process).
    const memory = {};
    for (const [name, mode, gc] of [['minorGc', 'memory-ours', 'minor'], ['fullGc', 'memory-ours', 'full'], ['noGc', 'memory-ours', 'none'], ['buffered', 'memory-buffered', 'minor']]) {
      memory[name] = await runChild(mode, { ...config, zip: time.zip }, { gc, log });
    }
    const whole = sandbox.uploads(ENV).slice(expected).filter((u) => u.size === time.zip.size && u.md5 === time.zip.md5).length;
    if (whole !== 4) throw new Error(`the memory runs' uploads did not all arrive whole (${whole} of 4)`);
    return { pkg, uploadsChecked: expected + 4, sampleMs: SAMPLE_MS, secrets: FAKE_SECRETS.length, ...time, memory };
  } finally {
    await sandbox.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------ child processes

/** The bare upload: a hand-built multipart body, the file streamed from disk, Content-Length computed. */
function bareUpload(apiUrl, token, file, filename) {
  return new Promise((resolve, reject) => {
    fs.stat(file, (err, stat) => {
      if (err) return reject(err);
      const boundary = `----eqp-bench-${crypto.randomBytes(12).toString('hex')}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file[]"; filename="${filename}"\r\nContent-Type: application/zip\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const req = http.request(`${apiUrl}/rest/v1/files/uploads`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'User-Agent': 'eqp-keys-bench',
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + stat.size + tail.length,
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`bare upload answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
            const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (!Array.isArray(json) || json.length !== 1 || !json[0].file_upload_id) throw new Error('bare upload: no file_upload_id');
            resolve(json[0]);
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.write(head);
      const input = fs.createReadStream(file);
      input.on('error', (e) => req.destroy(e));
      input.on('end', () => req.end(tail));
      input.pipe(req, { end: false });
    });
  });
}

/** The buffered contrast for the memory figure: the whole file read first, then written in one go. */
function bufferedUpload(apiUrl, token, file, filename) {
  return fs.promises.readFile(file).then((bytes) => new Promise((resolve, reject) => {
    const boundary = `----eqp-bench-${crypto.randomBytes(12).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file[]"; filename="${filename}"\r\nContent-Type: application/zip\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const req = http.request(`${apiUrl}/rest/v1/files/uploads`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(body.length) : reject(new Error(`buffered upload answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  }));
}

function services(root, apiUrl, key) {
  const require = createRequire(import.meta.url);
  const { EqpClient } = require(path.join(root, 'out/src/eqp/client.js'));
  const { TokenService } = require(path.join(root, 'out/src/tokens/tokenService.js'));
  const { SubmitService } = require(path.join(root, 'out/src/submit/service.js'));
  const client = new EqpClient(() => apiUrl);
  const tokens = new TokenService(client, memoryKeySource(key, ENV), memorySecretCache(), {
    lifetime: () => LIFETIME, refreshMargin: () => 120, onWarning: (w) => console.log(`  warning: ${w.message}`),
  });
  return { tokens, service: new SubmitService(client, tokens) };
}

const zipPart = (file) => ({ path: file, filename: path.basename(file), contentType: 'application/zip' });

async function timeChild({ root, workDir, packageDir, apiUrl, key, rounds, outFile }) {
  const require = createRequire(import.meta.url);
  const { preparePackage, buildPackageZip, removeZip, hasErrors } = require(path.join(root, 'out/src/submit/prepare.js'));
  const { tokens, service } = services(root, apiUrl, key);
  const { token } = await tokens.getToken(ENV);
  const zipsDir = path.join(workDir, 'zips');
  fs.mkdirSync(zipsDir);
  let uploadProgressCalls = 0;
  const onUploadProgress = () => { uploadProgressCalls++; };

  /** Pre-flight, zip, upload; the times of each step. Leaves the zip in place when `keep`. */
  const ours = async (keep = false) => {
    const t0 = performance.now();
    const prepared = await preparePackage(packageDir, { needSpec: true, secrets: FAKE_SECRETS });
    if (hasErrors(prepared.problems)) throw new Error(`pre-flight: ${prepared.problems.map((p) => p.message).join('; ')}`);
    const t1 = performance.now();
    const built = await buildPackageZip(prepared, zipsDir, { onProgress: () => {} });
    if (hasErrors(built.problems)) throw new Error(`zip: ${built.problems.map((p) => p.message).join('; ')}`);
    const t2 = performance.now();
    const uploaded = await service.upload(ENV, [zipPart(built.path)], onUploadProgress);
    const t3 = performance.now();
    if (uploaded.length !== 1 || uploaded[0].size !== built.size) throw new Error(`upload answered ${JSON.stringify(uploaded)}`);
    if (!keep) await removeZip(built.dir);
    return { prepared, built, steps: { preflight: t1 - t0, zip: t2 - t1, upload: t3 - t2, total: t3 - t0 } };
  };

  // The zip the bare upload sends (and the memory runs): ours, built once before the timed rounds.
  const ref = await ours(true);
  const zip = { path: ref.built.path, size: ref.built.size, md5: crypto.createHash('md5').update(fs.readFileSync(ref.built.path)).digest('hex') };
  const listed = { files: ref.prepared.files.length, bytes: ref.prepared.files.reduce((s, f) => s + f.size, 0), excluded: ref.prepared.excluded.map((e) => `${e.path} (${e.reason})`) };
  console.log(`  zip ${zip.size} B, ${listed.files} files (${listed.bytes} B) listed; left out: ${listed.excluded.join(', ')}`);

  const a = { preflight: [], zip: [], upload: [], total: [] };
  const b = [];
  for (let i = 0; i < rounds + 1; i++) {
    const runA = async () => {
      const { steps } = await ours();
      if (i > 0) for (const k of Object.keys(a)) a[k].push(steps[k]);
    };
    const runB = async () => {
      const t0 = performance.now();
      await bareUpload(apiUrl, token, zip.path, path.basename(zip.path));
      if (i > 0) b.push(performance.now() - t0);
    };
    if (i % 2 === 0) {
      await runA();
      await runB();
    } else {
      await runB();
      await runA();
    }
  }
  const result = {
    zip,
    listed,
    rounds,
    ours: Object.fromEntries(Object.entries(a).map(([k, v]) => [k, stats(v)])),
    bare: stats(b),
    pairRatio: { total: median(a.total.map((v, i) => v / b[i])), upload: median(a.upload.map((v, i) => v / b[i])) },
    uploadProgressCalls: Math.round(uploadProgressCalls / (rounds + 2)),
  };
  fs.writeFileSync(outFile, JSON.stringify(result));
}

/** One upload of `zip` while process.memoryUsage() is sampled every SAMPLE_MS, with a minor or full GC before each (or none). */
async function memoryChild({ root, workDir, packageDir, apiUrl, key, zip, mode, gc, outFile }) {
  const require = createRequire(import.meta.url);
  const { buildZip } = require(path.join(root, 'out/src/submit/zip.js'));
  const { tokens, service } = services(root, apiUrl, key);
  const { token } = await tokens.getToken(ENV);
  const upload = mode === 'memory-ours'
    ? (file) => service.upload(ENV, [zipPart(file)], () => {})
    : (file) => bufferedUpload(apiUrl, token, file, path.basename(file));
  // Warm-up with a small zip of the same package (code paths compiled, sockets and buffers set up once).
  const small = path.join(workDir, `warm-up-${mode}-${gc}.zip`);
  await buildZip(packageDir, [{ path: 'composer.json', size: fs.statSync(path.join(packageDir, 'composer.json')).size }], small);
  await upload(small);
  await upload(small);

  const collect = gc === 'minor' ? () => globalThis.gc({ type: 'minor' }) : gc === 'full' ? () => globalThis.gc() : () => {};
  // The level before the upload: everything collected (every case runs with --expose-gc; `none` forces no GC while
  // sampling only).
  globalThis.gc();
  globalThis.gc();
  const base = process.memoryUsage();
  const peak = { rss: base.rss, heapUsed: base.heapUsed, arrayBuffers: base.arrayBuffers, external: base.external, live: base.heapUsed + base.arrayBuffers };
  let samples = 0;
  const sample = () => {
    collect();
    const m = process.memoryUsage();
    samples++;
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.external = Math.max(peak.external, m.external);
    peak.live = Math.max(peak.live, m.heapUsed + m.arrayBuffers);
  };
  const everyMs = gc === 'full' ? FULL_GC_SAMPLE_MS : SAMPLE_MS;
  const timer = setInterval(sample, everyMs);
  const t0 = performance.now();
  await upload(zip.path);
  const ms = performance.now() - t0;
  clearInterval(timer);
  sample();
  const growth = {
    rss: peak.rss - base.rss,
    heapUsed: peak.heapUsed - base.heapUsed,
    arrayBuffers: peak.arrayBuffers - base.arrayBuffers,
    external: peak.external - base.external,
    live: peak.live - (base.heapUsed + base.arrayBuffers),
  };
  fs.writeFileSync(outFile, JSON.stringify({ mode, gc, everyMs, fileSize: zip.size, base, growth, samples, ms }));
}

if (process.argv[1] === SELF) {
  try {
    const config = JSON.parse(process.argv[2]);
    await (config.mode === 'time' ? timeChild(config) : memoryChild(config));
    // Node's default agent keeps idle sockets to the sandbox for a few seconds: do not wait for them.
    process.exit(0);
  } catch (e) {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  }
}
