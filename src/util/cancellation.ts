import * as vscode from 'vscode';

/**
 * Runs `fn` with an AbortSignal that follows a VS Code CancellationToken (a progress notification's Cancel),
 * and lets go of the token's listener when `fn` settles.
 */
export async function withAbortSignal<T>(token: vscode.CancellationToken, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const listener = token.onCancellationRequested(() => controller.abort());
  try {
    return await fn(controller.signal);
  } finally {
    listener.dispose();
  }
}
