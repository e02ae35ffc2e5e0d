import * as vscode from 'vscode';
import { confirmDestructive, isScripted } from '../../keys/commands/scripted';
import type { ComposerKeyRecord } from '../composerService';
import { type ComposerCommandDeps, envLabel, resolveKey, withProgress } from './common';

/**
 * `eqp.composer.enable` / `eqp.composer.disable`: flips `is_enabled`. Disabling asks first (a modal that says what
 * stops working, and which auth.json files use the key); scripted calls (`{environment, label, uid?}`) are asked
 * too, unless they pass `"confirm": false`.
 */
export class SetComposerKeyEnabledCommand {
  constructor(private readonly deps: ComposerCommandDeps, private readonly enable: boolean) {}

  async run(arg?: unknown): Promise<ComposerKeyRecord | undefined> {
    const verb = this.enable ? 'Enable' : 'Disable';
    const key = await resolveKey(this.deps, arg, `${verb} Composer Key`, (k) => k.isEnabled !== this.enable);
    if (!key) return undefined;
    if (key.isEnabled === this.enable) {
      if (!isScripted(arg)) void vscode.window.showInformationMessage(`The Composer key "${key.label}" is already ${this.enable ? 'enabled' : 'disabled'}.`);
      return key;
    }
    if (!this.enable) {
      const used = this.deps.usage.usedBy(key.environment, key.userKey);
      const confirmed = await confirmDestructive(
        arg,
        'Disable',
        `Disable the ${envLabel(key.environment)} Composer key "${key.label}"?`,
        `Composer installs and updates that use it (username ${key.userKey}) stop working until it is enabled again: repo.magento.com refuses them.` +
          (used.length > 0 ? `\n\nThese auth.json files use it:\n${used.join('\n')}` : ''),
      );
      if (!confirmed) return undefined;
    }
    const updated = await withProgress(`${this.enable ? 'Enabling' : 'Disabling'} the Composer key "${key.label}"…`, (signal) =>
      this.deps.service.setEnabled(key.environment, key, this.enable, signal),
    ).catch((e: unknown) => {
      void this.deps.model.reload(key.environment);
      throw e;
    });
    this.deps.model.put(updated);
    this.deps.logger.info(`${this.enable ? 'enabled' : 'disabled'} Composer key "${updated.label}" (${updated.environment})`);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(`$(check) Composer key "${updated.label}" ${updated.isEnabled ? 'enabled' : 'disabled'}`, 5000);
    return updated;
  }
}
