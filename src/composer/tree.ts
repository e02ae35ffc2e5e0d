import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, COMPOSER_VIEW_ID, CONTEXT } from '../constants';
import { ENVIRONMENT_IDS, type EnvironmentId, environmentInfo } from '../eqp/environments';
import { describeError } from '../util/errors';
import { type ActiveKeySource, onActiveKeyChange } from '../util/activeKeys';
import { Disposable, toDisposable } from '../util/lifecycle';
import { escapeMarkdown, markdownCode } from '../util/markdown';
import type { AuthJsonUsage } from './authJsonUsage';
import type { ComposerKeysModel } from './composerModel';
import type { ComposerKeyRecord } from './composerService';

export class ComposerEnvironmentNode {
  readonly kind = 'composerEnvironment' as const;
  constructor(readonly environment: EnvironmentId, readonly count: number | undefined, readonly failed: boolean) {}

  getTreeItem(): vscode.TreeItem {
    const label = environmentInfo(this.environment).label;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `composer/${this.environment}`;
    item.iconPath = new vscode.ThemeIcon(this.failed ? 'warning' : 'package');
    item.description = this.count === undefined ? (this.failed ? 'could not load' : 'loading…') : `${this.count} ${this.count === 1 ? 'key' : 'keys'}`;
    item.contextValue = 'eqp:composerEnvironment';
    item.tooltip = `${label}: Magento 2 Composer keys (repo.magento.com credentials) of the account behind the active ${label} API access key.`;
    item.accessibilityInformation = { label: `${label}, ${item.description}` };
    return item;
  }
}

export class ComposerKeyNode {
  readonly kind = 'composerKey' as const;
  constructor(
    readonly parent: ComposerEnvironmentNode,
    readonly key: ComposerKeyRecord,
    /** The organization's name when an organization owns it. */
    readonly ownerName: string | undefined,
    readonly isAccountKey: boolean,
    /** auth.json files that use this key for the environment's host. */
    readonly usedBy: string[],
  ) {}

  getTreeItem(): vscode.TreeItem {
    const k = this.key;
    const item = new vscode.TreeItem(k.label, vscode.TreeItemCollapsibleState.None);
    item.id = `composer/${k.environment}/${k.uid}/${k.label}`;
    const owner = this.isAccountKey ? undefined : (this.ownerName ?? k.uid);
    // The public key's first characters, as a short commit hash is shown: the whole 32 are cut off anyway in a
    // side bar of normal width, and would push the state and owner out (the tooltip has all of it).
    const shortKey = k.userKey.length > 12 ? `${k.userKey.slice(0, 8)}…` : k.userKey;
    const parts = [k.isEnabled ? undefined : 'disabled', this.usedBy.length > 0 ? 'in auth.json' : undefined, owner, shortKey];
    item.description = parts.filter((p) => p !== undefined).join(' · ');
    item.iconPath = k.isEnabled
      ? new vscode.ThemeIcon(this.usedBy.length > 0 ? 'file-symlink-file' : 'key')
      : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
    const flags = [k.isEnabled ? '+enabled' : '+disabled', this.usedBy.length > 0 ? '+inUse' : ''].join('');
    item.contextValue = `eqp:composerKey${flags}`;
    // The label, the owner's name and the uid come from the server: escaped, they show as written and form no markup.
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${escapeMarkdown(k.label)}** (${environmentInfo(k.environment).label})\n\n`);
    tip.appendMarkdown(`Public key (Composer username): ${markdownCode(k.userKey)}\n\n`);
    tip.appendMarkdown(`${k.isEnabled ? 'Enabled' : 'Disabled: Composer cannot download with it'}\n\n`);
    tip.appendMarkdown(`Owner: ${owner === undefined ? `you (${escapeMarkdown(k.uid)})` : `${escapeMarkdown(owner)} (${escapeMarkdown(k.uid)})`}\n\n`);
    if (this.usedBy.length > 0) {
      tip.appendMarkdown(`Used by: ${this.usedBy.map((f) => escapeMarkdown(f)).join(', ')}\n\n`);
    }
    tip.appendMarkdown('The private key is never stored by EQP Keys: copy it or write it to auth.json when needed.');
    item.tooltip = tip;
    const a11y = [k.label, k.isEnabled ? 'enabled' : 'disabled', this.usedBy.length > 0 ? `used by ${this.usedBy.map((f) => path.basename(path.dirname(f))).join(' and ')} auth.json` : undefined, owner ? `owned by ${owner}` : undefined];
    item.accessibilityInformation = { label: a11y.filter(Boolean).join(', ') };
    return item;
  }
}

/** Shown instead of an environment's keys when loading them failed; clicking it retries. */
export class ComposerErrorNode {
  readonly kind = 'composerError' as const;
  constructor(readonly parent: ComposerEnvironmentNode, readonly message: string) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Could not load the Composer keys: Retry', vscode.TreeItemCollapsibleState.None);
    item.id = `composer/${this.parent.environment}/error`;
    item.description = this.message;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = new vscode.MarkdownString(`${escapeMarkdown(this.message)}\n\nSelect this row (or press Enter) to try again.`, true);
    item.contextValue = 'eqp:composerError';
    item.command = { command: COMMANDS.composerRefresh, title: 'Retry', arguments: [{ environment: this.parent.environment, retry: true }] };
    item.accessibilityInformation = { label: `Could not load the ${environmentInfo(this.parent.environment).label} Composer keys: ${this.message}. Press Enter to retry.` };
    return item;
  }
}

/** An environment whose account has no Composer key yet (while the other one has some). */
export class ComposerEmptyNode {
  readonly kind = 'composerEmpty' as const;
  constructor(readonly parent: ComposerEnvironmentNode) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('No Composer keys yet: Create…', vscode.TreeItemCollapsibleState.None);
    item.id = `composer/${this.parent.environment}/empty`;
    item.iconPath = new vscode.ThemeIcon('add');
    item.contextValue = 'eqp:composerEmpty';
    item.command = { command: COMMANDS.composerCreate, title: 'Create Composer Key…', arguments: [this.parent] };
    return item;
  }
}

export type ComposerTreeNode = ComposerEnvironmentNode | ComposerKeyNode | ComposerErrorNode | ComposerEmptyNode;

export function isComposerNode(v: unknown): v is ComposerTreeNode {
  return v instanceof ComposerEnvironmentNode || v instanceof ComposerKeyNode || v instanceof ComposerErrorNode || v instanceof ComposerEmptyNode;
}

/** The environments that have an active API access key: only those can list Composer keys. */
export type ComposerEnvironmentSource = ActiveKeySource;

/**
 * The Composer Keys view: per environment with an API access key, its account's Composer keys. The first render
 * loads them (with a progress bar on the view); a failed load is an error row with Retry; nothing loaded and
 * nothing to show is the view's welcome content (context key `eqp.composer.empty`).
 */
export class ComposerKeysTreeProvider extends Disposable implements vscode.TreeDataProvider<ComposerTreeNode> {
  private readonly emitter = this.register(new vscode.EventEmitter<ComposerTreeNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: ComposerEnvironmentNode[] = [];
  private empty: boolean | undefined;

  constructor(
    private readonly model: ComposerKeysModel,
    private readonly environments: ComposerEnvironmentSource,
    private readonly usage: AuthJsonUsage,
  ) {
    super();
    this.register(toDisposable(model.onDidChange(() => this.refresh())));
    this.register(toDisposable(onActiveKeyChange(environments, (env) => model.reset(env), () => this.refresh())));
    this.register(usage.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getTreeItem(node: ComposerTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: ComposerTreeNode): Promise<ComposerTreeNode[]> {
    if (!node) {
      this.usage.start();
      const envs = ENVIRONMENT_IDS.filter((e) => this.environments.activeKeyId(e) !== undefined);
      const pending = envs.filter((e) => this.model.state(e).status === 'idle');
      if (pending.length > 0) {
        // The first render: a progress bar on the view while the lists load (they fire onDidChange when done).
        void vscode.window.withProgress({ location: { viewId: COMPOSER_VIEW_ID } }, () => Promise.all(pending.map((e) => this.model.ensure(e))));
      }
      const states = envs.map((e) => this.model.state(e));
      this.setEmpty(envs.length > 0 && states.every((s) => s.status === 'loaded' && s.keys.length === 0));
      if (this.empty) return (this.roots = []);
      this.roots = envs.map((e) => new ComposerEnvironmentNode(e, this.model.state(e).status === 'loading' && !this.model.keys(e) ? undefined : this.model.keys(e)?.length, this.model.state(e).status === 'error'));
      return this.roots;
    }
    if (node instanceof ComposerEnvironmentNode) {
      const state = this.model.state(node.environment);
      const rows: ComposerTreeNode[] = [];
      if (state.status === 'error') rows.push(new ComposerErrorNode(node, describeError(state.error)));
      const keys = this.model.keys(node.environment) ?? [];
      const mageId = state.status === 'loaded' ? state.mageId : undefined;
      for (const k of keys) {
        const isAccount = mageId === undefined ? !k.uid.includes('@') : k.uid === mageId;
        rows.push(new ComposerKeyNode(node, k, this.model.ownerName(node.environment, k.uid), isAccount, this.usage.usedBy(node.environment, k.userKey)));
      }
      if (state.status === 'loaded' && keys.length === 0) rows.push(new ComposerEmptyNode(node));
      return rows;
    }
    return [];
  }

  getParent(node: ComposerTreeNode): ComposerTreeNode | undefined {
    return node instanceof ComposerEnvironmentNode ? undefined : node.parent;
  }

  /** The row of a key as the view shows it now (for reveal). */
  async nodeFor(env: EnvironmentId, label: string, uid: string): Promise<ComposerKeyNode | undefined> {
    const root = (await this.getChildren()).find((n): n is ComposerEnvironmentNode => n instanceof ComposerEnvironmentNode && n.environment === env);
    if (!root) return undefined;
    return (await this.getChildren(root)).find((n): n is ComposerKeyNode => n instanceof ComposerKeyNode && n.key.label === label && n.key.uid === uid);
  }

  private setEmpty(empty: boolean): void {
    if (this.empty === empty) return;
    this.empty = empty;
    void vscode.commands.executeCommand('setContext', CONTEXT.composerEmpty, empty);
  }
}
