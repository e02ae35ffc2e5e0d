import * as vscode from 'vscode';

/**
 * Copies a token and, after `eqp.clipboard.clearAfterSeconds`, clears the clipboard only if it still holds that
 * very text: whatever the user copied meanwhile is left alone. One timer at a time (a new copy replaces it).
 */
export class ClipboardGuard implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly clearAfterSeconds: () => number) {}

  /** Writes `text`; returns when the clipboard will be checked and cleared (ms since epoch), if ever. */
  async copy(text: string): Promise<number | undefined> {
    await vscode.env.clipboard.writeText(text);
    this.cancel();
    const seconds = this.clearAfterSeconds();
    if (seconds <= 0) return undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.clearIfStill(text);
    }, seconds * 1000);
    return Date.now() + seconds * 1000;
  }

  /** A timer is waiting to clear the clipboard. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  private async clearIfStill(text: string): Promise<void> {
    try {
      if ((await vscode.env.clipboard.readText()) === text) await vscode.env.clipboard.writeText('');
    } catch {
      // The clipboard is unavailable: nothing to clear.
    }
  }

  private cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.cancel();
  }
}
