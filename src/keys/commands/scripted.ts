// Scripted calls of the key commands (one plain argument object): reading and checking their arguments.
import * as vscode from 'vscode';
import { EnvironmentId, isEnvironmentId } from '../../eqp/environments';
import { UserError } from '../../util/errors';
import { checkApplicationId, checkSecret, Pair } from '../credentials';
import { KeyRecord, KeyStore } from '../keyStore';
import { isTreeNode } from '../tree';
import { label } from './pickers';

/** A plain object argument means a script called the command: no prompts, errors are thrown to the caller. */
export function isScripted(arg: unknown): arg is Record<string, unknown> {
  if (typeof arg !== 'object' || arg === null || isTreeNode(arg) || arg instanceof vscode.Uri || Array.isArray(arg)) return false;
  // Only a plain object (JSON from a task, an object literal of a script): tree rows and other class instances
  // are the extension's own arguments.
  const proto: unknown = Object.getPrototypeOf(arg);
  return proto === Object.prototype || proto === null;
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

/** Validates a scripted pair. */
export function scriptedPair(args: Record<string, unknown>): Pair {
  const id = checkApplicationId(args.applicationId);
  if (!id.ok) throw new UserError(id.message);
  const secret = checkSecret(args.applicationSecret);
  if (!secret.ok) throw new UserError(secret.message);
  return { applicationId: id.value, applicationSecret: secret.value };
}

/**
 * The confirmation of a destructive command (delete, regenerate, disable…). A person is always asked (a modal with
 * `action` as its button). A scripted call (a task's `inputs`, another extension) is asked too, unless its argument
 * object says `"confirm": false` explicitly: a cloned repository's tasks.json cannot delete a key unasked. A script
 * whose confirmation is refused gets an error; a person's Cancel just returns false.
 */
export async function confirmDestructive(arg: unknown, action: string, message: string, detail: string): Promise<boolean> {
  if (isScripted(arg) && arg.confirm === false) return true;
  const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
  if (answer === action) return true;
  if (isScripted(arg)) {
    throw new UserError(`Not done: "${message}" was not confirmed. A script or task that must not ask passes "confirm": false in its arguments.`);
  }
  return false;
}
