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

/** Runs `fn` under a cancellable progress notification titled `title`; its Cancel aborts `fn`'s signal. */
export function withCancellableProgress<T>(title: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => withAbortSignal(token, fn)),
  );
}
