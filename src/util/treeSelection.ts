import * as vscode from 'vscode';

/**
 * A tree view's focused row, made the selection first. A view's keybindings (F2, Delete) pass the command no row,
 * and arrow keys move the tree's focus without telling the extension: `list.select` makes the focused row the
 * selection, and the selection event reaches us before the command returns (one tick later).
 */
export async function focusedSelection<T>(view: vscode.TreeView<T>): Promise<readonly T[]> {
  await Promise.resolve(vscode.commands.executeCommand('list.select')).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 0));
  return view.selection;
}
