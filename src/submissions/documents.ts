import * as vscode from 'vscode';
import type { EnvironmentId } from '../eqp/environments';
import { Disposable } from '../util/lifecycle';

export const REPORT_SCHEME = 'eqp-report';
/** Context key: the active tab shows a test report (its Markdown, preview or JSON). */
export const REPORT_ACTIVE_CONTEXT = 'eqp.submissions.reportActive';
/** Reports kept for their read-only documents; the oldest is dropped beyond this (reports can be megabytes). */
const MAX_KEPT = 20;

/** What a report document is about: its URI encodes it, so "Open as JSON" from the document finds the bytes. */
export interface ReportRef {
  environment: EnvironmentId;
  submissionId: string;
  tool: string;
  toolRunId: string;
}

/**
 * Read-only documents for test reports (`eqp-report:` URIs): the readable report (Markdown) and the bytes the
 * API sent (JSON, what the portal's download holds). Their text lives in memory only, for the most recent reports.
 */
export class ReportDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  /** Tab label (as VS Code shows a report or its preview) → the report: a preview's tab carries no URI. */
  private readonly byTabLabel = new Map<string, ReportRef>();
  private active: ReportRef | undefined;
  private readonly emitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.emitter.event;

  constructor() {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this));
    // A context key for the report's title bar action (Open as JSON), on the report and on its rendered preview.
    this.register(vscode.window.tabGroups.onDidChangeTabs(() => this.updateActive()));
    this.register(vscode.window.tabGroups.onDidChangeTabGroups(() => this.updateActive()));
  }

  /** The report in the active tab (its Markdown, its preview or its JSON), if any. */
  activeReport(): ReportRef | undefined {
    return this.active;
  }

  private updateActive(): void {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    const input = tab?.input;
    let ref: ReportRef | undefined;
    if (input instanceof vscode.TabInputText) ref = ReportDocuments.refOf(input.uri);
    else if (tab && input instanceof vscode.TabInputWebview) ref = this.byTabLabel.get(tab.label.replace(/^Preview /u, ''));
    if (ref === this.active) return;
    this.active = ref;
    void vscode.commands.executeCommand('setContext', REPORT_ACTIVE_CONTEXT, ref !== undefined);
  }

  static uri(ref: ReportRef, kind: 'md' | 'json', title: string): vscode.Uri {
    // The file name is what the tab shows; the query says which report it is.
    const safe = title.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '-').slice(0, 80) || 'report';
    const query = new URLSearchParams({ env: ref.environment, id: ref.submissionId, tool: ref.tool, run: ref.toolRunId });
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${safe}.${kind}`, query: query.toString() });
  }

  static refOf(uri: vscode.Uri): ReportRef | undefined {
    if (uri.scheme !== REPORT_SCHEME) return undefined;
    const q = new URLSearchParams(uri.query);
    const env = q.get('env');
    const id = q.get('id');
    const tool = q.get('tool');
    const run = q.get('run');
    if ((env !== 'production' && env !== 'sandbox') || !id || !tool || !run) return undefined;
    return { environment: env, submissionId: id, tool, toolRunId: run };
  }

  set(uri: vscode.Uri, text: string): void {
    const key = uri.toString();
    const ref = ReportDocuments.refOf(uri);
    if (ref) this.byTabLabel.set(uri.path.slice(1), ref);
    this.texts.delete(key);
    this.texts.set(key, text);
    while (this.texts.size > MAX_KEPT * 2) {
      const oldest = this.texts.keys().next().value;
      if (oldest === undefined) break;
      this.texts.delete(oldest);
    }
    this.emitter.fire(uri);
  }

  has(uri: vscode.Uri): boolean {
    return this.texts.has(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This report is no longer in memory: open it again from the Submissions view.';
  }

  /**
   * Shows a report: the readable one rendered (Markdown preview: headings, tables, the attachment as a link), the
   * JSON as a read-only editor. Without the built-in Markdown extension, the Markdown source is shown instead.
   */
  async show(uri: vscode.Uri): Promise<void> {
    if (uri.path.endsWith('.md')) {
      const previewed = await Promise.resolve(vscode.commands.executeCommand('markdown.showPreview', uri)).then(() => true, () => false);
      if (previewed) return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
