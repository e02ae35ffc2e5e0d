/**
 * Whether git would publish a project's auth.json (it holds the Composer keys), and the .gitignore line that stops
 * it. Asks the `git` command line (no shell); no `vscode` import.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { AuthJsonError } from './authJson';

/**
 * - `none`: not in a git work tree git can use (or git is not installed);
 * - `ignored`: an ignore rule matches it and it is not in the index;
 * - `untracked`: not ignored and not in the index: the next `git add .` would take it;
 * - `tracked`: in the index (committed or staged), whatever the ignore rules say.
 */
export type GitTracking = 'none' | 'ignored' | 'untracked' | 'tracked';

export interface GitOptions {
  /** The git executable; default `git` from PATH. */
  git?: string;
  /** The environment git runs in; default this process's. GIT_DIR, GIT_WORK_TREE and the like are left out. */
  env?: NodeJS.ProcessEnv;
  /** Per git call; default 10 s. */
  timeoutMs?: number;
}

/** Variables that would point git at another repository than the one around the file. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'];

/**
 * How git treats `file` (a project's auth.json), asked in the file's folder. Throws AuthJsonError 'io' when git is
 * there but fails in an unexpected way (a timeout, a broken repository).
 */
export async function gitTracking(file: string, options: GitOptions = {}): Promise<GitTracking> {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const run = (args: string[]): Promise<GitRun> => runGit(file, dir, args, options);

  const inside = await run(['rev-parse', '--is-inside-work-tree']);
  // Not a repository, one git refuses (another owner's), or inside .git itself.
  if (inside === 'missing' || inside.exitCode !== 0 || inside.stdout.trim() !== 'true') return 'none';

  // --literal-pathspecs: a name with * or ? means only itself (check-ignore takes plain paths already).
  const listed = await run(['--literal-pathspecs', 'ls-files', '--error-unmatch', '--', name]);
  if (listed === 'missing') return 'none';
  if (listed.exitCode === 0) return 'tracked';
  if (listed.exitCode !== 1) throw gitFailed(file, listed);

  const ignored = await run(['check-ignore', '-q', '--', name]);
  if (ignored === 'missing') return 'none';
  if (ignored.exitCode === 0) return 'ignored';
  if (ignored.exitCode === 1) return 'untracked';
  throw gitFailed(file, ignored);
}

interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}
/** 'missing': the git executable was not found. */
type GitRun = GitResult | 'missing';

function runGit(file: string, dir: string, args: string[], options: GitOptions): Promise<GitRun> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), GIT_OPTIONAL_LOCKS: '0' };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  const argv = ['-C', dir, ...args];
  return new Promise((resolve, reject) => {
    execFile(
      options.git ?? 'git',
      argv,
      { env, timeout: options.timeoutMs ?? 10_000, windowsHide: true, encoding: 'utf8', maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ exitCode: 0, stdout, stderr });
        } else if (error.code === 'ENOENT') {
          resolve('missing');
        } else if (typeof error.code === 'number' && !error.killed) {
          resolve({ exitCode: error.code, stdout, stderr });
        } else {
          const why = error.killed ? 'it did not answer in time' : `${error.code ?? error.signal ?? 'it failed'}`;
          reject(new AuthJsonError('io', file, `Could not ask git whether ${file} is tracked: ${why}.`, { cause: error }));
        }
      },
    );
  });
}

function gitFailed(file: string, result: GitResult): AuthJsonError {
  const firstLine = result.stderr.trim().split(/\r?\n/, 1)[0]?.slice(0, 300) ?? '';
  return new AuthJsonError(
    'io',
    file,
    `Could not ask git whether ${file} is tracked (git exited with ${result.exitCode}${firstLine ? `: ${firstLine}` : ''}).`,
  );
}

/**
 * The text of a .gitignore (`undefined`: there is none) with `entry` added on a line of its own at the end, or
 * undefined when a line already ignores it: `auth.json`, `/auth.json` or `**\/auth.json` for the entry
 * `/auth.json`, surrounding spaces allowed, and not undone by a later `!` line. Keeps the file's line endings.
 */
export function withGitignoreEntry(text: string | undefined, entry = '/auth.json'): string | undefined {
  const name = entry.trim().replace(/^\/+/, '');
  const forms = new Set([name, `/${name}`, `**/${name}`]);
  let ignored = false;
  for (const raw of (text ?? '').split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (forms.has(line)) ignored = true;
    else if (line.startsWith('!') && forms.has(line.slice(1).trim())) ignored = false;
  }
  if (ignored) return undefined;
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  if (text === undefined || text === '') return `${entry}${eol}`;
  return `${/[\r\n]$/.test(text) ? text : text + eol}${entry}${eol}`;
}
