import * as vscode from 'vscode';
import { ENVIRONMENT_IDS, type EnvironmentId, environmentInfo } from '../eqp/environments';
import type { KeyRecord, KeyStore } from '../keys/keyStore';
import type { CachedToken, TokenService } from '../tokens/tokenService';
import { Disposable, toDisposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import { type EqpSession, diffSessions, parseSessionId, scopedEnvironment, toSession } from './sessions';

export interface AuthProviderDeps {
  tokens: TokenService;
  store: KeyStore;
  /** The environment a request without a scope means (setting eqp.environment). */
  activeEnvironment(): EnvironmentId;
  /** The guided create flow, starting at `env` (the environment has no key); the key made, or undefined if cancelled. */
  createKey(env: EnvironmentId): Promise<KeyRecord | undefined>;
  logger: Logger;
}

/**
 * The `eqp` authentication provider: how other extensions get a session token, with VS Code's own per-extension
 * consent, the Accounts menu and "Manage Trusted Extensions". A session per environment (scope `production` or
 * `sandbox`; no scope: the active environment) whose access token is the token service's: the same cache and the
 * same single flight as every other caller, so a request never mints a token the cache already holds.
 *
 * The workbench lists sessions without scopes (the Accounts menu, at start-up too): that answer comes from memory
 * only, with no secret storage read and no request. A token is minted only when an extension asks for a scope.
 */
export class EqpAuthenticationProvider extends Disposable implements vscode.AuthenticationProvider {
  private readonly changes = this.register(new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>());
  readonly onDidChangeSessions = this.changes.event;
  /** The sessions the last event (or the start) reported: what the next change is measured against. */
  private known: EqpSession[];

  constructor(private readonly deps: AuthProviderDeps) {
    super();
    this.known = this.current();
    // Keys added, deleted or made active, and tokens minted, regenerated or forgotten, in this window or another
    // (the token service hears both); several notices of one change make one event, none when nothing changed.
    this.register(toDisposable(deps.tokens.onDidChange(() => this.update())));
  }

  async getSessions(scopes?: readonly string[]): Promise<vscode.AuthenticationSession[]> {
    const env = scopedEnvironment(scopes, this.deps.activeEnvironment());
    if (env === undefined) return this.current();
    if (this.deps.store.activeKeyId(env) === undefined) return [];
    // An extension asked for this environment: a token fresh enough to use (cached, or one request). Extensions
    // ask in the background of what the user does, so their mints are the token service's background ones: at most
    // one per key a minute, however often an extension asks (a live token is handed out meanwhile).
    return [this.sessionOf(await this.deps.tokens.getToken(env, { background: true }))];
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const env = scopedEnvironment(scopes, this.deps.activeEnvironment()) ?? this.deps.activeEnvironment();
    const label = environmentInfo(env).label;
    if (this.deps.store.activeKeyId(env) === undefined) {
      this.deps.logger.info(`authentication: an extension asked for a ${label} session and there is no ${label} key; starting the create flow`);
      const key = await this.deps.createKey(env);
      if (!key) {
        throw new Error(`No ${label} API access key was added, so EQP Keys has no ${label} session to give. Create one with "EQP: Create API Access Key…" and try again.`);
      }
    }
    const session = this.sessionOf(await this.deps.tokens.getToken(env));
    this.update();
    return session;
  }

  async removeSession(sessionId: string): Promise<void> {
    const ref = parseSessionId(sessionId);
    if (!ref) return;
    // "Sign Out": the cached token is forgotten (it is not revoked at the server: it stays valid until it expires).
    // No key is deleted or made inactive; the next request of an extension mints a new token.
    await this.deps.tokens.forget(ref.keyId);
    this.deps.logger.info(`authentication: signed out of ${environmentInfo(ref.environment).label} (its cached session token was forgotten; the key is kept)`);
    this.update();
  }

  /** Each environment whose active key has a token in memory: no secret storage read, no request. */
  private current(): EqpSession[] {
    return ENVIRONMENT_IDS.flatMap((env) => {
      const keyId = this.deps.store.activeKeyId(env);
      const key = keyId === undefined ? undefined : this.deps.store.get(keyId);
      const token = key && this.deps.tokens.inMemory(key.id);
      if (!key || !token || token.environment !== env) return [];
      return [toSession({ environment: env, keyId: key.id, keyName: key.name, mageId: key.mageId ?? token.mageId, token: token.token })];
    });
  }

  private sessionOf(token: CachedToken): EqpSession {
    const key = this.deps.store.get(token.keyId);
    return toSession({
      environment: token.environment,
      keyId: token.keyId,
      keyName: key?.name ?? token.keyName,
      mageId: key?.mageId ?? token.mageId,
      token: token.token,
    });
  }

  private update(): void {
    if (this.isDisposed) return;
    const now = this.current();
    const delta = diffSessions(this.known, now);
    this.known = now;
    if (delta) this.changes.fire(delta);
  }
}
