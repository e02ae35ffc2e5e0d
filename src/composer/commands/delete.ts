import * as vscode from 'vscode';
import { EqpError } from '../../eqp/errors';
import { confirmDestructive, isScripted } from '../../keys/commands/scripted';
import type { ComposerKeyRecord } from '../composerService';
import { type ComposerCommandDeps, envLabel, resolveKey, withProgress } from './common';

/**
 * `eqp.composer.delete`: a modal confirmation naming the label (and the auth.json files that use it), then the
 * DELETE (204): the key is gone from the view. A key already gone elsewhere (404) is taken out of the view too.
 * Scripted: `{environment, label, uid?}`, confirmed like a person's unless `"confirm": false`; returns the deleted key's public record.
 */
export class DeleteComposerKeyCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<ComposerKeyRecord | undefined> {
    const key = await resolveKey(this.deps, arg, 'Delete Composer Key');
    if (!key) return undefined;
    const used = this.deps.usage.usedBy(key.environment, key.userKey);
    const confirmed = await confirmDestructive(
      arg,
      'Delete',
      `Delete the ${envLabel(key.environment)} Composer key "${key.label}"?`,
      `Composer can no longer download with it (username ${key.userKey}), and it cannot be brought back: a new key has a new public and private key.` +
        (used.length > 0 ? `\n\nThese auth.json files use it and will stop working:\n${used.join('\n')}` : ''),
    );
    if (!confirmed) return undefined;
    try {
      await withProgress(`Deleting the Composer key "${key.label}"…`, (signal) => this.deps.service.delete(key.environment, key, signal));
    } catch (e) {
      if (e instanceof EqpError && e.status === 404) {
        // Gone already (another window, the Marketplace site): the view shows the truth, and so does the message.
        void this.deps.model.reload(key.environment);
      }
      throw e;
    }
    this.deps.model.remove(key.environment, key);
    this.deps.logger.info(`deleted Composer key "${key.label}" (${key.environment})`);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(`$(trash) Composer key "${key.label}" deleted`, 5000);
    return key;
  }
}
