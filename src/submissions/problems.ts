import * as vscode from 'vscode';
import type { EnvironmentId } from '../eqp/environments';
import type { PhpcsFinding, Submission, ToolReport } from '../eqp/submissions';
import { phpcsSummary } from '../eqp/submissions';
import { Disposable } from '../util/lifecycle';
import { phpVersionsNote, planDiagnostics } from './diagnosticsPlan';
import { linesMayHaveMoved, mapFindings, type MappingRoot } from './pathMapping';

/** Where the Problems panel's findings of one package came from. */
export interface ShownFindings {
  environment: EnvironmentId;
  submissionId: string;
  /** The package (composer name / SKU) they belong to. */
  packageName: string;
  version?: string;
  toolRunId: string;
  files: vscode.Uri[];
  /** Diagnostics set (identical findings of several PHP versions count once). */
  diagnostics: number;
}

/** What showing a phpcs report's findings did, for the report document and a script. */
export interface ProblemsOutcome {
  packageName: string;
  /** Findings in the report (every PHP version's). */
  findings: number;
  /** Diagnostics set on workspace files. */
  diagnostics: number;
  files: string[];
  /** Findings whose path matches no workspace file (listed in the report document). */
  unmatched: PhpcsFinding[];
  /** Workspace folders whose composer.json names the package. */
  roots: string[];
  /** Set when the workspace's version differs from the submission's: the lines may have moved. */
  versionNote?: string;
}

export const DIAGNOSTIC_SOURCE = 'EQP phpcs';

/**
 * The code sniffer findings of submitted packages in the Problems panel: one submission per package at a time
 * (showing another version's report replaces them), set in one call however many there are.
 */
export class PhpcsProblems extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('eqp-phpcs'));
  private readonly shown = new Map<string, ShownFindings>();

  /** The findings shown now, per package. */
  current(): ShownFindings[] {
    return [...this.shown.values()];
  }

  async show(env: EnvironmentId, submission: Submission, toolRunId: string, report: ToolReport, signal?: AbortSignal): Promise<ProblemsOutcome> {
    const summary = phpcsSummary(report);
    const entry = report.reports[0];
    const packageName = submission.sku ?? (entry?.vendor && entry.extension ? `${entry.vendor}/${entry.extension}` : undefined);
    const roots = packageName ? await findMappingRoots(packageName, signal) : [];
    const mapped = packageName ? await mapFindings(summary.findings, { packageName, roots, exists }) : { mapped: [], unmatched: summary.findings };
    const plan = planDiagnostics(mapped.mapped);
    const allVersions = summary.totals.map((t) => t.phpVersion).filter((v): v is string => v !== undefined);
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    let count = 0;
    for (const [file, items] of plan.byFile) {
      const diagnostics = items.map((d) => {
        // phpcs gives no end: an empty range, which the editor underlines as the word at the column.
        const range = new vscode.Range(d.line0, d.column0, d.line0, d.endColumn0 ?? d.column0);
        const note = phpVersionsNote(d.phpVersions, allVersions);
        const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
        const diagnostic = new vscode.Diagnostic(range, note ? `${d.message} (${note})` : d.message, severity);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        if (d.code) diagnostic.code = d.code;
        return diagnostic;
      });
      count += diagnostics.length;
      entries.push([vscode.Uri.file(file), diagnostics]);
    }
    const key = packageName ?? `submission:${submission.submissionId}`;
    // Another version's (or another run's) findings of the same package go; then everything is set in one call.
    this.clear(key);
    this.collection.set(entries);
    this.shown.set(key, { environment: env, submissionId: submission.submissionId, packageName: key, version: submission.version, toolRunId, files: entries.map(([u]) => u), diagnostics: count });
    return {
      packageName: key,
      findings: summary.findings.length,
      diagnostics: count,
      files: entries.map(([u]) => u.fsPath),
      unmatched: mapped.unmatched,
      roots: roots.map((r) => r.root),
      versionNote: linesMayHaveMoved(submission.version, roots),
    };
  }

  /** Clears one package's findings, or all; returns how many packages were cleared. */
  clear(packageName?: string): number {
    const keys = packageName === undefined ? [...this.shown.keys()] : this.shown.has(packageName) ? [packageName] : [];
    for (const key of keys) {
      for (const uri of this.shown.get(key)!.files) this.collection.delete(uri);
      this.shown.delete(key);
    }
    return keys.length;
  }
}

/** Workspace folders (or folders in them) whose composer.json `name` is `packageName`. */
export async function findMappingRoots(packageName: string, signal?: AbortSignal): Promise<MappingRoot[]> {
  const token = new vscode.CancellationTokenSource();
  signal?.addEventListener('abort', () => token.cancel(), { once: true });
  try {
    const files = await vscode.workspace.findFiles('**/composer.json', '{**/node_modules/**,**/vendor/**,**/.git/**}', 200, token.token);
    const roots: MappingRoot[] = [];
    for (const uri of files) {
      try {
        const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as unknown;
        if (json === null || typeof json !== 'object') continue;
        const { name, version } = json as Record<string, unknown>;
        if (typeof name === 'string' && name.toLowerCase() === packageName.toLowerCase()) {
          roots.push({ root: vscode.Uri.joinPath(uri, '..').fsPath, version: typeof version === 'string' ? version : undefined });
        }
      } catch {
        // Not JSON (being edited): not this package's root.
      }
    }
    // The shortest path first: a package nested in another's folder is found under its own root too.
    return roots.sort((a, b) => a.root.length - b.root.length);
  } finally {
    token.dispose();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    const stat = await vscode.workspace.fs.stat(vscode.Uri.file(file));
    return (stat.type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}
