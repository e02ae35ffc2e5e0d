import * as vscode from 'vscode';
import { type Clock, systemClock } from '../util/clock';
import { ClipboardClearer } from './clipboardClearer';

/**
 * Copies a token and, after `eqp.clipboard.clearAfterSeconds`, clears the clipboard only if it still holds that
 * very text: whatever the user copied meanwhile is left alone. One timer at a time (a new copy replaces it). A clear
 * still pending at deactivation is done then (see ClipboardClearer, which holds the logic without `vscode`).
 *
 * Clearing needs a read of the clipboard. In VS Code for the Web (code-server, vscode.dev) a read the browser
 * refuses is not an error the extension sees: the workbench shows "Unable to read from the browser's
 * clipboard…" instead. So where the clipboard cannot be read silently (`canRead()` false: the web UI), nothing is
 * read and nothing cleared; the copy message says so.
 */
export class ClipboardGuard extends ClipboardClearer implements vscode.Disposable {
  constructor(
    clearAfterSeconds: () => number,
    canRead: () => boolean = () => vscode.env.uiKind === vscode.UIKind.Desktop,
    clipboard: Pick<vscode.Clipboard, 'readText' | 'writeText'> = vscode.env.clipboard,
    clock: Clock = systemClock,
  ) {
    super(clearAfterSeconds, canRead, clipboard, clock);
  }
}
