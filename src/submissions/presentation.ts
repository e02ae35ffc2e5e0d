/**
 * What the Submissions view says about a submission, as pure functions (no `vscode` import): its icon, the short
 * row description for a 300 px side bar, what the seller can do now, whether it is still in review (and so worth
 * polling), labels for every documented `eqp_status` value, tool run labels, and the sentence a notification
 * says when a status changes. Everything returned is plain text: escape it for Markdown (`escapeMarkdown`) and
 * notifications (`unlinkText`) where it is shown; values the server sends that are not documented are shown as
 * they came, underscores as spaces.
 */
import type { Submission, SubmissionStatus } from '../eqp/submissions';

export type StatusPart = 'overall' | 'technical' | 'marketing';

/** Every `eqp_status` value packages.md documents, per part. */
export const STATUS_LABELS: Record<StatusPart, Record<string, string>> = {
  overall: {
    draft: 'draft',
    in_progress: 'in progress',
    approved: 'approved',
    released_to_store: 'released to the store',
    developer_removed_from_store: 'removed from the store by you',
    admin_removed_from_store: 'removed from the store by Adobe',
    canceled_by_developer: 'canceled by you',
    canceled_by_admin: 'canceled by Adobe',
  },
  technical: {
    draft: 'draft',
    in_automation: 'in automation',
    awaiting_manual_qa: 'awaiting manual QA',
    in_manual_qa: 'in manual QA',
    approved: 'approved',
    recalled: 'recalled',
    rejected: 'rejected',
  },
  marketing: {
    draft: 'draft',
    awaiting_marketing_review: 'awaiting marketing review',
    in_marketing_review: 'in marketing review',
    approved: 'approved',
    approved_with_modifications_pending: 'approved, modifications pending',
    recalled: 'recalled',
    rejected: 'rejected',
  },
};

/** After "marketing review is now …", the word "marketing" once is enough. */
const IN_SENTENCE: Partial<Record<StatusPart, Record<string, string>>> = {
  marketing: { awaiting_marketing_review: 'awaiting review', in_marketing_review: 'in review' },
};

const FINAL_OVERALL = new Set(['approved', 'released_to_store', 'developer_removed_from_store', 'admin_removed_from_store', 'canceled_by_developer', 'canceled_by_admin']);
const TECHNICAL_IN_REVIEW = new Set(['in_automation', 'awaiting_manual_qa', 'in_manual_qa']);
const MARKETING_IN_REVIEW = new Set(['awaiting_marketing_review', 'in_marketing_review']);

/** Control characters out, runs of blanks as one space; cut to `max` characters. */
function oneLine(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const t = value.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A status, action or tool name the docs do not list: as it came, underscores as spaces, on one line. */
function asShown(value: string, max = 60): string {
  return oneLine(value.replace(/_/g, ' '), max);
}

/** The label of one status value: the documented one, else the value as it came (underscores as spaces). */
export function statusLabel(part: StatusPart, value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'unknown';
  return STATUS_LABELS[part][value] ?? (asShown(value) || 'unknown');
}

function sentenceLabel(part: StatusPart, value: string | undefined): string {
  return (value !== undefined && IN_SENTENCE[part]?.[value]) || statusLabel(part, value);
}

/** Still in review (worth polling): technical or marketing in a review stage, and overall not final. */
export function isInReview(s: { status: SubmissionStatus }): boolean {
  const { overall, technical, marketing } = s.status;
  if (overall !== undefined && FINAL_OVERALL.has(overall)) return false;
  return (technical !== undefined && TECHNICAL_IN_REVIEW.has(technical)) || (marketing !== undefined && MARKETING_IN_REVIEW.has(marketing));
}

export interface SubmissionIcon {
  /** A codicon id (`pass-filled`, `loading~spin`…). */
  id: string;
  /** A theme color id, when the state has one. */
  color?: string;
}

/**
 * The row's icon. Needs-you states come first: a rejection shows even while the other review goes on.
 */
export function submissionIcon(s: Submission): SubmissionIcon {
  const { overall, technical, marketing } = s.status;
  if (overall === 'released_to_store' || overall === 'approved') return { id: 'pass-filled', color: 'testing.iconPassed' };
  if (overall !== undefined && /^(canceled_by_|.*_removed_from_store$)/.test(overall)) return { id: 'circle-slash' };
  if (technical === 'rejected' || marketing === 'rejected') return { id: 'error', color: 'testing.iconFailed' };
  if (technical === 'in_automation') return { id: 'loading~spin' };
  if (isInReview(s)) return { id: 'eye' };
  if (technical === 'recalled' || marketing === 'recalled') return { id: 'discard' };
  if (overall === 'draft' || technical === 'draft' || marketing === 'draft') return { id: 'edit' };
  if (technical === 'approved' && (marketing === 'approved' || marketing === 'approved_with_modifications_pending')) return { id: 'check', color: 'testing.iconPassed' };
  return { id: 'question' };
}

/** Shorter words for a row, where the full label would not fit beside the name. */
const ROW_WORDS: Record<string, string> = {
  released_to_store: 'released',
  developer_removed_from_store: 'removed by you',
  admin_removed_from_store: 'removed by Adobe',
};

/** The status words of a row: the one thing that matters most now. */
export function statusPhrase(s: Submission): string {
  const { overall, technical, marketing } = s.status;
  if (overall !== undefined && FINAL_OVERALL.has(overall)) return ROW_WORDS[overall] ?? statusLabel('overall', overall);
  const rejected = [technical === 'rejected' ? 'technical' : undefined, marketing === 'rejected' ? 'marketing' : undefined].filter((p) => p !== undefined);
  if (rejected.length > 0) return `rejected (${rejected.join(', ')})`;
  if (technical !== undefined && TECHNICAL_IN_REVIEW.has(technical)) return statusLabel('technical', technical);
  if (marketing !== undefined && MARKETING_IN_REVIEW.has(marketing)) return statusLabel('marketing', marketing);
  const recalled = [technical === 'recalled' ? 'technical' : undefined, marketing === 'recalled' ? 'marketing' : undefined].filter((p) => p !== undefined);
  if (recalled.length > 0) return `recalled (${recalled.join(', ')})`;
  if (overall === 'draft' || (technical === 'draft' && marketing === 'draft')) return 'draft';
  if (technical === 'draft') return 'draft (technical)';
  if (marketing === 'draft') return 'draft (marketing)';
  if (technical === 'approved' && marketing === 'approved') return 'approved, launch pending';
  if (marketing === 'approved_with_modifications_pending') return 'approved, edits pending';
  if (overall !== undefined) return statusLabel('overall', overall);
  if (technical !== undefined) return `${statusLabel('technical', technical)} (technical)`;
  if (marketing !== undefined) return `${statusLabel('marketing', marketing)} (marketing)`;
  return 'unknown';
}

/** `1.0.1 · rejected (technical)`; without a version the status alone. */
export function submissionDescription(s: Submission): string {
  const phrase = statusPhrase(s);
  return s.version ? `${oneLine(s.version, 20)} · ${phrase}` : phrase;
}

/** Action words per scope (packages.md `action.technical`/`action.marketing`/`action.overall`). */
const ACTION_WORDS: Record<string, Record<string, string>> = {
  technical: { submit: 'submit technical review', recall: 'recall technical review', draft: 'save technical draft' },
  marketing: { submit: 'submit marketing review', recall: 'recall marketing review', draft: 'save marketing draft' },
  overall: { cancel: 'cancel', remove: 'remove from the store' },
};
const SCOPE_ORDER = ['technical', 'marketing', 'overall'];

/** The actions, as words, in the order technical, marketing, overall, then others; each once. */
export function availableActions(s: Pick<Submission, 'actionsNowAvailable'>): string[] {
  const scopes = Object.keys(s.actionsNowAvailable).sort((a, b) => {
    const ia = SCOPE_ORDER.indexOf(a);
    const ib = SCOPE_ORDER.indexOf(b);
    return (ia < 0 ? SCOPE_ORDER.length : ia) - (ib < 0 ? SCOPE_ORDER.length : ib);
  });
  const out: string[] = [];
  for (const scope of scopes) {
    for (const action of s.actionsNowAvailable[scope] ?? []) {
      const known = ACTION_WORDS[scope]?.[action] ?? (scope === 'any' ? ACTION_WORDS.overall?.[action] : undefined);
      const words = known ?? (scope === 'any' ? asShown(action, 40) : `${asShown(action, 40)} (${asShown(scope, 20)})`);
      if (words && !out.includes(words)) out.push(words);
    }
  }
  return out;
}

/** `You can: submit technical review, cancel`; undefined when the server offers nothing. */
export function actionsLine(s: Pick<Submission, 'actionsNowAvailable'>): string | undefined {
  const actions = availableActions(s);
  return actions.length > 0 ? `You can: ${actions.join(', ')}` : undefined;
}

export interface ToolRunView {
  /** A codicon id. */
  icon: string;
  color?: string;
  label: string;
}

/** pass / fail / error / needs_review, or the status as it came. */
export function toolRunStatusView(status: string | undefined): ToolRunView {
  switch (status?.toLowerCase()) {
    case 'pass':
    case 'passed':
      return { icon: 'pass', color: 'testing.iconPassed', label: 'passed' };
    case 'fail':
    case 'failed':
      return { icon: 'error', color: 'testing.iconFailed', label: 'failed' };
    case 'error':
      return { icon: 'warning', color: 'testing.iconErrored', label: 'could not run' };
    case 'needs_review':
      return { icon: 'eye', label: 'needs review' };
    default:
      return { icon: 'question', label: status && asShown(status) ? asShown(status) : 'unknown' };
  }
}

const TOOL_LABELS: Record<string, string> = {
  phpcs: 'Code sniffer (phpcs)',
  phpcpd: 'Copy-paste detector (phpcpd)',
  varnish: 'Installation and Varnish test',
  marketing: 'Marketing review',
  manual_qa: 'Manual QA',
};

/** A tool's name for people: the documented ones by what they do, others as they came. */
export function toolLabel(name: string): string {
  return TOOL_LABELS[name] ?? (asShown(name) || 'unknown tool');
}

/** `Example Module 1.0.2`, else the SKU, else the submission id. */
export function submissionTitle(s: Pick<Submission, 'name' | 'sku' | 'version' | 'submissionId'>): string {
  const who = oneLine(s.name ?? '', 80) || oneLine(s.sku ?? '', 80) || `submission ${oneLine(s.submissionId, 40)}`;
  return s.version ? `${who} ${oneLine(s.version, 20)}` : who;
}

/**
 * For a notification: `Example Module 1.0.2: technical review is now awaiting manual QA (was in automation).`
 * Technical and marketing changes are each said; an overall change alone (approved → released) is said too.
 * Undefined when nothing changed. Plain text: pass it through `unlinkText` for a notification.
 */
export function changeSentence(s: Pick<Submission, 'name' | 'sku' | 'version' | 'submissionId'>, before: SubmissionStatus, after: SubmissionStatus): string | undefined {
  const parts: string[] = [];
  for (const part of ['technical', 'marketing'] as const) {
    if (before[part] !== after[part] && after[part] !== undefined) {
      const was = before[part] === undefined ? '' : ` (was ${sentenceLabel(part, before[part])})`;
      parts.push(`${part} review is now ${sentenceLabel(part, after[part])}${was}`);
    }
  }
  if (parts.length === 0 && before.overall !== after.overall && after.overall !== undefined) {
    const was = before.overall === undefined ? '' : ` (was ${statusLabel('overall', before.overall)})`;
    return `${submissionTitle(s)} is now ${statusLabel('overall', after.overall)}${was}.`;
  }
  return parts.length > 0 ? `${submissionTitle(s)}: ${parts.join('; ')}.` : undefined;
}
