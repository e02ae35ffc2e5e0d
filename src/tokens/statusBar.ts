import * as vscode from 'vscode';
import { SerialRunner } from '../util/serialRunner';
import type { Settings } from '../config';
import { COMMANDS, TOKEN_STATUS_BAR_ID } from '../constants';
import type { KeyStore } from '../keys/keyStore';
import { Disposable } from '../util/lifecycle';
import { describeError } from '../util/errors';
import type { Logger } from '../util/logger';
import { type Clock, TimerSlot } from '../util/clock';
import { StatusView, TOOLTIP_COMMANDS, nextChangeIn, statusView } from './format';
import type { TokenSettings } from './tokenSettings';
import type { TokenService } from './tokenService';

const MERGE_MS = 30;

/**
 * The session token in the status bar: a plain render of the token service's `state()` of the active
 * environment (its key, the time the cached token has left, never the token; whether a request is under way).
 * Every event (the token state changed, display settings changed) only schedules a render; events arriving
 * together render once. A timer runs only while a token is live, firing when the minutes shown change (at most
 * once a minute); with no live token there is no timer at all.
 */
export class TokenStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly tick: TimerSlot;
  private readonly updater: SerialRunner;

  constructor(
    private readonly tokens: TokenService,
    private readonly store: Pick<KeyStore, 'list'>,
    private readonly settings: Settings,
    private readonly tokenSettings: TokenSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    decorate: (item: vscode.StatusBarItem) => vscode.StatusBarItem = (item) => item,
  ) {
    super();
    this.tick = new TimerSlot(clock);
    this.updater = new SerialRunner(
      () => this.render(),
      (e) => this.logger.warn(`status bar: ${describeError(e)}`),
      () => this.isDisposed,
      MERGE_MS,
      clock,
    );
    this.item = this.register(decorate(vscode.window.createStatusBarItem(TOKEN_STATUS_BAR_ID, vscode.StatusBarAlignment.Right, 100)));
    this.item.name = 'EQP Session Token';
    this.register(tokens.onDidChange(() => this.scheduleUpdate()));
    this.register(settings.onDidChange(() => this.scheduleUpdate()));
    this.register(tokenSettings.onDidChange(() => this.scheduleUpdate()));
    this.register({ dispose: () => this.clearTimers() });
    this.scheduleUpdate();
  }

  /** Asks for an update; several asks within a few milliseconds make one render. */
  private scheduleUpdate(): void {
    this.updater.schedule();
  }

  private render(): void {
    if (this.isDisposed) return;
    const env = this.settings.activeEnvironment;
    const show = this.tokenSettings.statusBarShow;
    const visible = show === 'always' || (show === 'auto' && this.store.list().length > 0);
    const state = this.tokens.state(env);
    const now = this.clock.now();
    const view: StatusView = statusView({
      environment: env,
      key: state.key && { name: state.key.name, applicationId: state.key.applicationId, state: state.key.state ?? 'unverified', stateDetail: state.key.stateDetail },
      token: state.token && { mageId: state.token.mageId, expiresAt: state.token.expiresAt, applicationId: state.token.applicationId },
      busy: state.busy,
      lastError: state.lastError === undefined ? undefined : describeError(state.lastError),
      now,
      clickAction: this.tokenSettings.clickAction,
    });
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: [...TOOLTIP_COMMANDS] };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor = view.warning || !state.key ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const action = this.tokenSettings.clickAction;
    this.item.command = {
      command: action === 'copy' ? COMMANDS.tokenCopy : action === 'menu' ? COMMANDS.tokenMenu : COMMANDS.tokenInsert,
      title: action === 'copy' ? 'Copy Session Token' : action === 'menu' ? 'Session Token Actions' : 'Insert Session Token',
    };
    if (visible) this.item.show();
    else this.item.hide();
    this.scheduleTick(visible ? view.liveUntil : undefined, now);
  }

  /** One timer, only while a live token is shown: it fires when the minutes shown change, or at the expiry. */
  private scheduleTick(liveUntil: number | undefined, now: number): void {
    this.tick.clear();
    const delay = liveUntil === undefined ? undefined : nextChangeIn(liveUntil - now);
    if (delay === undefined || this.isDisposed) return;
    this.tick.set(delay + 50, () => this.scheduleUpdate());
  }

  private clearTimers(): void {
    this.updater.cancel();
    this.tick.clear();
  }
}
