// EqpClient's calls for submitting a package (uploadFiles, getUpload, submitPackages) against the real EQP sandbox
// server on 127.0.0.1 (no stubbed axios): real multipart uploads of files on disk, with the answers (and errors)
// delivered through the sandbox's fault injection where the test is about reading them.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as esbuild from 'esbuild';
import * as yazl from 'yazl';
import { EqpClient, EqpError, type PackageItem, type SessionToken, type UploadPart } from '../../src/eqp';
import { EqpSandbox, type SandboxKey } from '../sandbox/server';
import { STUBS_REACHED_KEY } from '../../build/stubs/reached';
import { rejectsWith } from './eqpErrors';

const ROOT = path.resolve(__dirname, '../../..');
const MB = 1024 * 1024;

async function writeZip(file: string, entries: Record<string, string>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) {
    zip.addBuffer(Buffer.from(text, 'utf8'), name);
  }
  zip.end();
  await pipeline(zip.outputStream, fs.createWriteStream(file));
}

/** `bytes` of random data, written a megabyte at a time (the test process never holds the whole file). */
function writeRandom(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = Buffer.alloc(MB);
    for (let left = bytes; left > 0; left -= chunk.length) {
      crypto.randomFillSync(chunk);
      fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    }
  } finally {
    fs.closeSync(fd);
  }
}

const md5 = (bytes: Buffer): string => crypto.createHash('md5').update(bytes).digest('hex');
const pick = (info: { malware: string; malwareRaw: string }): [string, string] => [info.malware, info.malwareRaw];

const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

function answerFor(parts: readonly UploadPart[], ids: string[] = parts.map((_, i) => `f${i + 1}abc`)): unknown[] {
  return parts.map((p, i) => ({ filename: p.filename, content_type: p.contentType, size: fs.statSync(p.path).size, file_upload_id: ids[i] }));
}

describe('EqpClient uploads and package submissions (against the EQP sandbox server)', function () {
  this.timeout(60_000);
  let sandbox: EqpSandbox;
  let client: EqpClient;
  let key: SandboxKey;
  let token: SessionToken;
  let dir: string;
  let zipPart: UploadPart;
  let pdfPart: UploadPart;
  /** ~25 MB of random bytes, sent as a package zip. */
  let bigPart: UploadPart;

  const secrets = (): string[] => [key.applicationSecret, token.token];

  before(async () => {
    sandbox = await EqpSandbox.start();
    client = new EqpClient((env) => sandbox.apiUrl(env));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-uploads-'));
    const zipPath = path.join(dir, 'acme-module-uploads-2.0.0.zip');
    await writeZip(zipPath, {
      'composer.json': JSON.stringify({ name: 'acme/module-uploads', version: '2.0.0', type: 'magento2-module' }),
      'registration.php': '<?php\n',
    });
    zipPart = { path: zipPath, filename: 'acme-module-uploads-2.0.0.zip', contentType: 'application/zip' };
    const pdfPath = path.join(dir, 'user-guide.pdf');
    fs.writeFileSync(pdfPath, PDF);
    pdfPart = { path: pdfPath, filename: 'user-guide.pdf', contentType: 'application/pdf' };
    const bigPath = path.join(dir, 'big.zip');
    writeRandom(bigPath, 25 * MB);
    bigPart = { path: bigPath, filename: 'big.zip', contentType: 'application/zip' };
  });

  beforeEach(async () => {
    key = sandbox.createKey('sandbox', 'upload tests');
    token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
    sandbox.clearLog();
  });

  afterEach(() => {
    sandbox.resetSubmissions(); // the uploads and their scan settings too
    sandbox.clearFaults();
    sandbox.deleteAllKeys();
    sandbox.clearLog();
  });

  after(async () => {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('uploadFiles', () => {
    it('uploads a zip and a pdf to the sandbox: the ids in order, and the sandbox got the exact bytes', async () => {
      const files = await client.uploadFiles('sandbox', token.token, [zipPart, pdfPart]);
      const received = sandbox.uploads('sandbox');
      assert.equal(received.length, 2);
      const zipBytes = fs.readFileSync(zipPart.path);
      assert.deepEqual(
        files,
        received.map((u) => ({ fileUploadId: u.fileUploadId, filename: u.filename, contentType: u.contentType, size: u.size })),
      );
      const [zip, pdf] = received;
      assert.deepEqual([zip?.filename, zip?.contentType, zip?.kind, zip?.size, zip?.md5], [zipPart.filename, 'application/zip', 'package', zipBytes.length, md5(zipBytes)]);
      assert.deepEqual(zip?.entries, ['composer.json', 'registration.php']);
      assert.equal(zip?.composer?.name, 'acme/module-uploads');
      assert.deepEqual([pdf?.filename, pdf?.contentType, pdf?.kind, pdf?.size, pdf?.md5], ['user-guide.pdf', 'application/pdf', 'pdf', PDF.length, md5(Buffer.from(PDF))]);

      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.deepEqual([entry?.method, entry?.path, entry?.status], ['POST', '/rest/v1/files/uploads', 200]);
      assert.equal(entry?.headers['authorization'], 'Bearer ‹redacted›');
      assert.deepEqual(entry?.body, {
        multipart: [
          { name: 'file[]', filename: zipPart.filename, content_type: 'application/zip', size: zipBytes.length },
          { name: 'file[]', filename: 'user-guide.pdf', content_type: 'application/pdf', size: PDF.length },
        ],
      });
      // A known length (not chunked): exactly the multipart body axios builds around the two files.
      const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(entry?.headers['content-type'] ?? '')?.[1];
      assert.ok(boundary, `content type: ${entry?.headers['content-type']}`);
      assert.equal(entry?.headers['transfer-encoding'], undefined);
      const head = (p: UploadPart): string => `--${boundary}\r\nContent-Disposition: form-data; name="file[]"; filename="${p.filename}"\r\nContent-Type: ${p.contentType}\r\n\r\n`;
      const length = Buffer.byteLength(head(zipPart)) + zipBytes.length + 2 + Buffer.byteLength(head(pdfPart)) + PDF.length + 2 + Buffer.byteLength(`--${boundary}--\r\n`);
      assert.equal(Number(entry?.headers['content-length']), length);
    });

    it('the real scan, then a real submission: pending, then pass with the md5; the batch creates the submission', async () => {
      const [zip, guide] = await client.uploadFiles('sandbox', token.token, [zipPart, pdfPart]);
      assert.ok(zip && guide);
      const pending = await client.getUpload('sandbox', token.token, zip.fileUploadId);
      assert.deepEqual([pending.malware, pending.malwareRaw, pending.fileHash], ['pending', 'in-progress', undefined]);
      const early: PackageItem = {
        action: { technical: 'submit' },
        type: 'extension',
        platform: 'M2',
        version_compatibility: [{ edition: 'CE', versions: ['2.4'] }],
        release_notes: '<p>First release.</p>',
        artifact: { file_upload_id: zip.fileUploadId },
        documentation_artifacts: { user: { file_upload_id: guide.fileUploadId } },
      };
      const [waiting] = await client.submitPackages('sandbox', token.token, [early]);
      assert.deepEqual([waiting?.ok, waiting?.code], [false, 1321], JSON.stringify(waiting));
      sandbox.clock.advance(60);
      const passed = await client.getUpload('sandbox', token.token, zip.fileUploadId);
      assert.deepEqual([passed.malware, passed.malwareRaw, passed.fileHash, passed.size], ['pass', 'pass', md5(fs.readFileSync(zipPart.path)), fs.statSync(zipPart.path).size]);
      const results = await client.submitPackages('sandbox', token.token, [early, { ...early, artifact: { file_upload_id: 'no-such-upload' } }]);
      assert.equal(results.length, 2);
      const [created, refused] = results;
      assert.equal(created?.ok, true, JSON.stringify(created));
      assert.equal(created?.code, 200);
      assert.ok(created?.submissionId);
      assert.ok(created?.createdAt !== undefined && created.status !== undefined);
      assert.deepEqual([refused?.ok, refused?.code], [false, 1004]);
      assert.match(refused?.message ?? '', /no-such-upload|upload/i);
      assert.deepEqual((await client.getUpload('sandbox', token.token, zip.fileUploadId)).submissionIds, [created?.submissionId]);
    });

    it('the observed spellings (passed, queued) and a failed scan, from the real endpoint', async () => {
      sandbox.setUploadScan('sandbox', { spelling: 'observed' });
      const [zip, guide] = await client.uploadFiles('sandbox', token.token, [zipPart, pdfPart]);
      assert.ok(zip && guide);
      assert.deepEqual(pick(await client.getUpload('sandbox', token.token, zip.fileUploadId)), ['pending', 'queued']);
      sandbox.setUploadScanResult('sandbox', guide.fileUploadId, 'fail');
      sandbox.clock.advance(60);
      assert.deepEqual(pick(await client.getUpload('sandbox', token.token, zip.fileUploadId)), ['pass', 'passed']);
      assert.deepEqual(pick(await client.getUpload('sandbox', token.token, guide.fileUploadId)), ['fail', 'fail']);
      const err = await rejectsWith(client.getUpload('sandbox', token.token, 'unknown.upload.1'), 'http', secrets());
      assert.match(err.message, /^The EQP Sandbox API has no uploaded file unknown\.upload\.1 /);
    });

    it('a package over the real 30 MB limit: 413 from the sandbox, told as too large', async function () {
      this.timeout(60_000);
      const hugePath = path.join(dir, 'huge.zip');
      writeRandom(hugePath, 31 * MB);
      try {
        const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [{ path: hugePath, filename: 'huge.zip', contentType: 'application/zip' }]), 'http', secrets());
        assert.equal(err.status, 413);
        assert.match(err.message, /^The package is larger than the EQP Sandbox API accepts \(HTTP 413/);
        assert.deepEqual(sandbox.uploads('sandbox'), []);
      } finally {
        fs.rmSync(hugePath, { force: true });
      }
    });

    it('a content type the API does not take, and a token it does not know: its own refusals', async () => {
      const text = path.join(dir, 'notes.txt');
      fs.writeFileSync(text, 'hello');
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [{ path: text, filename: 'notes.txt', contentType: 'text/plain' }]), 'http', secrets());
      assert.equal(err.status, 415);
      assert.match(err.message, /^The EQP Sandbox API rejected the file upload \(HTTP 415/);
      const refused = await rejectsWith(client.uploadFiles('sandbox', 'not-a-token-at-all', [zipPart]), 'http', [...secrets(), 'not-a-token-at-all']);
      assert.ok(refused.isAuthFailure);
      assert.deepEqual(sandbox.uploads('sandbox'), []);
    });

    it('a one-file upload may be answered with the lone object; sizes as strings are read', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 201, body: { file_upload_id: 77, size: '95', filename: 'user-guide.pdf' } });
      assert.deepEqual(await client.uploadFiles('sandbox', token.token, [pdfPart]), [{ fileUploadId: '77', size: 95, filename: 'user-guide.pdf' }]);
    });

    it('progress: called with growing byte counts that end at the total, the body size the server was told', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: answerFor([bigPart]) });
      const calls: [number, number | undefined][] = [];
      await client.uploadFiles('sandbox', token.token, [bigPart], { onProgress: (sent, total) => calls.push([sent, total]) });
      assert.ok(calls.length >= 2, `${calls.length} progress calls`);
      const total = Number(sandbox.requestLog('sandbox').at(-1)?.headers['content-length']);
      assert.ok(total > 25 * MB);
      for (const [i, [sent, t]] of calls.entries()) {
        assert.equal(t, total);
        assert.ok(i === 0 || sent >= (calls[i - 1]?.[0] ?? 0), 'never backwards');
      }
      assert.deepEqual(calls.at(-1), [total, total]);
    });

    it('a progress callback that throws does not break the upload', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: answerFor([zipPart]) });
      const files = await client.uploadFiles('sandbox', token.token, [zipPart], {
        onProgress: () => {
          throw new Error('display gone');
        },
      });
      assert.equal(files.length, 1);
    });

    it('streams from disk: a separate client process uploading 25 MB grows by far less than the file (a read-in control does not)', async function () {
      // The client runs in a child process so the sandbox (which reads the body here) does not count. Every few ms
      // the child collects garbage and samples its memory: what is still alive then, not the chunks already sent
      // and waiting for a collection (without the gc() those pile up to about the file's size before V8 collects
      // them, streamed or not). After the upload the same process reads the file into a Buffer as a control, to show
      // the measurement sees a file held in memory. What it proves: no moment of the upload keeps the file's bytes
      // alive; not that no byte is ever copied.
      this.timeout(120_000);
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: answerFor([pdfPart]) });
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: answerFor([bigPart]) });
      const script = path.join(dir, 'memory-child.js');
      fs.writeFileSync(
        script,
        `
const fs = require('node:fs');
const { EqpClient } = require(${JSON.stringify(path.join(ROOT, 'out/src/eqp/index.js'))});
const [apiUrl, small, big] = process.argv.slice(2);
const client = new EqpClient(() => apiUrl);
const peakOf = (base) => {
  const peak = { rss: 0, arrayBuffers: 0 };
  let count = 0;
  const sample = () => { count++; global.gc(); const m = process.memoryUsage(); peak.rss = Math.max(peak.rss, m.rss - base.rss); peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers - base.arrayBuffers); };
  return { peak, sample, get count() { return count; } };
};
(async () => {
  await client.uploadFiles('sandbox', process.env.EQP_TOKEN, [JSON.parse(small)]); // warm-up: axios loaded, a connection open
  global.gc();
  const streamed = peakOf(process.memoryUsage());
  const timer = setInterval(streamed.sample, 5);
  const files = await client.uploadFiles('sandbox', process.env.EQP_TOKEN, [JSON.parse(big)]);
  clearInterval(timer);
  streamed.sample();
  global.gc();
  const control = peakOf(process.memoryUsage());
  const bytes = fs.readFileSync(JSON.parse(big).path);
  control.sample();
  process.stdout.write(JSON.stringify({ files, streamed: streamed.peak, control: control.peak, read: bytes.length, samples: streamed.count }));
})().catch((e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
`,
      );
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--expose-gc', script, sandbox.apiUrl('sandbox'), JSON.stringify(pdfPart), JSON.stringify(bigPart)],
          { env: { ...process.env, EQP_TOKEN: token.token }, timeout: 100_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      const result = JSON.parse(out) as {
        files: unknown[];
        streamed: { rss: number; arrayBuffers: number };
        control: { rss: number; arrayBuffers: number };
        read: number;
        samples: number;
      };
      assert.equal(result.files.length, 1);
      assert.ok(result.samples >= 5, `only ${result.samples} samples during the upload`);
      assert.equal(result.read, 25 * MB);
      assert.ok(result.control.arrayBuffers >= 24 * MB, `the control must see the read-in file: ${JSON.stringify(result)}`);
      assert.ok(result.streamed.arrayBuffers < 4 * MB, `array buffers grew by ${result.streamed.arrayBuffers} B while uploading 25 MB`);
      assert.ok(result.streamed.rss < 15 * MB, `RSS grew by ${result.streamed.rss} B while uploading 25 MB`);
    });

    it('cancelled mid-upload through the signal: a cancelled error, and the server got a cut body', async () => {
      // The sandbox reads nothing for a second: the upload is surely under way, and surely unfinished, when cancelled.
      sandbox.injectFault('sandbox', { kind: 'stall', ms: 1000 });
      const cancel = new AbortController();
      let last = 0;
      let total: number | undefined;
      setTimeout(() => cancel.abort(), 300);
      const err = await rejectsWith(
        client.uploadFiles('sandbox', token.token, [bigPart], {
          signal: cancel.signal,
          onProgress: (sent, t) => {
            last = sent;
            total = t;
          },
        }),
        'cancelled',
        secrets(),
      );
      assert.equal(err.message, 'The file upload to the EQP Sandbox API was cancelled.');
      assert.ok(total !== undefined && last > 0 && last < total, `cancelled at ${last} of ${total}`);
      // The sandbox saw the body break off: it logs the request unanswered (status 0) and stores nothing.
      for (let i = 0; i < 150 && sandbox.requestLog('sandbox').length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.deepEqual([entry?.path, entry?.status], ['/rest/v1/files/uploads', 0]);
      assert.deepEqual(sandbox.uploads('sandbox'), []);
    });

    it('a signal aborted before the call: cancelled, nothing sent', async () => {
      await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart], { signal: AbortSignal.abort() }), 'cancelled', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });

    it('the connection reset mid-upload: a network error that says the upload did not complete and can be retried', async () => {
      sandbox.injectFault('sandbox', { kind: 'reset', afterBytes: 2 * MB });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [bigPart]), 'network', secrets());
      assert.match(err.message, /^The upload to the EQP Sandbox API at 127\.0\.0\.1:\d+ did not complete \(the connection was (reset|closed)[^)]*\); nothing was submitted\.$/);
      assert.match(err.hint, /can simply be retried/);
      assert.equal(err.status, undefined);
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.deepEqual([entry?.path, entry?.status, entry?.fault], ['/rest/v1/files/uploads', 0, 'reset']);
      assert.deepEqual(sandbox.uploads('sandbox'), []);
    });

    it('the connection reset after the whole body, without an answer: the same', async () => {
      sandbox.injectFault('sandbox', { kind: 'reset' });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'network', secrets());
      assert.match(err.message, /did not complete .*; nothing was submitted\.$/);
    });

    it('413: the package is larger than the API accepts', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 413, body: { code: 413, message: 'Request Entity Too Large.' } });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.equal(err.status, 413);
      assert.equal(err.message, 'The package is larger than the EQP Sandbox API accepts (HTTP 413: Request Entity Too Large).');
      assert.match(err.hint, /at most 30 MB/);
    });

    it('401: the session token was refused', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 401, body: { code: 401, message: `Invalid token ${token.token}` } });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.ok(err.isAuthFailure);
      assert.match(err.message, /^The EQP Sandbox API refused the session token \(HTTP 401: Invalid token ‹redacted›\)\.$/);
    });

    it('403 in the Sandbox: the account may not be eligible', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 403 });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.match(err.message, /refused access to package submissions/);
    });

    it('429 with Retry-After: how long to wait', async () => {
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 30 });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterSeconds, 30);
      assert.match(err.hint, /Wait 30 s/);
    });

    it('500: trouble on the server side', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.match(err.message, /^The EQP Sandbox API had trouble on its side \(HTTP 500/);
    });

    it('other statuses: the API rejected the file upload', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 400, body: { code: 400, message: 'Unsupported content type.' } });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.equal(err.message, 'The EQP Sandbox API rejected the file upload (HTTP 400: Unsupported content type).');
    });

    it('a redirect is not followed (the files and the token would go elsewhere)', async () => {
      sandbox.injectFault('sandbox', { kind: 'redirect', location: 'https://elsewhere.example/upload' });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart]), 'http', secrets());
      assert.match(err.message, /redirect to elsewhere\.example/);
      assert.equal(sandbox.requestLog('sandbox').length, 1);
    });

    it('malformed answers: not JSON, not a list, a list of the wrong length, an item without an id', async () => {
      const cases: [Parameters<EqpSandbox['injectFault']>[1], RegExp][] = [
        [{ kind: 'malformed', body: '<html>oops</html>', contentType: 'text/html' }, /not a valid upload answer: the body is not JSON \(an HTML page\)\.$/],
        [{ kind: 'status', status: 200, body: { ok: true } }, /not a valid upload answer: the body is JSON but not a list\.$/],
        [{ kind: 'status', status: 200, body: answerFor([zipPart]) }, /not a valid upload answer: 2 files were sent but 1 answered\.$/],
        [{ kind: 'status', status: 200, body: [{ file_upload_id: 'x' }, { filename: 'user-guide.pdf' }] }, /item 2 has no "file_upload_id"\.$/],
        [{ kind: 'status', status: 200, body: [{ file_upload_id: 'x' }, { file_upload_id: 'a\nb' }] }, /item 2 has a "file_upload_id" that is not usable\.$/],
        [{ kind: 'status', status: 200, body: [{ file_upload_id: 'x' }, 'y'] }, /item 2 is not an object\.$/],
        [{ kind: 'truncated' }, /the answer was cut off before its end\.$/],
      ];
      for (const [fault, message] of cases) {
        sandbox.injectFault('sandbox', fault);
        const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart, pdfPart]), 'malformed', secrets());
        assert.match(err.message, message);
      }
    });

    it('the idle timeout: no answer that long after the whole body was sent', async () => {
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const started = Date.now();
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart], { idleTimeoutMs: 300 }), 'timeout', secrets());
      assert.ok(Date.now() - started < 1400);
      assert.match(err.message, /^The EQP Sandbox API \(127\.0\.0\.1:\d+\) did not answer within 0\.3 s after the whole upload was sent; the upload did not complete\.$/);
    });

    it('the idle timeout: a server that takes no more of the body (a stall) ends the upload long before the deadline', async () => {
      sandbox.injectFault('sandbox', { kind: 'stall', ms: 2000 });
      const started = Date.now();
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [bigPart], { idleTimeoutMs: 400 }), 'timeout', secrets());
      assert.ok(Date.now() - started < 1900, `${Date.now() - started} ms`);
      assert.match(err.message, /^The EQP Sandbox API \(127\.0\.0\.1:\d+\) took no more of the upload for 0\.4 s \((\d+ KB|[\d.]+ MB) of 25\.0 MB sent\); the upload did not complete\.$/);
      assert.match(err.hint, /Nothing was submitted: upload again/);
    });

    it('the whole-request deadline (timeoutMs) applies to uploads instead of the client-wide one', async () => {
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const err = await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart], { timeoutMs: 300 }), 'timeout', secrets());
      assert.match(err.message, /did not answer within 0\.3 s\.$/);
      // A client whose own deadline is shorter than an upload needs still uploads.
      // (The delayed request is then answered by the sandbox's own upload endpoint, whatever that says.)
      const quick = new EqpClient((env) => sandbox.apiUrl(env), { timeoutMs: 200 });
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 400 });
      const outcome = await quick.uploadFiles('sandbox', token.token, [zipPart]).then(
        () => 'answered',
        (e: unknown) => (e instanceof EqpError ? e.kind : String(e)),
      );
      assert.notEqual(outcome, 'timeout');
    });

    it('a file that changes on disk mid-upload: the upload stops with a message that says so', async () => {
      const changing = path.join(dir, 'changing.zip');
      fs.copyFileSync(bigPart.path, changing);
      let truncated = false;
      const err = await rejectsWith(
        client.uploadFiles('sandbox', token.token, [{ ...bigPart, path: changing }], {
          onProgress: () => {
            if (!truncated) {
              truncated = true;
              fs.truncateSync(changing, 1000);
            }
          },
        }),
        'config',
        secrets(),
      );
      assert.equal(err.message, 'A file changed or could not be read while it was being uploaded to the EQP Sandbox API; the upload did not complete.');
      assert.deepEqual(sandbox.uploads('sandbox'), []);
      fs.rmSync(changing, { force: true });
    });

    it('refused before sending: no files, a file that cannot be opened, a bad filename or content type, bad timeouts', async () => {
      await rejectsWith(client.uploadFiles('sandbox', token.token, []), 'config', secrets());
      const missing = await rejectsWith(
        client.uploadFiles('sandbox', token.token, [{ ...zipPart, path: path.join(dir, 'nope.zip'), filename: 'nope.zip' }]),
        'config',
        secrets(),
      );
      assert.equal(missing.message, 'The file nope.zip could not be opened for upload (ENOENT).');
      for (const filename of ['', 'a/b.zip', 'a\\b.zip', 'x\r\ny.zip', 'x'.repeat(256)]) {
        await rejectsWith(client.uploadFiles('sandbox', token.token, [{ ...zipPart, filename }]), 'config', secrets());
      }
      for (const contentType of ['', 'zip', 'application/zip; x=1', 'application/zip\r\nX-Evil: 1']) {
        await rejectsWith(client.uploadFiles('sandbox', token.token, [{ ...zipPart, contentType }]), 'config', secrets());
      }
      await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart], { timeoutMs: 0 }), 'config', secrets());
      await rejectsWith(client.uploadFiles('sandbox', token.token, [zipPart], { idleTimeoutMs: Number.NaN }), 'config', secrets());
      await rejectsWith(client.uploadFiles('sandbox', '', [zipPart]), 'config', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });
  });

  describe('getUpload', () => {
    it('reads the file, its scan, hash and submissions; the id goes in as one encoded path segment', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'status',
        status: 200,
        body: {
          file_upload_id: 'a/b c',
          filename: 'acme.zip',
          size: 1234,
          malware_status: 'pass',
          file_hash: 'd41d8cd98f00b204e9800998ecf8427e',
          url: 'https://example.test/x',
          submission_ids: ['s1', 22, '', 's1'],
        },
      });
      const info = await client.getUpload('sandbox', token.token, 'a/b c');
      assert.deepEqual(info, {
        fileUploadId: 'a/b c',
        filename: 'acme.zip',
        size: 1234,
        malware: 'pass',
        malwareRaw: 'pass',
        fileHash: 'd41d8cd98f00b204e9800998ecf8427e',
        submissionIds: ['s1', '22'],
      });
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.deepEqual([entry?.method, entry?.path], ['GET', '/rest/v1/files/uploads/a%2Fb%20c']);
    });

    it('every spelling of the malware status, normalised; an unknown one kept raw', async () => {
      const spellings: [unknown, string, string][] = [
        ['pass', 'pass', 'pass'],
        ['Passed', 'pass', 'Passed'],
        ['fail', 'fail', 'fail'],
        ['FAILED', 'fail', 'FAILED'],
        ['in-progress', 'pending', 'in-progress'],
        ['in_progress', 'pending', 'in_progress'],
        ['queued', 'pending', 'queued'],
        ['pending', 'pending', 'pending'],
        ['quarantined', 'unknown', 'quarantined'],
        [undefined, 'unknown', ''],
        [3, 'unknown', ''],
      ];
      for (const [raw, malware, malwareRaw] of spellings) {
        sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: { file_upload_id: 'u1', malware_status: raw } });
        const info = await client.getUpload('sandbox', token.token, 'u1');
        assert.deepEqual([info.malware, info.malwareRaw], [malware, malwareRaw], String(raw));
        assert.deepEqual(info.submissionIds, []);
      }
    });

    it('a one-item list is read as that item; the asked id stands in for a missing one', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [{ malware_status: 'queued' }] });
      assert.deepEqual(await client.getUpload('sandbox', token.token, 'u9'), { fileUploadId: 'u9', malware: 'pending', malwareRaw: 'queued', submissionIds: [] });
    });

    it('malformed: a list of two, not an object, not JSON', async () => {
      for (const [fault, message] of [
        [{ kind: 'status', status: 200, body: [{}, {}] }, /not a valid uploaded file status: the body is a list of 2 items, not one uploaded file\.$/],
        [{ kind: 'status', status: 200, body: 'pass' }, /the body is JSON but not an object\.$/],
        [{ kind: 'malformed', body: '{' }, /the body is not JSON/],
      ] as const) {
        sandbox.injectFault('sandbox', fault);
        assert.match((await rejectsWith(client.getUpload('sandbox', token.token, 'u1'), 'malformed', secrets())).message, message);
      }
    });

    it('404 names the upload id', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 404 });
      const err = await rejectsWith(client.getUpload('sandbox', token.token, 'f00d'), 'http', secrets());
      assert.equal(err.status, 404);
      assert.match(err.message, /^The EQP Sandbox API has no uploaded file f00d \(/);
      assert.match(err.hint, /Upload the file again/);
    });

    it('an id that cannot be one path segment is refused before sending', async () => {
      for (const id of ['', ' ', '..', '.', 'a\nb', 'x'.repeat(201)]) {
        await rejectsWith(client.getUpload('sandbox', token.token, id), 'config', secrets());
      }
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });
  });

  describe('submitPackages', () => {
    const items: PackageItem[] = [
      { action: { technical: 'submit' }, type: 'extension', platform: 'M2', version: '1.0.1', artifact: { file_upload_id: 'a1' } },
      { action: { technical: 'draft' }, type: 'extension', platform: 'M2', artifact: { file_upload_id: 'b2' } },
    ];

    it('posts the JSON array; each item succeeds or fails on its own, in order', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'status',
        status: 200,
        body: [
          {
            code: 200,
            message: 'Success',
            submission_id: 'sub123',
            item_id: 987,
            eqp_status: { overall: 'In_Progress', technical: 'in_automation', marketing: 'draft' },
            created_at: '2024-03-01 10:00:00',
            modified_at: '2024-03-01 10:00:05',
          },
          { code: '1321', message: `The package is still being scanned for malware. [click](command:evil) ${token.token}` },
        ],
      });
      const results = await client.submitPackages('sandbox', token.token, items);
      assert.deepEqual(results[0], {
        code: 200,
        message: 'Success',
        ok: true,
        submissionId: 'sub123',
        itemId: '987',
        status: { overall: 'in_progress', technical: 'in_automation', marketing: 'draft' },
        createdAt: Date.UTC(2024, 2, 1, 10, 0, 0),
        modifiedAt: Date.UTC(2024, 2, 1, 10, 0, 5),
      });
      assert.equal(results[1]?.ok, false);
      assert.equal(results[1]?.code, 1321);
      assert.ok(!results[1]?.message.includes(token.token), 'the echoed token is scrubbed');
      assert.ok(!results[1]?.message.includes('](command:'), 'no link survives');
      assert.match(results[1]?.message ?? '', /^The package is still being scanned for malware\./);
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.deepEqual([entry?.method, entry?.path], ['POST', '/rest/v1/products/packages']);
      assert.equal(entry?.headers['content-type'], 'application/json');
      assert.deepEqual(entry?.body, items);
    });

    it('201 counts as ok; a failed item without a message, or without a code, still says something', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [{ code: 201, submission_id: 's' }, { code: 400 }, { message: '' }] });
      const results = await client.submitPackages('sandbox', token.token, [...items, items[0] as PackageItem]);
      assert.deepEqual(
        results.map((r) => [r.ok, r.message]),
        [
          [true, ''],
          [false, 'refused with code 400'],
          [false, 'the answer gave this package no code'],
        ],
      );
      assert.ok(Number.isNaN(results[2]?.code));
    });

    it('malformed: not a list, a list of the wrong length (says how many), an item that is not an object', async () => {
      for (const [body, message] of [
        [{ code: 200 }, /not a valid package submission answer: the body is JSON but not a list\.$/],
        [[{ code: 200 }], /not a valid package submission answer: 2 packages were sent but 1 answered\.$/],
        [[{ code: 200 }, null], /item 2 is not an object\.$/],
      ] as const) {
        sandbox.injectFault('sandbox', { kind: 'status', status: 200, body });
        assert.match((await rejectsWith(client.submitPackages('sandbox', token.token, items), 'malformed', secrets())).message, message);
      }
    });

    it('an HTTP error for the whole batch is the usual EqpError', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 400, body: { code: 400, message: 'Invalid JSON payload.' } });
      const err = await rejectsWith(client.submitPackages('sandbox', token.token, items), 'http', secrets());
      assert.equal(err.message, 'The EQP Sandbox API rejected the package submission (HTTP 400: Invalid JSON payload).');
      sandbox.injectFault('sandbox', { kind: 'status', status: 401 });
      assert.ok((await rejectsWith(client.submitPackages('sandbox', token.token, items), 'http', secrets())).isAuthFailure);
    });

    it('an empty batch, or one that is not a list of objects, is refused before sending', async () => {
      await rejectsWith(client.submitPackages('sandbox', token.token, []), 'config', secrets());
      await rejectsWith(client.submitPackages('sandbox', token.token, [null as unknown as PackageItem]), 'config', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });
  });

  describe('the production bundle (esbuild.js stubs)', () => {
    it('uploads, reads an upload and submits through the stubbed axios without reaching a stub', async function () {
      this.timeout(60_000);
      // src/eqp bundled with the shipped build's options and stubs: the same axios modules as dist/extension.js.
      const load = createRequire(__filename);
      const { buildOptions } = load(path.join(ROOT, 'esbuild.js')) as { buildOptions(o: { production: boolean }): esbuild.BuildOptions };
      const outfile = path.join(dir, 'eqp-bundle.js');
      const options = buildOptions({ production: true });
      await esbuild.build({ ...options, entryPoints: [path.join(ROOT, 'src/eqp/index.ts')], outdir: undefined, outfile, logLevel: 'silent' });
      const bundled = load(outfile) as typeof import('../../src/eqp');
      const holder = globalThis as { [STUBS_REACHED_KEY]?: string[] };
      const before = holder[STUBS_REACHED_KEY];
      holder[STUBS_REACHED_KEY] = [];
      try {
        const bundledClient = new bundled.EqpClient((env) => sandbox.apiUrl(env));
        sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: answerFor([zipPart, pdfPart]) });
        let last: [number, number | undefined] = [0, undefined];
        const files = await bundledClient.uploadFiles('sandbox', token.token, [zipPart, pdfPart], { onProgress: (s, t) => (last = [s, t]) });
        assert.equal(files.length, 2);
        assert.ok(last[1] !== undefined && last[0] === last[1]);
        assert.match(sandbox.requestLog('sandbox').at(-1)?.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
        sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: { file_upload_id: 'f1abc', malware_status: 'passed' } });
        assert.equal((await bundledClient.getUpload('sandbox', token.token, 'f1abc')).malware, 'pass');
        sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [{ code: 200, submission_id: 's1' }] });
        assert.equal((await bundledClient.submitPackages('sandbox', token.token, [{ action: { technical: 'draft' }, type: 'extension', platform: 'M2' }]))[0]?.ok, true);
        assert.deepEqual(holder[STUBS_REACHED_KEY], [], 'no stub was reached');
      } finally {
        holder[STUBS_REACHED_KEY] = before;
      }
    });
  });
});
