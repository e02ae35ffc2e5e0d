import * as vscode from 'vscode';
import { COMMANDS, CONTEXT, SUBMISSIONS_VIEW_ID } from '../constants';
import { ENVIRONMENT_IDS, type EnvironmentId, environmentInfo } from '../eqp/environments';
import type { Submission, ToolRun } from '../eqp/submissions';
import { describeError } from '../util/errors';
import { type ActiveKeySource, onActiveKeyChange } from '../util/activeKeys';
import { Disposable, toDisposable } from '../util/lifecycle';
import { escapeMarkdown, markdownCode } from '../util/markdown';
import type { SubmissionsModel } from './model';
import { formatEqpDate, productKey, productTitle, submissionPresentation, toolRunPresentation } from './rows';

export class SubmissionsEnvironmentNode {
  readonly kind = 'submissionsEnvironment' as const;
  constructor(readonly environment: EnvironmentId, readonly description: string, readonly failed: boolean) {}

  getTreeItem(): vscode.TreeItem {
    const label = environmentInfo(this.environment).label;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `submissions/${this.environment}`;
    item.iconPath = new vscode.ThemeIcon(this.failed ? 'warning' : 'cloud-upload');
    item.description = this.description;
    item.contextValue = 'eqp:submissionsEnvironment';
    item.tooltip = `${label}: the package submissions of the account behind the active ${label} API access key, newest first.`;
    item.accessibilityInformation = { label: `${label} submissions, ${this.description}` };
    return item;
  }
}

/** One product (SKU): its versions below, newest first. */
export class SubmissionProductNode {
  readonly kind = 'submissionProduct' as const;
  constructor(readonly parent: SubmissionsEnvironmentNode, readonly key: string, readonly submissions: Submission[]) {}

  get environment(): EnvironmentId {
    return this.parent.environment;
  }

  getTreeItem(): vscode.TreeItem {
    const first = this.submissions[0]!;
    const { label, sku } = productTitle(first);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `submissions/${this.environment}/product/${this.key}`;
    item.iconPath = new vscode.ThemeIcon(first.type === 'theme' ? 'symbol-color' : 'extensions');
    const count = `${this.submissions.length} ${this.submissions.length === 1 ? 'version' : 'versions'}`;
    item.description = sku && sku !== label ? `${sku} · ${count}` : count;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${escapeMarkdown(label)}**${first.type ? ` (${escapeMarkdown(first.type)})` : ''}\n\n`);
    tip.appendMarkdown(sku ? `SKU: ${markdownCode(sku)}\n\n` : 'No SKU yet: it comes from the package\'s composer.json once its malware scan passes.\n\n');
    tip.appendMarkdown(`${count} read so far (${environmentInfo(this.environment).label})`);
    item.tooltip = tip;
    item.contextValue = 'eqp:submissionProduct';
    item.accessibilityInformation = { label: `${label}${sku && sku !== label ? `, ${sku}` : ''}, ${count}` };
    return item;
  }
}

/** One version (one submission) of a product; its tool runs below. */
export class SubmissionNode {
  readonly kind = 'submission' as const;
  constructor(readonly parent: SubmissionProductNode, readonly submission: Submission) {}

  get environment(): EnvironmentId {
    return this.parent.environment;
  }

  getTreeItem(): vscode.TreeItem {
    const s = this.submission;
    const p = submissionPresentation(s);
    const item = new vscode.TreeItem(s.version ?? '(no version yet)', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `submissions/${this.environment}/${s.submissionId}`;
    item.iconPath = new vscode.ThemeIcon(p.icon, p.color ? new vscode.ThemeColor(p.color) : undefined);
    item.description = p.description;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${escapeMarkdown(productTitle(s).label)} ${escapeMarkdown(s.version ?? '')}** (${environmentInfo(this.environment).label})\n\n`);
    for (const line of p.statusLines) tip.appendMarkdown(`${escapeMarkdown(line)}  \n`);
    tip.appendMarkdown('\n');
    const dates: [string, number | undefined][] = [['Submitted', s.createdAt], ['Last changed', s.modifiedAt], ['Last released', s.latestLaunchDate]];
    for (const [what, at] of dates) if (at !== undefined) tip.appendMarkdown(`${what}: ${escapeMarkdown(formatEqpDate(at))}  \n`);
    tip.appendMarkdown(`\n${escapeMarkdown(p.canDoNow)}\n\nSubmission ID: ${markdownCode(s.submissionId)}`);
    item.tooltip = tip;
    item.contextValue = `eqp:submission${p.inReview ? '+inReview' : ''}`;
    item.accessibilityInformation = { label: `${productTitle(s).label} ${s.version ?? ''}, ${p.description}` };
    return item;
  }
}

/** One automated or manual check of a submission; opening it shows its report. */
export class ToolRunNode {
  readonly kind = 'toolRun' as const;
  constructor(readonly parent: SubmissionNode, readonly run: ToolRun) {}

  get environment(): EnvironmentId {
    return this.parent.environment;
  }

  getTreeItem(): vscode.TreeItem {
    const r = this.run;
    const p = toolRunPresentation(r);
    const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
    item.id = `submissions/${this.environment}/${this.parent.submission.submissionId}/run/${r.name}/${r.toolRunId}`;
    item.iconPath = new vscode.ThemeIcon(p.icon, p.color ? new vscode.ThemeColor(p.color) : undefined);
    item.description = p.status;
    item.tooltip = `${p.fullLabel}: ${p.status}${r.date !== undefined ? ` on ${formatEqpDate(r.date)}` : ''} (run ${r.toolRunId}). ${p.opens}`;
    item.contextValue = `eqp:toolRun${r.name === 'phpcs' ? '+phpcs' : ''}`;
    item.command = { command: COMMANDS.submissionsOpenReport, title: 'Open Report', arguments: [this] };
    item.accessibilityInformation = { label: `${p.fullLabel}, ${p.status}. ${p.opens}` };
    return item;
  }
}

/** The rest of an environment's submissions, a page at a time. */
export class LoadMoreNode {
  readonly kind = 'submissionsLoadMore' as const;
  constructor(readonly parent: SubmissionsEnvironmentNode, readonly loading: boolean, readonly shown: number, readonly total: number | undefined, readonly error: string | undefined) {}

  getTreeItem(): vscode.TreeItem {
    const label = this.loading ? 'Loading more…' : this.error ? 'Could not load more: Retry' : 'Load More…';
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `submissions/${this.parent.environment}/more`;
    item.iconPath = new vscode.ThemeIcon(this.loading ? 'loading~spin' : this.error ? 'error' : 'more', this.error ? new vscode.ThemeColor('errorForeground') : undefined);
    item.description = this.error ?? (this.total !== undefined ? `${this.shown} of ${this.total} shown` : `${this.shown} shown`);
    item.contextValue = 'eqp:submissionsLoadMore';
    if (!this.loading) item.command = { command: COMMANDS.submissionsLoadMore, title: 'Load More', arguments: [{ environment: this.parent.environment }] };
    item.accessibilityInformation = { label: `${label} ${item.description}. Press Enter to load the next ${this.total !== undefined ? `of ${this.total}` : 'page'}.` };
    return item;
  }
}

/** A row that says something instead of data: loading, an error with Retry, nothing there yet. */
export class SubmissionsMessageNode {
  readonly kind = 'submissionsMessage' as const;
  constructor(
    readonly parent: SubmissionsEnvironmentNode | SubmissionNode,
    readonly what: 'error' | 'runsError' | 'empty' | 'noRuns' | 'loadingRuns' | 'mismatch',
    readonly text: string,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const env = this.parent.environment;
    const submissionId = this.parent instanceof SubmissionNode ? this.parent.submission.submissionId : undefined;
    const labels = {
      error: 'Could not load the submissions: Retry',
      runsError: 'Could not load the test reports: Retry',
      empty: 'No submissions yet',
      noRuns: 'No test reports yet',
      loadingRuns: 'Loading test reports…',
      mismatch: 'Some submissions may be missing',
    } as const;
    const item = new vscode.TreeItem(labels[this.what], vscode.TreeItemCollapsibleState.None);
    item.id = `submissions/${env}/${submissionId ?? ''}/${this.what}`;
    item.description = this.text;
    const failed = this.what === 'error' || this.what === 'runsError';
    item.iconPath = new vscode.ThemeIcon(
      failed ? 'error' : this.what === 'loadingRuns' ? 'loading~spin' : this.what === 'mismatch' ? 'warning' : 'info',
      failed ? new vscode.ThemeColor('errorForeground') : undefined,
    );
    item.tooltip = new vscode.MarkdownString(`${escapeMarkdown(this.text)}${failed ? '\n\nSelect this row (or press Enter) to try again.' : ''}`, true);
    item.contextValue = `eqp:submissionsMessage+${this.what}`;
    if (failed) item.command = { command: COMMANDS.submissionsRefresh, title: 'Retry', arguments: [{ environment: env, submissionId, retry: true }] };
    item.accessibilityInformation = { label: `${labels[this.what]}: ${this.text}${failed ? '. Press Enter to retry.' : ''}` };
    return item;
  }
}

export type SubmissionsTreeNode = SubmissionsEnvironmentNode | SubmissionProductNode | SubmissionNode | ToolRunNode | LoadMoreNode | SubmissionsMessageNode;

/** The environments that have an active API access key: only those can list submissions. */
export type SubmissionsEnvironmentSource = ActiveKeySource;

/**
 * The Submissions view: per environment with an API access key, its products and their versions, newest first,
 * a page at a time. The first render loads the first page (with a progress bar on the view); nothing is read
 * before the view is shown.
 */
export class SubmissionsTreeProvider extends Disposable implements vscode.TreeDataProvider<SubmissionsTreeNode> {
  private readonly emitter = this.register(new vscode.EventEmitter<SubmissionsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private empty: boolean | undefined;
  private roots = new Map<EnvironmentId, SubmissionsEnvironmentNode>();

  constructor(
    private readonly model: SubmissionsModel,
    private readonly environments: SubmissionsEnvironmentSource,
  ) {
    super();
    this.register(toDisposable(model.onDidChange(() => this.refresh())));
    this.register(toDisposable(onActiveKeyChange(environments, (env) => model.reset(env), () => this.refresh())));
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getTreeItem(node: SubmissionsTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: SubmissionsTreeNode): SubmissionsTreeNode[] {
    if (!node) return this.rootNodes();
    if (node instanceof SubmissionsEnvironmentNode) return this.environmentChildren(node);
    if (node instanceof SubmissionProductNode) return node.submissions.map((s) => new SubmissionNode(node, s));
    if (node instanceof SubmissionNode) return this.runChildren(node);
    return [];
  }

  getParent(node: SubmissionsTreeNode): SubmissionsTreeNode | undefined {
    return node instanceof SubmissionsEnvironmentNode ? undefined : node.parent;
  }

  /** The row of a submission as the view shows it now (for reveal). */
  nodeFor(env: EnvironmentId, submissionId: string): SubmissionNode | undefined {
    this.rootNodes();
    const root = this.roots.get(env);
    if (!root) return undefined;
    for (const product of this.environmentChildren(root)) {
      if (!(product instanceof SubmissionProductNode)) continue;
      const s = product.submissions.find((x) => x.submissionId === submissionId);
      if (s) return new SubmissionNode(product, s);
    }
    return undefined;
  }

  private rootNodes(): SubmissionsEnvironmentNode[] {
    const envs = ENVIRONMENT_IDS.filter((e) => this.environments.activeKeyId(e) !== undefined);
    const pending = envs.filter((e) => this.model.state(e).status === 'idle');
    if (pending.length > 0) {
      // The first render: a progress bar on the view while the first pages load (they fire onDidChange when done).
      void vscode.window.withProgress({ location: { viewId: SUBMISSIONS_VIEW_ID } }, () => Promise.all(pending.map((e) => this.model.ensure(e))));
    }
    const states = envs.map((e) => this.model.state(e));
    this.setEmpty(envs.length === 0 || states.every((s) => s.status === 'loaded' && s.items.length === 0));
    this.roots = new Map();
    if (this.empty) return [];
    for (const env of envs) {
      const s = this.model.state(env);
      const shown = s.items.length;
      const description =
        s.status === 'loading' && shown === 0 ? 'loading…'
          : s.status === 'error' && shown === 0 ? 'could not load'
            : s.total !== undefined && s.total !== shown ? `${shown} of ${s.total} submissions` : `${shown} ${shown === 1 ? 'submission' : 'submissions'}`;
      this.roots.set(env, new SubmissionsEnvironmentNode(env, description, s.status === 'error'));
    }
    return [...this.roots.values()];
  }

  private environmentChildren(node: SubmissionsEnvironmentNode): SubmissionsTreeNode[] {
    const env = node.environment;
    const s = this.model.state(env);
    const rows: SubmissionsTreeNode[] = [];
    if (s.status === 'error') rows.push(new SubmissionsMessageNode(node, 'error', describeError(s.error)));
    // Grouped by product on the client, in the order of each product's newest submission.
    const groups = new Map<string, Submission[]>();
    for (const sub of s.items) {
      const key = productKey(sub);
      const list = groups.get(key);
      if (list) list.push(sub);
      else groups.set(key, [sub]);
    }
    for (const [key, subs] of groups) rows.push(new SubmissionProductNode(node, key, subs));
    if (s.status === 'loaded' && s.items.length === 0) rows.push(new SubmissionsMessageNode(node, 'empty', 'Packages submitted to this environment appear here, with their review status and test reports.'));
    if (s.mismatch) rows.push(new SubmissionsMessageNode(node, 'mismatch', s.mismatch));
    if (s.hasMore || s.loadingMore || (s.status === 'loaded' && s.error !== undefined)) {
      rows.push(new LoadMoreNode(node, s.loadingMore, s.items.length, s.total, s.status === 'loaded' && s.error !== undefined ? describeError(s.error) : undefined));
    }
    return rows;
  }

  private runChildren(node: SubmissionNode): SubmissionsTreeNode[] {
    const env = node.environment;
    const id = node.submission.submissionId;
    const state = this.model.runs(env, id);
    if (!state) {
      void this.model.ensureRuns(env, id);
      return [new SubmissionsMessageNode(node, 'loadingRuns', '')];
    }
    const runs = state.status === 'loaded' ? state.runs : (state.previous ?? []);
    const rows: SubmissionsTreeNode[] = [];
    if (state.status === 'error') rows.push(new SubmissionsMessageNode(node, 'runsError', describeError(state.error)));
    if (state.status === 'loading' && runs.length === 0) rows.push(new SubmissionsMessageNode(node, 'loadingRuns', ''));
    for (const run of runs) rows.push(new ToolRunNode(node, run));
    if (state.status === 'loaded' && runs.length === 0) {
      rows.push(new SubmissionsMessageNode(node, 'noRuns', node.submission.status.technical === 'draft' ? 'A draft is not tested until it is submitted.' : 'The checks have not reported yet.'));
    }
    return rows;
  }

  private setEmpty(empty: boolean): void {
    if (this.empty === empty) return;
    this.empty = empty;
    void vscode.commands.executeCommand('setContext', CONTEXT.submissionsEmpty, empty);
  }
}
