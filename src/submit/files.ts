/**
 * The files that go into the package zip, walked from the package root. Left out, and listed as such:
 * - `.git` (directory or worktree file) and `node_modules` at any depth; `vendor` only at the root (Composer's
 *   install folder; a `vendor` folder deeper down is the package's own code, e.g. `view/frontend/web/js/vendor`);
 * - what `.gitignore` files ignore, as git applies them: the root's and every nested one, each relative to its own
 *   folder, a deeper file's match winning over a shallower one, `!` re-including (not inside an ignored folder,
 *   as in git). `.git/info/exclude` and the global excludes file are not read: they belong to one clone, not the
 *   package;
 * - always, by name at any depth and whatever .gitignore says: `auth.json`, `.env` and `.env.*`, `*.pem`, `*.key`
 *   (compared without case);
 * - symbolic links (never followed: a link can point out of the package, and the zip would copy what it points
 *   at), and anything that is neither a file nor a folder;
 * - the zip being written, when it lies inside the package folder.
 * Paths are relative to the root with `/` separators, sorted by UTF-16 code unit. No `vscode` import.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { throwIfAborted } from './cancel';
import type { ExcludedFile, PackageFile } from './types';

export interface ListPackageFilesOptions {
  /** The zip being written (absolute or relative to the working directory); left out if it is under the root. */
  outputPath?: string;
  /** Match .gitignore patterns without case (git's core.ignorecase). Default: true on Windows and macOS. */
  ignoreCase?: boolean;
  signal?: AbortSignal;
}

export interface PackageFileList {
  files: PackageFile[];
  excluded: ExcludedFile[];
}

/** Whether a file name is one that is never packaged (credentials by convention). */
export function isSecretFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'auth.json' || lower === '.env' || lower.startsWith('.env.') || lower.endsWith('.pem') || lower.endsWith('.key');
}

interface IgnoreLevel {
  /** The folder of this .gitignore, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

export async function listPackageFiles(root: string, options: ListPackageFilesOptions = {}): Promise<PackageFileList> {
  const base = path.resolve(root);
  const output = options.outputPath ? path.resolve(options.outputPath) : undefined;
  const ignoreCase = options.ignoreCase ?? (process.platform === 'win32' || process.platform === 'darwin');
  const files: PackageFile[] = [];
  const excluded: ExcludedFile[] = [];

  const walk = async (dirRel: string, parentLevels: readonly IgnoreLevel[]): Promise<void> => {
    throwIfAborted(options.signal);
    const dirAbs = dirRel === '' ? base : path.join(base, ...dirRel.split('/'));
    const entries: Dirent[] = await fs.readdir(dirAbs, { withFileTypes: true });
    const levels = [...parentLevels];
    const gitignore = entries.find((e) => e.name === '.gitignore' && e.isFile());
    if (gitignore) {
      const text = await fs.readFile(path.join(dirAbs, '.gitignore'), 'utf8');
      levels.push({ base: dirRel, rules: ignore({ ignorecase: ignoreCase }).add(text) });
    }
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      const abs = path.join(dirAbs, entry.name);
      const isDir = entry.isDirectory();
      const shown = isDir ? `${rel}/` : rel;
      const reason = leftOutByName(entry, rel, isDir);
      if (reason) {
        excluded.push({ path: shown, reason });
      } else if (output !== undefined && abs === output) {
        excluded.push({ path: shown, reason: 'zip-output' });
      } else if (isIgnored(levels, rel, isDir)) {
        excluded.push({ path: shown, reason: 'gitignore' });
      } else if (isDir) {
        await walk(rel, levels);
      } else if (entry.isFile()) {
        const stat = await fs.lstat(abs);
        files.push({ path: rel, size: stat.size });
      } else {
        excluded.push({ path: shown, reason: 'not-a-file' });
      }
    }
  };

  await walk('', []);
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { files: files.sort(byPath), excluded: excluded.sort(byPath) };
}

function leftOutByName(entry: Dirent, rel: string, isDir: boolean): ExcludedFile['reason'] | undefined {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.name === '.git') return 'git';
  if (isDir && entry.name === 'node_modules') return 'node_modules';
  if (isDir && rel === 'vendor') return 'vendor';
  if (!isDir && isSecretFileName(entry.name)) return 'secret-name';
  return undefined;
}

/** Git's rule: the deepest .gitignore with a matching pattern decides; within one file the last match wins. */
function isIgnored(levels: readonly IgnoreLevel[], rel: string, isDir: boolean): boolean {
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i];
    if (!level) continue;
    const inner = level.base === '' ? rel : rel.slice(level.base.length + 1);
    const result = level.rules.test(isDir ? `${inner}/` : inner);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}
