import * as vscode from 'vscode';
import { KeyRecord } from '../keyStore';
import { VIEW_SELECTION_ARG } from '../../constants';
import { KeyNode } from '../tree';
import { KeyCommandDeps } from './deps';
import { isScripted } from './scripted';
import { label, resolveKey, selectedNode } from './pickers';

/**
 * `eqp.keys.use` (Switch Active Key…): makes a key the one its environment mints tokens with. Scripted:
 * `{environment, name}`. Enter in the view runs it on the selected row; on an environment row Enter keeps its
 * usual meaning (expand or collapse).
 */
export class UseKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    // Enter in the view: the focused key. (On an environment row, selecting it already expanded or collapsed it,
    // which is Enter's meaning there; resolveKey would toggle it back, as F2 and Delete need.)
    const key = arg === VIEW_SELECTION_ARG ? await this.focusedKey() : await resolveKey(this.deps, arg, 'Switch Active Key');
    if (!key) return undefined;
    const updated = await this.deps.store.setActive(key.id);
    if (!isScripted(arg)) void vscode.window.setStatusBarMessage(`EQP: "${key.name}" is now the active ${label(key.environment)} key`, 4000);
    return updated;
  }

  private async focusedKey(): Promise<KeyRecord | undefined> {
    const node = await selectedNode(this.deps);
    return node instanceof KeyNode ? this.deps.store.get(node.key.id) : undefined;
  }
}
