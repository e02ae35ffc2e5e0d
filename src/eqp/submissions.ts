/**
 * Package submissions and their test reports, as the EQP API answers them (packages.md, test-results.md,
 * filtering.md), reduced to what EQP Keys reads. Real answers carry more fields and other shapes than the docs:
 * unknown fields are ignored, unknown statuses and tool names pass through as text, and a field of an unexpected
 * shape is left out rather than failing the whole answer. No `vscode` import.
 *
 * The parsers here take already-parsed JSON; the client (client.ts) owns the HTTP, the errors and the raw bytes.
 */

/** `eqp_status`: each part as the server wrote it (lower case), undefined when absent or not text. */
export interface SubmissionStatus {
  overall?: string;
  technical?: string;
  marketing?: string;
}

/** One package submission (one version of one product). */
export interface Submission {
  submissionId: string;
  /** Absent on a draft whose package was not scanned yet (SKU and version come from the zip's composer.json). */
  sku?: string;
  name?: string;
  version?: string;
  /** `extension`, `theme`, `shared_package`, or whatever else the server says. */
  type?: string;
  platform?: string;
  status: SubmissionStatus;
  /**
   * `actions_now_available`: the docs say a comma-separated string, real answers an object of arrays
   * (`{"technical": ["submit"], "overall": ["cancel"]}`). Normalised to scope → actions; a plain string or list
   * goes under the scope `any`.
   */
  actionsNowAvailable: Record<string, string[]>;
  /** Epoch ms (the API's `YYYY-MM-DD HH:MM:SS` is UTC); undefined when absent or unreadable. */
  createdAt?: number;
  modifiedAt?: number;
  latestLaunchDate?: number;
  itemId?: string;
  releaseNotes?: string;
}

/** One page of `GET /rest/v1/products/packages`. */
export interface SubmissionPage {
  items: Submission[];
  /** `X-Total-Count`; undefined when absent or not a number. */
  total?: number;
  /** Entries that were not submissions (not an object, no `submission_id`): left out, counted here. */
  skipped: number;
  offset: number;
  limit: number;
}

export interface ListSubmissionsOptions {
  /** Default 0. */
  offset?: number;
  /** Default 20; -1: all. */
  limit?: number;
  /** filtering.md `sort`, e.g. `-modified_at`; default `-created_at` (newest first). */
  sort?: string;
  /** Filterable fields as query parameters (e.g. `{ sku: 'acme/module-example' }`). */
  filters?: Record<string, string>;
}

/** `pass`, `fail`, `error`, `needs_review`, or whatever else the server says (lower-cased). */
export type ToolRunStatus = string;

/** One entry of `GET …/:submission_id/status`. */
export interface ToolRun {
  toolRunId: string;
  /** `phpcs`, `phpcpd`, `varnish`, `marketing`, `manual_qa`, or another name as it came. */
  name: string;
  status: ToolRunStatus;
  /** Epoch ms. */
  date?: number;
}

/** One entry of a report's `reports` (an object for marketing/manual_qa, a list for the others: always a list here). */
export interface ToolReportEntry {
  tool?: string;
  vendor?: string;
  extension?: string;
  version?: string;
  /** Lower-cased (`pass`, `fail`…); the API writes `PASS`/`FAIL` here. */
  status?: string;
  date?: number;
  phpVersion?: string;
  magentoPlatform?: string;
  magentoEdition?: string;
  magentoVersion?: string;
  /** Per tool: phpcs `{totals, files}`, varnish `[{command, output}]`, marketing/manual_qa `{reasons, message, attachment}`. */
  details: unknown;
}

/** `GET …/:submission_id/status/:tool_name/:tool_run_id`. */
export interface ToolReport {
  tool: string;
  /** Lower-cased. */
  status: string;
  reports: ToolReportEntry[];
}

/** A report with the exact bytes the server sent (for "Open as JSON": what the portal would download). */
export interface ToolReportAnswer {
  report: ToolReport;
  raw: string;
}

// ---- per tool -------------------------------------------------------------------------------------------------

/** One code sniffer message, flattened with its file and PHP version. */
export interface PhpcsFinding {
  /** The path as the reviewer's machine saw it, e.g. `/eqp-automation/temp/acme/x/acme-x-1.0.1/Model/A.php`. */
  file: string;
  phpVersion?: string;
  message: string;
  /** The sniff, e.g. `Magento2.Security.XssTemplate.FoundUnescaped`. */
  source?: string;
  /** `ERROR` or `WARNING` (upper-cased), or as it came. */
  type: string;
  severity?: number;
  /** 1-based; undefined when absent. */
  line?: number;
  column?: number;
  fixable?: boolean;
}

export interface PhpcsSummary {
  findings: PhpcsFinding[];
  /** Per PHP version (one report each), the `totals` as given. */
  totals: { phpVersion?: string; status?: string; errors?: number; warnings?: number; fixable?: number }[];
}

/** One Magento version × edition × PHP version the install (varnish) test ran on. */
export interface VarnishCombination {
  magentoPlatform?: string;
  magentoEdition?: string;
  magentoVersion?: string;
  phpVersion?: string;
  status?: string;
  /** In order; the last one is the command that failed (when the combination failed). */
  steps: { command: string; output: string }[];
}

/** Marketing and manual QA reports share this shape. */
export interface ReviewDecision {
  status?: string;
  reasons: string[];
  message?: string;
  /** An https URL, or undefined when absent or not a web URL. */
  attachment?: string;
}

// ---- parsers --------------------------------------------------------------------------------------------------
// Tolerant and pure: an entry of the wrong shape is skipped, a field of the wrong type left out. Strings stay as they
// came (trimmed at most): renderers escape them for Markdown. Every loop is linear in the size of the answer.

type Fields = Record<string, unknown>;

function asObject(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** A string as it came, or undefined when not a string. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty string (trimmed), or undefined. */
function word(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** An identifier or version: a non-empty string, or a finite number as text (`5` → `"5"`, `8.3` → `"8.3"`). */
function idText(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : undefined;
  }
  return word(value);
}

function lower(value: unknown): string | undefined {
  return word(value)?.toLowerCase();
}

/** A finite number, or a string that is one (`"12"`, `" 3 "`); undefined otherwise. */
function num(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) {
    return Number(value);
  }
  return undefined;
}

/** A 1-based position (line, column): a whole number >= 1, or a string that is one. */
function position(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Control characters make an id unusable: it goes into URL paths and messages. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

const EQP_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The API's `YYYY-MM-DD HH:MM:SS` (UTC), also ISO 8601 (`2020-01-07T18:52:25Z`, with an offset, or without a zone:
 * then UTC too), as epoch ms. Undefined when not text or not a real date (`0000-00-00 00:00:00`, `2020-02-30`).
 */
export function parseEqpDate(value: unknown): number | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const m = EQP_DATE.exec(value.trim());
  if (!m) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const fraction = m[7] !== undefined ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined; // 2020-02-30 rolled over into March
  }
  const zone = m[8];
  if (zone === undefined || zone.toUpperCase() === 'Z') {
    return utc;
  }
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!z) {
    return undefined;
  }
  const offsetMinutes = Number(z[2]) * 60 + Number(z[3] ?? 0);
  if (offsetMinutes > 18 * 60) {
    return undefined;
  }
  return utc - (z[1] === '-' ? -1 : 1) * offsetMinutes * 60_000;
}

/** Actions from a string (`"submit, cancel"`) or a list (of strings, each maybe a comma list), de-duplicated. */
function actionList(value: unknown): string[] | undefined {
  if (typeof value !== 'string' && !Array.isArray(value)) {
    return undefined;
  }
  const parts: unknown[] = typeof value === 'string' ? [value] : (value as unknown[]);
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      continue;
    }
    for (const piece of part.split(',')) {
      const action = piece.trim();
      if (action !== '' && !out.includes(action)) {
        out.push(action);
      }
    }
  }
  return out;
}

/**
 * `actions_now_available` as scope → actions: an object of lists (real answers) or of comma strings as given per
 * scope; a comma string (the docs) or a list under `any`. Scopes with no action are left out.
 */
function parseActions(value: unknown): Record<string, string[]> {
  const entries: [string, string[]][] = [];
  const scoped = asObject(value);
  if (scoped) {
    for (const [scope, raw] of Object.entries(scoped)) {
      const actions = actionList(raw);
      if (actions !== undefined && actions.length > 0 && scope.trim() !== '') {
        entries.push([scope.trim(), actions]);
      }
    }
  } else {
    const actions = actionList(value);
    if (actions !== undefined && actions.length > 0) {
      entries.push(['any', actions]);
    }
  }
  // fromEntries defines own properties: a scope named "__proto__" stays data.
  return Object.fromEntries(entries);
}

/** The usable `submission_id` of an object: a non-empty string without control characters, or a number as text. */
function submissionIdOf(fields: Fields): string | undefined {
  const id = idText(fields.submission_id);
  return id !== undefined && !CONTROL.test(id) ? id : undefined;
}

/** One package object; undefined when `raw` is not an object or has no usable `submission_id`. */
export function parseSubmission(raw: unknown): Submission | undefined {
  const fields = asObject(raw);
  if (!fields) {
    return undefined;
  }
  const submissionId = submissionIdOf(fields);
  if (submissionId === undefined) {
    return undefined;
  }
  const eqp = asObject(fields.eqp_status);
  const status: SubmissionStatus = {};
  for (const part of ['overall', 'technical', 'marketing'] as const) {
    const value = lower(eqp?.[part]);
    if (value !== undefined) {
      status[part] = value;
    }
  }
  const submission: Submission = { submissionId, status, actionsNowAvailable: parseActions(fields.actions_now_available) };
  const optional: [keyof Submission, string | number | undefined][] = [
    ['sku', word(fields.sku)],
    ['name', word(fields.name)],
    ['version', idText(fields.version)],
    ['type', word(fields.type)],
    ['platform', word(fields.platform)],
    ['createdAt', parseEqpDate(fields.created_at)],
    ['modifiedAt', parseEqpDate(fields.modified_at)],
    ['latestLaunchDate', parseEqpDate(fields.latest_launch_date)],
    ['itemId', idText(fields.item_id)],
    ['releaseNotes', text(fields.release_notes)],
  ];
  for (const [key, value] of optional) {
    if (value !== undefined) {
      (submission as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return submission;
}

/**
 * `GET …/:submission_id/status`: the runs in the order given. Entries that are not objects, or lack a `name` or a
 * `tool_run_id` (string or number), are skipped. `status` lower-cased, empty when absent.
 */
export function parseToolRuns(raw: unknown): ToolRun[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  const runs: ToolRun[] = [];
  for (const item of raw as unknown[]) {
    const fields = asObject(item);
    const name = word(fields?.name);
    const toolRunId = idText(fields?.tool_run_id);
    if (!fields || name === undefined || toolRunId === undefined || CONTROL.test(toolRunId)) {
      continue;
    }
    const run: ToolRun = { toolRunId, name, status: lower(fields.status) ?? '' };
    const date = parseEqpDate(fields.date);
    if (date !== undefined) {
      run.date = date;
    }
    runs.push(run);
  }
  return runs;
}

function parseReportEntry(fields: Fields): ToolReportEntry {
  const entry: ToolReportEntry = { details: fields.details };
  const optional: [keyof ToolReportEntry, string | number | undefined][] = [
    ['tool', word(fields.tool)],
    ['vendor', word(fields.vendor)],
    ['extension', word(fields.extension)],
    ['version', idText(fields.version)],
    ['status', lower(fields.status)],
    ['date', parseEqpDate(fields.date)],
    ['phpVersion', idText(fields.php_version)],
    ['magentoPlatform', word(fields.magento_platform)],
    ['magentoEdition', word(fields.magento_edition)],
    ['magentoVersion', idText(fields.magento_version)],
  ];
  for (const [key, value] of optional) {
    if (value !== undefined) {
      (entry as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return entry;
}

/**
 * `GET …/status/:tool/:run_id`: `reports` as a list (one object, as marketing and manual_qa send, becomes a list of
 * one; entries that are not objects are skipped). Tool names pass through; statuses lower-cased, empty when absent.
 */
export function parseToolReport(raw: unknown): ToolReport {
  const fields = asObject(raw) ?? {};
  const reports: ToolReportEntry[] = [];
  const single = asObject(fields.reports);
  if (single) {
    reports.push(parseReportEntry(single));
  } else if (Array.isArray(fields.reports)) {
    for (const item of fields.reports as unknown[]) {
      const entry = asObject(item);
      if (entry) {
        reports.push(parseReportEntry(entry));
      }
    }
  }
  return { tool: word(fields.tool) ?? '', status: lower(fields.status) ?? '', reports };
}

// ---- per tool -------------------------------------------------------------------------------------------------

function pushMessages(findings: PhpcsFinding[], file: string, phpVersion: string | undefined, messages: unknown): void {
  if (!Array.isArray(messages)) {
    return;
  }
  for (const item of messages as unknown[]) {
    const m = asObject(item);
    if (!m) {
      continue;
    }
    const finding: PhpcsFinding = { file, message: text(m.message) ?? '', type: word(m.type)?.toUpperCase() ?? 'ERROR' };
    if (phpVersion !== undefined) {
      finding.phpVersion = phpVersion;
    }
    const source = word(m.source);
    if (source !== undefined) {
      finding.source = source;
    }
    const severity = num(m.severity);
    if (severity !== undefined) {
      finding.severity = severity;
    }
    const line = position(m.line);
    if (line !== undefined) {
      finding.line = line;
    }
    const column = position(m.column);
    if (column !== undefined) {
      finding.column = column;
    }
    if (typeof m.fixable === 'boolean') {
      finding.fixable = m.fixable;
    }
    findings.push(finding);
  }
}

/**
 * Every code sniffer message of every PHP version's report, flattened with its file, in the order given. `files` may
 * be an object keyed by path (the API) or a list of `{filename|path|file, messages}`; line and column may be numbers
 * or numeric strings; `type` is upper-cased, `ERROR` when absent.
 */
export function phpcsSummary(report: ToolReport): PhpcsSummary {
  const findings: PhpcsFinding[] = [];
  const totals: PhpcsSummary['totals'] = [];
  for (const entry of report.reports) {
    const details = asObject(entry.details);
    const given = asObject(details?.totals);
    const total: PhpcsSummary['totals'][number] = {};
    const parts: [keyof PhpcsSummary['totals'][number], string | number | undefined][] = [
      ['phpVersion', entry.phpVersion],
      ['status', entry.status],
      ['errors', num(given?.errors)],
      ['warnings', num(given?.warnings)],
      ['fixable', num(given?.fixable)],
    ];
    for (const [key, value] of parts) {
      if (value !== undefined) {
        (total as Record<string, unknown>)[key] = value;
      }
    }
    totals.push(total);
    const files = details?.files;
    if (Array.isArray(files)) {
      for (const item of files as unknown[]) {
        const f = asObject(item);
        if (f) {
          pushMessages(findings, word(f.filename) ?? word(f.path) ?? word(f.file) ?? '', entry.phpVersion, f.messages);
        }
      }
    } else {
      const byPath = asObject(files);
      if (byPath) {
        for (const [path, value] of Object.entries(byPath)) {
          pushMessages(findings, path, entry.phpVersion, asObject(value)?.messages);
        }
      }
    }
  }
  return { findings, totals };
}

/** A step's text: a string as it came, a list of lines joined, anything else empty. */
function stepText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return (value as unknown[]).filter((line): line is string => typeof line === 'string').join('\n');
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** One combination per varnish report entry, its `{command, output}` steps in order (non-objects skipped). */
export function varnishCombinations(report: ToolReport): VarnishCombination[] {
  return report.reports.map((entry) => {
    const combination: VarnishCombination = { steps: [] };
    const parts: [keyof VarnishCombination, string | undefined][] = [
      ['magentoPlatform', entry.magentoPlatform],
      ['magentoEdition', entry.magentoEdition],
      ['magentoVersion', entry.magentoVersion],
      ['phpVersion', entry.phpVersion],
      ['status', entry.status],
    ];
    for (const [key, value] of parts) {
      if (value !== undefined) {
        (combination as unknown as Record<string, unknown>)[key] = value;
      }
    }
    if (Array.isArray(entry.details)) {
      for (const item of entry.details as unknown[]) {
        const step = asObject(item);
        if (step) {
          combination.steps.push({ command: stepText(step.command), output: stepText(step.output) });
        }
      }
    }
    return combination;
  });
}

/** An https URL as it came (trimmed), or undefined: anything else (http:, javascript:, command:, junk) is dropped. */
function httpsUrl(value: unknown): string | undefined {
  const candidate = word(value);
  if (candidate === undefined) {
    return undefined;
  }
  try {
    return new URL(candidate).protocol === 'https:' ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The decision of a marketing or manual QA report: its first entry with object `details` (the docs promise one
 * entry). `reasons` may be a list (non-strings skipped) or one string; `attachment` only when an https URL.
 */
export function reviewDecision(report: ToolReport): ReviewDecision {
  const entry = report.reports.find((e) => asObject(e.details) !== undefined) ?? report.reports[0];
  const details = asObject(entry?.details);
  const decision: ReviewDecision = { reasons: [] };
  const status = entry?.status ?? (report.status !== '' ? report.status : undefined);
  if (status !== undefined) {
    decision.status = status;
  }
  const reasons = details?.reasons;
  if (typeof reasons === 'string') {
    if (reasons.trim() !== '') {
      decision.reasons.push(reasons);
    }
  } else if (Array.isArray(reasons)) {
    for (const reason of reasons as unknown[]) {
      if (typeof reason === 'string' && reason.trim() !== '') {
        decision.reasons.push(reason);
      }
    }
  }
  const message = text(details?.message);
  if (message !== undefined && message.trim() !== '') {
    decision.message = message;
  }
  const attachment = httpsUrl(details?.attachment);
  if (attachment !== undefined) {
    decision.attachment = attachment;
  }
  return decision;
}
