import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PreflightProblem } from './types';

export const PREFLIGHT_SOURCE = 'EQP pre-flight';

/**
 * The pre-flight's findings in the Problems panel, per package root: a new check of a package replaces its
 * findings, a passed check clears them. A finding about the package as a whole is put on its composer.json.
 */
export class PreflightProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('eqp-preflight');
  private readonly byRoot = new Map<string, vscode.Uri[]>();

  show(root: string, problems: readonly PreflightProblem[]): void {
    this.clear(root);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const file = path.join(root, p.file ?? 'composer.json');
      const r = p.range;
      const range = r ? new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter) : new vscode.Range(0, 0, 0, 0);
      const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
      d.source = PREFLIGHT_SOURCE;
      d.code = p.code;
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    }
    const uris = [...byFile.keys()].map((f) => vscode.Uri.file(f));
    this.collection.set(uris.map((u) => [u, byFile.get(u.fsPath) ?? []]));
    this.byRoot.set(root, uris);
  }

  clear(root: string): void {
    for (const uri of this.byRoot.get(root) ?? []) this.collection.delete(uri);
    this.byRoot.delete(root);
  }

  /** The diagnostics shown, for tests. */
  current(): [vscode.Uri, readonly vscode.Diagnostic[]][] {
    const out: [vscode.Uri, readonly vscode.Diagnostic[]][] = [];
    this.collection.forEach((uri, d) => void out.push([uri, d]));
    return out;
  }

  dispose(): void {
    this.collection.dispose();
  }
}
