import * as vscode from 'vscode';
import type { EnvironmentId } from '../../eqp/environments';
import { isEnvironmentId } from '../../eqp/environments';
import { UserError } from '../../util/errors';
import { KeyRecord } from '../keyStore';
import { VIEW_SELECTION_ARG } from '../../constants';
import { KeyNode, type KeysTreeProvider } from '../tree';
import { KeyCommandDeps, isScripted, label, pickEnvironmentWithCounts, resolveKey, selectedNode } from './shared';

/**
 * `eqp.keys.use` (Switch Active Key…): makes a key the one its environment mints tokens with. Scripted:
 * `{environment, name}`. Enter in the view runs it on the selected row; on an environment row Enter keeps its
 * usual meaning (expand or collapse).
 */
export class UseKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    if (arg === VIEW_SELECTION_ARG) {
      // Enter: selecting the focused row already expanded or collapsed an environment row.
      const node = await selectedNode(this.deps);
      if (!(node instanceof KeyNode)) return undefined;
      const updated = await this.deps.store.setActive(node.key.id);
      void vscode.window.setStatusBarMessage(`EQP: "${updated.name}" is now the active ${label(updated.environment)} key`, 4000);
      return updated;
    }
    const key = await resolveKey(this.deps, arg, 'Switch Active Key');
    if (!key) return undefined;
    const updated = await this.deps.store.setActive(key.id);
    if (!isScripted(arg)) void vscode.window.setStatusBarMessage(`EQP: "${key.name}" is now the active ${label(key.environment)} key`, 4000);
    return updated;
  }
}

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

/** `eqp.keys.refresh`: re-reads the store (another window may have changed it) and re-renders the tree. */
export class RefreshCommand {
  constructor(private readonly deps: KeyCommandDeps, private readonly tree: KeysTreeProvider) {}

  run(): void {
    this.deps.store.reload();
    this.tree.refresh();
  }
}

/** `eqp.environment.switch`: the active environment (a user setting). Scripted: `{environment}`. */
export class SwitchEnvironmentCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<EnvironmentId | undefined> {
    let env: EnvironmentId | undefined;
    if (isScripted(arg) || typeof arg === 'string') {
      const v = typeof arg === 'string' ? arg : arg.environment;
      if (!isEnvironmentId(v)) throw new UserError(`Unknown environment ${JSON.stringify(v)}: use "production" or "sandbox".`);
      env = v;
    } else {
      env = await pickEnvironmentWithCounts(this.deps.store, this.deps.settings.activeEnvironment, 'Switch the active EQP environment');
    }
    if (!env) return undefined;
    await this.deps.settings.setActiveEnvironment(env);
    return env;
  }
}
