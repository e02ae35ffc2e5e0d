import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { formatTime } from '../../util/time';
import { TokenCommandDeps, TokenInfo, environmentOf, isScripted, tokenInfo } from './shared';

/**
 * `eqp.token.refresh` ("New token"): mints a new token even though a valid one is cached; the cached one is
 * replaced only once the new one arrived (a failure keeps it). Scripted: `{environment?}`.
 */
export class RefreshTokenCommand {
  constructor(private readonly deps: TokenCommandDeps) {}

  async run(arg?: unknown): Promise<TokenInfo | undefined> {
    const env = environmentOf(arg, this.deps.settings);
    let token;
    try {
      token = await this.deps.fetcher.obtain(env, { forceNew: true });
    } catch (e) {
      if (isScripted(arg)) throw e;
      await this.deps.fetcher.showFailure(e, env, () => this.run(arg));
      return undefined;
    }
    vscode.window.setStatusBarMessage(`$(key) EQP: new ${environmentInfo(env).label} session token for "${token.keyName}", valid until ${formatTime(token.expiresAt)}`, 5000);
    return tokenInfo(token);
  }
}
