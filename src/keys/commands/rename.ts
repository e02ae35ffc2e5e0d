import * as vscode from 'vscode';
import { UserError } from '../../util/errors';
import { checkName } from '../credentials';
import { KeyRecord } from '../keyStore';
import { KeyCommandDeps } from './deps';
import { isScripted, scriptedString } from './scripted';
import { label, resolveKey } from './pickers';

/** `eqp.keys.rename`. Scripted: `{environment, name, newName}`. */
export class RenameKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    const key = await resolveKey(this.deps, arg, 'Rename API Access Key');
    if (!key) return undefined;
    const others = this.deps.store.list(key.environment).filter((k) => k.id !== key.id).map((k) => k.name);
    let newName: string | undefined;
    if (isScripted(arg)) {
      newName = scriptedString(arg, 'newName');
    } else {
      newName = await vscode.window.showInputBox({
        title: `Rename "${key.name}" (${label(key.environment)})`,
        value: key.name,
        valueSelection: [0, key.name.length],
        validateInput: (v) => {
          const r = checkName(v, others);
          return r.ok ? undefined : r.message;
        },
      });
      if (newName === undefined) return undefined;
    }
    const checked = checkName(newName, others);
    if (!checked.ok) throw new UserError(checked.message);
    return this.deps.store.rename(key.id, checked.value);
  }
}
