import * as vscode from 'vscode';
import type { Settings } from '../../config';
import { ENVIRONMENT_IDS, EnvironmentId, environmentInfo, isEnvironmentId } from '../../eqp/environments';
import type { SessionToken } from '../../eqp/client';
import type { Logger } from '../../util/logger';
import { withAbortSignal } from '../../util/cancellation';
import { VIEW_SELECTION_ARG } from '../../constants';
import { UserError, describeError } from '../../util/errors';
import { Step, inputStep, pickStep } from '../../util/prompts';
import { checkApplicationId, checkSecret, Pair, parseIdOrPair } from '../credentials';
import { KeyRecord, KeyStore, MAX_KEYS_PER_ENVIRONMENT, Verification, duplicateIdMessage } from '../keyStore';
import { EnvironmentNode, KeyNode, isTreeNode } from '../tree';
import type { KeyVerifier } from '../verifier';

/** Receives the token a successful verification minted, so the first token request needs no second mint. */
export interface VerifiedTokenSink {
  adopt(key: KeyRecord, token: SessionToken, requestedAt: number): Promise<void>;
}

export interface KeyCommandDeps {
  store: KeyStore;
  /** Shows a key in the API Keys view (selects it) when the view is open. */
  reveal?: (keyId: string) => Promise<void>;
  verifier: KeyVerifier;
  settings: Settings;
  logger: Logger;
  /**
   * The API Keys view's focused row, made the selection first (for the view's keybindings, which pass no row:
   * arrow keys move the focus, not the selection).
   */
  selection?: () => Promise<readonly (EnvironmentNode | KeyNode)[]>;
  tokens?: VerifiedTokenSink & { cachedFor(keyId: string): Promise<{ expiresAt: number } | undefined>; forget(keyId?: string): Promise<void> };
}

/** A plain object argument means a script called the command: no prompts, errors are thrown to the caller. */
export function isScripted(arg: unknown): arg is Record<string, unknown> {
  return typeof arg === 'object' && arg !== null && !isTreeNode(arg) && !(arg instanceof vscode.Uri) && !Array.isArray(arg);
}

export function label(env: EnvironmentId): string {
  return environmentInfo(env).label;
}

export function scriptedEnvironment(args: Record<string, unknown>, required = true): EnvironmentId | undefined {
  const env = args.environment;
  if (env === undefined && !required) return undefined;
  if (!isEnvironmentId(env)) {
    throw new UserError(`Unknown environment ${JSON.stringify(env)}: use "production" or "sandbox".`);
  }
  return env;
}

export function scriptedString(args: Record<string, unknown>, field: string): string {
  const v = args[field];
  if (typeof v !== 'string') throw new UserError(`The "${field}" argument must be a string${v === undefined ? ' and is missing' : ''}.`);
  return v;
}

/** Finds the key a scripted call names: `{environment, name}` or `{environment, applicationId}`. */
export function scriptedKey(store: KeyStore, args: Record<string, unknown>): KeyRecord {
  const env = scriptedEnvironment(args)!;
  const name = args.name;
  const applicationId = args.applicationId;
  if (typeof name !== 'string' && typeof applicationId !== 'string') {
    throw new UserError('Name the key with a "name" or "applicationId" string argument.');
  }
  const key = store.find(env, { name: typeof name === 'string' ? name : undefined, applicationId: typeof applicationId === 'string' ? applicationId : undefined });
  if (!key) throw new UserError(`There is no API access key ${typeof name === 'string' ? `named "${name}"` : `with application ID ${String(applicationId)}`} in ${label(env)}.`);
  return key;
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
      detail: stateSummary(k),
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
  switch (k.state) {
    case 'verified':
      return ['verified', k.mageId, k.profileName].filter(Boolean).join(' · ');
    case 'unverified':
      return 'not verified yet';
    case 'rejected':
      return 'rejected by the server';
    case 'unreachable':
      return 'unreachable';
  }
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

/** The step counters of the two boxes of `promptPair` in a guided flow. */
export interface PairSteps {
  id: Step;
  secret: Step;
}

/** Asks for the application ID (or the whole pair) and then the secret; `initial` refills the boxes on re-entry. */
export async function promptPair(
  store: KeyStore,
  env: EnvironmentId,
  title: string,
  initial?: Partial<Pair>,
  ignoreKeyId?: string,
  steps?: PairSteps,
): Promise<Pair | undefined> {
  const ask = (options: vscode.InputBoxOptions, where: Step | undefined): Thenable<string | undefined> =>
    where ? inputStep(options, where) : vscode.window.showInputBox(options);
  const storedElsewhere = (id: string): KeyRecord | undefined => store.list().find((k) => k.applicationId === id && k.id !== ignoreKeyId);
  const idInput = await ask({
    title: `${title}: application ID`,
    prompt: `The application ID the ${label(env)} Developer Portal shows (Account → Manage API Keys). You may paste the pair as "ID:secret".`,
    placeHolder: 'e.g. AQ17NZ49WC',
    value: initial?.applicationId,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parseIdOrPair(v);
      if (!r.ok) return r.message;
      const other = storedElsewhere(r.value.applicationId);
      if (other) return duplicateIdMessage(r.value.applicationId, other);
      return undefined;
    },
  }, steps?.id);
  if (idInput === undefined) return undefined;
  const parsed = parseIdOrPair(idInput);
  if (!parsed.ok) throw new UserError(parsed.message);
  const other = storedElsewhere(parsed.value.applicationId);
  if (other) throw new UserError(duplicateIdMessage(parsed.value.applicationId, other));
  if (parsed.value.applicationSecret) return { applicationId: parsed.value.applicationId, applicationSecret: parsed.value.applicationSecret };
  const secretInput = await ask({
    title: `${title}: application secret`,
    prompt: `The application secret of ${parsed.value.applicationId}. It is kept in VS Code's secret storage only.`,
    password: true,
    ignoreFocusOut: true,
    value: initial?.applicationId === parsed.value.applicationId ? initial.applicationSecret : undefined,
    validateInput: (v) => {
      const r = checkSecret(v);
      return r.ok ? undefined : r.message;
    },
  }, steps?.secret);
  if (secretInput === undefined) return undefined;
  const secret = checkSecret(secretInput);
  if (!secret.ok) throw new UserError(secret.message);
  return { applicationId: parsed.value.applicationId, applicationSecret: secret.value };
}

/** Validates a scripted pair. */
export function scriptedPair(args: Record<string, unknown>): Pair {
  const id = checkApplicationId(args.applicationId);
  if (!id.ok) throw new UserError(id.message);
  const secret = checkSecret(args.applicationSecret);
  if (!secret.ok) throw new UserError(secret.message);
  return { applicationId: id.value, applicationSecret: secret.value };
}

export interface Verified {
  pair: Pair;
  verification: Verification;
  token?: { token: SessionToken; requestedAt: number };
}

/**
 * Verifies a pair with a cancellable progress notification. On 401/403 it offers to re-enter the pair (the
 * boxes keep what was typed); on a network or server failure it offers Retry or saving the key unverified.
 * Undefined when the user gave up.
 */
export async function verifyInteractively(deps: KeyCommandDeps, env: EnvironmentId, name: string, first: Pair, title: string, ignoreKeyId?: string, steps?: PairSteps): Promise<Verified | undefined> {
  let pair = first;
  for (;;) {
    deps.logger.addSecret(pair.applicationSecret);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Verifying "${name}" with the ${label(env)} EQP API…`, cancellable: true },
      (_p, token) => withAbortSignal(token, (signal) => deps.verifier.verify(env, pair.applicationId, pair.applicationSecret, signal)),
    );
    if (outcome.ok) return { pair, verification: outcome.verification, token: { token: outcome.token, requestedAt: outcome.requestedAt } };
    const error = outcome.error;
    deps.logger.warn(`verify "${name}" (${env}, ${pair.applicationId}): ${error.kind}${error.status ? ` ${error.status}` : ''}: ${error.message}`);
    if (error.kind === 'cancelled') return undefined;
    if (error.isAuthFailure) {
      const again = await vscode.window.showErrorMessage(`${error.message} ${error.hint}`, 'Re-enter the Pair');
      if (again !== 'Re-enter the Pair') return undefined;
      const next = await promptPair(deps.store, env, title, pair, ignoreKeyId, steps);
      if (!next) return undefined;
      pair = next;
      continue;
    }
    const choice = await vscode.window.showWarningMessage(
      `Could not verify "${name}": ${describeError(error, [pair.applicationSecret])}`,
      'Retry',
      'Save Anyway (Unverified)',
      'Re-enter the Pair',
    );
    if (choice === 'Retry') continue;
    if (choice === 'Save Anyway (Unverified)') return { pair, verification: { state: 'unverified', detail: error.message } };
    if (choice === 'Re-enter the Pair') {
      const next = await promptPair(deps.store, env, title, pair, ignoreKeyId, steps);
      if (!next) return undefined;
      pair = next;
      continue;
    }
    return undefined;
  }
}

/** Scripted verification: no prompts. Auth failures always throw; other failures throw unless saveUnverified. */
export async function verifyScripted(deps: KeyCommandDeps, env: EnvironmentId, pair: Pair, args: Record<string, unknown>): Promise<Verified> {
  deps.logger.addSecret(pair.applicationSecret);
  if (args.verify === false) return { pair, verification: { state: 'unverified' } };
  const outcome = await deps.verifier.verify(env, pair.applicationId, pair.applicationSecret);
  if (outcome.ok) return { pair, verification: outcome.verification, token: { token: outcome.token, requestedAt: outcome.requestedAt } };
  if (outcome.error.isAuthFailure || args.saveUnverified !== true) throw outcome.error;
  return { pair, verification: { state: 'unverified', detail: outcome.error.message } };
}

/** Shows what the stored key's verification found. */
export function verifiedText(k: KeyRecord): string {
  return k.state === 'verified' ? `verified as ${[k.mageId, k.profileName ? `(${k.profileName})` : undefined].filter(Boolean).join(' ')}` : 'saved unverified';
}

