/**
 * What the Problems panel shows for a code sniffer (phpcs) report, as plain data (no `vscode` import): the view
 * turns each description into a `vscode.Diagnostic`. phpcs runs once per PHP version, so the same finding usually
 * comes several times; it becomes one problem that lists the PHP versions it was found on. Linear in the number
 * of findings (one pass, one map lookup each).
 */
import type { PhpcsFinding } from '../eqp/submissions';

export type PlannedSeverity = 'error' | 'warning' | 'info';

export interface PlannedDiagnostic {
  /** 0-based (phpcs is 1-based; a missing line is 0). */
  line0: number;
  /** 0-based (a missing column is 0). */
  column0: number;
  /** phpcs gives no end: undefined, and the view picks the word at the column or the rest of the line. */
  endColumn0?: number;
  severity: PlannedSeverity;
  /** As the server wrote it (plain text). */
  message: string;
  /** The sniff (`source`), e.g. `Magento2.Security.XssTemplate.FoundUnescaped`. */
  code?: string;
  /** The PHP versions it was found on, in version order, each once. */
  phpVersions: string[];
  fixable: boolean;
}

export interface DiagnosticsPlan {
  /** File (as given: a workspace path, or the reviewer's path) → its problems, in the order first found. */
  byFile: Map<string, PlannedDiagnostic[]>;
  /** Problems planned (after merging repeats). */
  total: number;
  /** Findings read (before merging). */
  findings: number;
}

/** ERROR → error, WARNING → warning, anything else → info. */
export function severityOf(type: string | undefined): PlannedSeverity {
  const t = type?.trim().toUpperCase();
  return t === 'ERROR' ? 'error' : t === 'WARNING' ? 'warning' : 'info';
}

const RANK: Record<PlannedSeverity, number> = { error: 0, warning: 1, info: 2 };

function zeroBased(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 1 ? Math.floor(n) - 1 : 0;
}

/** `7.4` < `8.1` < `8.10`; anything not numeric after the numbers, by text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-+]/);
  const pb = b.split(/[.\-+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      if (!Number.isNaN(nx)) return -1;
      if (!Number.isNaN(ny)) return 1;
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/**
 * One problem per distinct (file, line, column, sniff, message); a repeat on another PHP version adds its version,
 * and the most severe type of the repeats wins. `items` pairs each finding with the file it is shown on.
 */
export function planDiagnostics(items: Iterable<{ finding: PhpcsFinding; file: string }>): DiagnosticsPlan {
  const byFile = new Map<string, PlannedDiagnostic[]>();
  const seen = new Map<string, { d: PlannedDiagnostic; versions: Set<string> }>();
  let findings = 0;
  let total = 0;
  for (const { finding: f, file } of items) {
    findings++;
    const line0 = zeroBased(f.line);
    const column0 = zeroBased(f.column);
    const key = JSON.stringify([file, line0, column0, f.source ?? '', f.message]);
    const severity = severityOf(f.type);
    const existing = seen.get(key);
    if (existing) {
      if (RANK[severity] < RANK[existing.d.severity]) existing.d.severity = severity;
      if (f.fixable === true) existing.d.fixable = true;
      if (f.phpVersion !== undefined && !existing.versions.has(f.phpVersion)) {
        existing.versions.add(f.phpVersion);
        existing.d.phpVersions.push(f.phpVersion);
      }
      continue;
    }
    const d: PlannedDiagnostic = {
      line0,
      column0,
      severity,
      message: f.message,
      ...(f.source !== undefined ? { code: f.source } : {}),
      phpVersions: f.phpVersion !== undefined ? [f.phpVersion] : [],
      fixable: f.fixable === true,
    };
    seen.set(key, { d, versions: new Set(d.phpVersions) });
    let list = byFile.get(file);
    if (!list) {
      list = [];
      byFile.set(file, list);
    }
    list.push(d);
    total++;
  }
  // Version lists are short (a handful of PHP versions): sorting each is constant work per problem.
  for (const { d } of seen.values()) if (d.phpVersions.length > 1) d.phpVersions.sort(compareVersions);
  return { byFile, total, findings };
}

/** The same, keyed by the path as the reviewer's machine saw it (for findings that were not mapped). */
export function planDiagnosticsByReviewerPath(findings: readonly PhpcsFinding[]): DiagnosticsPlan {
  return planDiagnostics(findings.map((finding) => ({ finding, file: finding.file })));
}

/**
 * Which PHP versions a problem was found on, for its message: undefined when on every version the report covers
 * (nothing worth saying), else `PHP 8.1, 8.2` (`PHP 8.3 only` for one of several).
 */
export function phpVersionsNote(phpVersions: readonly string[], allVersions: readonly string[]): string | undefined {
  if (phpVersions.length === 0) return undefined;
  const all = new Set(allVersions);
  if (all.size <= 1 || (phpVersions.length >= all.size && [...all].every((v) => phpVersions.includes(v)))) return undefined;
  return phpVersions.length === 1 ? `PHP ${phpVersions[0]} only` : `PHP ${phpVersions.join(', ')}`;
}
