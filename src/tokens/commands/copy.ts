import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { formatTime } from '../../util/time';
import { TokenCommandDeps, TokenInfo, environmentOf, obtainForCommand, tokenInfo } from './shared';

export interface CopyResult extends TokenInfo {
  /** When the clipboard is cleared if it still holds the token (ms since epoch); undefined: never. */
  clearsAt?: number;
}

/**
 * `eqp.token.copy`: the token itself to the clipboard; after `eqp.clipboard.clearAfterSeconds` the clipboard is
 * cleared if it still holds it. Scripted: `{environment?}`.
 */
export class CopyTokenCommand {
  constructor(private readonly deps: TokenCommandDeps) {}

  async run(arg?: unknown): Promise<CopyResult | undefined> {
    const env = environmentOf(arg, this.deps.settings);
    const token = await obtainForCommand(this.deps, arg, env, () => this.run(arg));
    if (!token) return undefined;
    const clearsAt = await this.deps.clipboard.copy(token.token);
    const clears = clearsAt ? `; the clipboard is cleared in ${Math.round((clearsAt - Date.now()) / 1000)} s` : '';
    vscode.window.setStatusBarMessage(`$(copy) EQP: copied the ${environmentInfo(env).label} session token of "${token.keyName}" (valid until ${formatTime(token.expiresAt)})${clears}`, 5000);
    return { ...tokenInfo(token), clearsAt };
  }
}
