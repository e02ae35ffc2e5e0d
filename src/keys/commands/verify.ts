import * as vscode from 'vscode';
import { withAbortSignal } from '../../util/cancellation';
import { UserError } from '../../util/errors';
import { unlinkText } from '../../util/markdown';
import { KeyRecord } from '../keyStore';
import { KeyCommandDeps } from './deps';
import { isScripted } from './scripted';
import { label, resolveKey, stateSummary } from './pickers';

/**
 * `eqp.keys.verify`: mints a token with the stored pair and records what came back (account, profile name,
 * or why it failed). Scripted: `{environment, name}`; it returns the updated record rather than throwing on
 * a refused pair, since "rejected" is the answer the caller asked for.
 */
export class VerifyKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    const scripted = isScripted(arg);
    const key = await resolveKey(this.deps, arg, 'Verify API Access Key');
    if (!key) return undefined;
    const secret = await this.deps.store.secret(key.id);
    if (!secret) throw new UserError(`The application secret of "${key.name}" is missing from VS Code's secret storage. Regenerate the key (enter its pair again) to fix this.`);
    const verify = (signal?: AbortSignal) => this.deps.verifier.verify(key.environment, key.applicationId, secret, signal);
    const outcome = scripted
      ? await verify()
      : await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Verifying "${key.name}" with the ${label(key.environment)} EQP API…`, cancellable: true },
          (_p, token) => withAbortSignal(token, verify),
        );
    if (!outcome.ok && outcome.error.kind === 'cancelled') return this.deps.store.get(key.id);
    const updated = await this.deps.store.recordVerification(key.id, outcome.verification);
    if (!updated) throw new UserError(`"${key.name}" was deleted meanwhile.`);
    this.deps.logger.info(`verified key "${key.name}" (${key.environment}): ${updated.state}${outcome.ok ? '' : ` (${outcome.error.message})`}`);
    if (outcome.ok) await this.deps.tokens?.adopt(updated, outcome.token, outcome.requestedAt).catch(() => undefined);
    if (!scripted) {
      // Notifications turn [title](command:…) into a link: the profile name (stored, maybe by an older version) and
      // the server's message can form none.
      if (outcome.ok) void vscode.window.showInformationMessage(unlinkText(`"${key.name}" (${label(key.environment)}) works: ${stateSummary(updated)}.`));
      else if (outcome.error.isAuthFailure) {
        void vscode.window.showErrorMessage(unlinkText(`"${key.name}" was refused. ${outcome.error.message} ${outcome.error.hint}`), 'Regenerate…').then((c) =>
          c ? vscode.commands.executeCommand('eqp.keys.regenerate', { environment: key.environment, name: key.name }) : undefined,
        );
      } else void vscode.window.showWarningMessage(unlinkText(`Could not verify "${key.name}": ${outcome.error.message} ${outcome.error.hint}`));
    }
    return updated;
  }
}
