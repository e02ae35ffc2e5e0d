// The files that go into the package zip (#13): .gitignore as git applies it (root and nested, `!`), .git,
// node_modules and the root vendor left out, credentials by name never listed, symlinks never followed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isSecretFileName, listPackageFiles } from '../../src/submit/files';
import { isSubmitCancelled } from '../../src/submit/cancel';
import { writeTree } from './submitTree';

describe('submit: package file list', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-files-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('applies root and nested .gitignore files as git does, with negation', async () => {
    writeTree(root, {
      'composer.json': '{}',
      '.gitignore': '*.log\n/build/\ndocs/*.tmp\n!keep.log\ncache/\n',
      'app.log': 'x',
      'keep.log': 'x',
      'build/out.js': 'x',
      'src/build/real.php': 'x', // /build/ is anchored to the root
      'docs/a.tmp': 'x',
      'docs/guide.pdf': 'x',
      'cache/x.bin': 'x',
      'Model/.gitignore': 'generated/\n!important.log\n*.php~\n',
      'Model/important.log': 'x', // re-included by the deeper file
      'Model/other.log': 'x', // still ignored by the root
      'Model/generated/A.php': 'x',
      'Model/Thing.php': 'x',
      'Model/Thing.php~': 'x',
      'Model/Sub/B.php~': 'x', // the nested rule applies below its folder too
      'cache2/.gitignore': '*\n!.gitignore\n',
      'cache2/data.bin': 'x',
    });
    const { files, excluded } = await listPackageFiles(root, { ignoreCase: false });
    assert.deepEqual(files.map((f) => f.path), [
      '.gitignore', 'Model/.gitignore', 'Model/Thing.php', 'Model/important.log', 'cache2/.gitignore', 'composer.json',
      'docs/guide.pdf', 'keep.log', 'src/build/real.php',
    ]);
    assert.deepEqual(excluded, [
      { path: 'Model/Sub/B.php~', reason: 'gitignore' },
      { path: 'Model/Thing.php~', reason: 'gitignore' },
      { path: 'Model/generated/', reason: 'gitignore' },
      { path: 'Model/other.log', reason: 'gitignore' },
      { path: 'app.log', reason: 'gitignore' },
      { path: 'build/', reason: 'gitignore' },
      { path: 'cache/', reason: 'gitignore' },
      { path: 'cache2/data.bin', reason: 'gitignore' },
      { path: 'docs/a.tmp', reason: 'gitignore' },
    ]);
    assert.equal(files.find((f) => f.path === 'composer.json')?.size, 2);
  });

  it('a file inside an ignored folder cannot be re-included (git does not look inside)', async () => {
    writeTree(root, { '.gitignore': 'logs/\n!logs/keep.txt\n', 'logs/keep.txt': 'x', 'a.php': 'x' });
    const { files, excluded } = await listPackageFiles(root);
    assert.deepEqual(files.map((f) => f.path), ['.gitignore', 'a.php']);
    assert.deepEqual(excluded, [{ path: 'logs/', reason: 'gitignore' }]);
  });

  it('never lists auth.json, .env, .env.*, *.pem, *.key, at the root or nested, whatever .gitignore says', async () => {
    writeTree(root, {
      '.gitignore': '!*\n',
      'composer.json': '{}',
      'auth.json': '{}',
      '.env': 'A=1',
      '.env.local': 'A=1',
      'x.pem': 'k',
      'y.key': 'k',
      'etc/auth.json': '{}',
      'etc/.env': 'A=1',
      'etc/deep/.env.production': 'A=1',
      'etc/deep/Server.PEM': 'k',
      'etc/deep/id.key': 'k',
      'etc/environment.php': 'ok',
      'etc/keys.php': 'ok',
      'etc/.envrc': 'ok',
    });
    const { files, excluded } = await listPackageFiles(root);
    assert.deepEqual(files.map((f) => f.path), ['.gitignore', 'composer.json', 'etc/.envrc', 'etc/environment.php', 'etc/keys.php']);
    assert.deepEqual(excluded.filter((e) => e.reason === 'secret-name').map((e) => e.path), [
      '.env', '.env.local', 'auth.json', 'etc/.env', 'etc/auth.json', 'etc/deep/.env.production', 'etc/deep/Server.PEM', 'etc/deep/id.key', 'x.pem', 'y.key',
    ]);
    for (const name of ['auth.json', 'AUTH.JSON', '.env', '.env.test', 'a.pem', 'b.key']) assert.ok(isSecretFileName(name), name);
    for (const name of ['auth.json.dist', 'env', 'x.env', 'keys', 'a.pem.txt']) assert.ok(!isSecretFileName(name), name);
  });

  it('leaves out .git and node_modules anywhere, vendor only at the root, and the zip being written', async () => {
    writeTree(root, {
      'composer.json': '{}',
      '.git/HEAD': 'ref',
      'sub/.git': 'gitdir: ../.git/worktrees/x',
      'node_modules/a/index.js': 'x',
      'view/frontend/node_modules/b.js': 'x',
      'vendor/autoload.php': 'x',
      'view/frontend/web/js/vendor/lib.js': 'x',
      'dist/package.zip': 'PK',
    });
    const { files, excluded } = await listPackageFiles(root, { outputPath: path.join(root, 'dist', 'package.zip') });
    assert.deepEqual(files.map((f) => f.path), ['composer.json', 'view/frontend/web/js/vendor/lib.js']);
    assert.deepEqual(excluded, [
      { path: '.git/', reason: 'git' },
      { path: 'dist/package.zip', reason: 'zip-output' },
      { path: 'node_modules/', reason: 'node_modules' },
      { path: 'sub/.git', reason: 'git' },
      { path: 'vendor/', reason: 'vendor' },
      { path: 'view/frontend/node_modules/', reason: 'node_modules' },
    ]);
  });

  it('does not follow symbolic links (to files or folders, inside or outside the root)', async function () {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-outside-'));
    try {
      writeTree(outside, { 'secret.txt': 'outside' });
      writeTree(root, { 'composer.json': '{}', 'real/a.php': 'x' });
      try {
        fs.symlinkSync(outside, path.join(root, 'linked-dir'), 'dir');
        fs.symlinkSync(path.join(root, 'real', 'a.php'), path.join(root, 'b.php'), 'file');
      } catch {
        this.skip(); // no permission to make links (Windows without developer mode)
      }
      const { files, excluded } = await listPackageFiles(root);
      assert.deepEqual(files.map((f) => f.path), ['composer.json', 'real/a.php']);
      assert.deepEqual(excluded, [{ path: 'b.php', reason: 'symlink' }, { path: 'linked-dir', reason: 'symlink' }]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('stops when cancelled', async () => {
    writeTree(root, { 'composer.json': '{}' });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(listPackageFiles(root, { signal: controller.signal }), (e) => isSubmitCancelled(e));
  });
});
