import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { formatTime } from '../../util/time';
import { TokenCommandDeps, TokenInfo, environmentOf, obtainForCommand, tokenInfo } from './deps';

/**
 * `eqp.token.refresh` ("New token"): mints a new token even though a valid one is cached; the cached one is
 * replaced only once the new one arrived (a failure keeps it). Scripted: `{environment?}`.
 */
export class RefreshTokenCommand {
  constructor(private readonly deps: TokenCommandDeps) {}

  async run(arg?: unknown): Promise<TokenInfo | undefined> {
    const env = environmentOf(arg, this.deps.settings);
    const token = await obtainForCommand(this.deps, arg, env, () => this.run(arg), { forceNew: true });
    if (!token) return undefined;
    vscode.window.setStatusBarMessage(`$(key) EQP: new ${environmentInfo(env).label} session token for "${token.keyName}", valid until ${formatTime(token.expiresAt)}`, 5000);
    return tokenInfo(token);
  }
}
