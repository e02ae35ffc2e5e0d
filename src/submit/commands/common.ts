// What the package commands (submit, build, init) get injected, and the steps they share.
import * as vscode from 'vscode';
import { ENVIRONMENT_IDS, type EnvironmentId, environmentInfo } from '../../eqp/environments';
import { EqpError } from '../../eqp/errors';
import type { Submission } from '../../eqp/submissions';
import { isScripted, scriptedEnvironment } from '../../keys/commands/scripted';
import { withAbortSignal } from '../../util/cancellation';
import type { Clock } from '../../util/clock';
import { UserError } from '../../util/errors';
import type { PackageListDocuments } from '../fileList';
import type { PreflightProblems } from '../preflightProblems';
import type { SubmitService } from '../service';
import type { KnownSecret, PreflightProblem } from '../types';
import { isSubmitCancelled } from '../cancel';

export interface PackageCommandDeps {
  service: SubmitService;
  problems: PreflightProblems;
  documents: PackageListDocuments;
  secrets(): Promise<KnownSecret[]>;
  /** Environments with an active API access key. */
  environments(): EnvironmentId[];
  activeEnvironment(): EnvironmentId;
  /** The Submissions view: a new submission is added (and followed while in review) and can be shown. */
  submissions: { add(env: EnvironmentId, s: Submission): void; show(env: EnvironmentId, submissionId: string): Promise<void> };
  clock: Clock;
  /** How long to wait for the malware scan (ms). */
  scanTimeoutMs(): number;
  /** Where zips are built (a temporary folder; removed after). */
  tmpDir(): string;
}

export const envLabel = (env: EnvironmentId): string => environmentInfo(env).label;

/** A cancellable progress notification whose `report` sets the message and, given a fraction, the bar. */
export function withProgress<T>(title: string, fn: (signal: AbortSignal, report: (message: string, fraction?: number) => void) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      let shown = 0;
      const report = (message: string, fraction?: number): void => {
        if (fraction === undefined) return progress.report({ message });
        const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
        progress.report({ message, increment: pct > shown ? pct - shown : undefined });
        shown = Math.max(shown, pct);
      };
      return withAbortSignal(token, (signal) => fn(signal, report));
    }),
  );
}

/** A Cancel (of a progress notification, or an abort): nothing more is done. */
export function isCancel(e: unknown): boolean {
  return (e instanceof EqpError && e.kind === 'cancelled') || isSubmitCancelled(e);
}

/** The environment to submit to: a scripted `{environment}`, the only one with a key, or a pick (active first). */
export async function resolveEnvironment(deps: PackageCommandDeps, arg: unknown, title: string): Promise<EnvironmentId | undefined> {
  const usable = deps.environments();
  if (isScripted(arg) && arg.environment !== undefined) {
    const env = scriptedEnvironment(arg)!;
    if (!usable.includes(env)) throw noKey(env);
    return env;
  }
  if (usable.length === 0) throw new UserError('Submitting a package needs a session token of an EQP API access key, and there is none yet. Run "EQP: Create API Access Key…" first.');
  if (usable.length === 1 || isScripted(arg)) return usable.includes(deps.activeEnvironment()) ? deps.activeEnvironment() : usable[0];
  const active = deps.activeEnvironment();
  const items = [...ENVIRONMENT_IDS]
    .sort((a, b) => Number(b === active) - Number(a === active))
    .map((id) => ({ label: envLabel(id), description: id === active ? 'active environment' : undefined, detail: id === 'sandbox' ? 'Tries the submission flow; no human review' : 'The real Marketplace review', id }));
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Submit to which environment?' }))?.id;
}

function noKey(env: EnvironmentId): UserError {
  return new UserError(`${envLabel(env)} has no API access key, so nothing can be submitted there. Run "EQP: Create API Access Key…" first.`);
}

/**
 * Pre-flight errors: in the Problems panel, and said once. A person gets "Show Problems"; a script gets an error
 * that lists them.
 */
export async function refusePreflight(root: string, problems: readonly PreflightProblem[], scripted: boolean, what: string): Promise<never> {
  const errors = problems.filter((p) => p.severity === 'error');
  const list = errors.slice(0, 5).map((p) => `${p.file ? `${p.file}${p.range ? `:${p.range.startLine + 1}` : ''}: ` : ''}${p.message}`);
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  const text = `${what}: the pre-flight found ${errors.length} problem${errors.length === 1 ? '' : 's'} in ${vscode.workspace.asRelativePath(root)}. Nothing was uploaded.`;
  if (scripted) throw new UserError(`${text} ${list.join(' ')}${more}`);
  void vscode.window.showErrorMessage(`${text} ${errors.length === 1 ? list[0] : 'See the Problems panel.'}`, 'Show Problems').then((c) => {
    if (c === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
  throw new PreflightRefused();
}

/** Thrown after the pre-flight's errors were shown: the command ends without another message. */
export class PreflightRefused extends Error {
  override readonly name = 'PreflightRefused';
}
