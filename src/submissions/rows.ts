/**
 * What the Submissions view's rows and pickers say, from the presentation rules (presentation.ts). No `vscode`
 * import: the tree turns these into TreeItems.
 */
import type { Submission, ToolRun } from '../eqp/submissions';
import { actionsLine, isInReview, statusLabel, statusPhrase, submissionIcon, toolLabel, toolRunStatusView } from './presentation';

/** Tool names short enough for a row of a 300 px side bar (the tooltip has the full name). */
const SHORT_TOOL_LABELS: Record<string, string> = {
  phpcs: 'Code sniffer',
  phpcpd: 'Copy-paste detector',
  varnish: 'Install and Varnish',
  marketing: 'Marketing review',
  manual_qa: 'Manual QA',
};

/** Submissions of one product share this key: the SKU, else (a draft before its scan) the name. */
export function productKey(s: Submission): string {
  return s.sku !== undefined ? `sku:${s.sku}` : s.name !== undefined ? `name:${s.name}` : 'unnamed';
}

/** The product's row: its name (else the SKU), and the SKU. */
export function productTitle(s: Submission): { label: string; sku?: string } {
  const name = s.name?.trim();
  return { label: name || s.sku || '(no name yet)', sku: s.sku };
}

export interface SubmissionPresentation {
  icon: string;
  color?: string;
  /** After the version on the row: the one status that matters most now. */
  description: string;
  /** Overall, technical and marketing, for the tooltip. */
  statusLines: string[];
  /** What the seller can do now (from `actions_now_available`). */
  canDoNow: string;
  inReview: boolean;
}

export function submissionPresentation(s: Submission): SubmissionPresentation {
  const icon = submissionIcon(s);
  const lines = [
    `Overall: ${statusLabel('overall', s.status.overall)}`,
    `Technical review: ${statusLabel('technical', s.status.technical)}`,
    `Marketing review: ${statusLabel('marketing', s.status.marketing)}`,
  ];
  return {
    icon: icon.id,
    color: icon.color,
    description: statusPhrase(s),
    statusLines: lines,
    canDoNow: actionsLine(s) ?? 'No action is open to you on it now.',
    inReview: isInReview(s),
  };
}

export interface ToolRunPresentation {
  /** Short, for the row. */
  label: string;
  /** What the tool is, in full, e.g. "Code sniffer (phpcs)". */
  fullLabel: string;
  /** passed, failed, could not run, needs review, or the status as it came. */
  status: string;
  icon: string;
  color?: string;
  /** What opening it does, for the tooltip and screen readers. */
  opens: string;
}

export function toolRunPresentation(r: ToolRun): ToolRunPresentation {
  const view = toolRunStatusView(r.status);
  const opens =
    r.name === 'phpcs' ? 'Open its report; its findings go to the Problems panel.'
      : r.name === 'phpcpd' ? 'Open its summary (the API gives no detailed report).'
        : 'Open its report.';
  return { label: SHORT_TOOL_LABELS[r.name] ?? toolLabel(r.name), fullLabel: toolLabel(r.name), status: view.label, icon: view.icon, color: view.color, opens };
}

/** A date as the tooltips show it: local, to the minute. */
export function formatEqpDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
