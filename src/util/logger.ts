import * as vscode from 'vscode';
import { redact } from '../eqp/redact';

/**
 * The extension's log (a LogOutputChannel, so the user picks the level). Every line passes through `redact`
 * with the secrets the extension currently knows of, so an application secret or a session token never
 * reaches the log even if a caller slips one into a message.
 */
export class Logger implements vscode.Disposable {
  private readonly knownSecrets = new Set<string>();

  constructor(private readonly channel: vscode.LogOutputChannel) {}

  /** Adds a value that must never be logged verbatim (an application secret, a session token). */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.knownSecrets.add(secret);
  }

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

  /** The secrets registered so far (for scrubbing what a server says back). */
  secrets(): Iterable<string> {
    return this.knownSecrets;
  }

  /** Any text with every registered secret replaced, for messages shown or thrown. */
  redact(text: string): string {
    return this.clean(text);
  }

  private clean(message: string): string {
    return redact(message, this.knownSecrets);
  }

  /**
   * Disposes the output channel. The redaction list is kept: anything logged later in teardown (by a service
   * disposed after this one) must still be scrubbed, and a disposed channel drops it anyway.
   */
  dispose(): void {
    this.channel.dispose();
  }
}
