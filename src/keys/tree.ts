import * as vscode from 'vscode';
import { EnvironmentId, environmentInfo } from '../eqp/environments';
import type { Settings } from '../config';
import { Disposable, toDisposable } from '../util/lifecycle';
import { SerialRunner } from '../util/serialRunner';
import { type Clock, TimerSlot, systemClock } from '../util/clock';
import { nextChangeIn, timeLeft } from '../tokens/format';
import { escapeMarkdown, markdownCode } from '../util/markdown';
import { formatTime } from '../util/time';
import { KeyRecord, KeyStore, MAX_KEYS_PER_ENVIRONMENT } from './keyStore';
import { STATE_IN_FULL, environmentRow, keyRow } from './rows';

/** What the tree shows of a key's cached session token (no token text: only when it expires). */
export interface TokenInfoSource {
  /** From memory, no I/O (the token service fires onDidChange once an entry not read yet is known). */
  cached(keyId: string): { expiresAt: number; applicationId: string } | undefined;
  readonly onDidChange: (listener: (env: EnvironmentId) => void) => { dispose(): void };
}

export class EnvironmentNode {
  readonly kind = 'environment' as const;
  constructor(
    readonly environment: EnvironmentId,
    readonly keys: KeyRecord[],
    readonly isActive: boolean,
    readonly activeKeyId: string | undefined,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const info = environmentInfo(this.environment);
    const rejected = this.keys.filter((k) => k.state === 'rejected').length;
    const row = environmentRow({ environment: this.environment, keyCount: this.keys.length, active: this.isActive, rejected });
    const item = new vscode.TreeItem(info.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `env/${this.environment}`;
    item.description = row.description;
    item.iconPath = rejected > 0
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon(this.isActive ? 'globe' : 'circle-large-outline');
    item.contextValue = row.contextValue;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${info.label}**${this.isActive ? ' (active environment)' : ''}\n\n`);
    tip.appendMarkdown(`${this.keys.length} of ${MAX_KEYS_PER_ENVIRONMENT} API access keys used (the Developer Portal allows ${MAX_KEYS_PER_ENVIRONMENT} per environment).\n\n`);
    if (rejected > 0) tip.appendMarkdown(`⚠ ${rejected === 1 ? 'One key was' : `${rejected} keys were`} refused by the server: run **Regenerate…** on ${rejected === 1 ? 'it' : 'them'}.\n\n`);
    tip.appendMarkdown('Keys and session tokens of one environment never work in the other.');
    item.tooltip = tip;
    item.accessibilityInformation = { label: row.accessibilityLabel };
    return item;
  }
}

const STATE_LOOK: Record<KeyRecord['state'], { icon: string; color?: string; meaning: string }> = {
  verified: { icon: 'pass', color: 'testing.iconPassed', meaning: 'The EQP API issued a session token for this pair.' },
  unverified: { icon: 'circle-outline', meaning: 'This pair has not been tried yet. Run **Verify** to mint a token with it.' },
  rejected: {
    icon: 'error', color: 'errorForeground',
    meaning: 'The EQP API refused this pair (401/403): it was regenerated or deleted in the Developer Portal, mistyped, or it belongs to the other environment. Run **Regenerate…** and enter the pair the portal shows now.',
  },
  unreachable: { icon: 'cloud-offline', color: 'problemsWarningIcon.foreground', meaning: 'The EQP API could not be reached or gave no usable answer when this key was last checked. Check the network, proxy and `eqp.*.apiUrl` settings, then run **Verify**.' },
};

export class KeyNode {
  readonly kind = 'key' as const;
  constructor(
    readonly key: KeyRecord,
    readonly parent: EnvironmentNode,
    readonly isActive: boolean,
    readonly token: { expiresAt: number; applicationId: string } | undefined,
    private readonly now: number,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const k = this.key;
    const state = { ...STATE_LOOK[k.state], text: STATE_IN_FULL[k.state] };
    const row = keyRow({ name: k.name, environment: k.environment, state: k.state, active: this.isActive, tokenExpiresAt: this.token?.expiresAt, now: this.now });
    const item = new vscode.TreeItem(k.name, vscode.TreeItemCollapsibleState.None);
    item.id = `key/${k.id}`;
    item.description = row.description;
    item.iconPath = new vscode.ThemeIcon(state.icon, state.color ? new vscode.ThemeColor(state.color) : undefined);
    item.contextValue = row.contextValue;
    // The row is short; the tooltip holds the details (the account, the profile, the ID, the token's expiry).
    // The name, the profile and the server's last answer are escaped: they show as written and form no markup.
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${escapeMarkdown(k.name)}** · ${environmentInfo(k.environment).label}${this.isActive ? ' · ★ active key (session tokens are minted with it)' : ''}\n\n`);
    tip.appendMarkdown(`Application ID: ${markdownCode(k.applicationId)} (the secret is kept in VS Code's secret storage and never shown)\n\n`);
    tip.appendMarkdown(`State: **${state.text}**${k.mageId ? ` · account ${markdownCode(k.mageId)}` : ''}${k.profileName ? ` (${escapeMarkdown(k.profileName)})` : ''}\n\n`);
    tip.appendMarkdown(`${state.meaning}\n\n`);
    if (k.stateDetail && k.state !== 'verified') tip.appendMarkdown(`Last answer: ${escapeMarkdown(k.stateDetail)}\n\n`);
    tip.appendMarkdown(`Added ${formatTime(k.addedAt)}`);
    if (k.regeneratedAt) tip.appendMarkdown(` · regenerated ${formatTime(k.regeneratedAt)}`);
    tip.appendMarkdown(k.lastVerifiedAt ? ` · last verified ${formatTime(k.lastVerifiedAt)}` : ' · never verified');
    const live = this.token && this.token.expiresAt > this.now;
    if (live && k.state === 'rejected') {
      tip.appendMarkdown(`\n\nA session token obtained before the refusal is still cached until ${formatTime(this.token!.expiresAt)}; the EQP API may accept it until then, but this pair cannot mint a new one.`);
    } else if (live) {
      const old = this.token!.applicationId !== k.applicationId;
      tip.appendMarkdown(`\n\nHolds a session token until ${formatTime(this.token!.expiresAt)} (${timeLeft(this.token!.expiresAt - this.now)} left)${old ? ', obtained with the pair before it was regenerated: it stays valid until then' : ''}.`);
    }
    item.tooltip = tip;
    item.accessibilityInformation = { label: row.accessibilityLabel };
    return item;
  }
}

export type TreeNode = EnvironmentNode | KeyNode;

export function isTreeNode(x: unknown): x is TreeNode {
  return x instanceof EnvironmentNode || x instanceof KeyNode;
}

/**
 * The API Keys view: Production and Sandbox with their keys. With no key at all it is empty, so the view
 * shows its welcome content. Listens to the store, the settings and the token service; never notifies from
 * getChildren.
 */
export class KeysTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly emitter = this.register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: EnvironmentNode[] = [];
  private readonly countdown: TimerSlot;
  /** Per environment shown, when its soonest time left changes (ms since epoch). */
  private readonly nextChange = new Map<string, number>();
  /** The store, the settings, the token service and other windows ask at once: their asks merge into one render. */
  private readonly refresher: SerialRunner;

  constructor(
    private readonly store: KeyStore,
    private readonly settings: Settings,
    private readonly tokens?: TokenInfoSource,
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.countdown = new TimerSlot(clock);
    this.refresher = new SerialRunner(() => this.emitter.fire(undefined), () => undefined, () => this.isDisposed, 30, clock);
    this.register(toDisposable(store.onDidChange(() => this.refresh())));
    this.register(settings.onDidChange(() => this.refresh()));
    if (tokens) this.register(toDisposable(tokens.onDidChange(() => this.refresh())));
    this.register(new vscode.Disposable(() => {
      this.refresher.cancel();
      this.countdown.clear();
    }));
  }

  /**
   * Re-renders soon. The store, the settings, the token service and (for other windows) secrets.onDidChange all
   * ask at once when a token or key changes: the asks of a few milliseconds make one render.
   */
  refresh(): void {
    this.refresher.schedule();
  }

  /** Renders now instead of a scheduled refresh (before a reveal, which must find the new rows). */
  flushRefresh(): Promise<void> {
    return this.refresher.flush();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const snapshot = this.store.snapshot();
      // Each render starts the countdown afresh: environments whose rows are not asked for (collapsed) hold none.
      this.nextChange.clear();
      this.countdown.clear();
      if (snapshot.every((s) => s.keys.length === 0)) return (this.roots = []);
      const active = this.settings.activeEnvironment;
      this.roots = snapshot.map((s) => new EnvironmentNode(s.environment, s.keys, s.environment === active, s.activeKeyId));
      return this.roots;
    }
    if (node instanceof EnvironmentNode) {
      const now = this.clock.now();
      const children = node.keys.map((k) => new KeyNode(k, node, k.id === node.activeKeyId, this.tokens?.cached(k.id), now));
      this.scheduleCountdown(node.environment, children, now);
      return children;
    }
    return [];
  }

  /**
   * The rows' "1h 59m" counts down: one timer for the soonest moment a shown time changes (a whole minute down,
   * or an expiry), over the environments shown. No live token shown, no timer.
   */
  private scheduleCountdown(env: EnvironmentNode['environment'], rows: KeyNode[], now: number): void {
    const changes = rows
      .filter((r) => r.token && r.key.state !== 'rejected' && r.token.expiresAt > now)
      .map((r) => nextChangeIn(r.token!.expiresAt - now))
      .filter((ms): ms is number => ms !== undefined);
    if (changes.length > 0) this.nextChange.set(env, now + Math.min(...changes));
    else this.nextChange.delete(env);
    this.countdown.clear();
    if (this.isDisposed || this.nextChange.size === 0) return;
    const at = Math.min(...this.nextChange.values());
    this.countdown.set(Math.max(0, at - this.clock.now()) + 50, () => this.refresh());
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node instanceof KeyNode ? node.parent : undefined;
  }

  /** The node of a key, after any scheduled refresh has been fired (for reveal). */
  async nodeFor(keyId: string): Promise<KeyNode | undefined> {
    await this.flushRefresh();
    for (const env of await this.getChildren()) {
      if (env instanceof EnvironmentNode && env.keys.some((k) => k.id === keyId)) {
        return (await this.getChildren(env)).find((n): n is KeyNode => n instanceof KeyNode && n.key.id === keyId);
      }
    }
    return undefined;
  }
}
