// What every Composer key command gets injected, and how each finds the key or environment it acts on.
import * as vscode from 'vscode';
import { ENVIRONMENT_IDS, type EnvironmentId, environmentInfo } from '../../eqp/environments';
import { isScripted, scriptedEnvironment, scriptedString } from '../../keys/commands/scripted';
import type { ClipboardGuard } from '../../tokens/clipboard';
import { withCancellableProgress } from '../../util/cancellation';
import { UserError } from '../../util/errors';
import type { Logger } from '../../util/logger';
import type { AuthJsonUsage } from '../authJsonUsage';
import type { ComposerKeysModel } from '../composerModel';
import type { ComposerKeyRecord, ComposerKeyService } from '../composerService';
import { ComposerEmptyNode, ComposerEnvironmentNode, ComposerErrorNode, ComposerKeyNode } from '../tree';

export interface ComposerCommandDeps {
  service: ComposerKeyService;
  model: ComposerKeysModel;
  usage: AuthJsonUsage;
  clipboard: Pick<ClipboardGuard, 'copy' | 'clearUnavailable'>;
  logger: Logger;
  /** The environments with an active API access key (only those can reach their Composer keys). */
  environments(): EnvironmentId[];
  activeEnvironment(): EnvironmentId;
  /** Shows a key in the Composer Keys view (selects it) when the view is open. */
  reveal(key: ComposerKeyRecord): Promise<void>;
  /** The Composer Keys view's focused row (for its keybindings, which pass no row). */
  selection(): Promise<readonly unknown[]>;
}

export const SELECTION_ARG = 'eqp.composerKeys:selection';

export function envLabel(env: EnvironmentId): string {
  return environmentInfo(env).label;
}

/** Runs `fn` under a cancellable progress notification; Cancel aborts its requests. */
export const withProgress = withCancellableProgress;

/** The environment a command acts on: the row's, the scripted `environment`, the only one with a key, or a pick. */
export async function resolveEnvironment(deps: ComposerCommandDeps, arg: unknown, title: string): Promise<EnvironmentId | undefined> {
  if (arg instanceof ComposerEnvironmentNode) return arg.environment;
  if (arg instanceof ComposerEmptyNode || arg instanceof ComposerErrorNode || arg instanceof ComposerKeyNode) return arg.parent.environment;
  const usable = deps.environments();
  if (isScripted(arg)) {
    const env = scriptedEnvironment(arg)!;
    if (!usable.includes(env)) throw noApiKey(env);
    return env;
  }
  if (usable.length === 0) {
    throw noApiKeyAtAll();
  }
  if (usable.length === 1) return usable[0];
  const active = deps.activeEnvironment();
  const items = [...ENVIRONMENT_IDS]
    .sort((a, b) => Number(b === active) - Number(a === active))
    .map((id) => ({ label: envLabel(id), description: id === active ? 'active environment' : undefined, id }));
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Environment of the Composer key' }))?.id;
}

/**
 * The key a command acts on: the row it was run on, the view's focused row (keybindings), the scripted
 * `{environment, label, uid?}`, or a QuickPick of every loaded key.
 */
export async function resolveKey(
  deps: ComposerCommandDeps,
  arg: unknown,
  title: string,
  filter: (k: ComposerKeyRecord) => boolean = () => true,
): Promise<ComposerKeyRecord | undefined> {
  if (arg === SELECTION_ARG) {
    // A keybinding of the view (Delete): act on the focused key. Selecting an environment row expanded or
    // collapsed it, which Delete must not do: toggle it back.
    const [node] = await deps.selection();
    if (node instanceof ComposerEnvironmentNode) await Promise.resolve(vscode.commands.executeCommand('list.toggleExpand')).catch(() => undefined);
    return node instanceof ComposerKeyNode ? node.key : undefined;
  }
  if (arg instanceof ComposerKeyNode) return arg.key;
  if (isScripted(arg)) {
    const env = await resolveEnvironment(deps, arg, title);
    const label = scriptedString(arg, 'label');
    const uid = arg.uid === undefined ? undefined : scriptedString(arg, 'uid');
    await deps.model.ensure(env!);
    const state = deps.model.state(env!);
    if (state.status === 'error') throw state.error;
    const matches = (deps.model.keys(env!) ?? []).filter((k) => k.label === label && (uid === undefined || k.uid === uid));
    if (matches.length === 0) throw new UserError(`There is no ${envLabel(env!)} Composer key labelled "${label}"${uid ? ` owned by ${uid}` : ''}.`);
    if (matches.length > 1) throw new UserError(`Several ${envLabel(env!)} Composer keys are labelled "${label}" (one per owner): pass "uid" too.`);
    return matches[0];
  }
  const envs = arg instanceof ComposerEnvironmentNode ? [arg.environment] : deps.environments();
  if (envs.length === 0) {
    throw noApiKeyAtAll();
  }
  const keys = await withProgress('Reading the Composer keys…', async () => {
    await Promise.all(envs.map((e) => deps.model.ensure(e)));
    const failed = envs.map((e) => deps.model.state(e)).find((s) => s.status === 'error');
    if (failed?.status === 'error' && envs.every((e) => deps.model.state(e).status === 'error')) throw failed.error;
    return envs.flatMap((e) => deps.model.keys(e) ?? []).filter(filter);
  });
  if (keys.length === 0) {
    void vscode.window.showInformationMessage('There is no Composer key to choose from here. Run "EQP: Create Composer Key…" to make one.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    keys.map((k) => ({
      label: k.label,
      description: `${envLabel(k.environment)} · ${k.isEnabled ? 'enabled' : 'disabled'} · ${k.userKey}`,
      key: k,
    })),
    { title, placeHolder: 'Choose a Composer key', matchOnDescription: true },
  );
  return picked?.key;
}

/** A key as a command argument that acts like its row (prompts and messages, not a script's thrown errors). */
export function keyArgument(key: ComposerKeyRecord): ComposerKeyNode {
  return new ComposerKeyNode(new ComposerEnvironmentNode(key.environment, undefined, false), key, undefined, true, []);
}

function noApiKeyAtAll(): UserError {
  return new UserError('Composer keys are managed with a session token of an EQP API access key, and there is none yet. Run "EQP: Create API Access Key…" first.');
}

function noApiKey(env: EnvironmentId): UserError {
  return new UserError(`${envLabel(env)} has no API access key, so its Composer keys cannot be reached. Run "EQP: Create API Access Key…" first.`);
}
