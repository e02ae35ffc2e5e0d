import * as vscode from 'vscode';
import { SerialRunner } from '../util/serialRunner';
import type { Settings } from '../config';
import { environmentInfo } from '../eqp/environments';
import type { KeyStore } from '../keys/keyStore';
import { Disposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import { describeError } from '../util/errors';
import { formatTime } from '../util/time';
import type { Clock } from './clock';
import type { TokenSettings } from './tokenSettings';
import { type CachedToken, type TokenService, refreshDueAt } from './tokenService';

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
 */
export class TerminalTokenExport extends Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly updater = new SerialRunner(
    () => this.apply(),
    (e) => this.logger.warn(`terminal export: ${describeError(e)}`),
    () => this.isDisposed,
  );
  /** `${keyId}:${applicationId}:${token obtainedAt or 'none'}` whose background fetch failed; not tried again until it changes. */
  private failedFor: string | undefined;
  private fetching: Promise<unknown> | undefined;
  /** Aborts the background fetch when the export is disposed (deactivation). */
  private readonly abort = new AbortController();
  private exported: string | undefined;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly tokens: TokenService,
    private readonly store: KeyStore,
    private readonly settings: Settings,
    private readonly tokenSettings: TokenSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super();
    collection.persistent = false;
    this.register(tokens.onDidChange(() => this.scheduleUpdate()));
    this.register(store.onDidChange(() => this.scheduleUpdate()));
    this.register(settings.onDidChange(() => this.scheduleUpdate()));
    this.register(tokenSettings.onDidChange(() => {
      if (!tokenSettings.exportToTerminals) this.failedFor = undefined;
      this.scheduleUpdate();
    }));
    this.register({ dispose: () => this.stopTimers() });
    this.register({ dispose: () => this.abort.abort() });
    this.scheduleUpdate();
  }

  scheduleUpdate(): void {
    this.updater.schedule();
  }

  /** Applies the current state now, including a background fetch it starts (for tests and the settings UI). */
  async flush(): Promise<void> {
    await this.updater.flush();
    while (this.fetching) {
      await this.fetching.catch(() => undefined);
      await this.update();
    }
  }

  private update(): Promise<void> {
    return this.updater.run();
  }

  private async apply(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.isDisposed) return;
    if (!this.tokenSettings.exportToTerminals) {
      this.clear();
      return;
    }
    const env = this.settings.activeEnvironment;
    const keyId = this.store.activeKeyId(env);
    const key = keyId ? this.store.get(keyId) : undefined;
    if (!key) {
      this.clear();
      return;
    }
    const token = await this.tokens.cachedFor(key.id);
    if (this.isDisposed || !this.tokenSettings.exportToTerminals) return;
    const now = this.clock.now();
    const live = token && token.environment === env && token.expiresAt > now ? token : undefined;
    if (live) {
      this.set(live);
    } else {
      this.clear();
    }
    // Fetch ahead when there is no live token or it is inside the refresh margin (capped at half its life).
    const refreshAt = live ? refreshDueAt(live, this.tokenSettings.refreshMargin) : now;
    const attempt = `${key.id}:${key.applicationId}:${live?.obtainedAt ?? 'none'}`;
    if (refreshAt <= now && this.failedFor !== attempt && !this.fetching) this.fetchInBackground(env, key.name, attempt);
    // Wake up to refresh ahead of the expiry, or to clear an expired token.
    const wake = live ? (refreshAt > now ? refreshAt : live.expiresAt) : undefined;
    if (wake !== undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.scheduleUpdate();
      }, Math.min(Math.max(wake - now, 0) + 50, 2 ** 31 - 1));
    }
  }

  private fetchInBackground(env: 'production' | 'sandbox', keyName: string, attempt: string): void {
    const started = Date.now();
    this.fetching = this.tokens.getToken(env, { signal: this.abort.signal }).then(
      () => this.logger.info(`terminal export: fetched a session token for "${keyName}" (${env}) in ${Date.now() - started} ms`),
      (e: unknown) => {
        if (this.isDisposed) return;
        this.failedFor = attempt;
        this.logger.warn(`terminal export: could not fetch a session token for "${keyName}" (${env}); new terminals get none until you get one (status bar): ${describeError(e)}`);
      },
    ).finally(() => {
      this.fetching = undefined;
      this.scheduleUpdate();
    });
  }

  private set(token: CachedToken): void {
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
      `EQP Keys: the ${environmentInfo(token.environment).label} session token of "${token.keyName}" (account \`${token.mageId}\`), valid until ${formatTime(token.expiresAt)}: \`EQP_SESSION_TOKEN\`, \`EQP_MAGE_ID\`, \`EQP_API_URL\`. Turn off with the \`eqp.terminal.exportToken\` setting.`,
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
