import * as vscode from 'vscode';
import { COMMANDS } from '../../constants';
import { environmentInfo } from '../../eqp/environments';
import { timeLeft } from '../format';
import type { TokenCommandDeps } from './deps';

/**
 * `eqp.token.menu` (the status bar click when `eqp.statusBar.clickAction` is `menu`; hidden from the palette,
 * whose own entries do the same): a QuickPick of the token actions, keyboard first.
 */
export class TokenMenuCommand {
  constructor(private readonly deps: TokenCommandDeps) {}

  async run(): Promise<string | undefined> {
    const env = this.deps.settings.activeEnvironment;
    const label = environmentInfo(env).label;
    const keyId = this.deps.store.activeKeyId(env);
    const key = keyId ? this.deps.store.get(keyId) : undefined;
    if (keyId) await this.deps.tokens.load([keyId]);
    const { token, live } = this.deps.tokens.state(env);
    const now = this.deps.clock.now();
    type Item = vscode.QuickPickItem & { command?: string };
    const items: Item[] = key
      ? [
          { label: '$(insert) Insert Session Token', description: 'at every cursor of the active editor', command: COMMANDS.tokenInsert },
          { label: '$(copy) Copy Session Token', description: 'to the clipboard', command: COMMANDS.tokenCopy },
          { label: '$(refresh) Get New Session Token', description: live ? 'replaces the cached one' : undefined, command: COMMANDS.tokenRefresh },
          { label: '$(discard) Forget Cached Session Token…', command: COMMANDS.tokenForget },
        ]
      : [{ label: '$(add) Create API Access Key…', description: `${label} has no key`, command: COMMANDS.keysCreate }];
    items.push(
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(arrow-swap) Switch Environment…', description: `now ${label}`, command: COMMANDS.environmentSwitch },
      { label: '$(key) Switch Active Key…', description: key ? `now "${key.name}"` : undefined, command: COMMANDS.keysUse },
      { label: '$(shield) Manage Session Token Access…', description: 'tasks and scripts allowed to get a token', command: COMMANDS.tokenManageAccess },
      { label: '$(output) Show Log', command: COMMANDS.showLog },
    );
    const title = key ? `EQP session token · ${label} · "${key.name}"${live && token ? ` · ${timeLeft(token.expiresAt - now)} left` : ' · none cached'}` : `EQP session token · ${label}`;
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose an action' });
    if (!picked?.command) return undefined;
    await vscode.commands.executeCommand(picked.command);
    return picked.command;
  }
}
