import * as vscode from 'vscode';
import { SUBMISSIONS_VIEW_ID } from '../../constants';
import type { EnvironmentId } from '../../eqp/environments';
import { EqpError } from '../../eqp/errors';
import { isScripted, scriptedEnvironment, scriptedString } from '../../keys/commands/scripted';
import { describeError } from '../../util/errors';
import { rowEnvironment, type SubmissionsCommandDeps } from './common';
import { SubmissionNode, SubmissionsMessageNode } from '../tree';

/** What refresh and Load More return to a script: plain data. */
export interface ListSummary {
  environment: EnvironmentId;
  shown: number;
  total?: number;
  hasMore: boolean;
  error?: string;
}

/**
 * `eqp.submissions.refresh`: the title bar's Refresh reads every environment's first page again; an environment
 * row, an error row's Retry or `{environment}` that one; a submission row or `{environment, submissionId}` that
 * submission and its test reports. Failures show as the view's error rows (a script gets them thrown).
 */
export class RefreshSubmissionsCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<ListSummary[] | { environment: EnvironmentId; submissionId: string; removed: boolean } | undefined> {
    const submission = arg instanceof SubmissionNode ? { env: arg.environment, id: arg.submission.submissionId }
      : arg instanceof SubmissionsMessageNode && arg.parent instanceof SubmissionNode ? { env: arg.parent.environment, id: arg.parent.submission.submissionId }
        : isScripted(arg) && arg.submissionId !== undefined ? { env: scriptedEnvironment(arg)!, id: scriptedString(arg, 'submissionId') } : undefined;
    if (submission) return this.one(submission.env, submission.id, isScripted(arg) && arg.retry !== true);
    let envs = this.deps.environments();
    const only = rowEnvironment(arg) ?? (isScripted(arg) && arg.environment !== undefined ? scriptedEnvironment(arg) : undefined);
    if (only) envs = envs.filter((e) => e === only);
    await vscode.window.withProgress({ location: { viewId: SUBMISSIONS_VIEW_ID } }, () => Promise.all(envs.map((e) => this.deps.model.reload(e))));
    const summaries = envs.map((e) => summary(this.deps, e));
    const failed = summaries.find((s) => s.error !== undefined);
    if (failed && isScripted(arg) && arg.retry !== true) throw this.deps.model.state(failed.environment).error;
    return summaries;
  }

  private async one(env: EnvironmentId, id: string, scripted: boolean): Promise<{ environment: EnvironmentId; submissionId: string; removed: boolean }> {
    try {
      const s = await vscode.window.withProgress({ location: { viewId: SUBMISSIONS_VIEW_ID } }, () => this.deps.service.get(env, id));
      this.deps.model.put(env, s);
      await this.deps.model.ensureRuns(env, id, true);
      return { environment: env, submissionId: id, removed: false };
    } catch (e) {
      if (e instanceof EqpError && e.status === 404) {
        // Removed or cancelled elsewhere: the row goes, and the person is told why.
        this.deps.model.remove(env, id);
        if (!scripted) void vscode.window.showWarningMessage(describeError(e));
        return { environment: env, submissionId: id, removed: true };
      }
      throw e;
    }
  }
}

/** `eqp.submissions.loadMore`: the environment's next page (the Load More row). */
export class LoadMoreSubmissionsCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<ListSummary | undefined> {
    const env = rowEnvironment(arg) ?? (isScripted(arg) ? scriptedEnvironment(arg) : undefined);
    if (!env) return undefined;
    await vscode.window.withProgress({ location: { viewId: SUBMISSIONS_VIEW_ID } }, () => this.deps.model.loadMore(env));
    return summary(this.deps, env);
  }
}

function summary(deps: SubmissionsCommandDeps, env: EnvironmentId): ListSummary {
  const s = deps.model.state(env);
  return { environment: env, shown: s.items.length, total: s.total, hasMore: s.hasMore, ...(s.error !== undefined ? { error: describeError(s.error) } : {}) };
}
