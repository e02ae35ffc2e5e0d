import * as vscode from 'vscode';
import { isScripted } from '../../keys/commands/scripted';
import type { ComposerKeyRecord } from '../composerService';
import { type ComposerCommandDeps, resolveKey } from './common';

/** `eqp.composer.copyPublicKey`: the public key (Composer's username); not a secret, so the clipboard is not cleared. */
export class CopyComposerPublicKeyCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<ComposerKeyRecord | undefined> {
    const key = await resolveKey(this.deps, arg, 'Copy Public Key');
    if (!key) return undefined;
    await vscode.env.clipboard.writeText(key.userKey);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(`$(copy) Public key of "${key.label}" copied`, 5000);
    return key;
  }
}
