// Proving a pair works by minting a token with it: with prompts (progress, Retry, re-entry) or scripted.
import * as vscode from 'vscode';
import { EnvironmentId } from '../../eqp/environments';
import type { SessionToken } from '../../eqp/client';
import { withAbortSignal } from '../../util/cancellation';
import { describeError } from '../../util/errors';
import { Pair } from '../credentials';
import { KeyRecord, Verification } from '../keyStore';
import { KeyCommandDeps } from './deps';
import { PairSteps, promptPair } from './pairPrompt';
import { label } from './pickers';

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
    deps.logger.redactions.add(pair.applicationSecret);
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
  deps.logger.redactions.add(pair.applicationSecret);
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
