/**
 * The readable report of one tool run: the right renderer of reportText.ts for the tool, fed with what the
 * parsers extract. No `vscode` import.
 */
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { type Submission, type ToolReport, type ToolRun, phpcsSummary, reviewDecision, varnishCombinations } from '../eqp/submissions';
import { type PhpcsPlacement, type ReportHeader, phpcpdReportText, phpcsReportText, reviewReportText, unknownToolReportText, varnishReportText } from './reportText';

export interface ReportInput {
  environment: EnvironmentId;
  submission: Submission;
  run: ToolRun;
  report: ToolReport;
  /** phpcs: what went to the Problems panel (undefined: nothing was placed). */
  placement?: PhpcsPlacement;
  /** The answer's text as the server sent it: a tool EQP Keys does not know is shown from it, every field kept. */
  raw?: string;
}

export function renderReport(input: ReportInput): string {
  const { submission: s, run, report } = input;
  const header: ReportHeader = {
    tool: run.name,
    status: report.status || run.status,
    productName: s.name,
    sku: s.sku,
    version: s.version,
    submissionId: s.submissionId,
    environmentLabel: environmentInfo(input.environment).label,
    toolRunId: run.toolRunId,
    date: run.date,
  };
  switch (run.name) {
    case 'phpcs':
      return phpcsReportText(header, phpcsSummary(report), input.placement ?? { unmatched: [], problems: 0, problemFiles: 0, notPlacedReason: 'The findings were not placed on workspace files.' });
    case 'varnish':
      return varnishReportText(header, varnishCombinations(report));
    case 'marketing':
    case 'manual_qa':
      return reviewReportText(header, reviewDecision(report));
    case 'phpcpd':
      return phpcpdReportText(header);
    default:
      return unknownToolReportText(header, report, rawReports(input.raw) ?? report.reports);
  }
}

/** The `reports` of the answer as sent, or undefined when there is no such text (or it is not a JSON object). */
function rawReports(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).reports : undefined;
  } catch {
    return undefined;
  }
}
