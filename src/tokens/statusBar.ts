import * as vscode from 'vscode';
import { SerialRunner } from '../util/serialRunner';
import type { Settings } from '../config';
import { COMMANDS, TOKEN_STATUS_BAR_ID } from '../constants';
import type { KeyStore } from '../keys/keyStore';
import { Disposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import type { Clock } from './clock';
import type { TokenProgress } from './tokenProgress';
import { StatusView, TOOLTIP_COMMANDS, nextChangeIn, statusView } from './format';
import type { TokenSettings } from './tokenSettings';
import type { TokenService } from './tokenService';

/** What a test can read of the item (ExtensionMode.Test hooks). */
export interface StatusBarSnapshot {
  visible: boolean;
  text: string;
  tooltip: string;
  accessibilityLabel: string;
  /** ThemeColor id of the background, if any. */
  background?: string;
  command?: string;
  /** A timer is set for the next minute's text (only while a token is live). */
  timer: boolean;
  /** How many times the item was rendered since creation (merged updates render once). */
  renders: number;
}

const MERGE_MS = 30;

/**
 * The session token in the status bar: the active environment, its key and the time the cached token has left
 * (never the token). Every event (token stored or forgotten, keys changed, settings changed, a fetch starting)
 * only schedules an update; updates arriving together render once. A timer runs only while a token is live,
 * firing when the minutes shown change (at most once a minute); with no live token there is no timer at all.
 */
export class TokenStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private tick: ReturnType<typeof setTimeout> | undefined;
  private readonly updater = new SerialRunner(
    () => this.render(),
    (e) => this.logger.warn(`status bar: ${e instanceof Error ? e.message : String(e)}`),
    () => this.isDisposed,
    MERGE_MS,
  );
  private renders = 0;
  private visible = false;

  constructor(
    private readonly tokens: TokenService,
    private readonly progress: TokenProgress,
    private readonly store: KeyStore,
    private readonly settings: Settings,
    private readonly tokenSettings: TokenSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem(TOKEN_STATUS_BAR_ID, vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'EQP Session Token';
    this.register(tokens.onDidChange(() => this.scheduleUpdate()));
    this.register(store.onDidChange(() => this.scheduleUpdate()));
    this.register(settings.onDidChange(() => this.scheduleUpdate()));
    this.register(tokenSettings.onDidChange(() => this.scheduleUpdate()));
    this.register(progress.onDidChangeBusy(() => this.scheduleUpdate()));
    this.register({ dispose: () => this.clearTimers() });
    this.scheduleUpdate();
  }

  /** Asks for an update; several asks within a few milliseconds make one render. */
  scheduleUpdate(): void {
    this.updater.schedule();
  }

  /** Renders now (after any scheduled update) and resolves when the item shows the current state. */
  async flush(): Promise<void> {
    await this.updater.flush();
  }

  snapshot(): StatusBarSnapshot {
    const tooltip = this.item.tooltip;
    const bg = this.item.backgroundColor;
    const command = this.item.command;
    return {
      visible: this.visible,
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
      accessibilityLabel: this.item.accessibilityInformation?.label ?? '',
      background: bg instanceof vscode.ThemeColor ? (bg as unknown as { id: string }).id : undefined,
      command: typeof command === 'string' ? command : command?.command,
      timer: this.tick !== undefined,
      renders: this.renders,
    };
  }

  private async render(): Promise<void> {
    if (this.isDisposed) return;
    const env = this.settings.activeEnvironment;
    const show = this.tokenSettings.statusBarShow;
    const visible = show === 'always' || (show === 'auto' && this.store.list().length > 0);
    const keyId = this.store.activeKeyId(env);
    const key = keyId ? this.store.get(keyId) : undefined;
    // The key's cached token, read without its application secret and without the network.
    const token = key ? await this.tokens.cachedFor(key.id) : undefined;
    if (this.isDisposed) return;
    const now = this.clock.now();
    const view: StatusView = statusView({
      environment: env,
      key: key && { name: key.name, applicationId: key.applicationId, state: key.state, stateDetail: key.stateDetail },
      token: token && token.environment === env ? { mageId: token.mageId, expiresAt: token.expiresAt, applicationId: token.applicationId } : undefined,
      busy: this.progress.isBusy(env),
      now,
      clickAction: this.tokenSettings.clickAction,
    });
    this.renders++;
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: [...TOOLTIP_COMMANDS] };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor = view.warning || !key ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const action = this.tokenSettings.clickAction;
    this.item.command = {
      command: action === 'copy' ? COMMANDS.tokenCopy : action === 'menu' ? COMMANDS.tokenMenu : COMMANDS.tokenInsert,
      title: action === 'copy' ? 'Copy Session Token' : action === 'menu' ? 'Session Token Actions' : 'Insert Session Token',
    };
    this.visible = visible;
    if (visible) this.item.show();
    else this.item.hide();
    this.scheduleTick(visible ? view.liveUntil : undefined, now);
  }

  /** One timer, only while a live token is shown: it fires when the minutes shown change, or at the expiry. */
  private scheduleTick(liveUntil: number | undefined, now: number): void {
    if (this.tick) clearTimeout(this.tick);
    this.tick = undefined;
    const delay = liveUntil === undefined ? undefined : nextChangeIn(liveUntil - now);
    if (delay === undefined || this.isDisposed) return;
    this.tick = setTimeout(() => {
      this.tick = undefined;
      this.scheduleUpdate();
    }, delay + 50);
  }

  private clearTimers(): void {
    this.updater.cancel();
    if (this.tick) clearTimeout(this.tick);
    this.tick = undefined;
  }
}
