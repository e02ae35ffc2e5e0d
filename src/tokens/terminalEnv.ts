import * as vscode from 'vscode';
import { SerialRunner } from '../util/serialRunner';
import type { Settings } from '../config';
import { environmentInfo } from '../eqp/environments';
import { Disposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import { describeError } from '../util/errors';
import { escapeMarkdown, markdownCode } from '../util/markdown';
import { formatTime } from '../util/time';
import { isBearerToken, isMageId } from './format';
import { type Clock, TimerSlot } from '../util/clock';
import type { TokenSettings } from './tokenSettings';
import type { CachedToken, TokenService } from './tokenService';

export const TERMINAL_VARIABLES = ['EQP_SESSION_TOKEN', 'EQP_MAGE_ID', 'EQP_API_URL'] as const;

/**
 * `eqp.terminal.exportToken`: while on, new integrated terminals get EQP_SESSION_TOKEN, EQP_MAGE_ID and
 * EQP_API_URL of the active environment's key through the extension's environment variable collection. The
 * collection is never persisted (`persistent = false`: a persisted one would write the token to disk), is
 * refreshed whenever the token changes, and is cleared when the setting is off, the key goes or the token
 * expires.
 *
 * While on, a valid token is kept ready: when none is cached (or it is about to expire) one is fetched in the
 * background, since a terminal cannot wait for one when it starts. A background fetch that fails is logged and
 * not retried for that key and pair until something changes (no request loop against a refusing server).
 * Fetches go through the token service's background limits (`getToken(env, { background: true })`): at most one
 * mint per key a minute (when one is due sooner, the export waits for `backgroundMintAt`), and a token the server
 * granted for under a minute is exported while it lives but not refreshed.
 * What it exports is a plain render of the token service's `state()` of the active environment.
 */
export class TerminalTokenExport extends Disposable {
  private readonly timer: TimerSlot;
  private readonly updater: SerialRunner;
  /** `${keyId}:${applicationId}:${token obtainedAt or 'none'}` whose background fetch failed; not tried again until it changes. */
  private failedFor: string | undefined;
  /** The same, for the attempt that the background limits held back (logged once). */
  private heldFor: string | undefined;
  private fetching = false;
  /** Aborts the background fetch when the export is disposed (deactivation). */
  private readonly abort = new AbortController();
  private exported: string | undefined;
  /** `${keyId}:${obtainedAt}` of the token last refused for export (malformed), so the warning is logged once. */
  private refused: string | undefined;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly tokens: TokenService,
    private readonly settings: Settings,
    private readonly tokenSettings: TokenSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super();
    this.timer = new TimerSlot(clock);
    this.updater = new SerialRunner(
      () => this.apply(),
      (e) => this.logger.warn(`terminal export: ${describeError(e)}`),
      () => this.isDisposed,
      30,
      clock,
    );
    collection.persistent = false;
    this.register(tokens.onDidChange(() => this.scheduleUpdate()));
    this.register(settings.onDidChange(() => this.scheduleUpdate()));
    this.register(tokenSettings.onDidChange(() => {
      if (!tokenSettings.exportToTerminals) this.failedFor = undefined;
      this.scheduleUpdate();
    }));
    this.register({ dispose: () => this.stopTimers() });
    this.register({ dispose: () => this.abort.abort() });
    this.scheduleUpdate();
  }

  private scheduleUpdate(): void {
    this.updater.schedule();
  }

  private apply(): void {
    this.timer.clear();
    if (this.isDisposed) return;
    if (!this.tokenSettings.exportToTerminals) {
      this.clear();
      return;
    }
    const env = this.settings.activeEnvironment;
    const state = this.tokens.state(env);
    const key = state.key;
    if (!key) {
      this.clear();
      return;
    }
    // Not read from secret storage yet: onDidChange fires once it is.
    if (state.loading) return;
    const now = this.clock.now();
    const live = state.live ? state.token : undefined;
    if (live) {
      this.set(live);
    } else {
      this.clear();
    }
    // Fetch ahead when there is no live token or it is inside the refresh margin (the token service's rule), as
    // far as the background limits let it (the token service's rule too: a short grant, one mint a minute).
    const attempt = `${key.keyId}:${key.applicationId}:${live?.obtainedAt ?? 'none'}`;
    const mintAt = state.backgroundMintAt;
    let waitFor: number | undefined;
    if (!state.fresh && !state.busy && state.lastError === undefined && this.failedFor !== attempt && !this.fetching) {
      if (mintAt === undefined) this.held(attempt, env, key.name, live);
      else if (mintAt > now) waitFor = mintAt;
      else this.fetchInBackground(env, key.name, attempt);
    }
    // Wake up to refresh ahead of the expiry (not for a short grant: it is not refreshed), to clear an expired
    // token, or when the background limit lets a fetch through.
    const refresh = live ? (state.fresh && state.refreshAt !== undefined && mintAt !== undefined ? state.refreshAt : live.expiresAt) : undefined;
    const wake = refresh === undefined ? waitFor : waitFor === undefined ? refresh : Math.min(refresh, waitFor);
    if (wake !== undefined) this.timer.set(Math.max(wake - now, 0) + 50, () => this.scheduleUpdate());
  }

  /** Says once per attempt that the background limits hold the fetch back. */
  private held(attempt: string, env: 'production' | 'sandbox', keyName: string, live: CachedToken | undefined): void {
    if (this.heldFor === attempt) return;
    this.heldFor = attempt;
    this.logger.info(`terminal export: the server granted the last session token for "${keyName}" (${env}) less than a minute, so it is not refreshed in the background; ${live ? 'new terminals get it until it expires' : 'new terminals get none'} until you get one (status bar)`);
  }

  private fetchInBackground(env: 'production' | 'sandbox', keyName: string, attempt: string): void {
    const started = this.clock.now();
    this.fetching = true;
    this.tokens.getToken(env, { signal: this.abort.signal, background: true }).then(
      () => this.logger.info(`terminal export: fetched a session token for "${keyName}" (${env}) in ${this.clock.now() - started} ms`),
      (e: unknown) => {
        if (this.isDisposed) return;
        this.failedFor = attempt;
        this.logger.warn(`terminal export: could not fetch a session token for "${keyName}" (${env}); new terminals get none until you get one (status bar): ${describeError(e)}`);
      },
    ).finally(() => {
      this.fetching = false;
      this.scheduleUpdate();
    });
  }
  private set(token: CachedToken): void {
    // What the server sent goes into every new shell's environment: a token or mage_id with a quote, a space or a
    // line break in it could add a command of its own there, so it is not exported (said once per token).
    if (!isBearerToken(token.token) || !isMageId(token.mageId)) {
      this.clear();
      const refused = `${token.keyId}:${token.obtainedAt}`;
      if (this.refused !== refused) {
        this.refused = refused;
        this.logger.warn(`terminal export: the session token or account ID (mage_id) of "${token.keyName}" (${token.environment}) has characters it cannot have, so new terminals get none; get a new session token (status bar)`);
      }
      return;
    }
    let apiUrl: string | undefined;
    try {
      apiUrl = this.settings.apiUrl(token.environment);
    } catch {
      apiUrl = undefined;
    }
    const signature = `${token.keyId}:${token.obtainedAt}:${token.expiresAt}:${apiUrl ?? ''}`;
    if (this.exported === signature) return;
    this.collection.replace('EQP_SESSION_TOKEN', token.token);
    this.collection.replace('EQP_MAGE_ID', token.mageId);
    if (apiUrl) this.collection.replace('EQP_API_URL', apiUrl);
    else this.collection.delete('EQP_API_URL');
    this.collection.description = new vscode.MarkdownString(
      `EQP Keys: the ${environmentInfo(token.environment).label} session token of "${escapeMarkdown(token.keyName)}" (account ${markdownCode(token.mageId)}), valid until ${formatTime(token.expiresAt)}: \`EQP_SESSION_TOKEN\`, \`EQP_MAGE_ID\`, \`EQP_API_URL\`. Turn off with the \`eqp.terminal.exportToken\` setting.`,
    );
    this.exported = signature;
  }

  private clear(): void {
    if (this.exported === undefined && TERMINAL_VARIABLES.every((v) => this.collection.get(v) === undefined)) return;
    this.collection.clear();
    this.collection.description = undefined;
    this.exported = undefined;
  }

  private stopTimers(): void {
    this.updater.cancel();
    this.timer.clear();
  }
}
