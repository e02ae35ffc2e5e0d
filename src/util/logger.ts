import * as vscode from 'vscode';
import { RedactionList, redact } from '../eqp/redact';

/**
 * The extension's log (a LogOutputChannel, so the user picks the level). Every line passes through `redact`
 * with the secrets the extension currently knows of, so an application secret or a session token never
 * reaches the log even if a caller slips one into a message.
 */
export class Logger implements vscode.Disposable {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    /** The redaction list every line is scrubbed against (shared with the EQP client and the token service). */
    readonly redactions: RedactionList = new RedactionList(),
  ) {}

  info(message: string): void {
    this.channel.info(this.clean(message));
  }
  warn(message: string): void {
    this.channel.warn(this.clean(message));
  }
  error(message: string): void {
    this.channel.error(this.clean(message));
  }
  debug(message: string): void {
    this.channel.debug(this.clean(message));
  }
  show(): void {
    this.channel.show(true);
  }

  /** Any text with every registered secret replaced, for messages shown or thrown. */
  redact(text: string): string {
    return this.clean(text);
  }

  private clean(message: string): string {
    return redact(message, this.redactions.values());
  }

  /**
   * Disposes the output channel. The redaction list is kept: anything logged later in teardown (by a service
   * disposed after this one) must still be scrubbed, and a disposed channel drops it anyway.
   */
  dispose(): void {
    this.channel.dispose();
  }
}
