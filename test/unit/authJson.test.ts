// Composer's auth.json on real files in a fresh temporary folder per test. These run as root too, where no
// permission is ever denied: the read-only cases rely on the module's own checks of the mode bits.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import {
  AuthJsonError,
  type AuthJsonErrorCode,
  MAGENTO_REPO_HOST,
  basicAuthFor,
  basicAuthUsernames,
  composerHomeDir,
  globalAuthJsonPath,
  mergeBasicAuth,
  parseAuthJson,
  projectAuthJsonPath,
  readAuthJson,
  usernameFor,
  writeAuthJson,
} from '../../src/composer/authJson';
import { gitTracking, withGitignoreEntry } from '../../src/composer/gitTracking';

const USERNAME = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const PASSWORD = 'f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5';
/** What else an auth.json may hold: other secrets, which no message may quote either. */
const OTHER_SECRETS = ['ghp_0therT0kenThatMustStayPrivate', 'glpat-An0therSecretValue', 'OtherHostPassw0rd'];
const SECRETS = [USERNAME, PASSWORD, ...OTHER_SECRETS];
const CREDENTIALS = { username: USERNAME, password: PASSWORD };
const posix = process.platform !== 'win32';

/** The error, its stack, its inspection and its cause chain: none may hold a secret. */
function assertNoSecrets(err: Error): void {
  const views = [err.message, err.stack ?? '', inspect(err, { depth: 10 })];
  for (let link: unknown = err; link instanceof Error; link = link.cause) {
    views.push(link.message, JSON.stringify(link, Object.getOwnPropertyNames(link)));
  }
  for (const secret of SECRETS) {
    for (const view of views) assert.ok(!view.includes(secret), `an error view holds a secret: ${view}`);
  }
}

/** Runs `fn`, expecting an AuthJsonError with `code` that names `file` and holds no secret. */
async function rejectsWith(fn: () => unknown, code: AuthJsonErrorCode, file: string): Promise<AuthJsonError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof AuthJsonError, `expected an AuthJsonError, got ${inspect(e)}`);
    assertNoSecrets(e);
    assert.equal(e.code, code, `code of: ${e.message}`);
    assert.equal(e.path, file);
    assert.ok(e.message.includes(file), `the message names the file: ${e.message}`);
    return e;
  }
  return assert.fail(`expected an AuthJsonError '${code}', but the call succeeded`);
}

/** What the extension does to save a key: read, merge, write. */
async function save(file: string, credentials = CREDENTIALS, host = MAGENTO_REPO_HOST): Promise<void> {
  const snapshot = await readAuthJson(file);
  await writeAuthJson(snapshot, mergeBasicAuth(snapshot, host, credentials));
}

const magentoEntry = (indent: string): string =>
  `${indent}"${MAGENTO_REPO_HOST}": {\n${indent}    "username": "${USERNAME}",\n${indent}    "password": "${PASSWORD}"\n${indent}}`;

describe('auth.json', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'authjson-')));
    file = projectAuthJsonPath(dir);
  });

  afterEach(() => {
    // Give back the write bits the read-only tests took, so a non-root run can clean up too.
    const restore = (p: string): void => {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) return;
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
      if (st.isDirectory()) for (const name of fs.readdirSync(p)) restore(path.join(p, name));
    };
    restore(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The folder holds exactly these names: no temporary file was left behind. */
  const assertFolderHolds = (folder: string, names: string[]): void => {
    assert.deepEqual(fs.readdirSync(folder).sort(), [...names].sort());
  };

  describe('merging', () => {
    it('creates a missing file with exactly the Composer shape, 4 spaces and a final newline', async () => {
      await save(file);
      assert.equal(fs.readFileSync(file, 'utf8'), `{\n    "http-basic": {\n${magentoEntry('        ')}\n    }\n}\n`);
      assertFolderHolds(dir, ['auth.json']);
    });

    it('keeps every other host, top-level key and value, in their order', async () => {
      const before = {
        'github-oauth': { 'github.com': OTHER_SECRETS[0] },
        'http-basic': {
          'example.org': { username: 'someone', password: OTHER_SECRETS[2] },
          'packages.example.com': { username: 'x', password: 'y' },
        },
        bearer: { 'bearer.example.com': 'b-token' },
        'gitlab-token': { 'gitlab.com': OTHER_SECRETS[1] },
      };
      fs.writeFileSync(file, JSON.stringify(before, null, 4) + '\n');
      await save(file);
      const after = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(after), ['github-oauth', 'http-basic', 'bearer', 'gitlab-token']);
      assert.deepEqual(after, {
        ...before,
        'http-basic': { ...before['http-basic'], [MAGENTO_REPO_HOST]: CREDENTIALS },
      });
      assert.deepEqual(Object.keys(after['http-basic'] as object), ['example.org', 'packages.example.com', MAGENTO_REPO_HOST]);
    });

    it('keeps integer-like keys and numbers exactly where and as they were', async () => {
      fs.writeFileSync(file, '{"b": {"8080": 1.50, "a": 1e400}, "1": 12345678901234567890}');
      await save(file);
      assert.equal(
        fs.readFileSync(file, 'utf8'),
        '{\n    "b": {\n        "8080": 1.50,\n        "a": 1e400\n    },\n    "1": 12345678901234567890,\n' +
          `    "http-basic": {\n${magentoEntry('        ')}\n    }\n}\n`,
      );
    });

    it('replaces the host entry in its place, with exactly username and password', async () => {
      fs.writeFileSync(
        file,
        JSON.stringify({
          'http-basic': {
            'a.example': { username: 'a', password: 'a' },
            [MAGENTO_REPO_HOST]: { password: 'old-pass', username: 'old-user', extra: true },
            'z.example': { username: 'z', password: 'z' },
          },
        }),
      );
      await save(file);
      const text = fs.readFileSync(file, 'utf8');
      assert.equal(
        text,
        '{\n    "http-basic": {\n' +
          '        "a.example": {\n            "username": "a",\n            "password": "a"\n        },\n' +
          `${magentoEntry('        ')},\n` +
          '        "z.example": {\n            "username": "z",\n            "password": "z"\n        }\n' +
          '    }\n}\n',
      );
      assert.ok(!text.includes('old-') && !text.includes('extra'));
    });

    it('rewrites a file indented with 2 spaces or tabs with 4, as Composer does', async () => {
      fs.writeFileSync(file, '{\n  "config": {\n\t"x": [\n\t\t1,\n\t\t{}\n\t]\n  }\n}');
      await save(file);
      assert.equal(
        fs.readFileSync(file, 'utf8'),
        '{\n    "config": {\n        "x": [\n            1,\n            {}\n        ]\n    },\n' +
          `    "http-basic": {\n${magentoEntry('        ')}\n    }\n}\n`,
      );
    });

    it('takes an empty or all-whitespace file as {}', async () => {
      for (const text of ['', ' \n\t\r\n']) {
        fs.writeFileSync(file, text);
        await save(file);
        assert.equal(fs.readFileSync(file, 'utf8'), `{\n    "http-basic": {\n${magentoEntry('        ')}\n    }\n}\n`);
      }
    });

    it('adds the host to an empty http-basic', async () => {
      fs.writeFileSync(file, '{"http-basic": {}, "z": null}');
      await save(file);
      assert.equal(
        fs.readFileSync(file, 'utf8'),
        `{\n    "http-basic": {\n${magentoEntry('        ')}\n    },\n    "z": null\n}\n`,
      );
    });

    it('refuses invalid JSON with the line and column of the error, and leaves the file alone', async () => {
      const text = `{\n    "github-oauth": {"github.com": "${OTHER_SECRETS[0]}"},\n    "http-basic": {"a": "${OTHER_SECRETS[2]}",}\n}\n`;
      fs.writeFileSync(file, text);
      const e = await rejectsWith(() => save(file), 'invalidJson', file);
      assert.equal(e.line, 3);
      assert.equal(e.column, 45);
      assert.ok(e.message.includes('line 3, column 45'), e.message);
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      assertFolderHolds(dir, ['auth.json']);
    });

    it('reports the line and column of an unterminated file and of a bad token', async () => {
      fs.writeFileSync(file, '{\r\n  "http-basic": {\r\n    "x": tru\r\n');
      let e = await rejectsWith(() => save(file), 'invalidJson', file);
      assert.deepEqual([e.line, e.column], [3, 13]);
      fs.writeFileSync(file, `{\n  "p": "${PASSWORD}"\n  "q": 1\n}`);
      e = await rejectsWith(() => save(file), 'invalidJson', file);
      assert.deepEqual([e.line, e.column], [3, 3]);
    });

    it('refuses a file that is not UTF-8, at the first bad byte, and leaves its bytes alone', async () => {
      const latin1 = Buffer.concat([Buffer.from('{\n  "a": "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]);
      fs.writeFileSync(file, latin1);
      const e = await rejectsWith(() => save(file), 'invalidJson', file);
      assert.deepEqual([e.line, e.column], [2, 12]);
      assert.ok(fs.readFileSync(file).equals(latin1));

      // Cut short in the middle of a character; a UTF-16 surrogate written as UTF-8; an overlong "/".
      for (const [bytes, column] of [
        [Buffer.concat([Buffer.from('{"é": "'), Buffer.from([0xf0, 0x9f, 0x9a])]), 8],
        [Buffer.concat([Buffer.from('["'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"]')]), 3],
        [Buffer.concat([Buffer.from('["'), Buffer.from([0xc0, 0xaf]), Buffer.from('"]')]), 3],
      ] as const) {
        fs.writeFileSync(file, bytes);
        const err = await rejectsWith(() => readAuthJson(file), 'invalidJson', file);
        assert.deepEqual([err.line, err.column], [1, column]);
        assert.ok(fs.readFileSync(file).equals(bytes));
      }
    });

    it('reads a file with a byte order mark, and writes it back without one', async () => {
      fs.writeFileSync(file, '\uFEFF{"z": 1}');
      await save(file);
      assert.equal(
        fs.readFileSync(file, 'utf8'),
        `{\n    "z": 1,\n    "http-basic": {\n${magentoEntry('        ')}\n    }\n}\n`,
      );
      fs.writeFileSync(file, '\uFEFF{\n"z": 1,}');
      const e = await rejectsWith(() => save(file), 'invalidJson', file);
      assert.deepEqual([e.line, e.column], [2, 8]);
    });

    it('refuses a file whose root is not an object', async () => {
      for (const text of ['[]', `["${OTHER_SECRETS[0]}"]`, '"x"', 'null', '1']) {
        fs.writeFileSync(file, text);
        await rejectsWith(() => save(file), 'notObject', file);
        assert.equal(fs.readFileSync(file, 'utf8'), text);
      }
    });

    it('refuses a file whose http-basic is not an object', async () => {
      for (const text of [`{"http-basic": "${OTHER_SECRETS[2]}"}`, '{"http-basic": []}', '{"http-basic": null}']) {
        fs.writeFileSync(file, text);
        const e = await rejectsWith(() => save(file), 'notObject', file);
        assert.ok(e.message.includes('"http-basic"'), e.message);
        assert.equal(fs.readFileSync(file, 'utf8'), text);
      }
    });

    it("refuses a file whose entry for the host is not an object, but not another host's", async () => {
      const text = `{"http-basic": {"${MAGENTO_REPO_HOST}": "${OTHER_SECRETS[2]}"}}`;
      fs.writeFileSync(file, text);
      const e = await rejectsWith(() => save(file), 'notObject', file);
      assert.ok(e.message.includes(MAGENTO_REPO_HOST), e.message);
      assert.equal(fs.readFileSync(file, 'utf8'), text);

      fs.writeFileSync(file, '{"http-basic": {"other.example": "odd"}}');
      await save(file);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), {
        'http-basic': { 'other.example': 'odd', [MAGENTO_REPO_HOST]: CREDENTIALS },
      });
    });

    it('writes characters that need escaping as JSON', async () => {
      const odd = { username: 'quote " backslash \\ tab \t é 🚀', password: `${PASSWORD}\n` };
      await save(file, odd);
      assert.deepEqual(basicAuthFor(parseAuthJson(await readAuthJson(file)), MAGENTO_REPO_HOST), odd);
    });
  });

  describe('writing', () => {
    it('gives a new file mode 0600', async function () {
      if (!posix) this.skip();
      const umask = process.umask(0o022);
      try {
        await save(file);
      } finally {
        process.umask(umask);
      }
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    });

    it('gives an overwritten 0644 file mode 0600, even under a umask that takes owner bits', async function () {
      if (!posix) this.skip();
      fs.writeFileSync(file, '{}', { mode: 0o644 });
      fs.chmodSync(file, 0o644);
      const umask = process.umask(0o277);
      try {
        await save(file);
      } finally {
        process.umask(umask);
      }
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    });

    it('writes through a symlinked auth.json: the link stays a link and its target gets the content', async () => {
      const real = path.join(dir, 'shared', 'composer-auth.json');
      fs.mkdirSync(path.dirname(real));
      fs.writeFileSync(real, '{"bearer": {}}');
      fs.symlinkSync(path.join('shared', 'composer-auth.json'), file);
      await save(file);
      assert.ok(fs.lstatSync(file).isSymbolicLink());
      assert.equal(fs.readlinkSync(file), path.join('shared', 'composer-auth.json'));
      assert.deepEqual(JSON.parse(fs.readFileSync(real, 'utf8')), {
        bearer: {},
        'http-basic': { [MAGENTO_REPO_HOST]: CREDENTIALS },
      });
      assertFolderHolds(dir, ['auth.json', 'shared']);
      assertFolderHolds(path.dirname(real), ['composer-auth.json']);
    });

    it('refuses a symlink to nothing', async () => {
      fs.symlinkSync(path.join(dir, 'missing.json'), file);
      await rejectsWith(() => save(file), 'io', file);
      assert.ok(fs.lstatSync(file).isSymbolicLink());
      assertFolderHolds(dir, ['auth.json']);
    });

    it("stops with 'changed' when another program changed the file after it was read", async () => {
      fs.writeFileSync(file, `{"github-oauth": {"github.com": "${OTHER_SECRETS[0]}"}}`);
      const snapshot = await readAuthJson(file);
      const merged = mergeBasicAuth(snapshot, MAGENTO_REPO_HOST, CREDENTIALS);
      const theirs = `{"gitlab-token": {"gitlab.com": "${OTHER_SECRETS[1]}"}}`;
      fs.writeFileSync(file, theirs);
      await rejectsWith(() => writeAuthJson(snapshot, merged), 'changed', file);
      assert.equal(fs.readFileSync(file, 'utf8'), theirs);
      assertFolderHolds(dir, ['auth.json']);
    });

    it("stops with 'changed' when the file appeared or disappeared after it was read", async () => {
      const missing = await readAuthJson(file);
      assert.equal(missing.text, undefined);
      fs.writeFileSync(file, '{}');
      await rejectsWith(() => writeAuthJson(missing, mergeBasicAuth(missing, MAGENTO_REPO_HOST, CREDENTIALS)), 'changed', file);
      assert.equal(fs.readFileSync(file, 'utf8'), '{}');

      const present = await readAuthJson(file);
      fs.rmSync(file);
      await rejectsWith(() => writeAuthJson(present, mergeBasicAuth(present, MAGENTO_REPO_HOST, CREDENTIALS)), 'changed', file);
      assertFolderHolds(dir, []);
    });

    it("refuses a read-only file with 'readOnlyFile', leaving it as it was", async function () {
      if (!posix) this.skip();
      const text = '{"http-basic": {}}';
      fs.writeFileSync(file, text);
      fs.chmodSync(file, 0o444);
      await rejectsWith(() => save(file), 'readOnlyFile', file);
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      assert.equal(fs.statSync(file).mode & 0o777, 0o444);
      assertFolderHolds(dir, ['auth.json']);
    });

    it("refuses a read-only folder with 'readOnlyFolder', for an existing and for a new file", async function () {
      if (!posix) this.skip();
      const text = '{"http-basic": {}}';
      fs.writeFileSync(file, text);
      fs.chmodSync(dir, 0o555);
      const e = await rejectsWith(() => save(file), 'readOnlyFolder', file);
      assert.ok(e.message.includes(dir));
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      assertFolderHolds(dir, ['auth.json']);

      const empty = path.join(dir, 'empty');
      fs.chmodSync(dir, 0o755);
      fs.mkdirSync(empty, { mode: 0o555 });
      fs.chmodSync(empty, 0o555);
      const newFile = projectAuthJsonPath(empty);
      await rejectsWith(() => save(newFile), 'readOnlyFolder', newFile);
      assertFolderHolds(empty, []);
    });

    it("refuses a missing folder with 'noFolder'", async () => {
      const newFile = path.join(dir, 'no', 'such', 'auth.json');
      const e = await rejectsWith(() => save(newFile), 'noFolder', newFile);
      assert.ok(e.message.includes(path.join(dir, 'no', 'such')));
      assert.ok(!fs.existsSync(path.join(dir, 'no')));

      // A "folder" that is a file.
      fs.writeFileSync(path.join(dir, 'plain'), 'x');
      const underFile = path.join(dir, 'plain', 'auth.json');
      await rejectsWith(() => save(underFile), 'noFolder', underFile);
      assert.equal(fs.readFileSync(path.join(dir, 'plain'), 'utf8'), 'x');
    });

    it("refuses an auth.json that is a folder with 'io'", async () => {
      fs.mkdirSync(file);
      await rejectsWith(() => readAuthJson(file), 'io', file);
      await rejectsWith(() => writeAuthJson({ path: file, text: undefined }, '{}\n'), 'io', file);
      assertFolderHolds(dir, ['auth.json']);
      assert.ok(fs.statSync(file).isDirectory());
    });

    it('replaces the file in one rename: a reader sees the old text or the new, never a part', async () => {
      const old = JSON.stringify({ pad: 'x'.repeat(200_000) }, null, 4) + '\n';
      fs.writeFileSync(file, old);
      const snapshot = await readAuthJson(file);
      const next = mergeBasicAuth(snapshot, MAGENTO_REPO_HOST, CREDENTIALS);
      const inode = fs.statSync(file).ino;
      const seen = new Set<string>();
      const writing = writeAuthJson(snapshot, next);
      let done = false;
      void writing.finally(() => (done = true));
      while (!done) {
        seen.add(fs.readFileSync(file, 'utf8'));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await writing;
      seen.add(fs.readFileSync(file, 'utf8'));
      for (const text of seen) assert.ok(text === old || text === next, 'a reader saw a partial file');
      assert.equal(fs.readFileSync(file, 'utf8'), next);
      if (posix) assert.notEqual(fs.statSync(file).ino, inode, 'a new file was renamed into place');
      assertFolderHolds(dir, ['auth.json']);
    });
  });

  describe('reading', () => {
    it('reads a missing file as undefined', async () => {
      assert.deepEqual(await readAuthJson(file), { path: file, text: undefined });
      assert.deepEqual(await readAuthJson(path.join(dir, 'no', 'auth.json')), {
        path: path.join(dir, 'no', 'auth.json'),
        text: undefined,
      });
    });

    it('reads invalid JSON without complaint; parsing refuses it', async () => {
      fs.writeFileSync(file, '{oops');
      const snapshot = await readAuthJson(file);
      assert.equal(snapshot.text, '{oops');
      const e = await rejectsWith(() => parseAuthJson(snapshot), 'invalidJson', file);
      assert.deepEqual([e.line, e.column], [1, 2]);
    });

    it("finds a host's credentials, only when both are strings", () => {
      const doc = parseAuthJson({
        path: file,
        text: JSON.stringify({
          'http-basic': {
            [MAGENTO_REPO_HOST]: CREDENTIALS,
            'a.example': { username: 'a' },
            'b.example': { username: 1, password: 'p' },
            'c.example': 'no',
          },
        }),
      });
      assert.deepEqual(basicAuthFor(doc, MAGENTO_REPO_HOST), CREDENTIALS);
      assert.equal(basicAuthFor(doc, 'a.example'), undefined);
      assert.equal(basicAuthFor(doc, 'b.example'), undefined);
      assert.equal(basicAuthFor(doc, 'c.example'), undefined);
      assert.equal(basicAuthFor(doc, 'none.example'), undefined);
      assert.equal(basicAuthFor(parseAuthJson({ path: file, text: '{}' }), MAGENTO_REPO_HOST), undefined);
      assert.deepEqual(
        [...basicAuthUsernames(doc)],
        [
          [MAGENTO_REPO_HOST, USERNAME],
          ['a.example', 'a'],
        ],
      );
    });

    it('tells the username of a host, and undefined for a missing or invalid file, without throwing', async () => {
      await save(file);
      assert.equal(usernameFor((await readAuthJson(file)).text, MAGENTO_REPO_HOST), USERNAME);
      assert.equal(usernameFor((await readAuthJson(file)).text, 'other.example'), undefined);
      for (const text of [undefined, '', '{', '[]', '{"http-basic": 1}', `{"http-basic": {"${MAGENTO_REPO_HOST}": 1}}`]) {
        assert.equal(usernameFor(text, MAGENTO_REPO_HOST), undefined, String(text));
      }
    });
  });

  describe('Composer home', () => {
    const dirs = (...existing: string[]) => {
      const set = new Set(existing);
      return (p: string): boolean => set.has(p);
    };
    const linux = (env: Record<string, string | undefined>, ...existing: string[]): string =>
      composerHomeDir({ env, platform: 'linux', homedir: '/home/fallback', isDir: dirs(...existing) });

    it('is COMPOSER_HOME when set, with ~ or $HOME expanded and trailing slashes dropped', () => {
      assert.equal(linux({ COMPOSER_HOME: '/opt/composer/', HOME: '/home/me', XDG_CONFIG_HOME: '/x' }, '/x/composer'), '/opt/composer');
      assert.equal(linux({ COMPOSER_HOME: '~/ch', HOME: '/home/me/' }), '/home/me/ch');
      assert.equal(linux({ COMPOSER_HOME: '$HOME/ch', HOME: '/home/me' }), '/home/me/ch');
      assert.equal(linux({ COMPOSER_HOME: '~other/ch', HOME: '/home/me' }), '~other/ch');
      assert.equal(
        composerHomeDir({ env: { COMPOSER_HOME: 'D:\\composer\\', APPDATA: 'C:\\A' }, platform: 'win32', homedir: 'C:\\U', isDir: dirs() }),
        'D:\\composer',
      );
    });

    it('ignores an empty COMPOSER_HOME', () => {
      assert.equal(linux({ COMPOSER_HOME: '', HOME: '/home/me' }), '/home/me/.composer');
    });

    it('is %APPDATA%\\Composer on Windows, whatever exists', () => {
      const win = (env: Record<string, string | undefined>): string =>
        composerHomeDir({ env, platform: 'win32', homedir: 'C:\\Users\\me', isDir: dirs('C:\\Users\\me\\.composer') });
      assert.equal(win({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming', XDG_CONFIG_HOME: 'C:\\x' }), 'C:\\Users\\me\\AppData\\Roaming\\Composer');
      assert.throws(() => win({}), /COMPOSER_HOME/);
    });

    it('is $XDG_CONFIG_HOME/composer when an XDG variable is set and that folder exists', () => {
      assert.equal(
        linux({ HOME: '/home/me', XDG_CONFIG_HOME: '/home/me/.cfg' }, '/home/me/.cfg/composer', '/home/me/.composer'),
        '/home/me/.cfg/composer',
      );
      assert.equal(
        linux({ HOME: '/home/me', XDG_RUNTIME_DIR: '/run/user/0' }, '/home/me/.config/composer', '/home/me/.composer'),
        '/home/me/.config/composer',
      );
      // An empty XDG_CONFIG_HOME still says "XDG", and means ~/.config.
      assert.equal(linux({ HOME: '/home/me', XDG_CONFIG_HOME: '' }, '/home/me/.config/composer'), '/home/me/.config/composer');
    });

    it('uses XDG when /etc/xdg exists, even with no XDG variable', () => {
      assert.equal(linux({ HOME: '/home/me' }, '/etc/xdg', '/home/me/.config/composer'), '/home/me/.config/composer');
      assert.equal(linux({ HOME: '/home/me' }, '/home/me/.config/composer'), '/home/me/.composer');
    });

    it('is ~/.composer when it exists and the XDG folder does not', () => {
      assert.equal(linux({ HOME: '/home/me', XDG_CONFIG_HOME: '/home/me/.cfg' }, '/home/me/.composer'), '/home/me/.composer');
      assert.equal(
        composerHomeDir({ env: { HOME: '/Users/me' }, platform: 'darwin', homedir: '/x', isDir: dirs('/Users/me/.composer') }),
        '/Users/me/.composer',
      );
    });

    it('is the first candidate when none exists', () => {
      assert.equal(linux({ HOME: '/home/me', XDG_CONFIG_HOME: '/home/me/.cfg' }), '/home/me/.cfg/composer');
      assert.equal(linux({ HOME: '/home/me', XDG_SESSION_TYPE: 'x11' }), '/home/me/.config/composer');
      assert.equal(linux({ HOME: '/home/me' }), '/home/me/.composer');
      assert.equal(linux({ HOME: '/home/me', XDG_UNSET: undefined }), '/home/me/.composer');
    });

    it('goes by HOME, trailing slash dropped, and by the home folder when HOME is not set', () => {
      assert.equal(linux({ HOME: '/home/me/' }), '/home/me/.composer');
      assert.equal(linux({}), '/home/fallback/.composer');
    });

    it("gives this process's global auth.json", () => {
      const saved = process.env.COMPOSER_HOME;
      process.env.COMPOSER_HOME = dir;
      try {
        assert.equal(globalAuthJsonPath(), path.join(dir, 'auth.json'));
      } finally {
        if (saved === undefined) delete process.env.COMPOSER_HOME;
        else process.env.COMPOSER_HOME = saved;
      }
    });
  });

  describe('git tracking', () => {
    let repo: string;
    let env: NodeJS.ProcessEnv;
    const git = (...args: string[]): void => {
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { env, stdio: 'ignore' });
    };

    beforeEach(() => {
      // No user or system git configuration: no global excludes file can ignore auth.json.
      env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
      delete env.GIT_DIR;
      repo = path.join(dir, 'repo');
      fs.mkdirSync(repo);
      file = projectAuthJsonPath(repo);
    });

    it("is 'none' outside a repository", async () => {
      fs.writeFileSync(path.join(dir, 'auth.json'), '{}');
      assert.equal(await gitTracking(path.join(dir, 'auth.json'), { env }), 'none');
      assert.equal(await gitTracking(path.join(dir, 'missing', 'auth.json'), { env }), 'none');
    });

    it("is 'none' when git is not installed", async () => {
      git('init', '-q');
      assert.equal(await gitTracking(file, { env, git: path.join(dir, 'no-such-git') }), 'none');
    });

    it("is 'untracked' in a repository that does not ignore it, whether it exists yet or not", async () => {
      git('init', '-q');
      assert.equal(await gitTracking(file, { env }), 'untracked');
      fs.writeFileSync(file, '{}');
      assert.equal(await gitTracking(file, { env }), 'untracked');
    });

    it("is 'ignored' when .gitignore lists it, also in a subfolder of the repository", async () => {
      git('init', '-q');
      fs.writeFileSync(path.join(repo, '.gitignore'), '/vendor/\n/auth.json\n');
      fs.writeFileSync(file, '{}');
      assert.equal(await gitTracking(file, { env }), 'ignored');

      fs.mkdirSync(path.join(repo, 'app'));
      const nested = projectAuthJsonPath(path.join(repo, 'app'));
      assert.equal(await gitTracking(nested, { env }), 'untracked');
      fs.writeFileSync(path.join(repo, 'app', '.gitignore'), 'auth.json\n');
      assert.equal(await gitTracking(nested, { env }), 'ignored');
    });

    it("is 'tracked' once committed or staged", async () => {
      git('init', '-q');
      fs.writeFileSync(file, '{}');
      git('add', 'auth.json');
      assert.equal(await gitTracking(file, { env }), 'tracked');
      git('commit', '-q', '-m', 'c');
      assert.equal(await gitTracking(file, { env }), 'tracked');
    });

    it("is 'tracked' when tracked and ignored: ignore rules do not untrack a file", async () => {
      git('init', '-q');
      fs.writeFileSync(file, '{}');
      git('add', 'auth.json');
      git('commit', '-q', '-m', 'c');
      fs.writeFileSync(path.join(repo, '.gitignore'), 'auth.json\n');
      assert.equal(await gitTracking(file, { env }), 'tracked');
    });

    it("throws 'io' when git fails in the repository or does not answer in time", async function () {
      git('init', '-q');
      fs.writeFileSync(path.join(repo, '.git', 'index'), 'not an index');
      const e = await rejectsWith(() => gitTracking(file, { env }), 'io', file);
      assert.match(e.message, /git exited with 128/);

      if (!posix) this.skip();
      const slowGit = path.join(dir, 'slow-git');
      fs.writeFileSync(slowGit, '#!/bin/sh\nexec sleep 5\n', { mode: 0o755 });
      const slow = await rejectsWith(() => gitTracking(file, { env, git: slowGit, timeoutMs: 200 }), 'io', file);
      assert.match(slow.message, /in time/);
    });

    it('takes a file name literally, not as a pattern', async () => {
      git('init', '-q');
      fs.writeFileSync(path.join(repo, 'a1.json'), '{}');
      git('add', 'a1.json');
      assert.equal(await gitTracking(path.join(repo, 'a?.json'), { env }), 'untracked');
    });
  });

  describe('.gitignore entry', () => {
    it('adds /auth.json on a line of its own', () => {
      assert.equal(withGitignoreEntry(undefined), '/auth.json\n');
      assert.equal(withGitignoreEntry(''), '/auth.json\n');
      assert.equal(withGitignoreEntry('/vendor/\n'), '/vendor/\n/auth.json\n');
      assert.equal(withGitignoreEntry('/vendor/'), '/vendor/\n/auth.json\n');
      assert.equal(withGitignoreEntry('/vendor/\r\n.env'), '/vendor/\r\n.env\r\n/auth.json\r\n');
      assert.equal(withGitignoreEntry('x', 'secrets/auth.json'), 'x\nsecrets/auth.json\n');
    });

    it('leaves a file that already ignores it alone', () => {
      for (const text of ['auth.json', '/auth.json\n', '/vendor/\n  /auth.json  \n.env\n', '**/auth.json', 'a\r\nauth.json\r\n']) {
        assert.equal(withGitignoreEntry(text), undefined, text);
      }
    });

    it('adds it when the lines only look alike or a later ! line undoes them', () => {
      for (const text of ['# /auth.json\n', 'auth.json.dist\n', 'app/auth.json\n', '/auth.json\n!/auth.json\n', '!auth.json\n']) {
        assert.equal(withGitignoreEntry(text), `${text}/auth.json\n`, text);
      }
      assert.equal(withGitignoreEntry('!auth.json\nauth.json\n'), undefined);
    });
  });
});
