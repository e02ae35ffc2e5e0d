import * as vscode from 'vscode';
import { type Clock, TimerSlot, systemClock } from '../util/clock';

/**
 * Copies a token and, after `eqp.clipboard.clearAfterSeconds`, clears the clipboard only if it still holds that
 * very text: whatever the user copied meanwhile is left alone. One timer at a time (a new copy replaces it).
 *
 * Clearing needs a read of the clipboard. In VS Code for the Web (code-server, vscode.dev) a read the browser
 * refuses is not an error the extension sees: the workbench shows "Unable to read from the browser's
 * clipboard…" instead. So where the clipboard cannot be read silently (`canRead()` false: the web UI), nothing is
 * read and nothing cleared; the copy message says so.
 */
export class ClipboardGuard implements vscode.Disposable {
  private readonly timer: TimerSlot;

  constructor(
    private readonly clearAfterSeconds: () => number,
    private readonly canRead: () => boolean = () => vscode.env.uiKind === vscode.UIKind.Desktop,
    private readonly clipboard: Pick<vscode.Clipboard, 'readText' | 'writeText'> = vscode.env.clipboard,
    private readonly clock: Clock = systemClock,
  ) {
    this.timer = new TimerSlot(clock);
  }

  /** Clearing is turned on, but this VS Code cannot check the clipboard silently, so it will not be cleared. */
  get clearUnavailable(): boolean {
    return this.clearAfterSeconds() > 0 && !this.canRead();
  }

  /** Writes `text`; returns when the clipboard will be checked and cleared (ms since epoch), if ever. */
  async copy(text: string): Promise<number | undefined> {
    await this.clipboard.writeText(text);
    this.cancel();
    const seconds = this.clearAfterSeconds();
    if (seconds <= 0 || !this.canRead()) return undefined;
    this.timer.set(seconds * 1000, () => void this.clearIfStill(text));
    return this.clock.now() + seconds * 1000;
  }

  /** A timer is waiting to clear the clipboard. */
  get pending(): boolean {
    return this.timer.isSet;
  }

  private async clearIfStill(text: string): Promise<void> {
    try {
      if ((await this.clipboard.readText()) === text) await this.clipboard.writeText('');
    } catch {
      // The clipboard is unavailable: nothing to clear.
    }
  }

  private cancel(): void {
    this.timer.clear();
  }

  dispose(): void {
    this.cancel();
  }
}
