/**
 * Composer's auth.json: where it is, reading the `http-basic` credentials of a host, and merging new ones in
 * without disturbing anything else in the file. No `vscode` import: it runs (and is tested) in plain Node.
 *
 * The flow of a write: `readAuthJson` → `mergeBasicAuth` → `writeAuthJson`, which writes atomically and only if
 * the file still holds what was read. Error messages name the file and never quote its content: it holds secrets.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonObject, JsonSyntaxError, JsonValue, isJsonObject, lineColumn, parseJson, stringifyJson } from './orderedJson';

/** The host of the Magento 2 Composer repository, the key of its entry in `http-basic`. */
export const MAGENTO_REPO_HOST = 'repo.magento.com';

/** The file name Composer reads credentials from, beside composer.json or in the Composer home. */
export const AUTH_JSON = 'auth.json';

export type AuthJsonErrorCode =
  /** The file is not JSON; `line` and `column` say where. */
  | 'invalidJson'
  /** The file's root, its `http-basic` or the host's entry is not a JSON object. */
  | 'notObject'
  /** Something else changed the file between reading and writing it; nothing was written. */
  | 'changed'
  /** The file is read-only. */
  | 'readOnlyFile'
  /** The folder is read-only, so no file can be created or replaced in it. */
  | 'readOnlyFolder'
  /** The folder does not exist. */
  | 'noFolder'
  /** Any other failure to read or write. */
  | 'io';

/**
 * The one error type of this module. Its message names the file and says what to do; it never holds the file's
 * content, a username or a password. When it is thrown the file was not changed.
 */
export class AuthJsonError extends Error {
  override readonly name = 'AuthJsonError';
  /** 1-based, code 'invalidJson' only. */
  readonly line?: number;
  /** 1-based, in UTF-16 code units, code 'invalidJson' only. */
  readonly column?: number;

  constructor(
    readonly code: AuthJsonErrorCode,
    /** The auth.json concerned (as given, not a symlink's target). */
    readonly path: string,
    message: string,
    details: { line?: number; column?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.line = details.line;
    this.column = details.column;
  }
}

export function isAuthJsonError(x: unknown): x is AuthJsonError {
  return x instanceof AuthJsonError;
}

/** One `http-basic` entry. */
export interface BasicAuth {
  username: string;
  password: string;
}

/** An auth.json as read: `text` is undefined when the file did not exist. */
export interface AuthJsonSnapshot {
  readonly path: string;
  readonly text: string | undefined;
}

/** A parsed auth.json: its root object, keys in the file's order. */
export type AuthJsonDocument = JsonObject;

// ---------------------------------------------------------------------------------------------------------------
// Where

/** The auth.json of the project whose composer.json is in `folder`. */
export function projectAuthJsonPath(folder: string): string {
  return path.join(folder, AUTH_JSON);
}

export interface ComposerHomeInputs {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** The user's home, used when HOME is not set (os.homedir()). */
  homedir: string;
  isDir: (p: string) => boolean;
}

/**
 * The Composer home, where the global auth.json lives, by Composer's own rule (Factory::getHomeDir and
 * Config::get('home')):
 * - `COMPOSER_HOME` if set and not empty, with a leading `~` or `$HOME` replaced by the home folder;
 * - on Windows `%APPDATA%\Composer` (throws when APPDATA is not set either, as Composer does);
 * - else, of `$XDG_CONFIG_HOME/composer` (or `~/.config/composer`; only when some `XDG_*` variable is set or
 *   /etc/xdg exists) and `~/.composer`, the first that is a folder, or the first of them when neither is.
 *
 * The home folder is `HOME`, or `homedir` when HOME is not set. Windows paths use `\`, others `/`.
 */
export function composerHomeDir(inputs: ComposerHomeInputs): string {
  const { env, platform, isDir } = inputs;
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  /** A variable's value, undefined when unset or empty (PHP's `if (getenv(...))`). */
  const envVar = (name: string): string | undefined => (env[name] ? env[name] : undefined);
  const trimEnd = (s: string): string => s.replace(/[/\\]+$/, '');

  const composerHome = envVar('COMPOSER_HOME');
  if (composerHome !== undefined) {
    const userHome = envVar('HOME') ?? envVar('USERPROFILE') ?? inputs.homedir;
    const expanded = composerHome.replace(/^(\$HOME|~)(\/|$)/, () => `${trimEnd(userHome)}/`);
    const trimmed = trimEnd(expanded);
    // "/" trims to "" in Composer too, and its auth.json is then "/auth.json".
    return p.normalize(trimmed === '' ? p.sep : trimmed);
  }

  if (win) {
    const appData = envVar('APPDATA');
    if (appData === undefined) {
      throw new Error('Cannot find the Composer home: neither COMPOSER_HOME nor APPDATA is set.');
    }
    return p.join(appData, 'Composer');
  }

  const userDir = trimEnd((envVar('HOME') ?? inputs.homedir).replace(/\\/g, '/'));
  const dirs: string[] = [];
  const useXdg = Object.keys(env).some((k) => k.startsWith('XDG_') && env[k] !== undefined) || isDir('/etc/xdg');
  if (useXdg) dirs.push(`${envVar('XDG_CONFIG_HOME') ?? `${userDir}/.config`}/composer`);
  dirs.push(`${userDir}/.composer`);
  const found = dirs.find((d) => isDir(d)) ?? dirs[0] ?? `${userDir}/.composer`;
  return p.normalize(found);
}

/** `composerHomeDir` of this process (its environment, platform and home). */
export function realComposerHomeDir(): string {
  return composerHomeDir({
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    isDir: (p) => {
      try {
        return fs.statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
  });
}

/** The global auth.json of this process's Composer. */
export function globalAuthJsonPath(): string {
  return path.join(realComposerHomeDir(), AUTH_JSON);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * Reads an auth.json (through a symlink). A missing file (or folder) gives `text: undefined`; whether the text is
 * JSON is not checked here (see `parseAuthJson`). Throws AuthJsonError 'invalidJson' when the file is not UTF-8
 * (a merge would garble the bytes it could not decode, and Composer cannot read it either), and 'io' when it cannot
 * be read or is not a file.
 */
export async function readAuthJson(file: string): Promise<AuthJsonSnapshot> {
  const bytes = await readBytesOrUndefined(file, file);
  if (bytes === undefined) return { path: file, text: undefined };
  try {
    return { path: file, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, bad).toString('utf8');
    const { line, column } = lineColumn(before, before.length);
    throw new AuthJsonError(
      'invalidJson',
      file,
      `${file} is not UTF-8 text, as JSON must be: see line ${line}, column ${column}. Save it as UTF-8, then try ` +
        'again; it was not changed.',
      { line, column },
    );
  }
}

async function readBytesOrUndefined(file: string, shownPath: string): Promise<Buffer | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw ioError(shownPath, 'read', e);
  }
  try {
    // Checked on the open handle: a FIFO or a device would block or never end.
    if (!(await handle.stat()).isFile()) {
      throw new AuthJsonError('io', shownPath, `${shownPath} is not a file. Remove or rename it, then try again.`);
    }
    return await handle.readFile();
  } catch (e) {
    throw isAuthJsonError(e) ? e : ioError(shownPath, 'read', e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The offset of the first byte that does not start a valid UTF-8 sequence, or bytes.length. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const more = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (more === 0 || i + more >= bytes.length) return i;
    let cp = lead & (0x3f >> more);
    for (let k = 1; k <= more; k++) {
      const b = bytes[i + k] ?? 0;
      if ((b & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (b & 0x3f);
    }
    const min = more === 1 ? 0x80 : more === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += more + 1;
  }
  return bytes.length;
}

/**
 * The root object of an auth.json. A missing, empty or all-whitespace file is `{}`. Throws AuthJsonError
 * 'invalidJson' (with line and column) when it is not JSON, and 'notObject' when its root or its `http-basic` is
 * not an object.
 */
export function parseAuthJson(snapshot: AuthJsonSnapshot): AuthJsonDocument {
  const { path: file, text } = snapshot;
  if (text === undefined || /^\uFEFF?[ \t\r\n]*$/.test(text)) return new Map();
  let root: JsonValue;
  try {
    root = parseJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const { line, column } = lineColumn(text, e.offset);
    throw new AuthJsonError(
      'invalidJson',
      file,
      `${file} is not valid JSON: ${e.reason} at line ${line}, column ${column}. ` +
        'Fix it (Composer cannot read it either), then try again; it was not changed.',
      { line, column },
    );
  }
  if (!isJsonObject(root)) {
    throw new AuthJsonError(
      'notObject',
      file,
      `${file} does not hold a JSON object ({ … }) as Composer expects. Fix it, then try again; it was not changed.`,
    );
  }
  const httpBasic = root.get('http-basic');
  if (httpBasic !== undefined && !isJsonObject(httpBasic)) {
    throw new AuthJsonError(
      'notObject',
      file,
      `The "http-basic" entry of ${file} is not a JSON object ({ … }) as Composer expects. ` +
        'Fix it, then try again; it was not changed.',
    );
  }
  return root;
}

/** The `http-basic` username and password of `host`, or undefined when there is no such entry with both strings. */
export function basicAuthFor(doc: AuthJsonDocument, host: string): BasicAuth | undefined {
  const entry = httpBasicOf(doc)?.get(host);
  if (!isJsonObject(entry)) return undefined;
  const username = entry.get('username');
  const password = entry.get('password');
  return typeof username === 'string' && typeof password === 'string' ? { username, password } : undefined;
}

/** Host → username of every `http-basic` entry that has a string username, in the file's order. */
export function basicAuthUsernames(doc: AuthJsonDocument): Map<string, string> {
  const out = new Map<string, string>();
  for (const [host, entry] of httpBasicOf(doc) ?? []) {
    const username = isJsonObject(entry) ? entry.get('username') : undefined;
    if (typeof username === 'string') out.set(host, username);
  }
  return out;
}

/**
 * The `http-basic` username of `host` in an auth.json's text (from `readAuthJson`), or undefined when there is
 * none or the text is not a valid auth.json. Never throws: for marking which key a file uses.
 */
export function usernameFor(text: string | undefined, host: string): string | undefined {
  try {
    return basicAuthUsernames(parseAuthJson({ path: AUTH_JSON, text })).get(host);
  } catch {
    return undefined;
  }
}

function httpBasicOf(doc: AuthJsonDocument): JsonObject | undefined {
  const httpBasic = doc.get('http-basic');
  return isJsonObject(httpBasic) ? httpBasic : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging

/**
 * The text of `snapshot`'s file with `http-basic.<host>` set to exactly `{username, password}`, everything else as
 * it was (keys in their order). The host's entry keeps its place, or comes last in `http-basic`; `http-basic`
 * comes last when the file has none. Printed like Composer prints: 4-space indentation and a final newline.
 * Throws what `parseAuthJson` throws, and 'notObject' when the host's entry exists but is not an object.
 */
export function mergeBasicAuth(snapshot: AuthJsonSnapshot, host: string, credentials: BasicAuth): string {
  const doc = parseAuthJson(snapshot);
  let httpBasic = httpBasicOf(doc);
  if (httpBasic === undefined) {
    httpBasic = new Map();
    doc.set('http-basic', httpBasic);
  }
  const existing = httpBasic.get(host);
  if (existing !== undefined && !isJsonObject(existing)) {
    throw new AuthJsonError(
      'notObject',
      snapshot.path,
      `The "http-basic" entry for ${host} in ${snapshot.path} is not a JSON object ({ … }) as Composer expects. ` +
        'Fix or remove it, then try again; the file was not changed.',
    );
  }
  httpBasic.set(
    host,
    new Map([
      ['username', credentials.username],
      ['password', credentials.password],
    ]),
  );
  return `${stringifyJson(doc, 4)}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * Replaces the file of `snapshot` with `newText`, atomically: a temporary file in the same folder (mode 0600,
 * created exclusively), written and flushed to disk, then renamed over the file. The file ends up with mode 0600
 * where the platform has modes. Right before the rename the file is read again: if it no longer holds
 * `snapshot.text` (or appeared, or disappeared) nothing is written and AuthJsonError 'changed' is thrown. (A write
 * in the instant between that check and the rename would still be lost: no portable lock exists.)
 *
 * When the file is a symlink, its target is replaced and the link stays a link; a link to nothing is refused.
 * Refuses a file without any write permission ('readOnlyFile') and a folder without any ('readOnlyFolder') itself,
 * as root could write them anyway; a missing folder is 'noFolder'. On any failure the temporary file is removed
 * and the file is left as it was.
 */
export async function writeAuthJson(snapshot: AuthJsonSnapshot, newText: string): Promise<void> {
  const shown = snapshot.path;
  const target = await resolveTarget(shown);
  const dir = path.dirname(target);
  const isWindows = process.platform === 'win32';

  const dirStat = await fsp.stat(dir).catch((e: unknown) => {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw noFolderError(shown, dir, e);
    throw ioError(shown, 'write', e);
  });
  if (!dirStat.isDirectory()) throw noFolderError(shown, dir);
  // Windows' read-only attribute on a folder does not stop files being written in it.
  if (!isWindows && (dirStat.mode & 0o222) === 0) throw readOnlyFolderError(shown, dir);

  const existing = await fsp.stat(target).catch((e: unknown) => {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw ioError(shown, 'write', e);
  });
  if (existing !== undefined) {
    if (!existing.isFile()) {
      throw new AuthJsonError('io', shown, `${shown} is not a file. Remove or rename it, then try again.`);
    }
    // On Windows a file with the read-only attribute has no write bits here either.
    if ((existing.mode & 0o222) === 0) throw readOnlyFileError(shown);
  }

  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(temp, 'wx', 0o600);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw noFolderError(shown, dir, e);
    if (isPermissionCode(code)) throw readOnlyFolderError(shown, dir, e);
    throw ioError(shown, 'write', e);
  }
  try {
    try {
      await handle.writeFile(newText, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The umask may have taken bits off 0600 (say to 0400); set it exactly.
    if (!isWindows) await fsp.chmod(temp, 0o600);

    const now = await readBytesOrUndefined(target, shown);
    const expected = snapshot.text === undefined ? undefined : Buffer.from(snapshot.text, 'utf8');
    if ((now === undefined || expected === undefined) ? now !== expected : !now.equals(expected)) {
      throw new AuthJsonError(
        'changed',
        shown,
        `${shown} was changed by another program while it was being updated, so it was left as that program ` +
          'wrote it. Try again.',
      );
    }

    try {
      await fsp.rename(temp, target);
    } catch (e) {
      const code = errnoCode(e);
      if (isPermissionCode(code)) {
        // On Windows a read-only or open file cannot be replaced; elsewhere it is the folder that decides.
        throw isWindows && existing !== undefined ? readOnlyFileError(shown, e) : readOnlyFolderError(shown, dir, e);
      }
      if (code === 'ENOENT' || code === 'ENOTDIR') throw noFolderError(shown, dir, e);
      throw ioError(shown, 'write', e);
    }
  } catch (e) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    if (isAuthJsonError(e)) throw e;
    if (isPermissionCode(errnoCode(e))) throw readOnlyFolderError(shown, dir, e);
    throw ioError(shown, 'write', e);
  }
  if (!isWindows) await syncDir(dir);
}

/** The file to replace: `file` itself, or the file a symlink at `file` points to (so the link stays a link). */
async function resolveTarget(file: string): Promise<string> {
  let stat: fs.Stats;
  try {
    stat = await fsp.lstat(file);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return file;
    if (code === 'ENOTDIR') throw noFolderError(file, path.dirname(file), e);
    throw ioError(file, 'write', e);
  }
  if (!stat.isSymbolicLink()) return file;
  try {
    return await fsp.realpath(file);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new AuthJsonError(
        'io',
        file,
        `${file} is a symbolic link to a file that does not exist. Create that file or remove the link, then try again.`,
        { cause: e },
      );
    }
    throw ioError(file, 'write', e);
  }
}

/** Flushes the rename itself to disk; best effort (not every file system can). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await fsp.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // the file is in place; only its durability across a power cut is less certain
  }
}

function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isPermissionCode(code: string | undefined): boolean {
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

function ioError(file: string, what: 'read' | 'write', cause: unknown): AuthJsonError {
  const code = errnoCode(cause);
  if (what === 'write' && isPermissionCode(code)) return readOnlyFileError(file, cause);
  const reason = code ?? (cause instanceof Error ? cause.name : 'unknown error');
  return new AuthJsonError(
    'io',
    file,
    what === 'read'
      ? `Could not read ${file} (${reason}). Check that it is readable, then try again.`
      : `Could not write ${file} (${reason}); it was left as it was. Try again.`,
    { cause },
  );
}

function readOnlyFileError(file: string, cause?: unknown): AuthJsonError {
  return new AuthJsonError(
    'readOnlyFile',
    file,
    `${file} is read-only, so it was not changed. Make it writable, then try again.`,
    { cause },
  );
}

function readOnlyFolderError(file: string, dir: string, cause?: unknown): AuthJsonError {
  return new AuthJsonError(
    'readOnlyFolder',
    file,
    `The folder ${dir} is read-only, so ${file} could not be written there. Make the folder writable, then try ` +
      'again; nothing was changed.',
    { cause },
  );
}

function noFolderError(file: string, dir: string, cause?: unknown): AuthJsonError {
  return new AuthJsonError(
    'noFolder',
    file,
    `The folder ${dir} does not exist, so ${file} could not be written. Create the folder, then try again.`,
    { cause },
  );
}
