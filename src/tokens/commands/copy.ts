import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { clockTime, formatTime } from '../../util/time';
import { TokenCommandDeps, TokenInfo, environmentOf, obtainForCommand, tokenInfo } from './deps';

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
    if (this.deps.clipboard.clearUnavailable) {
      // Said once per copy, in a notification: the user must know the token stays on the clipboard.
      void vscode.window.showInformationMessage(
        `Copied the ${environmentInfo(env).label} session token of "${token.keyName}" (valid until ${formatTime(token.expiresAt)}). In the browser VS Code cannot check the clipboard later, so it is not cleared automatically: copy something else over it when you are done.`,
      );
    } else {
      // Short enough for the status bar: what, and when it goes away.
      vscode.window.setStatusBarMessage(`$(copy) EQP token copied${clearsAt ? ` · cleared at ${clockTime(clearsAt)}` : ''}`, 8000);
    }
    return { ...tokenInfo(token), clearsAt };
  }
}
