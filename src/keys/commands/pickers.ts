// Choosing what a key command acts on: the tree row, the view's focused row, or a QuickPick.
import * as vscode from 'vscode';
import { ENVIRONMENT_IDS, EnvironmentId, environmentInfo } from '../../eqp/environments';
import { VIEW_SELECTION_ARG } from '../../constants';
import { escapeIcons } from '../../util/markdown';
import { Step, pickStep } from '../../util/prompts';
import { KeyRecord, KeyStore, MAX_KEYS_PER_ENVIRONMENT } from '../keyStore';
import { STATE_IN_FULL } from '../rows';
import { EnvironmentNode, KeyNode } from '../tree';
import { KeyCommandDeps } from './deps';
import { isScripted, scriptedKey } from './scripted';

export function label(env: EnvironmentId): string {
  return environmentInfo(env).label;
}

/** The key a command acts on: the tree node it was run on, the scripted argument, or a QuickPick. */
export async function resolveKey(deps: KeyCommandDeps, arg: unknown, title: string, filter?: (k: KeyRecord) => boolean): Promise<KeyRecord | undefined> {
  if (arg === VIEW_SELECTION_ARG) {
    // A keybinding of the view (F2, Delete): act on the focused key. On an environment row there is nothing to
    // act on; selecting it expanded or collapsed it, which F2 and Delete must not do: toggle it back.
    const node = await selectedNode(deps);
    if (node instanceof EnvironmentNode) await Promise.resolve(vscode.commands.executeCommand('list.toggleExpand')).catch(() => undefined);
    return node instanceof KeyNode ? (deps.store.get(node.key.id) ?? undefined) : undefined;
  }
  if (arg instanceof KeyNode) return deps.store.get(arg.key.id) ?? undefined;
  if (isScripted(arg)) return scriptedKey(deps.store, arg);
  const envFilter = arg instanceof EnvironmentNode ? arg.environment : undefined;
  const keys = deps.store.list(envFilter).filter((k) => !filter || filter(k));
  if (keys.length === 0) {
    void vscode.window.showInformationMessage(envFilter ? `${label(envFilter)} has no API access keys.` : 'There are no API access keys yet. Run "EQP: Create API Access Key…" first.');
    return undefined;
  }
  // The active environment's keys first, and each environment's active key marked.
  const active = deps.settings.activeEnvironment;
  keys.sort((a, b) => Number(b.environment === active) - Number(a.environment === active));
  const isActiveKey = (k: KeyRecord): boolean => deps.store.activeKeyId(k.environment) === k.id;
  const picked = await vscode.window.showQuickPick(
    keys.map((k) => ({
      label: `${isActiveKey(k) ? '$(star-full)' : '$(blank)'} ${k.name}`,
      description: `${label(k.environment)} · ${k.applicationId}${isActiveKey(k) ? ' · active key' : ''}`,
      // The profile name is the server's: a $(icon) in it is shown as written, not as an icon.
      detail: escapeIcons(stateSummary(k)),
      key: k,
    })),
    { title, placeHolder: 'Choose an API access key (★ marks the active key of its environment)', matchOnDescription: true },
  );
  return picked?.key;
}

/** The focused (now selected) row of the API Keys view, if any. */
export async function selectedNode(deps: KeyCommandDeps): Promise<EnvironmentNode | KeyNode | undefined> {
  return (await deps.selection?.())?.[0];
}

export function stateSummary(k: KeyRecord): string {
  return k.state === 'verified' ? ['verified', k.mageId, k.profileName].filter(Boolean).join(' · ') : STATE_IN_FULL[k.state];
}

/**
 * Picks an environment, showing how many keys each holds. For a new key (`forNewKey`) a full environment is
 * marked "3/3 · full", listed last and never preselected (choosing it anyway says why no key can be added).
 */
export async function pickEnvironmentWithCounts(store: KeyStore, active: EnvironmentId, title: string, forNewKey = false, where?: Step): Promise<EnvironmentId | undefined> {
  const full = (id: EnvironmentId): boolean => forNewKey && store.count(id) >= MAX_KEYS_PER_ENVIRONMENT;
  const items = [...ENVIRONMENT_IDS]
    .sort((a, b) => Number(full(a)) - Number(full(b)) || Number(b === active) - Number(a === active))
    .map((id) => ({
      label: label(id),
      description: `${store.count(id)}/${MAX_KEYS_PER_ENVIRONMENT}${full(id) ? ' · full' : ' keys'}${id === active ? ' · active' : ''}`,
      detail: id === 'sandbox' ? 'Open to Adobe technology and solution partners only' : undefined,
      id,
    }));
  const options = { title, placeHolder: 'Environment' };
  const picked = where ? await pickStep(items, options, where) : await vscode.window.showQuickPick(items, options);
  return picked?.id;
}
