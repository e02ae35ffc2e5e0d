import * as vscode from 'vscode';
import { COMMANDS } from '../constants';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { EqpError } from '../eqp/errors';
import { EnvironmentNode } from '../keys/tree';
import type { KeyStore } from '../keys/keyStore';
import { withAbortSignal } from '../util/cancellation';
import type { Logger } from '../util/logger';
import { UserError, describeError } from '../util/errors';
import { type CachedToken, type TokenService, isRetryable } from './tokenService';

/** The environment has no API access key, so no token can be had. */
export class NoKeyError extends UserError {
  constructor(readonly environment: EnvironmentId) {
    const label = environmentInfo(environment).label;
    super(`There is no API access key for ${label}. Create one with "EQP: Create API Access Key…" (keys are made in the ${label} Developer Portal).`);
  }
}

/**
 * What a person sees while a token command gets its token: nothing when the cached one is fresh, otherwise one
 * request behind a cancellable progress notification (Cancel aborts the request through an AbortSignal). Commands that run at the
 * same time for the same environment share that one notification and request. Also turns a failure into the
 * message a person can act on.
 */
export class TokenProgress implements vscode.Disposable {
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly tokens: TokenService,
    private readonly store: KeyStore,
    private readonly logger: Logger,
  ) {}

  /** A token of `env`'s active key, fresh enough to use; throws NoKeyError, EqpError or a KeyStoreError. */
  async obtain(env: EnvironmentId, opts: { forceNew?: boolean } = {}): Promise<CachedToken> {
    const forceNew = opts.forceNew === true;
    const keyId = this.store.activeKeyId(env);
    const key = keyId ? this.store.get(keyId) : undefined;
    if (!key) throw new NoKeyError(env);
    if (!forceNew) {
      // A fresh cached token is handed out at once, with no progress shown.
      await this.tokens.load([key.id]);
      const { token, fresh } = this.tokens.state(env);
      if (fresh && token) return token;
    }
    const slot = `${env}:${forceNew ? 'new' : 'any'}`;
    const running = this.pending.get(slot);
    if (running) return running;
    const label = environmentInfo(env).label;
    const started = Date.now();
    const work = Promise.resolve(
      vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `EQP: getting ${forceNew ? 'a new' : 'a'} ${label} session token for "${key.name}"…`,
          cancellable: true,
        },
        (_progress, cancellation) => withAbortSignal(cancellation, (signal) => this.tokens.getToken(env, { forceNew, signal })),
      ),
    ).then(
      (token) => {
        this.logger.info(`session token for "${token.keyName}" (${env}) obtained in ${Date.now() - started} ms, valid until ${new Date(token.expiresAt).toISOString()}`);
        return token;
      },
      (e: unknown) => {
        const what = e instanceof EqpError ? `${e.kind}${e.status ? ` ${e.status}` : ''}` : 'error';
        this.logger.warn(`session token for "${key.name}" (${env}) failed after ${Date.now() - started} ms: ${what}: ${describeError(e)}`);
        throw e;
      },
    );
    const tracked = work.finally(() => this.pending.delete(slot));
    this.pending.set(slot, tracked);
    return tracked;
  }

  /**
   * Shows a failure to the person who ran a command, with the action that fixes it: "Create API Access Key…"
   * when there is no key, "Regenerate…" when the server refused the key, "Retry" when trying again may help.
   * Cancelling is not a failure. `retry` runs the command again.
   */
  async showFailure(e: unknown, env: EnvironmentId, retry: () => Thenable<unknown> | Promise<unknown>): Promise<void> {
    const label = environmentInfo(env).label;
    if (e instanceof NoKeyError) {
      const choice = await vscode.window.showWarningMessage(e.message, 'Create API Access Key…');
      // Preselect the environment the user was asking about.
      if (choice) await vscode.commands.executeCommand(COMMANDS.keysCreate, new EnvironmentNode(env, [], false, undefined));
      return;
    }
    if (e instanceof EqpError && e.kind === 'cancelled') {
      vscode.window.setStatusBarMessage('EQP: getting the session token was cancelled', 4000);
      return;
    }
    if (e instanceof EqpError && e.isAuthFailure) {
      const id = this.store.activeKeyId(env);
      const key = id ? this.store.get(id) : undefined;
      const who = key ? `key "${key.name}"` : 'the key';
      const choice = await vscode.window.showErrorMessage(`The ${label} EQP API refused ${who}. ${describeError(e)}`, 'Regenerate…');
      if (choice && key) await vscode.commands.executeCommand(COMMANDS.keysRegenerate, { environment: env, name: key.name });
      return;
    }
    const actions = isRetryable(e) ? ['Retry', 'Show Log'] : ['Show Log'];
    const choice = await vscode.window.showErrorMessage(`Could not get a ${label} session token: ${describeError(e)}`, ...actions);
    if (choice === 'Retry') await retry();
    if (choice === 'Show Log') await vscode.commands.executeCommand(COMMANDS.showLog);
  }

  dispose(): void {
    this.pending.clear();
  }
}
