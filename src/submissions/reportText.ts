/**
 * Read-only report documents for the Submissions view, as Markdown text (no `vscode` import). Every string from
 * the server (names, messages, paths, command output) is escaped (`escapeMarkdown`, `markdownCode`) or put in a
 * fenced code block whose fence is longer than any backtick run inside, so it shows as written: no link, image,
 * HTML, heading or `command:` URI of its own. The one link the server may give is a review's attachment, and only
 * when it is an https URL.
 *
 * The caller extracts the per-tool data (`phpcsSummary`, `varnishCombinations`, `reviewDecision` in
 * src/eqp/submissions.ts) and picks the renderer by tool name.
 */
import type { PhpcsFinding, PhpcsSummary, ReviewDecision, ToolReport, VarnishCombination } from '../eqp/submissions';
import { escapeMarkdown as escapeForTooltip, markdownCode } from '../util/markdown';
import { compareVersions } from './diagnosticsPlan';
import { toolLabel, toolRunStatusView } from './presentation';

/** What every report starts with. */
export interface ReportHeader {
  /** The tool name as the server gave it (`phpcs`, `varnish`…). */
  tool: string;
  /** The run's status (`pass`, `fail`…). */
  status?: string;
  productName?: string;
  sku?: string;
  version?: string;
  submissionId: string;
  /** `Production`, `Sandbox`. */
  environmentLabel: string;
  toolRunId: string;
  /** Epoch ms of the run. */
  date?: number;
}

/**
 * `escapeMarkdown` for a Markdown document: the same escapes, without the extra backslash it puts before a theme
 * icon (`$(zap)`). That backslash is for MarkdownStrings that render icons after the Markdown; a Markdown document
 * renders no icons, so it would show as a stray `\`.
 */
export function escapeMarkdown(text: string): string {
  return escapeForTooltip(text).replace(/\\\\(\\\$\\\([A-Za-z0-9-]+(?:\\~[A-Za-z0-9-]*)?\\\))/g, '$1');
}

/** Longest output kept per command (the end of it: where a failure says why). */
const MAX_OUTPUT_CHARS = 100_000;
const MAX_OUTPUT_LINES = 1_000;
/** Not-found findings listed one by one, at most. */
const MAX_LISTED = 2_000;
/** Pretty JSON of an unknown tool, at most. */
const MAX_JSON_CHARS = 1_000_000;

/** `2026-05-01 12:00 UTC`. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * `text` in a fenced code block that nothing in it can close: the fence is one backtick longer than the longest
 * run of backticks inside (at least three). Line endings become `\n`, NUL becomes U+FFFD.
 */
export function fencedBlock(text: string, info = 'text'): string {
  const body = text.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD').replace(/\n$/, '');
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Multi-line text as escaped paragraphs: each line escaped, a line break kept as a hard break, blank lines as paragraph breaks. */
export function escapeParagraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((para) =>
      para
        .split('\n')
        .map((line) => escapeMarkdown(line).trim())
        .filter((line) => line !== '')
        .join('  \n'),
    )
    .filter((p) => p !== '')
    .join('\n\n');
}

function num(n: number | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : '–';
}

function statusWords(status: string | undefined): string {
  return escapeMarkdown(toolRunStatusView(status).label);
}

/** `# …` and the list every report starts with. */
export function reportHeader(h: ReportHeader): string {
  const title = [h.productName ?? h.sku, h.version].filter((v): v is string => !!v).join(' ');
  const lines = [`# ${escapeMarkdown(toolLabel(h.tool))}${title ? `: ${escapeMarkdown(title)}` : ''}`, ''];
  if (h.productName) lines.push(`- Product: ${escapeMarkdown(h.productName)}`);
  if (h.sku) lines.push(`- SKU: ${markdownCode(h.sku)}`);
  if (h.version) lines.push(`- Version: ${markdownCode(h.version)}`);
  lines.push(`- Submission: ${markdownCode(h.submissionId)}`);
  lines.push(`- Environment: ${escapeMarkdown(h.environmentLabel)}`);
  lines.push(`- Tool run: ${markdownCode(h.toolRunId)}${h.date !== undefined && Number.isFinite(h.date) ? `, ${formatUtc(h.date)}` : ''}`);
  lines.push(`- Result: ${statusWords(h.status)}`);
  return lines.join('\n');
}

/** What happened to the findings in the workspace (the caller mapped them). */
export interface PhpcsPlacement {
  /** Findings whose file the workspace lacks (or every finding when no folder holds the package). */
  unmatched: readonly PhpcsFinding[];
  /** Problems put in the Problems panel (after merging repeats across PHP versions), and in how many files. */
  problems: number;
  problemFiles: number;
  /** `linesMayHaveMoved`'s sentence, when it has one. */
  linesMayHaveMoved?: string;
  /** Why nothing could be placed, e.g. "No workspace folder has a composer.json named acme/module-example." */
  notPlacedReason?: string;
}

interface Grouped {
  finding: PhpcsFinding;
  versions: string[];
}

/** Unmatched findings per reviewer path, repeats across PHP versions merged; linear. */
function groupByPath(findings: readonly PhpcsFinding[]): Map<string, Grouped[]> {
  const byPath = new Map<string, Grouped[]>();
  const seen = new Map<string, Grouped>();
  for (const f of findings) {
    const key = JSON.stringify([f.file, f.line ?? null, f.column ?? null, f.source ?? '', f.message]);
    const g = seen.get(key);
    if (g) {
      if (f.phpVersion !== undefined && !g.versions.includes(f.phpVersion)) g.versions.push(f.phpVersion);
      continue;
    }
    const created: Grouped = { finding: f, versions: f.phpVersion !== undefined ? [f.phpVersion] : [] };
    seen.set(key, created);
    let list = byPath.get(f.file);
    if (!list) byPath.set(f.file, (list = []));
    list.push(created);
  }
  return byPath;
}

function findingLine(g: Grouped): string {
  const f = g.finding;
  const where = f.line !== undefined ? `Line ${num(f.line)}${f.column !== undefined ? `, column ${num(f.column)}` : ''}` : 'No line given';
  const type = escapeMarkdown(f.type.toLowerCase() || 'finding');
  const sniff = f.source ? ` · ${markdownCode(f.source)}` : '';
  const php = g.versions.length > 0 ? ` (PHP ${escapeMarkdown(g.versions.sort(compareVersions).join(', '))})` : '';
  return `- ${where} · ${type}${sniff}: ${escapeMarkdown(f.message)}${php}`;
}

/** The code sniffer report: per PHP version, totals, what went to the Problems panel, and what the workspace lacks. */
export function phpcsReportText(header: ReportHeader, summary: PhpcsSummary, placement: PhpcsPlacement): string {
  const out = [reportHeader(header), '', '## Summary', ''];
  if (summary.totals.length === 0) out.push('The report lists no PHP versions.');
  else {
    out.push('| PHP | Result | Errors | Warnings | Fixable |', '|---|---|---:|---:|---:|');
    for (const t of summary.totals) {
      out.push(`| ${t.phpVersion ? escapeMarkdown(t.phpVersion) : '–'} | ${statusWords(t.status)} | ${num(t.errors)} | ${num(t.warnings)} | ${num(t.fixable)} |`);
    }
  }
  let errors = 0;
  let warnings = 0;
  for (const f of summary.findings) {
    if (f.type === 'ERROR') errors++;
    else if (f.type === 'WARNING') warnings++;
  }
  const n = summary.findings.length;
  const others = n - errors - warnings;
  out.push(
    '',
    n === 0
      ? 'No findings.'
      : `${n} ${n === 1 ? 'finding' : 'findings'} over all PHP versions: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}${others > 0 ? `, ${others} other` : ''}.`,
  );

  out.push('', '## In the Problems panel', '');
  if (placement.problems > 0) {
    out.push(
      `${placement.problems} ${placement.problems === 1 ? 'problem' : 'problems'} in ${placement.problemFiles} ${placement.problemFiles === 1 ? 'file' : 'files'} of the workspace (a finding repeated on several PHP versions is one problem).`,
    );
  } else out.push(n === 0 ? 'Nothing to show.' : 'None of the findings could be placed on a workspace file.');
  if (placement.notPlacedReason) out.push('', escapeMarkdown(placement.notPlacedReason));
  if (placement.linesMayHaveMoved) out.push('', `> ${escapeMarkdown(placement.linesMayHaveMoved)}`);

  if (placement.unmatched.length > 0) {
    const groups = groupByPath(placement.unmatched);
    let distinct = 0;
    for (const list of groups.values()) distinct += list.length;
    out.push('', `## Not found in the workspace (${distinct})`, '', 'Paths as the reviewer\'s machine saw them.');
    let listed = 0;
    for (const [path, list] of groups) {
      if (listed >= MAX_LISTED) break;
      out.push('', `### ${escapeMarkdown(path) || 'No path given'}`, '');
      for (const g of list) {
        if (listed >= MAX_LISTED) break;
        out.push(findingLine(g));
        listed++;
      }
    }
    if (listed < distinct) out.push('', `${distinct - listed} more not listed here; "Open as JSON" shows the whole report.`);
  }
  return `${out.join('\n')}\n`;
}

/** The end of a long output, with a note of what was left out. */
function tail(output: string): { text: string; note?: string } {
  let text = output.replace(/\r\n?/g, '\n');
  let lines = text.split('\n');
  let cut = 0;
  if (lines.length > MAX_OUTPUT_LINES) {
    cut = lines.length - MAX_OUTPUT_LINES;
    lines = lines.slice(cut);
    text = lines.join('\n');
  }
  if (text.length > MAX_OUTPUT_CHARS) {
    const kept = text.slice(text.length - MAX_OUTPUT_CHARS);
    cut += text.split('\n').length - kept.split('\n').length;
    text = kept;
  }
  return cut > 0 ? { text, note: `The first ${cut} ${cut === 1 ? 'line is' : 'lines are'} left out; "Open as JSON" shows all of it.` } : { text };
}

function combinationTitle(c: VarnishCombination): string {
  const magento = [c.magentoPlatform === 'M2' ? undefined : c.magentoPlatform, c.magentoVersion, c.magentoEdition].filter((v): v is string => !!v).join(' ');
  const parts = [`Magento ${magento || 'version not given'}`, c.phpVersion ? `PHP ${c.phpVersion}` : undefined].filter((v): v is string => !!v);
  return escapeMarkdown(parts.join(' · '));
}

/** The installation (varnish) test: each combination, and for a failing one the command that failed and its output. */
export function varnishReportText(header: ReportHeader, combinations: readonly VarnishCombination[]): string {
  const out = [reportHeader(header)];
  if (combinations.length === 0) out.push('', 'The report lists no Magento versions.');
  else {
    out.push('', '## Combinations', '', '| Magento | Edition | PHP | Result |', '|---|---|---|---|');
    for (const c of combinations) {
      out.push(`| ${escapeMarkdown(c.magentoVersion ?? '–')} | ${escapeMarkdown(c.magentoEdition ?? '–')} | ${escapeMarkdown(c.phpVersion ?? '–')} | ${statusWords(c.status)} |`);
    }
  }
  for (const c of combinations) {
    if (c.status === 'pass' || c.status === 'passed') continue;
    out.push('', `## ${combinationTitle(c)}: ${statusWords(c.status)}`, '');
    const last = c.steps[c.steps.length - 1];
    if (!last) {
      out.push('No command was reported.');
      continue;
    }
    out.push(c.status === undefined ? 'Last command:' : 'Failing command:', '', fencedBlock(last.command, 'sh'), '', 'Output:', '');
    const t = tail(last.output);
    if (t.note) out.push(escapeMarkdown(t.note), '');
    out.push(t.text.trim() === '' ? '(no output)' : fencedBlock(t.text));
    if (c.steps.length > 1) out.push('', `${c.steps.length - 1} earlier ${c.steps.length === 2 ? 'command' : 'commands'} ran first.`);
  }
  return `${out.join('\n')}\n`;
}

/** An https URL as a link destination nothing can break out of; undefined for anything else. */
export function httpsLinkTarget(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' || !parsed.hostname) return undefined;
  return parsed.href.replace(/[\\<>() `"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Marketing review and manual QA: the decision, the reasons, the message and the attachment. */
export function reviewReportText(header: ReportHeader, decision: ReviewDecision): string {
  const out = [reportHeader(header)];
  if (decision.status !== undefined && decision.status !== header.status) out.push('', `Decision: ${statusWords(decision.status)}`);
  out.push('', '## Reasons', '');
  const reasons = decision.reasons.map((r) => escapeMarkdown(r).trim()).filter((r) => r !== '');
  if (reasons.length === 0) out.push('None given.');
  else for (const r of reasons) out.push(`- ${r}`);
  out.push('', '## Message', '', (decision.message && escapeParagraphs(decision.message)) || 'None given.');
  const target = httpsLinkTarget(decision.attachment);
  if (target) {
    out.push('', '## Attachment', '', `[Open the attachment on ${escapeMarkdown(new URL(target).hostname)}](<${target}>)`);
  } else if (decision.attachment) {
    out.push('', '## Attachment', '', 'The attachment is not an https link, so it is not shown.');
  }
  return `${out.join('\n')}\n`;
}

/** The copy-paste detector: the API gives the summary only. */
export function phpcpdReportText(header: ReportHeader): string {
  return `${reportHeader(header)}\n\nThe API gives only the summary for the copy-paste detector: the result above. It lists no duplicated code.\n`;
}

/**
 * A tool EQP Keys does not know: its status, and what it reported as JSON. `reports` is the answer's `reports` as
 * the server sent it (the parsed entries keep only the fields of the known tools); default the parsed entries.
 */
export function unknownToolReportText(header: ReportHeader, report: ToolReport, reports: unknown = report.reports): string {
  let json: string;
  try {
    json = JSON.stringify(reports, null, 2) ?? 'null';
  } catch {
    json = '(the details could not be shown as JSON)';
  }
  const cut = json.length > MAX_JSON_CHARS;
  if (cut) json = json.slice(0, MAX_JSON_CHARS);
  const out = [reportHeader({ ...header, status: header.status ?? report.status }), '', '## Details', ''];
  if (cut) out.push('Only the beginning is shown; "Open as JSON" shows all of it.', '');
  out.push(fencedBlock(json, 'json'));
  return `${out.join('\n')}\n`;
}
