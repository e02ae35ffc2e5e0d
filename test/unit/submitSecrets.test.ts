// The secret scan before zipping (#13): known secrets found streaming (also across chunk boundaries and in
// binary files), reported on their first place, never with the value in the message.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isSubmitCancelled } from '../../src/submit/cancel';
import { listPackageFiles } from '../../src/submit/files';
import { scanForSecrets } from '../../src/submit/secretScan';
import type { KnownSecret } from '../../src/submit/types';
import { writeTree } from './submitTree';

const APP_SECRET = '0123456789abcdef0123456789abcdef01234567';
const TOKEN = 'baGXoStRuR9VCDFQGZNzgNqbqu5WUwlr.cAxZJ9m22Le7';
const COMPOSER_KEY = 'fedcba9876543210fedcba9876543210';
const SECRETS: KnownSecret[] = [
  { value: APP_SECRET, what: 'the application secret of Sandbox key "CI"' },
  { value: TOKEN, what: 'a session token' },
  { value: COMPOSER_KEY, what: 'the private Composer key "ci"' },
  { value: 'short', what: 'a short value' },
];

describe('submit: secret scan', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-scan-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function scan(files: Record<string, string | Buffer>, options: { chunkSize?: number } = {}) {
    writeTree(root, files);
    const list = await listPackageFiles(root);
    return scanForSecrets(root, list.files, SECRETS, options);
  }

  it('finds each secret once per file, at its first place, naming what it is and never its value', async () => {
    const config = `<?php\nreturn [\n  'secret' => '${APP_SECRET}',\n  'again' => '${APP_SECRET}',\n  'token' => "${TOKEN}",\n];\n`;
    const readme = `# Hé 🙂 ${COMPOSER_KEY}`; // é is 2 UTF-8 bytes and 1 UTF-16 unit, 🙂 4 bytes and 2 units
    const problems = await scan({
      'composer.json': '{"name": "acme/x"}',
      'etc/config.php': config,
      'Model/Clean.php': '<?php // nothing here: short is short',
      'README.md': readme,
    });
    const at = (line: number, character: number, length: number) => ({ startLine: line, startCharacter: character, endLine: line, endCharacter: character + length });
    const lines = config.split('\n');
    assert.deepEqual(problems.map((p) => [p.file, p.code, p.severity, p.range]), [
      ['README.md', 'secret-in-file', 'error', at(0, readme.indexOf(COMPOSER_KEY), COMPOSER_KEY.length)],
      ['etc/config.php', 'secret-in-file', 'error', at(2, lines[2]?.indexOf(APP_SECRET) ?? -1, APP_SECRET.length)],
      ['etc/config.php', 'secret-in-file', 'error', at(4, lines[4]?.indexOf(TOKEN) ?? -1, TOKEN.length)],
    ]);
    assert.equal(readme.indexOf(COMPOSER_KEY), 8);
    assert.equal(problems[0]?.message, 'This file holds the private Composer key "ci": remove it, or add the file to .gitignore.');
    assert.equal(problems[1]?.message, 'This file holds the application secret of Sandbox key "CI": remove it, or add the file to .gitignore.');
    const all = JSON.stringify(problems);
    for (const s of [APP_SECRET, TOKEN, COMPOSER_KEY]) assert.ok(!all.includes(s), 'no secret value in the problems');
  });

  it('finds a secret split across chunk boundaries, whatever the split', async () => {
    const prefix = 'x'.repeat(97);
    writeTree(root, { 'a.txt': `${prefix}\n${APP_SECRET}\n` });
    const files = (await listPackageFiles(root)).files;
    for (const chunkSize of [1, 7, 16, 64, 100, 101, 120, 4096]) {
      const problems = await scanForSecrets(root, files, SECRETS, { chunkSize });
      assert.deepEqual(problems.map((p) => p.range), [{ startLine: 1, startCharacter: 0, endLine: 1, endCharacter: APP_SECRET.length }], `chunk ${chunkSize}`);
    }
  });

  it('searches binary files too (range at the start)', async () => {
    const bin = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), crypto.randomBytes(5000), Buffer.from(TOKEN), crypto.randomBytes(100)]);
    const problems = await scan({ 'view/web/images/logo.png': bin });
    assert.deepEqual(problems.map((p) => [p.file, p.range]), [['view/web/images/logo.png', { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 }]]);
    assert.match(problems[0]?.message ?? '', /a session token/);
  });

  it('skips secrets shorter than 8 characters and duplicates; nothing to find is no problem', async () => {
    assert.deepEqual(await scan({ 'a.txt': 'short short short', 'b.txt': '' }), []);
    writeTree(root, { 'c.txt': APP_SECRET });
    const twice = await scanForSecrets(root, [{ path: 'c.txt', size: 40 }], [SECRETS[0] as KnownSecret, { value: APP_SECRET, what: 'the same one' }]);
    assert.equal(twice.length, 1);
    assert.deepEqual(await scanForSecrets(root, [{ path: 'c.txt', size: 40 }], []), []);
  });

  it('scans a 25 MB package with ten secrets in reasonable time', async function () {
    this.timeout(60000);
    const block = crypto.randomBytes(1024 * 1024).toString('base64').slice(0, 1024 * 1024);
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) files[`lib/part${i}.js`] = block;
    files['lib/part24.js'] = `${block.slice(0, -100)}\n${TOKEN}\n`;
    writeTree(root, files);
    const ten: KnownSecret[] = Array.from({ length: 10 }, (_, i) => ({ value: `not-in-there-${i}-${'z'.repeat(20)}`, what: `secret ${i}` }));
    ten[9] = { value: TOKEN, what: 'a session token' };
    const list = await listPackageFiles(root);
    const started = Date.now();
    const problems = await scanForSecrets(root, list.files, ten);
    const ms = Date.now() - started;
    assert.deepEqual(problems.map((p) => [p.file, p.range?.startLine]), [['lib/part24.js', 1]]);
    assert.ok(ms < 20000, `took ${ms} ms`);
  });

  it('stops when cancelled', async () => {
    writeTree(root, { 'a.txt': 'x'.repeat(100000) });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(scanForSecrets(root, [{ path: 'a.txt', size: 100000 }], SECRETS, { signal: controller.signal }), (e) => isSubmitCancelled(e));
  });
});
