// Tests of the sandbox's file uploads and new packages (test/sandbox/uploads.ts) over real HTTP on 127.0.0.1: bodies
// built by hand (and once by fetch's own FormData), zips made with yazl into real temp files.

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { EqpSandbox, type SandboxEnv } from '../sandbox/server';
import { MultipartParser } from '../sandbox/uploads';
import { assertSandboxError, mintSandboxToken } from './sandboxHelpers';

const UPLOADS = '/rest/v1/files/uploads';
const PACKAGES = '/rest/v1/products/packages';
const UPLOAD_ID = /^[0-9a-f]{14}\.\d{8}\.\d$/;
const BOUNDARY = '----eqp-test-7MA4YWxkTrZu0gW';

interface Part { name?: string; filename?: string; contentType?: string; data: Buffer }
interface Res { status: number; headers: Headers; body: unknown }
type Uploaded = { filename: string; content_type: string; size: number; file_upload_id: string };
type BatchItem = { code: number; message: string; submission_id?: string; eqp_status?: { overall: string; technical: string; marketing: string }; created_at?: string; modified_at?: string; item_id?: string };

function multipart(parts: Part[], boundary = BOUNDARY, close = true): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble, ignored\r\n')];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name ?? 'file[]'}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.contentType === undefined ? '' : `Content-Type: ${p.contentType}\r\n`}\r\n`));
    chunks.push(p.data, Buffer.from('\r\n'));
  }
  if (close) {
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
  }
  return Buffer.concat(chunks);
}

describe('EQP sandbox: file uploads and new packages', () => {
  let sb: EqpSandbox;
  let dir: string;
  const tokens: Partial<Record<SandboxEnv, string>> = {};
  let pdf: Buffer;

  before(async () => {
    sb = await EqpSandbox.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-uploads-'));
    // Not a real PDF, but bytes of every value (CR, LF and dashes included): the parser must pass them through.
    pdf = Buffer.concat([Buffer.from('%PDF-1.4\r\n--\r\n\r\n--'), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256))]);
  });

  after(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    sb.resetSubmissions();
    sb.clearFaults();
    sb.clearLog();
    sb.setProfile('production');
    sb.setEligible('production', true);
    for (const env of ['production', 'sandbox'] as const) {
      tokens[env] = await mint(env, 7200);
    }
  });

  const mint = (env: SandboxEnv, expiresIn?: number): Promise<string> => mintSandboxToken(sb, env, expiresIn);

  async function call(env: SandboxEnv, method: string, pathAndQuery: string, body?: Buffer | string, headers: Record<string, string> = {}, token: string | null = tokens[env] ?? null): Promise<Res> {
    const res = await fetch(sb.apiUrl(env) + pathAndQuery, {
      method, body, headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) as unknown };
  }

  function upload(env: SandboxEnv, parts: Part[], token: string | null = tokens[env] ?? null): Promise<Res> {
    return call(env, 'POST', UPLOADS, multipart(parts), { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, token);
  }

  function postPackages(env: SandboxEnv, items: unknown): Promise<Res> {
    return call(env, 'POST', PACKAGES, JSON.stringify(items), { 'Content-Type': 'application/json' });
  }

  const assertError = assertSandboxError;

  /** A zip written by yazl to a temp file; answers its bytes. */
  async function makeZip(name: string, files: Record<string, string>): Promise<Buffer> {
    const file = path.join(dir, name);
    const zip = new yazl.ZipFile();
    for (const [entry, text] of Object.entries(files)) {
      zip.addBuffer(Buffer.from(text), entry);
    }
    zip.end();
    await new Promise<void>((resolve, reject) => {
      zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
    });
    return fs.readFileSync(file);
  }

  function moduleZip(sku: string, version: string, folder = ''): Promise<Buffer> {
    const composer = JSON.stringify({ name: sku, version, type: 'magento2-module', description: `The ${sku} module` });
    return makeZip(`${sku.replace('/', '_')}-${version}${folder === '' ? '' : '-folder'}.zip`, {
      [`${folder}composer.json`]: composer,
      [`${folder}registration.php`]: '<?php\n',
      [`${folder}etc/module.xml`]: '<config/>\n',
    });
  }

  async function uploadOk(env: SandboxEnv, parts: Part[]): Promise<Uploaded[]> {
    const res = await upload(env, parts);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Uploaded[];
  }

  /** Uploads a module zip and its user guide and lets both scans pass. */
  async function scannedPair(env: SandboxEnv, sku: string, version: string): Promise<{ zip: string; guide: string }> {
    const [zip, guide] = await uploadOk(env, [
      { filename: 'module.zip', contentType: 'application/zip', data: await moduleZip(sku, version) },
      { filename: 'guide.pdf', contentType: 'application/pdf', data: pdf },
    ]);
    sb.clock.advance(60);
    return { zip: (zip as Uploaded).file_upload_id, guide: (guide as Uploaded).file_upload_id };
  }

  function submitItem(ids: { zip: string; guide: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      action: { technical: 'submit', marketing: 'submit' },
      type: 'extension',
      platform: 'M2',
      version_compatibility: [{ edition: 'CE', versions: ['2.4'] }],
      release_notes: '<p>First release.</p>',
      artifact: { file_upload_id: ids.zip },
      documentation_artifacts: { user: { file_upload_id: ids.guide } },
      ...extra,
    };
  }

  /** Sends `head` then `body` over a raw connection; with `cutAfter`, destroys the socket after that many body bytes. */
  function rawUpload(env: SandboxEnv, body: Buffer | (() => AsyncGenerator<Buffer>), contentLength: number, cutAfter?: number): Promise<Res | 'cut'> {
    return new Promise((resolve, reject) => {
      const url = new URL(sb.apiUrl(env) + UPLOADS);
      const req = http.request({
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
        headers: { Authorization: `Bearer ${tokens[env] ?? ''}`, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': contentLength },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: new Headers(), body: text === '' ? undefined : JSON.parse(text) as unknown });
        });
      });
      req.on('error', (e) => (cutAfter === undefined ? reject(e) : resolve('cut')));
      if (Buffer.isBuffer(body)) {
        if (cutAfter !== undefined) {
          req.write(body.subarray(0, cutAfter), () => setTimeout(() => {
            req.destroy();
            resolve('cut');
          }, 50));
        } else {
          req.end(body);
        }
        return;
      }
      void (async () => {
        for await (const chunk of body()) {
          if (!req.write(chunk)) {
            await new Promise((r) => req.once('drain', r));
          }
        }
        req.end();
      })();
    });
  }

  async function waitFor(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (check()) {
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  describe('POST /rest/v1/files/uploads', () => {
    it('stores a zip and a PDF and answers them in upload order, with sizes and ids', async () => {
      const zip = await moduleZip('acme/module-new', '1.0.0', 'module-new/');
      const answer = await uploadOk('production', [
        { filename: 'module-new.zip', contentType: 'application/zip', data: zip },
        { filename: 'user guide.pdf', contentType: 'application/pdf', data: pdf },
      ]);
      assert.deepEqual(answer.map((a) => [a.filename, a.content_type, a.size]), [
        ['module-new.zip', 'application/zip', zip.length],
        ['user guide.pdf', 'application/pdf', pdf.length],
      ]);
      for (const a of answer) {
        assert.match(a.file_upload_id, UPLOAD_ID);
      }
      assert.notEqual(answer[0]?.file_upload_id, answer[1]?.file_upload_id);
      const stored = sb.uploads('production');
      assert.deepEqual(stored.map((u) => [u.fileUploadId, u.size, u.md5, u.kind]), [
        [answer[0]?.file_upload_id, zip.length, crypto.createHash('md5').update(zip).digest('hex'), 'package'],
        [answer[1]?.file_upload_id, pdf.length, crypto.createHash('md5').update(pdf).digest('hex'), 'pdf'],
      ]);
      assert.deepEqual(stored[0]?.entries, ['module-new/composer.json', 'module-new/registration.php', 'module-new/etc/module.xml']);
      assert.equal(stored[0]?.composer?.name, 'acme/module-new');
      assert.equal(stored[1]?.entries, undefined);
      assert.equal(stored[0]?.owner, sb.account('production').mageId);
      assert.deepEqual(sb.uploads('sandbox'), [], 'the other environment has none');
    });

    it('takes the body fetch builds itself from FormData (another multipart writer)', async () => {
      const zip = await moduleZip('acme/module-form', '2.0.0');
      const form = new FormData();
      form.append('file[]', new Blob([zip], { type: 'application/x-zip-compressed' }), 'form.zip');
      form.append('file[]', new Blob([pdf], { type: 'application/pdf' }), 'form.pdf');
      const real = await fetch(sb.apiUrl('sandbox') + UPLOADS, { method: 'POST', body: form, headers: { Authorization: `Bearer ${tokens.sandbox ?? ''}` } });
      assert.equal(real.status, 200);
      const answer = (await real.json()) as Uploaded[];
      assert.deepEqual(answer.map((a) => [a.filename, a.content_type, a.size]), [['form.zip', 'application/x-zip-compressed', zip.length], ['form.pdf', 'application/pdf', pdf.length]]);
      assert.equal(sb.uploads('sandbox')[0]?.composer?.version, '2.0.0');
    });

    it('refuses a part not named file[] (400), naming it, and stores nothing', async () => {
      const res = await upload('production', [
        { filename: 'a.pdf', contentType: 'application/pdf', data: pdf },
        { name: 'file', filename: 'b.pdf', contentType: 'application/pdf', data: pdf },
      ]);
      assertError(res, 400, /file\[\].*"file"/);
      assert.deepEqual(sb.uploads('production'), []);
    });

    it('refuses other content types (415) and a part without filename (400)', async () => {
      assertError(await upload('production', [{ filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('hi') }]), 415, /a\.txt.*text\/plain/);
      assertError(await upload('production', [{ filename: 'a.zip', data: Buffer.from('PK') }]), 415, /\(none\)/);
      assertError(await upload('production', [{ contentType: 'application/pdf', data: pdf }]), 400, /no filename/);
      assert.deepEqual(sb.uploads('production'), []);
    });

    it('accepts png, jpeg, gif and octet-stream packages', async () => {
      const answer = await uploadOk('production', ['image/png', 'image/jpeg', 'image/gif', 'application/octet-stream'].map((contentType, i) => ({ filename: `f${i}`, contentType, data: Buffer.from([i]) })));
      assert.deepEqual(answer.map((a) => a.content_type), ['image/png', 'image/jpeg', 'image/gif', 'application/octet-stream']);
      assert.match(sb.uploads('production')[3]?.zipError ?? '', /./, 'a package that is not a zip is stored, marked unreadable');
    });

    it('answers 415 for a request that is not multipart, 400 for a missing or bad boundary, no parts or no closing boundary', async () => {
      const body = multipart([{ filename: 'a.pdf', contentType: 'application/pdf', data: pdf }]);
      assertError(await call('production', 'POST', UPLOADS, '{}', { 'Content-Type': 'application/json' }), 415, /multipart\/form-data/);
      assertError(await call('production', 'POST', UPLOADS, body, { 'Content-Type': 'multipart/form-data' }), 400, /boundary/);
      assertError(await call('production', 'POST', UPLOADS, body, { 'Content-Type': `multipart/form-data; boundary=${'x'.repeat(71)}` }), 400, /boundary/);
      assertError(await call('production', 'POST', UPLOADS, body, { 'Content-Type': 'multipart/form-data; boundary=other' }), 400, /closing boundary/);
      assertError(await call('production', 'POST', UPLOADS, Buffer.from(`--${BOUNDARY}--\r\n`), { 'Content-Type': `multipart/form-data; boundary="${BOUNDARY}"` }), 400, /no files/);
      const unclosed = multipart([{ filename: 'a.pdf', contentType: 'application/pdf', data: pdf }], BOUNDARY, false);
      assertError(await call('production', 'POST', UPLOADS, unclosed, { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }), 400, /closing boundary/);
      assert.deepEqual(sb.uploads('production'), []);
    });

    it('answers 413 with a JSON body for a zip over 30 MB, streamed without holding it, and stores nothing', async () => {
      const size = 30 * 1024 * 1024 + 1;
      const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file[]"; filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
      const mb = Buffer.alloc(1024 * 1024, 0x50);
      const res = await rawUpload('production', async function* () {
        yield head;
        for (let sent = 0; sent < size; sent += mb.length) {
          yield sent + mb.length <= size ? mb : mb.subarray(0, size - sent);
        }
        yield tail;
      }, head.length + size + tail.length);
      assert.notEqual(res, 'cut');
      assertError(res as Res, 413, /big\.zip.*31457280 bytes/);
      assert.deepEqual(sb.uploads('production'), []);
      // Exactly 30 MB is fine.
      const exact = await uploadOk('production', [{ filename: 'max.zip', contentType: 'application/zip', data: Buffer.alloc(30 * 1024 * 1024) }]);
      assert.equal(exact[0]?.size, 31457280);
    });

    it('answers 413 for a PDF over 10 MB', async () => {
      assertError(await upload('production', [{ filename: 'big.pdf', contentType: 'application/pdf', data: Buffer.alloc(10 * 1024 * 1024 + 1) }]), 413, /big\.pdf/);
    });

    it('stores nothing when the connection is cut mid-body, and keeps serving', async () => {
      const body = multipart([
        { filename: 'a.pdf', contentType: 'application/pdf', data: pdf },
        { filename: 'b.zip', contentType: 'application/zip', data: await moduleZip('acme/module-cut', '1.0.0') },
      ]);
      const res = await rawUpload('production', body, body.length, body.length - 200);
      assert.equal(res, 'cut');
      await waitFor(() => sb.requestLog('production').some((e) => e.path === UPLOADS), 'the cut upload in the log');
      const entry = sb.requestLog('production').find((e) => e.path === UPLOADS);
      assert.equal(entry?.status, 0);
      assert.deepEqual(sb.uploads('production'), []);
      await uploadOk('production', [{ filename: 'after.pdf', contentType: 'application/pdf', data: pdf }]);
      assert.equal(sb.uploads('production').length, 1);
    });

    it('logs the parts of an upload, never its bytes', async () => {
      await uploadOk('production', [{ filename: 'a.pdf', contentType: 'application/pdf', data: pdf }]);
      const entry = sb.requestLog('production').find((e) => e.path === UPLOADS);
      assert.deepEqual(entry?.body, { multipart: [{ name: 'file[]', filename: 'a.pdf', content_type: 'application/pdf', size: pdf.length }] });
      assert.equal(entry?.headers.authorization, 'Bearer ‹redacted›');
      assert.equal(entry?.status, 200);
    });
  });

  describe('the multipart parser', () => {
    it('gives the same parts whatever the chunk sizes, bytes that look like boundaries included', () => {
      const data = Buffer.concat([pdf, Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}\r\n--`), pdf]);
      const body = multipart([
        { filename: 'a.bin', contentType: 'application/octet-stream', data },
        { filename: 'empty.pdf', contentType: 'application/pdf', data: Buffer.alloc(0) },
      ]);
      for (const size of [1, 2, 3, 7, 64, 1000, body.length]) {
        const parts: { headers: Map<string, string>; data: Buffer[] }[] = [];
        let ended = 0;
        const parser = new MultipartParser(BOUNDARY, {
          partStart: (headers) => parts.push({ headers, data: [] }),
          partData: (chunk) => parts[parts.length - 1]?.data.push(Buffer.from(chunk)),
          partEnd: () => ended++,
        });
        for (let i = 0; i < body.length; i += size) {
          parser.write(body.subarray(i, i + size));
        }
        parser.end();
        assert.equal(ended, 2, `chunk size ${size}`);
        assert.deepEqual(parts.map((p) => p.headers.get('content-type')), ['application/octet-stream', 'application/pdf']);
        assert.ok(Buffer.concat(parts[0]?.data ?? []).equals(data), `chunk size ${size}`);
        assert.equal(Buffer.concat(parts[1]?.data ?? []).length, 0);
      }
    });
  });

  describe('GET /rest/v1/files/uploads/:id and the malware scan', () => {
    async function one(env: SandboxEnv = 'production'): Promise<string> {
      const [a] = await uploadOk(env, [{ filename: 'm.zip', contentType: 'application/zip', data: await moduleZip('acme/module-scan', '1.0.0') }]);
      return (a as Uploaded).file_upload_id;
    }
    const status = async (id: string, env: SandboxEnv = 'production'): Promise<Record<string, unknown>> => {
      const res = await call(env, 'GET', `${UPLOADS}/${encodeURIComponent(id)}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Record<string, unknown>;
    };

    it('is in-progress right after the upload and passes after 60 s of sandbox clock, with the md5 then', async () => {
      const id = await one();
      const first = await status(id);
      assert.deepEqual(Object.keys(first).sort(), ['content_type', 'file_upload_id', 'filename', 'malware_status', 'size', 'submission_ids', 'url']);
      assert.equal(first.malware_status, 'in-progress');
      assert.deepEqual(first.submission_ids, []);
      sb.clock.advance(59);
      assert.equal((await status(id)).malware_status, 'in-progress');
      sb.clock.advance(1);
      const done = await status(id);
      assert.equal(done.malware_status, 'pass');
      assert.equal(done.file_hash, sb.uploads('production')[0]?.md5);
      assert.match(done.file_hash as string, /^[0-9a-f]{32}$/);
    });

    it('fails, or never finishes, as the control says; for the next uploads or one of them', async () => {
      sb.setUploadScan('production', { result: 'fail', durationSeconds: 5 });
      const failing = await one();
      sb.clock.advance(5);
      const failed = await status(failing);
      assert.equal(failed.malware_status, 'fail');
      assert.equal(failed.file_hash, undefined);
      sb.setUploadScan('production', { result: 'never' });
      const stuck = await one();
      sb.clock.advance(7000); // (the token lives 7200 s)
      assert.equal((await status(stuck)).malware_status, 'in-progress');
      sb.setUploadScanResult('production', stuck, 'pass');
      assert.equal((await status(stuck)).malware_status, 'pass');
      sb.setUploadScanResult('production', stuck, 'fail');
      assert.equal((await status(stuck)).malware_status, 'fail');
    });

    it('spells the statuses passed/queued when asked, over the HTTP control interface too', async () => {
      const control = await fetch(`${sb.apiUrl('production')}/__sandbox/uploads/scan`, { method: 'POST', body: JSON.stringify({ spelling: 'observed', durationSeconds: 10 }) });
      assert.deepEqual(await control.json(), { durationSeconds: 10, result: 'pass', spelling: 'observed' });
      const id = await one();
      assert.equal((await status(id)).malware_status, 'queued');
      sb.clock.advance(10);
      assert.equal((await status(id)).malware_status, 'passed');
      assert.equal(sb.uploads('production')[0]?.malwareStatus, 'passed');
      const bad = await fetch(`${sb.apiUrl('production')}/__sandbox/uploads/scan`, { method: 'POST', body: JSON.stringify({ result: 'maybe' }) });
      assert.equal(bad.status, 400);
      const oneScan = await fetch(`${sb.apiUrl('production')}/__sandbox/uploads/${id}/scan`, { method: 'POST', body: JSON.stringify({ result: 'fail' }) });
      assert.equal(((await oneScan.json()) as { malwareStatus: string }).malwareStatus, 'fail');
      const list = await fetch(`${sb.apiUrl('production')}/__sandbox/uploads`);
      assert.equal(((await list.json()) as unknown[]).length, 1);
      const reset = await fetch(`${sb.apiUrl('production')}/__sandbox/uploads/reset`, { method: 'POST' });
      assert.deepEqual(await reset.json(), []);
      assert.equal(sb.setUploadScan('production', {}).spelling, 'documented');
    });

    it('answers 404 for an unknown id, one of the other environment and one of another account', async () => {
      assertError(await call('production', 'GET', `${UPLOADS}/0123456789abcd.12345678.1`), 404);
      const id = await one('sandbox');
      assertError(await call('production', 'GET', `${UPLOADS}/${id}`), 404);
      const mine = await one('production');
      sb.setProfile('production', { mageId: 'MAG000000001' });
      const other = await mint('production');
      assertError(await call('production', 'GET', `${UPLOADS}/${mine}`, undefined, {}, other), 404);
      assert.equal((await status(mine)).file_upload_id, mine, 'the uploader still sees it');
    });

    it('resets with the submissions (the global reset)', async () => {
      await one();
      sb.resetSubmissions();
      assert.deepEqual(sb.uploads('production'), []);
    });
  });

  describe('POST /rest/v1/products/packages', () => {
    it('creates a submission from a good item: listed first, in the pipeline, the uploads know it', async () => {
      const ids = await scannedPair('production', 'acme/module-fresh', '1.2.0');
      const res = await postPackages('production', [submitItem(ids, { name: 'Fresh Module' })]);
      assert.equal(res.status, 200);
      const [item] = res.body as BatchItem[];
      assert.equal(item?.code, 200);
      assert.equal(item?.message, 'Success');
      assert.match(item?.submission_id ?? '', /^[0-9a-f]{10}$/);
      assert.deepEqual(item?.eqp_status, { overall: 'in_progress', technical: 'in_automation', marketing: 'awaiting_marketing_review' });
      assert.match(item?.created_at ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.match(item?.item_id ?? '', /^\d+$/);
      const list = await call('production', 'GET', PACKAGES);
      const first = (list.body as Record<string, unknown>[])[0];
      assert.equal(first?.submission_id, item?.submission_id);
      assert.equal(first?.sku, 'acme/module-fresh');
      assert.equal(first?.version, '1.2.0');
      assert.equal(first?.name, 'Fresh Module');
      assert.equal((first?.artifact as { file_upload_id: string }).file_upload_id, ids.zip);
      for (const id of [ids.zip, ids.guide]) {
        const got = await call('production', 'GET', `${UPLOADS}/${id}`);
        assert.deepEqual((got.body as { submission_ids: string[] }).submission_ids, [item?.submission_id]);
      }
      sb.clock.advance(10 * 60);
      const moved = sb.submissions('production').find((s) => s.id === item?.submission_id);
      assert.equal(moved?.status.technical, 'awaiting_manual_qa');
      assert.deepEqual(moved?.runs.map((r) => r.name).sort(), ['phpcpd', 'phpcs', 'varnish']);
      sb.clock.advance(60 * 60);
      assert.equal(sb.submissions('production').find((s) => s.id === item?.submission_id)?.status.overall, 'approved');
    });

    it('keeps marketing a draft (and its pipeline steps out) when only technical is submitted', async () => {
      const ids = await scannedPair('production', 'acme/module-tech', '1.0.0');
      const [item] = (await postPackages('production', [submitItem(ids, { action: { technical: 'submit' } })])).body as BatchItem[];
      assert.deepEqual(item?.eqp_status, { overall: 'in_progress', technical: 'in_automation', marketing: 'draft' });
      sb.clock.advance(70 * 60);
      const sub = sb.submissions('production').find((s) => s.id === item?.submission_id);
      assert.deepEqual(sub?.status, { overall: 'in_progress', technical: 'approved', marketing: 'draft' });
      assert.ok(!sub?.runs.some((r) => r.name === 'marketing'));
    });

    it('saves a draft with only type and platform, and a draft referencing a zip still being scanned', async () => {
      const [plain] = (await postPackages('production', [{ type: 'extension', platform: 'M2', name: 'Idea' }])).body as BatchItem[];
      assert.equal(plain?.code, 200);
      assert.deepEqual(plain?.eqp_status, { overall: 'draft', technical: 'draft', marketing: 'draft' });
      const [zip] = await uploadOk('production', [{ filename: 'd.zip', contentType: 'application/zip', data: await moduleZip('acme/module-draft', '0.1.0') }]);
      const [draft] = (await postPackages('production', [{ action: { technical: 'draft' }, type: 'extension', platform: 'M2', artifact: { file_upload_id: zip?.file_upload_id } }])).body as BatchItem[];
      assert.equal(draft?.code, 200, draft?.message);
      const sub = sb.submissions('production').find((s) => s.id === draft?.submission_id);
      assert.deepEqual([sub?.sku, sub?.version, sub?.name, sub?.status.overall], ['acme/module-draft', '0.1.0', 'The acme/module-draft module', 'draft']);
    });

    it('takes the name of an existing product with that SKU', async () => {
      const ids = await scannedPair('production', 'acme/module-example', '1.2.0');
      const [item] = (await postPackages('production', [submitItem(ids)])).body as BatchItem[];
      assert.equal(item?.code, 200, item?.message);
      assert.equal(sb.submissions('production').find((s) => s.id === item?.submission_id)?.name, 'Example Module');
    });

    it('answers each documented item code', async () => {
      const ids = await scannedPair('production', 'acme/module-codes', '1.0.0');
      const taken = await scannedPair('production', 'acme/module-example', '1.0.1');
      const foreign = await scannedPair('production', 'magento/module-catalog', '104.0.0');
      sb.setUploadScan('production', { result: 'fail', durationSeconds: 0 });
      const failed = await scannedPair('production', 'acme/module-bad', '1.0.0');
      sb.setUploadScan('production', { result: 'pass', durationSeconds: 60 });
      const [pending] = await uploadOk('production', [{ filename: 'p.zip', contentType: 'application/zip', data: await moduleZip('acme/module-wait', '1.0.0') }]);
      const [notZip] = await uploadOk('production', [{ filename: 'x.zip', contentType: 'application/zip', data: Buffer.from('not a zip') }]);
      sb.clock.advance(60);
      const [noComposer] = await uploadOk('production', [{ filename: 'y.zip', contentType: 'application/zip', data: await makeZip('nocomposer.zip', { 'a/readme.txt': 'hi', 'b/readme.txt': 'hi' }) }]);
      sb.clock.advance(60);
      const cases: [Record<string, unknown>, number, RegExp][] = [
        [submitItem(ids, { release_notes: undefined }), 1001, /release_notes/],
        [submitItem(ids, { type: '' }), 1001, /type/],
        [submitItem(ids, { platform: undefined }), 1001, /platform/],
        [submitItem(ids, { version_compatibility: [] }), 1001, /version_compatibility/],
        [submitItem(ids, { artifact: undefined }), 1001, /artifact\.file_upload_id/],
        [submitItem(ids, { documentation_artifacts: {} }), 1001, /documentation_artifacts\.user\.file_upload_id/],
        [submitItem(failed), 1002, /malware scan .* failed/],
        [submitItem(ids, { platform: 'M1' }), 1003, /platform/],
        [submitItem(ids, { action: { technical: 'publish' } }), 1003, /action\.technical/],
        [submitItem(ids, { action: { technical: 'recall' } }), 1003, /PUT/],
        [submitItem(ids, { version_compatibility: [{ edition: 'CE', versions: [] }] }), 1003, /version_compatibility/],
        [submitItem(ids, { version: '9.9.9' }), 1003, /composer\.json version/],
        [submitItem({ zip: '0123456789abcd.12345678.1', guide: ids.guide }), 1004, /no file upload/],
        [submitItem({ zip: ids.guide, guide: ids.guide }), 1005, /not a zip/],
        [submitItem({ zip: ids.zip, guide: ids.zip }), 1005, /not a PDF/],
        [submitItem({ zip: notZip?.file_upload_id ?? '', guide: ids.guide }), 1005, /readable zip/],
        [submitItem({ zip: noComposer?.file_upload_id ?? '', guide: ids.guide }), 1005, /composer\.json/],
        [submitItem(taken), 1208, /1\.0\.1 of acme\/module-example already exists/],
        [submitItem(ids, { sku: 'acme/other' }), 1210, /does not match/],
        [submitItem(foreign), 1210, /another vendor/],
        [submitItem({ zip: pending?.file_upload_id ?? '', guide: ids.guide }), 1321, /not finished/],
      ];
      // `pending` was uploaded before the last two advances: give it a scan that has not finished.
      sb.setUploadScanResult('production', pending?.file_upload_id ?? '', 'never');
      const res = await postPackages('production', cases.map(([item]) => item));
      assert.equal(res.status, 200);
      const answers = res.body as BatchItem[];
      assert.equal(answers.length, cases.length);
      cases.forEach(([, code, pattern], i) => {
        assert.equal(answers[i]?.code, code, `case ${i}: ${JSON.stringify(answers[i])}`);
        assert.match(answers[i]?.message ?? '', pattern, `case ${i}`);
        assert.equal(answers[i]?.submission_id, undefined);
      });
      assert.equal(sb.submissions('production').length, 7, 'no failed item created a submission');
    });

    it('answers a batch of one good and one failed item in order; the good one is created', async () => {
      const good = await scannedPair('production', 'acme/module-batch', '1.0.0');
      const res = await postPackages('production', [{ type: 'extension' }, submitItem(good)]);
      const [bad, ok] = res.body as BatchItem[];
      assert.equal(bad?.code, 1001);
      assert.match(bad?.message ?? '', /platform/);
      assert.equal(ok?.code, 200);
      assert.equal(sb.submissions('production')[0]?.id, ok?.submission_id);
      const again = (await postPackages('production', [submitItem(good)])).body as BatchItem[];
      assert.equal(again[0]?.code, 1208, 'the same version twice');
    });

    it('answers 400 for a body that is not a JSON array', async () => {
      assertError(await postPackages('production', { type: 'extension', platform: 'M2' }), 400, /array/);
      assertError(await call('production', 'POST', PACKAGES, 'not json', { 'Content-Type': 'application/json' }), 400, /array/);
    });

    it('cannot use an upload of the other environment', async () => {
      const ids = await scannedPair('sandbox', 'acme/module-cross', '1.0.0');
      const [item] = (await postPackages('production', [submitItem(ids)])).body as BatchItem[];
      assert.equal(item?.code, 1004);
    });
  });

  describe('tokens and faults', () => {
    const part = (): Part[] => [{ filename: 'a.pdf', contentType: 'application/pdf', data: pdf }];

    it('answers 401 without a token, with an expired one and with one of the other environment', async () => {
      assertError(await upload('production', part(), null), 401);
      assertError(await upload('production', part(), tokens.sandbox ?? ''), 401);
      assertError(await call('production', 'GET', `${UPLOADS}/0123456789abcd.12345678.1`, undefined, {}, null), 401);
      assertError(await call('production', 'POST', PACKAGES, '[]', { 'Content-Type': 'application/json' }, null), 401);
      const short = await mint('production', 60);
      sb.clock.advance(61);
      assertError(await upload('production', part(), short), 401, /expired/);
      assert.deepEqual(sb.uploads('production'), []);
      // The token comes before the body's own errors.
      assertError(await call('production', 'POST', UPLOADS, 'x', { 'Content-Type': 'text/plain' }, null), 401);
    });

    it('answers 403 when not eligible', async () => {
      sb.setEligible('production', false);
      assertError(await upload('production', part()), 403);
    });

    it('applies injected faults (429 with Retry-After, 500) to uploads and package posts, storing nothing', async () => {
      sb.injectFault('production', { kind: 'retry-after', seconds: 7 });
      const limited = await upload('production', part());
      assertError(limited, 429);
      assert.equal(limited.headers.get('retry-after'), '7');
      sb.injectFault('production', { kind: 'status', status: 500 });
      assertError(await upload('production', part()), 500);
      assert.deepEqual(sb.uploads('production'), []);
      sb.injectFault('production', { kind: 'status', status: 500 });
      assertError(await postPackages('production', [{ type: 'extension', platform: 'M2' }]), 500);
      assert.equal(sb.submissions('production').length, 7);
      const log = sb.requestLog('production').filter((e) => e.fault);
      assert.deepEqual(log.map((e) => [e.path, e.status, e.fault]), [[UPLOADS, 429, 'retry-after'], [UPLOADS, 500, 'status'], [PACKAGES, 500, 'status']]);
      await uploadOk('production', part());
    });

    it('answers 405 for other methods', async () => {
      assertError(await call('production', 'GET', UPLOADS), 405);
      assertError(await call('production', 'DELETE', `${UPLOADS}/abc`), 405);
    });
  });
});
