import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { formatTime } from '../../util/time';
import { TrackedFileGuard } from '../trackedFileGuard';
import { TokenCommandDeps, TokenInfo, environmentOf, obtainForCommand, formatted, tokenInfo } from './deps';

export interface InsertResult extends TokenInfo {
  /** Cursors the token was inserted at (0 when it was copied instead). */
  inserted: number;
  copied: boolean;
}

/**
 * `eqp.token.insert` (the status bar's default click): the active environment's token, formatted per
 * `eqp.token.insertFormat`, at every cursor of the active editor, replacing the selections, as one edit (one
 * Undo takes it all back). With no editor, or a read-only one, it copies instead and says so. Into a saved file
 * that git tracks, a production token (per `eqp.token.confirmInsertIntoTrackedFiles`) goes only after a modal
 * "Insert anyway" (TrackedFileGuard); Cancel inserts nothing and returns undefined.
 * Scripted: `{environment?}`; errors are thrown instead of shown.
 */
export class InsertTokenCommand {
  private readonly tracked: TrackedFileGuard;

  constructor(private readonly deps: TokenCommandDeps) {
    this.tracked = new TrackedFileGuard(deps.clock, deps.logger);
  }

  async run(arg?: unknown): Promise<InsertResult | undefined> {
    const env = environmentOf(arg, this.deps.settings);
    const token = await obtainForCommand(this.deps, arg, env, () => this.run(arg));
    if (!token) return undefined;
    const text = formatted(this.deps, token);
    const active = vscode.window.activeTextEditor;
    if (active && !active.document.isClosed) {
      if (!(await this.tracked.confirm(active.document, env))) return undefined;
      // Clicking the status bar item moved the keyboard focus there. Give it back to the editor group first, so
      // keys typed while the token goes in land in the editor (a space on the focused item would click it again).
      // Only the focus: the edit goes into this very editor and its selections. (Showing its document again
      // would open a second tab when the editor is one side of a diff, and insert there at 1:1.)
      await Promise.resolve(vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup')).catch(() => undefined);
      const selections = active.selections;
      const ok = await Promise.resolve(active.edit((b) => {
        for (const s of selections) b.replace(s, text);
      })).catch(() => false);
      if (ok) {
        // Leave each cursor after the text it inserted (a replaced selection would otherwise stay selected).
        active.selections = active.selections.map((s) => new vscode.Selection(s.end, s.end));
        return { ...tokenInfo(token), inserted: selections.length, copied: false };
      }
    }
    const editor = active;
    const clearsAt = await this.deps.clipboard.copy(text);
    const why = editor ? 'The active editor cannot be edited' : 'No editor is open';
    const clears = clearsAt
      ? ` It is cleared from the clipboard at ${formatTime(clearsAt)} unless you copy something else first.`
      : this.deps.clipboard.clearUnavailable ? ' In the browser VS Code cannot check the clipboard later, so it is not cleared automatically.' : '';
    void vscode.window.showInformationMessage(`${why}, so the ${environmentInfo(env).label} session token of "${token.keyName}" was copied to the clipboard instead.${clears}`);
    return { ...tokenInfo(token), inserted: 0, copied: true };
  }
}
