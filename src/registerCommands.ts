import * as vscode from 'vscode';
import { COMMANDS, CommandId } from './constants';
import { isScripted } from './keys/commands/scripted';
import type { Logger } from './util/logger';
import { describeError } from './util/errors';

type Handler = (...args: unknown[]) => unknown;

/**
 * The one place that maps command ids to their implementations. A handler's result is returned to the caller
 * (scripts, `${command:…}`). When a person ran the command, a failure is shown as one clear error message; when
 * a script ran it (a plain argument object), the error is thrown back to the script instead. Commands in
 * `alwaysThrow` exist to return a value (`${command:eqp.token.get}` in a task) and throw to every caller. Either
 * way it is logged, redacted.
 */
export function registerCommands(handlers: Record<CommandId, Handler>, logger: Logger, alwaysThrow: ReadonlySet<CommandId> = new Set()): vscode.Disposable[] {
  return (Object.values(COMMANDS) as CommandId[]).map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handlers[id](...args);
      } catch (e) {
        const text = describeError(e, logger.redactions.values());
        logger.error(`${id}: ${text}`);
        // Only the redacted text goes back to the script, deliberately without `cause`.
        // eslint-disable-next-line preserve-caught-error
        if (alwaysThrow.has(id) || isScripted(args[0])) throw new Error(text);
        void vscode.window.showErrorMessage(text);
        return undefined;
      }
    }),
  );
}
