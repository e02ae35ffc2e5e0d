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
