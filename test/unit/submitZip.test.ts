// The package zip (#13): built with yazl from the listed files, read back with yauzl (as the Marketplace reads
// it), cancelled mid-way without leaving a partial file, and 25 MB zipped without holding it in memory.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as yauzl from 'yauzl';
import { isSubmitCancelled } from '../../src/submit/cancel';
import { listPackageFiles } from '../../src/submit/files';
import { buildZip, ZipBuildError } from '../../src/submit/zip';
import { writeTree } from './submitTree';

/** Every entry of a zip: name → contents (small test zips only). */
async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          out.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return out;
}

describe('submit: package zip', () => {
  let root: string;
  let outDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-zip-'));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-zip-out-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('round trip: entry names are the listed paths (composer.json at the root), contents equal, credentials absent', async () => {
    const files = {
      'composer.json': '{"name": "acme/module-example", "type": "magento2-module", "version": "1.0.0"}',
      'registration.php': '<?php\n',
      'etc/module.xml': '<config/>\n',
      'view/frontend/web/images/logo.png': crypto.randomBytes(3000),
      'Model/Ümlaut.php': '<?php // ü\n',
      'empty.txt': '',
      'auth.json': '{"http-basic": {}}',
      '.env': 'SECRET=1',
      'etc/.env.local': 'SECRET=1',
      'node_modules/x/index.js': 'x',
    };
    writeTree(root, files);
    const out = path.join(root, 'dist', 'package.zip');
    fs.mkdirSync(path.dirname(out));
    const list = await listPackageFiles(root, { outputPath: out });
    const progress: [number, number][] = [];
    const built = await buildZip(root, list.files, out, { onProgress: (d, t) => progress.push([d, t]) });
    assert.equal(built.path, out);
    assert.equal(built.entries, 6);
    assert.equal(built.size, fs.statSync(out).size);
    const zip = await readZip(out);
    assert.deepEqual([...zip.keys()], ['Model/Ümlaut.php', 'composer.json', 'empty.txt', 'etc/module.xml', 'registration.php', 'view/frontend/web/images/logo.png']);
    for (const [name, content] of zip) assert.ok(content.equals(Buffer.from(files[name as keyof typeof files])), name);
    for (const name of ['auth.json', '.env', 'etc/.env.local', 'node_modules/x/index.js', 'dist/package.zip']) assert.ok(!zip.has(name), name);
    const total = list.files.reduce((s, f) => s + f.size, 0);
    assert.deepEqual(progress[progress.length - 1], [total, total]);
    for (let i = 1; i < progress.length; i++) assert.ok((progress[i]?.[0] ?? 0) >= (progress[i - 1]?.[0] ?? 0));
  });

  it('cancel mid-zip removes the partial file', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 8; i++) files[`big${i}.bin`] = crypto.randomBytes(1024 * 1024);
    writeTree(root, files);
    const list = await listPackageFiles(root);
    const out = path.join(outDir, 'package.zip');
    const controller = new AbortController();
    let sawOutput = false;
    const promise = buildZip(root, list.files, out, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done > 2 * 1024 * 1024 && !controller.signal.aborted) {
          sawOutput = fs.existsSync(out);
          controller.abort();
        }
      },
    });
    await assert.rejects(promise, (e) => isSubmitCancelled(e));
    assert.ok(sawOutput, 'the zip was being written when cancelled');
    assert.equal(fs.existsSync(out), false);
  });

  it('a file that changed or went since it was listed fails clearly and leaves no zip', async () => {
    writeTree(root, { 'composer.json': '{}', 'a.php': '<?php' });
    const list = await listPackageFiles(root);
    const out = path.join(outDir, 'package.zip');
    fs.writeFileSync(path.join(root, 'a.php'), '<?php // longer now');
    await assert.rejects(buildZip(root, list.files, out), (e) => e instanceof ZipBuildError && /a\.php changed while the zip was being built/.test(e.message));
    assert.equal(fs.existsSync(out), false);
    fs.rmSync(path.join(root, 'a.php'));
    await assert.rejects(buildZip(root, list.files, out), (e) => e instanceof ZipBuildError && e.message === 'a.php could not be read (it no longer exists).');
    assert.equal(fs.existsSync(out), false);
  });

  it('an output folder that does not exist is a clear error', async () => {
    writeTree(root, { 'composer.json': '{}' });
    const list = await listPackageFiles(root);
    const out = path.join(outDir, 'missing', 'package.zip');
    await assert.rejects(buildZip(root, list.files, out), (e) => e instanceof ZipBuildError && e.message.startsWith(`The zip could not be written to ${out}`));
  });

  it('zips a 25 MB package without holding it in memory (Buffer memory stays far below its size)', async function () {
    this.timeout(120000);
    // Incompressible data, 25 files of 1 MiB, written one block at a time.
    for (let i = 0; i < 25; i++) writeTree(root, { [`lib/part${i}.bin`]: crypto.randomBytes(1024 * 1024) });
    const list = await listPackageFiles(root);
    const out = path.join(outDir, 'package.zip');
    // Collect the written blocks first, so that their release during the zip cannot hide memory the zip holds.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage();
    let peakBuffers = 0;
    let peakRss = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers - before.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - before.rss);
    };
    // Live memory, not garbage: collect every MiB of progress, then sample (read chunks are garbage at once;
    // without the collection the peak would count them, held or not).
    let nextSample = 0;
    const onProgress = (done: number): void => {
      if (done < nextSample) return;
      nextSample = done + 1024 * 1024;
      gc();
      sample();
    };
    const built = await buildZip(root, list.files, out, { onProgress });
    sample();
    assert.ok(built.size > 25 * 1024 * 1024, 'random data does not shrink');
    // The bound is on live Buffer (ArrayBuffer) memory, where a held package would show (+25 MB); rss moves with
    // the allocator, so it is only reported.
    assert.ok(peakBuffers < 12 * 1024 * 1024, `Buffer memory grew by ${(peakBuffers / 1048576).toFixed(1)} MB (rss +${(peakRss / 1048576).toFixed(1)} MB)`);
    console.log(`      zip of 25 MB: Buffer memory +${(peakBuffers / 1048576).toFixed(1)} MB at most, rss +${(peakRss / 1048576).toFixed(1)} MB at most`);
  });
});
