import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { isScripted } from '../../keys/commands/scripted';
import { formatTime } from '../../util/time';
import type { AccessGrant, TokenCommandAccess } from '../commandAccess';
import type { TokenSettings } from '../tokenSettings';

interface GrantItem extends vscode.QuickPickItem {
  grant: AccessGrant;
}

/**
 * `eqp.token.manageAccess`: lists the workspaces and environments allowed to get a session token through
 * `eqp.token.get`, and revokes those the user picks. Scripted: `{revokeAll?: true}`; returns what stays allowed.
 */
export class ManageTokenAccessCommand {
  constructor(
    private readonly access: TokenCommandAccess,
    private readonly tokenSettings: TokenSettings,
  ) {}

  async run(arg?: unknown): Promise<AccessGrant[]> {
    if (isScripted(arg)) {
      if (arg.revokeAll === true) await this.access.revoke(this.access.grants());
      return this.access.grants();
    }
    const grants = this.access.grants();
    const mode = this.tokenSettings.commandAccess;
    const modeNote = mode === 'ask' ? '' : ` The setting eqp.token.commandAccess is "${mode}", so ${mode === 'allow' ? 'every call gets the token without asking' : 'no call gets a token'} whatever is listed here.`;
    if (grants.length === 0) {
      const choice = await vscode.window.showInformationMessage(`No workspace has been allowed to get a session token through tasks, launch configurations or scripts.${modeNote}`, 'Open Setting');
      if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'eqp.token.commandAccess');
      return grants;
    }
    const items: GrantItem[] = grants.map((g) => ({
      label: `$(${g.id === 'no-folder' ? 'window' : 'folder'}) ${g.label}`,
      description: environmentInfo(g.environment).label,
      detail: `Allowed ${formatTime(g.grantedAt)}${g.id === 'no-folder' ? ' · windows with no folder open' : ` · ${vscode.Uri.parse(g.id).fsPath || g.id}`}`,
      grant: g,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Session Token Access: tasks, launch configurations and scripts',
      placeHolder: `Pick what to revoke (Space to pick, Enter to revoke). A token already handed out stays valid until it expires.${modeNote}`,
      canPickMany: true,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked || picked.length === 0) return grants;
    await this.access.revoke(picked.map((i) => i.grant));
    void vscode.window.showInformationMessage(
      `Revoked ${picked.length === 1 ? `${picked[0]!.grant.label} (${picked[0]!.description})` : `${picked.length} workspaces and environments`}: the next call asks again.`,
    );
    return this.access.grants();
  }
}
