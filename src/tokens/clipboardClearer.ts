import { type Clock, TimerSlot, systemClock } from '../util/clock';

/** The part of vscode.Clipboard the clearer uses (vscode.env.clipboard fits). */
export interface ClipboardAccess {
  readText(): Thenable<string>;
  writeText(value: string): Thenable<void>;
}

/**
 * Copies a secret and, after `clearAfterSeconds()`, clears the clipboard only if it still holds that very text:
 * whatever the user copied meanwhile is left alone. One timer at a time (a new copy replaces it). A clear that is
 * still pending when the clearer is disposed (the extension is deactivated: VS Code closing or reloading within the
 * clear window) is done then: `close()` returns when it is, `dispose()` starts it.
 *
 * Clearing needs a read of the clipboard; where it cannot be read silently (`canRead()` false), nothing is read
 * and nothing cleared. No `vscode` import: it runs in plain Node tests; `ClipboardGuard` (clipboard.ts) gives it
 * VS Code's clipboard.
 */
export class ClipboardClearer {
  private readonly timer: TimerSlot;
  /** The text the pending clear is for. */
  private pendingText: string | undefined;
  private disposed = false;

  constructor(
    private readonly clearAfterSeconds: () => number,
    private readonly canRead: () => boolean,
    private readonly clipboard: ClipboardAccess,
    private readonly clock: Clock = systemClock,
  ) {
    this.timer = new TimerSlot(clock);
  }

  /** Clearing is turned on, but the clipboard cannot be checked silently, so it will not be cleared. */
  get clearUnavailable(): boolean {
    return this.clearAfterSeconds() > 0 && !this.canRead();
  }

  /** Writes `text`; returns when the clipboard will be checked and cleared (ms since epoch), if ever. */
  async copy(text: string): Promise<number | undefined> {
    await this.clipboard.writeText(text);
    this.cancel();
    const seconds = this.clearAfterSeconds();
    if (seconds <= 0 || !this.canRead() || this.disposed) return undefined;
    this.pendingText = text;
    this.timer.set(seconds * 1000, () => {
      this.pendingText = undefined;
      void this.clearIfStill(text);
    });
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
    this.pendingText = undefined;
  }

  /**
   * Deactivation: the pending clear, if any, is done now (the clipboard is cleared if it still holds that text);
   * resolves when done, never rejects. Later copies schedule no clear. The extension's deactivate() returns this
   * promise: VS Code waits for deactivate(), not for what the subscriptions' dispose() returns.
   */
  close(): Promise<void> {
    this.disposed = true;
    const text = this.pendingText;
    this.cancel();
    return text === undefined ? Promise.resolve() : this.clearIfStill(text);
  }

  /** `close()`, without waiting for it. */
  dispose(): void {
    void this.close();
  }
}
