// What every Submissions command gets injected, and how each finds the environment, submission or run it acts on.
import * as vscode from 'vscode';
import { ENVIRONMENT_IDS, type EnvironmentId, environmentInfo } from '../../eqp/environments';
import type { Submission, ToolRun } from '../../eqp/submissions';
import { isScripted, scriptedEnvironment, scriptedString } from '../../keys/commands/scripted';
import { withCancellableProgress } from '../../util/cancellation';
import { UserError } from '../../util/errors';
import type { ReportDocuments } from '../documents';
import type { SubmissionsModel } from '../model';
import type { PhpcsProblems } from '../problems';
import { submissionTitle } from '../presentation';
import { submissionPresentation, toolRunPresentation } from '../rows';
import type { SubmissionsService } from '../service';
import { LoadMoreNode, SubmissionNode, SubmissionProductNode, SubmissionsEnvironmentNode, SubmissionsMessageNode, ToolRunNode } from '../tree';

export interface SubmissionsCommandDeps {
  service: SubmissionsService;
  model: SubmissionsModel;
  documents: ReportDocuments;
  problems: PhpcsProblems;
  /** The environments with an active API access key (only those can read their submissions). */
  environments(): EnvironmentId[];
  activeEnvironment(): EnvironmentId;
  portalUrl(env: EnvironmentId): string;
}

/** A submission a command acts on, with its environment. */
export interface SubmissionRef {
  environment: EnvironmentId;
  submission: Submission;
}

export function envLabel(env: EnvironmentId): string {
  return environmentInfo(env).label;
}

/** "Example Module 1.0.1" */
export { submissionTitle } from '../presentation';

/** Runs `fn` under a cancellable progress notification; Cancel aborts its requests. */
export const withProgress = withCancellableProgress;

/** The environment of a row, of a scripted `{environment}`, the only one with a key, or a pick. */
export async function resolveEnvironment(deps: SubmissionsCommandDeps, arg: unknown, title: string): Promise<EnvironmentId | undefined> {
  const fromRow = rowEnvironment(arg);
  if (fromRow) return fromRow;
  const usable = deps.environments();
  if (isScripted(arg) && arg.environment !== undefined) {
    const env = scriptedEnvironment(arg)!;
    if (!usable.includes(env)) throw noApiKey(env);
    return env;
  }
  if (usable.length === 0) throw noApiKeyAtAll();
  if (usable.length === 1 || isScripted(arg)) return usable.includes(deps.activeEnvironment()) ? deps.activeEnvironment() : usable[0];
  const active = deps.activeEnvironment();
  const items = [...ENVIRONMENT_IDS]
    .sort((a, b) => Number(b === active) - Number(a === active))
    .map((id) => ({ label: envLabel(id), description: id === active ? 'active environment' : undefined, id }));
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Environment of the submission' }))?.id;
}

export function rowEnvironment(arg: unknown): EnvironmentId | undefined {
  if (arg instanceof SubmissionsEnvironmentNode) return arg.environment;
  if (arg instanceof SubmissionProductNode || arg instanceof SubmissionNode || arg instanceof ToolRunNode) return arg.environment;
  if (arg instanceof LoadMoreNode) return arg.parent.environment;
  if (arg instanceof SubmissionsMessageNode) return arg.parent.environment;
  return undefined;
}

/**
 * The submission a command acts on: the row's, a scripted `{environment, submissionId}` (read from the API when
 * the view has not loaded it), or a QuickPick of the submissions read so far (the first page is read if needed).
 */
export async function resolveSubmission(deps: SubmissionsCommandDeps, arg: unknown, title: string, filter: (s: Submission) => boolean = () => true): Promise<SubmissionRef | undefined> {
  if (arg instanceof SubmissionNode) return { environment: arg.environment, submission: arg.submission };
  if (arg instanceof ToolRunNode) return { environment: arg.environment, submission: arg.parent.submission };
  if (isScripted(arg) && arg.submissionId !== undefined) {
    const env = await resolveEnvironment(deps, arg, title);
    const id = scriptedString(arg, 'submissionId');
    const known = deps.model.find(env!, id);
    if (known) return { environment: env!, submission: known };
    const submission = await withProgress(`Reading submission ${id}…`, (signal) => deps.service.get(env!, id, signal));
    return { environment: env!, submission };
  }
  const env = await resolveEnvironment(deps, arg, title);
  if (!env) return undefined;
  const items = await withProgress(`Reading the ${envLabel(env)} submissions…`, async () => {
    await deps.model.ensure(env);
    const s = deps.model.state(env);
    if (s.status === 'error') throw s.error;
    return s.items.filter(filter);
  });
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`There is no ${envLabel(env)} submission to choose from here.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    items.map((s) => ({ label: submissionTitle(s), description: submissionPresentation(s).description, detail: s.sku, submission: s })),
    { title, placeHolder: 'Choose a submission (newest first)', matchOnDescription: true, matchOnDetail: true },
  );
  return picked ? { environment: env, submission: picked.submission } : undefined;
}

/**
 * The tool run a command acts on: the row's, a scripted `{tool, toolRunId}` (the latest run of `tool` when no id),
 * or a QuickPick of the submission's runs.
 */
export async function resolveRun(deps: SubmissionsCommandDeps, ref: SubmissionRef, arg: unknown, title: string): Promise<ToolRun | undefined> {
  if (arg instanceof ToolRunNode) return arg.run;
  const { environment: env, submission } = ref;
  const runs = await withProgress(`Reading the test reports of ${submissionTitle(submission)}…`, async () => {
    await deps.model.ensureRuns(env, submission.submissionId, true);
    const state = deps.model.runs(env, submission.submissionId);
    if (state?.status === 'error') throw state.error;
    return state?.status === 'loaded' ? state.runs : [];
  });
  if (isScripted(arg) && arg.tool !== undefined) {
    const tool = scriptedString(arg, 'tool');
    const id = arg.toolRunId === undefined ? undefined : String(arg.toolRunId as unknown);
    const run = id === undefined ? latestRun(runs, tool) : runs.find((r) => r.name === tool && r.toolRunId === id);
    if (!run) throw new UserError(`Submission ${submission.submissionId} has no ${tool} run${id ? ` ${id}` : ''}${runs.length ? ` (it has: ${runs.map((r) => `${r.name} ${r.toolRunId}`).join(', ')})` : ''}.`);
    return run;
  }
  if (runs.length === 0) {
    const why = submission.status.technical === 'draft' ? 'a draft is not tested until it is submitted' : 'its checks have not reported yet';
    if (isScripted(arg)) throw new UserError(`Submission ${submission.submissionId} has no test reports: ${why}.`);
    void vscode.window.showInformationMessage(`${submissionTitle(submission)} has no test reports yet: ${why}.`);
    return undefined;
  }
  if (runs.length === 1 && isScripted(arg)) return runs[0];
  if (isScripted(arg)) throw new UserError(`Name the report with "tool" (one of: ${[...new Set(runs.map((r) => r.name))].join(', ')}).`);
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => {
      const p = toolRunPresentation(r);
      return { label: p.label, description: p.status, detail: `Run ${r.toolRunId}`, run: r };
    }),
    { title, placeHolder: `Test reports of ${submissionTitle(submission)}` },
  );
  return picked?.run;
}

/** The latest run of `tool`: the newest date, else the highest run id. */
export function latestRun(runs: readonly ToolRun[], tool: string): ToolRun | undefined {
  let best: ToolRun | undefined;
  for (const r of runs) {
    if (r.name !== tool) continue;
    if (!best || (r.date ?? 0) > (best.date ?? 0) || ((r.date ?? 0) === (best.date ?? 0) && compareIds(r.toolRunId, best.toolRunId) > 0)) best = r;
  }
  return best;
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

export function noApiKeyAtAll(): UserError {
  return new UserError('Submissions are read with a session token of an EQP API access key, and there is none yet. Run "EQP: Create API Access Key…" first.');
}

export function noApiKey(env: EnvironmentId): UserError {
  return new UserError(`${envLabel(env)} has no API access key, so its submissions cannot be read. Run "EQP: Create API Access Key…" first.`);
}
