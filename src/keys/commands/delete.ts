import * as vscode from 'vscode';
import { systemClock } from '../../util/clock';
import { formatTime } from '../../util/time';
import { KeyRecord } from '../keyStore';
import { KeyCommandDeps } from './deps';
import { confirmDestructive, isScripted } from './scripted';
import { label, resolveKey } from './pickers';

/**
 * `eqp.keys.delete`: removes the key's secret and details from VS Code after a modal confirmation (scripted:
 * `{environment, name}` or `{environment, applicationId}`, asked too unless `"confirm": false`), and reminds the user that the key lives
 * on in the Developer Portal until deleted there.
 */
export class DeleteKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    const scripted = isScripted(arg);
    const key = await resolveKey(this.deps, arg, 'Delete API Access Key');
    if (!key) return undefined;
    const env = label(key.environment);
    const confirmed = await confirmDestructive(
      arg,
      'Delete',
      `Delete API access key "${key.name}" (${env}, ${key.applicationId}) from VS Code?`,
      'Its application secret is removed from VS Code\'s secret storage, and the Developer Portal cannot show it again (it shows a secret only when the key is created or regenerated). The key itself still works until you also delete it in the portal (Account → Manage API Keys).',
    );
    if (!confirmed) return undefined;
    const [token] = (await this.deps.tokens?.load([key.id]).catch(() => undefined)) ?? [];
    const removed = await this.deps.store.remove(key.id);
    // The cached token goes too: nothing of a deleted key stays in our storage. At the API it stays valid.
    await this.deps.tokens?.forget(key.id).catch(() => undefined);
    this.deps.logger.info(`deleted key "${removed.name}" (${removed.environment}, ${removed.applicationId})`);
    if (!scripted) {
      const tokenNote = token && token.expiresAt > (this.deps.clock ?? systemClock).now() ? ` A session token already obtained with it stays valid at the EQP API until ${formatTime(token.expiresAt)}.` : '';
      void vscode.window
        .showInformationMessage(`Deleted "${removed.name}" (${env}) from VS Code. Delete it in the ${env} Developer Portal too, or the pair keeps working.${tokenNote}`, 'Open Developer Portal')
        .then((c) => (c ? vscode.commands.executeCommand('eqp.keys.openPortal', { environment: removed.environment }) : undefined));
    }
    return removed;
  }
}
