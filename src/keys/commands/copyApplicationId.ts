import * as vscode from 'vscode';
import { KeyRecord } from '../keyStore';
import { KeyCommandDeps } from './deps';
import { isScripted } from './scripted';
import { resolveKey } from './pickers';

/** `eqp.keys.copyApplicationId`: the ID only; the secret is never copied. Scripted: `{environment, name}`. */
export class CopyApplicationIdCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    const key = await resolveKey(this.deps, arg, 'Copy Application ID');
    if (!key) return undefined;
    await vscode.env.clipboard.writeText(key.applicationId);
    if (!isScripted(arg)) void vscode.window.setStatusBarMessage(`EQP: copied the application ID of "${key.name}"`, 4000);
    return key;
  }
}
