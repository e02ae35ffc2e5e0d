/**
 * Where a code sniffer (phpcs) finding lives in the workspace. The reviewer's machine reports paths such as
 * `/eqp-automation/temp/acme/module-example/acme-module-example-1.0.1/Model/Greeting.php` (or a Windows path, or a
 * relative one); the workspace has the module somewhere else. Pure (no `vscode` import): the caller finds the
 * candidate roots (workspace folders or sub-folders whose composer.json `name` is the package) and injects how a
 * file's existence is checked.
 *
 * The rule, per distinct reviewer path:
 * 1. Normalise: `\` to `/`, drop a drive letter, empty and `.` segments. Only the segments after the last `..`
 *    are used, so no candidate can climb out of a root.
 * 2. Anchor: when the path holds the package directory the automation unpacks into (`<vendor>-<ext>-<version>`,
 *    e.g. `acme-module-example-1.0.1`) or else the `<vendor>/<ext>` pair, only what follows it is tried (the
 *    first anchor wins: the automation's own folders come before the package's).
 * 3. Suffixes from longest to shortest (`a/b/c/d`, `b/c/d`, `c/d`): the longest one that exists under a root
 *    wins; for one suffix the roots are tried in the order given.
 * 4. A bare file name (one segment) maps only when it is the whole path the reviewer gave under the package
 *    directory (`…/acme-module-example-1.0.1/registration.php` → `<root>/registration.php`), or the whole path
 *    itself. `…/Test/Unit/registration.php` is NOT mapped to `<root>/registration.php`: a problem shown on the
 *    wrong file is worse than one listed in the report as not found.
 *
 * Each distinct reviewer path is looked up once (10,000 findings over a few hundred files cost a few hundred
 * lookup chains), and each candidate file is checked at most once.
 */
import type { PhpcsFinding } from '../eqp/submissions';

/** A folder that holds the package (its composer.json `name` is the package name). */
export interface MappingRoot {
  /** Absolute path of the folder (`/ws/module` or `C:\ws\module`). */
  root: string;
  /** The composer.json `version`, when it has one. */
  version?: string;
  /**
   * The root's files, relative to it with `/` separators (`Model/Greeting.php`). When given, lookups under this
   * root use the list and `exists` is not called for it.
   */
  files?: readonly string[];
}

export interface PathMappingOptions {
  /** composer `name`, e.g. `acme/module-example`. */
  packageName: string;
  roots: readonly MappingRoot[];
  /** Whether an absolute path is an existing file. Called at most once per path. Errors count as "no". */
  exists?: (absPath: string) => boolean | Promise<boolean>;
  /** How many `exists` calls may run at once (default 8). */
  concurrency?: number;
}

export interface MappedFinding {
  finding: PhpcsFinding;
  /** Absolute path in the root's separator style. */
  file: string;
  /** The root it was found under (as given). */
  root: string;
  /** Relative to `root`, with `/` separators (for `Uri.joinPath(rootUri, ...relativePath.split('/'))`). */
  relativePath: string;
}

export interface MappingResult {
  mapped: MappedFinding[];
  unmatched: PhpcsFinding[];
  /** The roots at least one finding mapped to, in the order given. */
  rootsUsed: MappingRoot[];
}

/** Where one reviewer path lands, or undefined. */
export interface PathTarget {
  root: MappingRoot;
  relativePath: string;
  file: string;
}

const MAX_SEGMENTS = 32;

/**
 * The relative paths to try for a reviewer path, longest first (steps 1, 2 and 4 above). Exported for tests and
 * for callers that want to show what was tried.
 */
export function candidateSuffixes(reviewerPath: string, packageName: string): string[] {
  let segments = reviewerPath
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:(?=\/|$)/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  const up = segments.lastIndexOf('..');
  if (up >= 0) segments = segments.slice(up + 1);
  // A NUL or another control character is no file name of a real package: nothing to try.
  // eslint-disable-next-line no-control-regex
  if (segments.some((s) => /[\u0000-\u001F]/.test(s))) return [];

  const [vendor, ext] = packageName.toLowerCase().split('/');
  if (vendor && ext) {
    const lower = segments.map((s) => s.toLowerCase());
    const dir = `${vendor}-${ext}-`;
    // `acme-module-example-1.0.1`: the prefix, then something like a version; never the file name itself.
    let at = lower.findIndex((s, i) => i < lower.length - 1 && s.startsWith(dir) && /^v?\d/.test(s.slice(dir.length)));
    if (at < 0) {
      for (let i = 0; i + 2 < lower.length; i++) {
        if (lower[i] === vendor && lower[i + 1] === ext) {
          at = i + 1;
          break;
        }
      }
    }
    if (at >= 0) {
      segments = segments.slice(at + 1);
    }
  }
  if (segments.length > MAX_SEGMENTS) segments = segments.slice(segments.length - MAX_SEGMENTS);

  if (segments.length === 1) return [segments[0] as string];
  const out: string[] = [];
  // Down to two segments: a bare name alone only when it is the whole path (step 4 above).
  for (let i = 0; i + 2 <= segments.length; i++) out.push(segments.slice(i).join('/'));
  return out;
}

/** `root` joined with a `/`-separated relative path, in the root's separator style. */
export function joinRoot(root: string, relativePath: string): string {
  const windows = root.includes('\\') && !root.includes('/');
  const sep = windows ? '\\' : '/';
  const base = root.replace(/[\\/]+$/, '');
  return `${base}${sep}${windows ? relativePath.replace(/\//g, '\\') : relativePath}`;
}

/**
 * Maps reviewer paths to workspace files, with a cache per distinct path and per checked file. Reuse one mapper
 * for one report; build a new one when the workspace changes.
 */
export class PathMapper {
  private readonly byPath = new Map<string, Promise<PathTarget | undefined>>();
  private readonly checked = new Map<string, Promise<boolean>>();
  private readonly fileSets: (Set<string> | undefined)[];
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: PathMappingOptions) {
    this.fileSets = options.roots.map((r) => (r.files ? new Set(r.files.map((f) => f.replace(/\\/g, '/'))) : undefined));
  }

  /** Where `reviewerPath` lands, or undefined. */
  resolve(reviewerPath: string): Promise<PathTarget | undefined> {
    let found = this.byPath.get(reviewerPath);
    if (!found) {
      found = this.lookup(reviewerPath);
      this.byPath.set(reviewerPath, found);
    }
    return found;
  }

  private async lookup(reviewerPath: string): Promise<PathTarget | undefined> {
    const roots = this.options.roots;
    if (roots.length === 0) return undefined;
    for (const relativePath of candidateSuffixes(reviewerPath, this.options.packageName)) {
      for (let r = 0; r < roots.length; r++) {
        const root = roots[r] as MappingRoot;
        const file = joinRoot(root.root, relativePath);
        const set = this.fileSets[r];
        const ok = set ? set.has(relativePath) : await this.exists(file);
        if (ok) return { root, relativePath, file };
      }
    }
    return undefined;
  }

  private exists(file: string): Promise<boolean> {
    let found = this.checked.get(file);
    if (!found) {
      found = this.limited(file);
      this.checked.set(file, found);
    }
    return found;
  }

  private async limited(file: string): Promise<boolean> {
    const check = this.options.exists;
    if (!check) return false;
    const max = Math.max(1, this.options.concurrency ?? 8);
    // A finished check hands its slot to the next one waiting, so no more than `max` ever run.
    if (this.running >= max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return (await check(file)) === true;
    } catch {
      return false;
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Maps every finding: each distinct reviewer path once. Findings keep their order within `mapped` and `unmatched`. */
export async function mapFindings(findings: readonly PhpcsFinding[], options: PathMappingOptions): Promise<MappingResult> {
  const mapper = new PathMapper(options);
  const distinct = [...new Set(findings.map((f) => f.file))];
  const targets = new Map<string, PathTarget | undefined>();
  await Promise.all(distinct.map(async (p) => targets.set(p, await mapper.resolve(p))));
  const mapped: MappedFinding[] = [];
  const unmatched: PhpcsFinding[] = [];
  const used = new Set<MappingRoot>();
  for (const finding of findings) {
    const t = targets.get(finding.file);
    if (t) {
      mapped.push({ finding, file: t.file, root: t.root.root, relativePath: t.relativePath });
      used.add(t.root);
    } else unmatched.push(finding);
  }
  return { mapped, unmatched, rootsUsed: options.roots.filter((r) => used.has(r)) };
}

function normalVersion(v: string | undefined): string | undefined {
  const t = v?.trim().replace(/^v(?=\d)/i, '');
  return t ? t : undefined;
}

/**
 * A sentence (plain text: escape it for Markdown) when the workspace's package may not be the version the report
 * was made for, so lines may have moved: a root's composer.json has another version, or none. Undefined when
 * every root has the submission's version (a leading `v` ignored), or when no root is given.
 */
export function linesMayHaveMoved(submissionVersion: string | undefined, roots: readonly MappingRoot[]): string | undefined {
  if (roots.length === 0) return undefined;
  const want = normalVersion(submissionVersion);
  const versions = roots.map((r) => normalVersion(r.version));
  if (want !== undefined && versions.every((v) => v === want)) return undefined;
  const reportFor = want === undefined ? 'The report does not say which version it was made for' : `The report is for version ${want}`;
  const others = [...new Set(versions.filter((v): v is string => v !== undefined && v !== want))];
  const missing = versions.some((v) => v === undefined);
  const parts: string[] = [];
  if (others.length > 0) parts.push(`the workspace's composer.json says ${others.join(', ')}`);
  if (missing) parts.push(`${others.length > 0 ? 'another' : 'the workspace\'s'} composer.json has no version`);
  return `${reportFor} and ${parts.join(' and ')}: the files may have changed since, so lines may have moved.`;
}
