import * as vscode from 'vscode';
import type { EnvironmentId } from '../../eqp/environments';
import { EqpError } from '../../eqp/errors';
import type { Submission, ToolReportAnswer, ToolRun } from '../../eqp/submissions';
import { isScripted } from '../../keys/commands/scripted';
import { UserError } from '../../util/errors';
import { planDiagnosticsByReviewerPath } from '../diagnosticsPlan';
import { ReportDocuments, type ReportRef } from '../documents';
import type { ProblemsOutcome } from '../problems';
import { renderReport } from '../reportDocument';
import type { PhpcsPlacement } from '../reportText';
import { ToolRunNode } from '../tree';
import { envLabel, latestRun, resolveRun, resolveSubmission, type SubmissionRef, type SubmissionsCommandDeps, submissionTitle, withProgress } from './common';

/** What the report commands return to a script: plain data. */
export interface ReportSummary {
  environment: EnvironmentId;
  submissionId: string;
  tool: string;
  toolRunId: string;
  status: string;
  /** The read-only document opened (eqp-report: URI). */
  document: string;
  /** phpcs only: what went to the Problems panel. */
  problems?: { findings: number; diagnostics: number; files: string[]; unmatched: number; versionNote?: string };
}

async function fetchReport(deps: SubmissionsCommandDeps, ref: SubmissionRef, run: ToolRun): Promise<ToolReportAnswer> {
  const { environment: env, submission } = ref;
  try {
    return await withProgress(`Reading the ${run.name} report of ${submissionTitle(submission)} (${envLabel(env)})…`, (signal) =>
      deps.service.report(env, submission.submissionId, run.name, run.toolRunId, signal),
    );
  } catch (e) {
    if (e instanceof EqpError && e.status === 404) {
      // The submission (or this run) is gone: the view is brought up to date.
      void deps.model.ensureRuns(env, submission.submissionId, true);
    }
    throw e;
  }
}

function refOf(ref: SubmissionRef, run: ToolRun): ReportRef {
  return { environment: ref.environment, submissionId: ref.submission.submissionId, tool: run.name, toolRunId: run.toolRunId };
}

function title(s: Submission, run: ToolRun): string {
  return `${run.name} ${s.version ?? s.submissionId} run ${run.toolRunId}`;
}

function placementOf(o: ProblemsOutcome): PhpcsPlacement {
  return {
    unmatched: o.unmatched,
    problems: o.diagnostics,
    problemFiles: o.files.length,
    linesMayHaveMoved: o.versionNote,
    notPlacedReason: o.roots.length === 0 ? `No workspace folder has a composer.json named ${o.packageName}.` : undefined,
  };
}

function summarize(outcome: ProblemsOutcome): NonNullable<ReportSummary['problems']> {
  return { findings: outcome.findings, diagnostics: outcome.diagnostics, files: outcome.files, unmatched: outcome.unmatched.length, versionNote: outcome.versionNote };
}

/**
 * `eqp.submissions.openReport`: a tool run's report as a read-only document; for `phpcs` its findings also go to
 * the Problems panel on the workspace's files. From a run row, or `{environment, submissionId, tool?, toolRunId?}`,
 * or the palette (environment, submission and run picked).
 */
export class OpenReportCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<ReportSummary | undefined> {
    const ref = await resolveSubmission(this.deps, arg, 'Open Test Report');
    if (!ref) return undefined;
    const run = await resolveRun(this.deps, ref, arg, 'Open Test Report');
    if (!run) return undefined;
    const answer = await fetchReport(this.deps, ref, run);
    const outcome = run.name === 'phpcs' ? await this.deps.problems.show(ref.environment, ref.submission, run.toolRunId, answer.report) : undefined;
    const r = refOf(ref, run);
    const md = ReportDocuments.uri(r, 'md', title(ref.submission, run));
    this.deps.documents.set(md, renderReport({ environment: ref.environment, submission: ref.submission, run, report: answer.report, placement: outcome && placementOf(outcome), raw: answer.raw }));
    this.deps.documents.set(ReportDocuments.uri(r, 'json', title(ref.submission, run)), answer.raw);
    if (!(isScripted(arg) && arg.show === false)) await this.deps.documents.show(md);
    return { ...r, status: answer.report.status, document: md.toString(), ...(outcome ? { problems: summarize(outcome) } : {}) };
  }
}

/**
 * `eqp.submissions.openReportJson`: the report exactly as the API sent it (the portal's download), read-only. From a
 * run row, a report document's title bar, or the same arguments as openReport.
 */
export class OpenReportJsonCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<ReportSummary | undefined> {
    let ref: SubmissionRef | undefined;
    let run: ToolRun | undefined;
    // From a report's title bar: VS Code passes the report's URI, or for its rendered preview something of its own.
    const fromRow = arg instanceof ToolRunNode || (isScripted(arg) && arg.submissionId !== undefined);
    const fromDocument = (arg instanceof vscode.Uri ? ReportDocuments.refOf(arg) : undefined) ?? (fromRow ? undefined : this.deps.documents.activeReport());
    if (fromDocument) {
      const submission = this.deps.model.find(fromDocument.environment, fromDocument.submissionId) ?? { submissionId: fromDocument.submissionId, status: {}, actionsNowAvailable: {} };
      ref = { environment: fromDocument.environment, submission };
      run = { name: fromDocument.tool, toolRunId: fromDocument.toolRunId, status: '' };
    } else {
      ref = await resolveSubmission(this.deps, arg, 'Open Test Report as JSON');
      if (!ref) return undefined;
      run = await resolveRun(this.deps, ref, arg, 'Open Test Report as JSON');
    }
    if (!run) return undefined;
    const r = refOf(ref, run);
    const json = ReportDocuments.uri(r, 'json', title(ref.submission, run));
    let status = run.status;
    if (!this.deps.documents.has(json)) {
      const answer = await fetchReport(this.deps, ref, run);
      this.deps.documents.set(json, answer.raw);
      status = answer.report.status;
    }
    if (!(isScripted(arg) && arg.show === false)) await this.deps.documents.show(json);
    return { ...r, status, document: json.toString() };
  }
}

/**
 * `eqp.submissions.showProblems`: a submission's latest `phpcs` findings in the Problems panel (or that run's, from a
 * phpcs run row). `{environment, submissionId}` for scripts.
 */
export class ShowProblemsCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<(ProblemsOutcomeSummary & { environment: EnvironmentId; submissionId: string; toolRunId: string }) | undefined> {
    const ref = await resolveSubmission(this.deps, arg, 'Show Code Sniffer Findings in Problems');
    if (!ref) return undefined;
    let run: ToolRun | undefined = arg instanceof ToolRunNode && arg.run.name === 'phpcs' ? arg.run : undefined;
    if (!run) {
      await withProgress(`Reading the test reports of ${submissionTitle(ref.submission)}…`, () => this.deps.model.ensureRuns(ref.environment, ref.submission.submissionId, true));
      const state = this.deps.model.runs(ref.environment, ref.submission.submissionId);
      if (state?.status === 'error') throw state.error;
      run = latestRun(state?.status === 'loaded' ? state.runs : [], 'phpcs');
    }
    if (!run) {
      const message = `${submissionTitle(ref.submission)} has no code sniffer (phpcs) report${ref.submission.status.technical === 'draft' ? ': a draft is not tested until it is submitted' : ' yet'}.`;
      if (isScripted(arg)) throw new UserError(message);
      void vscode.window.showInformationMessage(message);
      return undefined;
    }
    const answer = await fetchReport(this.deps, ref, run);
    const outcome = await this.deps.problems.show(ref.environment, ref.submission, run.toolRunId, answer.report);
    const r = refOf(ref, run);
    // The report document is kept up to date too (it lists what matched no file).
    const md = ReportDocuments.uri(r, 'md', title(ref.submission, run));
    this.deps.documents.set(md, renderReport({ environment: ref.environment, submission: ref.submission, run, report: answer.report, placement: outcome && placementOf(outcome), raw: answer.raw }));
    this.deps.documents.set(ReportDocuments.uri(r, 'json', title(ref.submission, run)), answer.raw);
    if (!isScripted(arg)) {
      await Promise.resolve(vscode.commands.executeCommand('workbench.actions.view.problems')).catch(() => undefined);
      // Counted as the problems are (and as the report lists them): a finding repeated on several PHP versions is one.
      const unmatched = planDiagnosticsByReviewerPath(outcome.unmatched).total;
      const where = outcome.roots.length === 0 ? ` No workspace folder has a composer.json named "${outcome.packageName}", so none could be placed on a file.` : '';
      const text = `${outcome.diagnostics} code sniffer ${outcome.diagnostics === 1 ? 'finding' : 'findings'} of ${submissionTitle(ref.submission)} in the Problems panel${unmatched ? `; ${unmatched} ${unmatched === 1 ? 'matches' : 'match'} no workspace file` : ''}.${where}${outcome.versionNote ? ` ${outcome.versionNote}` : ''}`;
      void vscode.window.showInformationMessage(text, ...(unmatched || outcome.versionNote ? ['Open Report'] : [])).then((choice) => {
        if (choice === 'Open Report') void this.deps.documents.show(md);
      });
    }
    return { environment: ref.environment, submissionId: ref.submission.submissionId, toolRunId: run.toolRunId, ...summarize(outcome) };
  }
}

type ProblemsOutcomeSummary = NonNullable<ReportSummary['problems']>;

/** `eqp.submissions.clearProblems`: removes the code sniffer findings from the Problems panel (all, or `{packageName}`). */
export class ClearProblemsCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  run(arg?: unknown): { cleared: number } {
    const only = isScripted(arg) && typeof arg.packageName === 'string' ? arg.packageName : undefined;
    const cleared = this.deps.problems.clear(only);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(cleared ? '$(clear-all) Code sniffer findings cleared' : '$(info) There were no code sniffer findings to clear', 4000);
    return { cleared };
  }
}
