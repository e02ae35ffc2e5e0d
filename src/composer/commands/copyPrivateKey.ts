import * as vscode from 'vscode';
import { isScripted } from '../../keys/commands/scripted';
import { clockTime } from '../../util/time';
import type { ComposerKeyRecord } from '../composerService';
import { type ComposerCommandDeps, resolveKey, withProgress } from './common';

/**
 * `eqp.composer.copyPrivateKey`: reads the key's private key (Composer's password) from the API, copies it and
 * drops it; the clipboard is cleared like a session token's (`eqp.clipboard.clearAfterSeconds`). Scripted calls
 * get the public record, never the private key.
 */
export class CopyComposerPrivateKeyCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<ComposerKeyRecord | undefined> {
    const key = await resolveKey(this.deps, arg, 'Copy Private Key');
    if (!key) return undefined;
    const { record, password } = await withProgress(`Reading the private key of "${key.label}"…`, (signal) =>
      this.deps.service.privateKey(key.environment, key, signal),
    );
    const clearsAt = await this.deps.clipboard.copy(password);
    this.deps.model.put(record);
    if (!isScripted(arg)) {
      if (this.deps.clipboard.clearUnavailable) {
        void vscode.window.showInformationMessage(`Copied the private key of "${record.label}". VS Code cannot check the clipboard here, so it is not cleared automatically: copy something else over it when you are done.`);
      } else {
        vscode.window.setStatusBarMessage(`$(copy) Private key of "${record.label}" copied${clearsAt ? ` · cleared at ${clockTime(clearsAt)}` : ''}`, 8000);
      }
    }
    return record;
  }
}
