import * as vscode from 'vscode';

export type SecretOp = 'get' | 'store' | 'delete';

/**
 * SecretStorage that forwards to VS Code's real one, except that a test can make the next N calls of one kind
 * fail the way they do without an OS keyring. Built by the test entry only (test/entry/extension.ts): never in the shipped bundle.
 */
export class FaultySecretStorage implements vscode.SecretStorage {
  private failures: Record<SecretOp, number> = { get: 0, store: 0, delete: 0 };
  /** How many calls of each kind the extension made (never reset: tests compare before and after). */
  readonly calls: Record<SecretOp, number> = { get: 0, store: 0, delete: 0 };
  readonly onDidChange: vscode.Event<vscode.SecretStorageChangeEvent>;

  constructor(private readonly inner: vscode.SecretStorage) {
    this.onDidChange = inner.onDidChange;
  }

  failNext(op: SecretOp, count = 1): void {
    this.failures[op] = count;
  }

  reset(): void {
    this.failures = { get: 0, store: 0, delete: 0 };
  }

  private check(op: SecretOp): void {
    this.calls[op]++;
    if (this.failures[op] > 0) {
      this.failures[op]--;
      throw new Error('Cannot get password: no keyring daemon is running (org.freedesktop.secrets was not provided by any .service files)');
    }
  }

  async get(key: string): Promise<string | undefined> {
    this.check('get');
    return this.inner.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.check('store');
    return this.inner.store(key, value);
  }
  async delete(key: string): Promise<void> {
    this.check('delete');
    return this.inner.delete(key);
  }
  keys(): Thenable<string[]> {
    return (this.inner as unknown as { keys(): Thenable<string[]> }).keys();
  }
}
