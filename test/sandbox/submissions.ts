// The package submissions part of the EQP sandbox server (server.ts): seeded submissions of both environments,
// their tool runs and test reports, and the review pipeline that moves on the sandbox clock.
//
// Wire format as packages.md, test-results.md and filtering.md describe it (and as real answers differ from them:
// `actions_now_available` an object of arrays, extra fields such as `url_key`), see /tmp/notes/contract12.md.
// The server routes `/rest/v1/products/packages…` (and the docs' short report path `/rest/v1/:sid/status/:tool/:run`)
// and `/__sandbox/submissions…` here, after its own logging and fault injection; the token and eligibility checks
// stay with the server (the `guard` it passes in).
//
// Test code only: node:crypto, no dependencies.

import * as crypto from 'node:crypto';
import { HttpError, SandboxRuleError } from './errors';
import type { SandboxEnv } from './server';

export interface SubmissionStatusChange { overall?: string; technical?: string; marketing?: string }

/** One tool run as `GET …/:submission_id/status` serves it. */
export interface SandboxToolRun { tool_run_id: string; name: string; status: string; date: string }

/** What `EqpSandbox.submissions(env)` gives: a copy, statuses as the pipeline has them now (patches not applied). */
export interface SandboxSubmissionInfo {
  id: string;
  sku: string;
  name: string;
  version: string;
  type: string;
  status: { overall: string; technical: string; marketing: string };
  /** The runs the sandbox made (a `setToolRuns` override is served instead, but not shown here). */
  runs: SandboxToolRun[];
  createdAt: number;
  modifiedAt: number;
}

/** A submission to create (SandboxSubmissions.create): what a valid POST item and its uploads give. */
export interface NewSubmission {
  sku: string;
  name: string;
  version: string;
  type: string;
  /** Package fields served as they are (version_compatibility, release_notes, artifact, item_id…). */
  fields: Record<string, unknown>;
  technical: 'draft' | 'submit';
  marketing: 'draft' | 'submit';
}

/** What a handler answers; the server writes it (and logs it). */
export interface SubmissionsAnswer { status: number; body: unknown; headers?: Record<string, string> }

type Status = { overall: string; technical: string; marketing: string };

interface Run { id: string; name: string; status: string; at: number }

interface Sub {
  id: string;
  sku: string;
  name: string;
  version: string;
  type: string;
  vendor: string;
  extension: string;
  /** Static package fields served as they are (version_compatibility, artifact, url_key…). */
  fields: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
  launchedAt?: number;
  status: Status;
  runs: Run[];
  /** `${tool}/${runId}` -> report body. */
  reports: Map<string, unknown>;
  nextRunId: number;
  /** The review pipeline, when one runs: its start (clock ms) and how many of its events were applied. */
  pipeline?: { start: number; applied: number; marketing: boolean };
  /** Raw fields merged over the served object (patchSubmission). */
  patch: Record<string, unknown>;
  /** A raw runs answer that replaces the real one (setToolRuns). */
  rawRuns?: { value: unknown };
}

interface EnvData { subs: Map<string, Sub>; bulkCount: number }

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Where the reviewer's machine unpacks a package (test-results.md). */
const TEMP_ROOT = '/eqp-automation/temp';

/** The PHP versions the automated tests run on; phpcs answers one report per version. */
export const PHPCS_PHP_VERSIONS: readonly string[] = ['8.2.20', '8.3.8'];

/** Files of the demo module (test/fixtures/demo-module) and how many lines each has: synthetic findings stay inside. */
const MODULE_FILES: readonly { path: string; lines: number }[] = [
  { path: 'Controller/Index/Index.php', lines: 42 },
  { path: 'Model/Greeting.php', lines: 36 },
  { path: 'registration.php', lines: 7 },
  { path: 'view/frontend/templates/greeting.phtml', lines: 12 },
];

interface PhpcsMessage { message: string; source: string; severity: number; type: 'ERROR' | 'WARNING'; line: number; column: number; fixable: boolean }

/**
 * The phpcs findings of acme/module-example 1.0.1, by path relative to the package root. Every line and column is
 * a real position in test/fixtures/demo-module (sandboxSubmissions.test.ts checks it), except Test/Unit/GreetingTest.php,
 * which the reviewed zip had and the workspace does not.
 */
export const SEEDED_PHPCS_FINDINGS: Readonly<Record<string, readonly PhpcsMessage[]>> = {
  'Controller/Index/Index.php': [
    { message: 'Direct throw of generic Exception is discouraged. Use context specific instead.', source: 'Magento2.Exceptions.DirectThrow.FoundDirectThrow', severity: 8, type: 'WARNING', line: 36, column: 13, fixable: false },
    { message: 'Direct use of $_SERVER Superglobal detected.', source: 'Magento2.Security.Superglobal.SuperglobalUsageWarning', severity: 9, type: 'WARNING', line: 36, column: 69, fixable: false },
    { message: 'Line exceeds 120 characters; contains 125 characters', source: 'Generic.Files.LineLength.TooLong', severity: 6, type: 'WARNING', line: 36, column: 126, fixable: false },
  ],
  'Model/Greeting.php': [
    { message: 'Missing PHP DocBlock for class property.', source: 'Magento2.Commenting.ClassPropertyPHPDocFormatting.Missing', severity: 5, type: 'WARNING', line: 19, column: 13, fixable: false },
    { message: 'Comment block is missing', source: 'Magento2.Annotation.MethodAnnotationStructure.NoCommentBlock', severity: 5, type: 'WARNING', line: 29, column: 12, fixable: false },
    { message: 'Direct use of $_GET Superglobal detected.', source: 'Magento2.Security.Superglobal.SuperglobalUsageError', severity: 10, type: 'ERROR', line: 31, column: 27, fixable: false },
    { message: 'Line exceeds 120 characters; contains 127 characters', source: 'Generic.Files.LineLength.TooLong', severity: 6, type: 'WARNING', line: 32, column: 128, fixable: false },
  ],
  'Test/Unit/GreetingTest.php': [
    { message: 'Whitespace found at end of line', source: 'Squiz.WhiteSpace.SuperfluousWhitespace.EndLine', severity: 6, type: 'WARNING', line: 24, column: 41, fixable: true },
  ],
  'etc/module.xml': [],
  'registration.php': [],
  'view/frontend/templates/greeting.phtml': [
    { message: 'Unescaped output detected.', source: 'Magento2.Security.XssTemplate.FoundUnescaped', severity: 9, type: 'WARNING', line: 9, column: 21, fixable: false },
    { message: 'Usage of $this in template files is deprecated.', source: 'Magento2.Templates.ThisInTemplate.FoundThis', severity: 8, type: 'WARNING', line: 11, column: 43, fixable: false },
    { message: 'Unescaped output detected.', source: 'Magento2.Security.XssTemplate.FoundUnescaped', severity: 9, type: 'WARNING', line: 11, column: 50, fixable: false },
  ],
};

/** Sniffs the synthetic findings of setPhpcsFindings cycle through. */
const SYNTHETIC_SNIFFS: readonly Omit<PhpcsMessage, 'line' | 'column'>[] = [
  { message: 'Missing PHP DocBlock for class property.', source: 'Magento2.Commenting.ClassPropertyPHPDocFormatting.Missing', severity: 5, type: 'WARNING', fixable: false },
  { message: 'Direct use of $_GET Superglobal detected.', source: 'Magento2.Security.Superglobal.SuperglobalUsageError', severity: 10, type: 'ERROR', fixable: false },
  { message: 'Unescaped output detected.', source: 'Magento2.Security.XssTemplate.FoundUnescaped', severity: 9, type: 'WARNING', fixable: false },
  { message: 'Whitespace found at end of line', source: 'Squiz.WhiteSpace.SuperfluousWhitespace.EndLine', severity: 6, type: 'WARNING', fixable: true },
  { message: 'Use of echo language construct is discouraged.', source: 'Magento2.Security.LanguageConstruct.DirectOutput', severity: 10, type: 'ERROR', fixable: false },
  { message: 'Comment block is missing', source: 'Magento2.Annotation.MethodAnnotationStructure.NoCommentBlock', severity: 5, type: 'WARNING', fixable: false },
];

// The pipeline after a submit, as offsets from its start (contract12.md): automated tests 10 min, manual QA queue
// 30 min, manual QA 30 min; marketing queue 20 min, marketing review 20 min.
interface PipelineEvent { at: number; status: SubmissionStatusChange; runs?: { names: string[]; shareId: boolean } }
const PIPELINE: readonly PipelineEvent[] = [
  { at: 10 * MINUTE, status: { technical: 'awaiting_manual_qa' }, runs: { names: ['phpcs', 'phpcpd', 'varnish'], shareId: true } },
  { at: 20 * MINUTE, status: { marketing: 'in_marketing_review' } },
  { at: 40 * MINUTE, status: { technical: 'in_manual_qa' } },
  { at: 40 * MINUTE, status: { marketing: 'approved' }, runs: { names: ['marketing'], shareId: false } },
  { at: 70 * MINUTE, status: { technical: 'approved' }, runs: { names: ['manual_qa'], shareId: false } },
];
const PIPELINE_START: Status = { overall: 'in_progress', technical: 'in_automation', marketing: 'awaiting_marketing_review' };

/** Fields the list can be filtered by: exact matches and substring matches (packages.md "Sorting and Filtering"). */
const EXACT_FILTERS: ReadonlySet<string> = new Set(['type', 'platform', 'license_type']);
const SUBSTRING_FILTERS: ReadonlySet<string> = new Set(['sku', 'version', 'name', 'submission_id', 'item_id', 'release_notes', 'long_description']);
const SORT_FIELDS: ReadonlySet<string> = new Set([
  ...EXACT_FILTERS, ...SUBSTRING_FILTERS, 'created_at', 'modified_at', 'latest_launch_date', 'requested_launch_date',
]);
const RESERVED_FIRST_SEGMENTS: ReadonlySet<string> = new Set(['app', 'users', 'products', 'files', 'callbacks']);

export class SandboxSubmissions {
  private readonly data: Record<SandboxEnv, EnvData> = {
    production: { subs: new Map(), bulkCount: 0 },
    sandbox: { subs: new Map(), bulkCount: 0 },
  };

  constructor(private readonly now: () => number) {
    this.reset();
  }

  // ------------------------------------------------------------------ test API (EqpSandbox delegates here)

  /** Back to the seed, both environments; the seeded pipeline starts now. */
  reset(): void {
    for (const env of ['production', 'sandbox'] as const) {
      this.data[env] = { subs: new Map(), bulkCount: 0 };
      for (const sub of seed(env, this.now())) {
        this.data[env].subs.set(sub.id, sub);
      }
    }
  }

  list(env: SandboxEnv): SandboxSubmissionInfo[] {
    return this.ordered(env).map((s) => info(s));
  }

  idOf(env: SandboxEnv, sku: string, version: string): string {
    const sub = [...this.data[env].subs.values()].find((s) => s.sku === sku && s.version === version);
    if (!sub) {
      throw new SandboxRuleError(404, `No submission of ${sku} ${version} in ${env}.`);
    }
    return sub.id;
  }

  advance(env: SandboxEnv, id: string, to?: SubmissionStatusChange): SandboxSubmissionInfo {
    const sub = this.settled(env, id);
    const now = this.now();
    if (to !== undefined) {
      for (const key of ['overall', 'technical', 'marketing'] as const) {
        const value = to[key];
        if (value !== undefined && typeof value !== 'string') {
          throw new SandboxRuleError(400, `${key} must be a string.`);
        }
      }
      // Exactly the statuses given: the pipeline (if any) stops where it is.
      sub.pipeline = undefined;
      sub.status = { ...sub.status, ...definedOnly(to) };
      if (to.overall === 'released_to_store') {
        sub.launchedAt = now;
      }
      sub.modifiedAt = now;
      return info(sub);
    }
    if (sub.pipeline && sub.pipeline.applied < PIPELINE.length) {
      // Move the pipeline's start back so that its next event happens now.
      const next = PIPELINE[sub.pipeline.applied] as PipelineEvent;
      sub.pipeline.start = now - next.at;
      settle(sub, now);
    } else if (sub.status.overall === 'draft') {
      startPipeline(sub, now);
    } else if (sub.status.overall === 'approved') {
      sub.status = { ...sub.status, overall: 'released_to_store' };
      sub.launchedAt = now;
      sub.modifiedAt = now;
    } else {
      throw new SandboxRuleError(409, `Submission ${id} (${sub.status.overall}/${sub.status.technical}/${sub.status.marketing}) has no next stage; give the statuses to move it to.`);
    }
    return info(sub);
  }

  patch(env: SandboxEnv, id: string, fields: Record<string, unknown>): void {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new SandboxRuleError(400, 'patchSubmission takes an object of raw fields.');
    }
    const sub = this.sub(env, id);
    sub.patch = { ...sub.patch, ...structuredClone(fields) };
  }

  setRuns(env: SandboxEnv, id: string, runs: unknown): void {
    this.sub(env, id).rawRuns = { value: structuredClone(runs) };
  }

  setReport(env: SandboxEnv, id: string, tool: string, runId: string, body: unknown): void {
    this.sub(env, id).reports.set(`${tool}/${runId}`, structuredClone(body));
  }

  /**
   * Replaces the latest phpcs report (a new failed run when there is none) with `count` findings spread over the
   * demo module's files, repeated in one report per PHP version. Returns the run id.
   */
  setPhpcsFindings(env: SandboxEnv, id: string, count: number, phpVersions: readonly string[] = PHPCS_PHP_VERSIONS): string {
    if (!Number.isInteger(count) || count < 0) {
      throw new SandboxRuleError(400, `count must be an integer >= 0, got ${String(count)}`);
    }
    const sub = this.settled(env, id);
    const now = this.now();
    const status = count > 0 ? 'fail' : 'pass';
    let run = [...sub.runs].reverse().find((r) => r.name === 'phpcs');
    if (run) {
      run.status = status;
    } else {
      run = { id: String(sub.nextRunId++), name: 'phpcs', status, at: now };
      sub.runs.push(run);
    }
    const files: Record<string, PhpcsMessage[]> = Object.fromEntries(MODULE_FILES.map((f) => [f.path, []]));
    for (let i = 0; i < count; i++) {
      const file = MODULE_FILES[i % MODULE_FILES.length] as { path: string; lines: number };
      const sniff = SYNTHETIC_SNIFFS[i % SYNTHETIC_SNIFFS.length] as Omit<PhpcsMessage, 'line' | 'column'>;
      const round = Math.floor(i / MODULE_FILES.length);
      (files[file.path] as PhpcsMessage[]).push({ ...sniff, line: 1 + (round % file.lines), column: 1 + (Math.floor(round / file.lines) % 4) });
    }
    for (const messages of Object.values(files)) {
      messages.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    sub.reports.set(`phpcs/${run.id}`, phpcsReport(sub, run, files, phpVersions));
    return run.id;
  }

  /** Adds `count` synthetic submissions (older than the seed, so the seed stays on the first page). Returns their ids. */
  addBulk(env: SandboxEnv, count: number): string[] {
    if (!Number.isInteger(count) || count < 1 || count > 100_000) {
      throw new SandboxRuleError(400, `count must be an integer 1..100000, got ${String(count)}`);
    }
    const data = this.data[env];
    const now = this.now();
    const ids: string[] = [];
    const statuses: Status[] = [
      { overall: 'released_to_store', technical: 'approved', marketing: 'approved' },
      { overall: 'in_progress', technical: 'rejected', marketing: 'approved' },
      { overall: 'draft', technical: 'draft', marketing: 'draft' },
      { overall: 'canceled_by_developer', technical: 'recalled', marketing: 'recalled' },
      { overall: 'approved', technical: 'approved', marketing: 'approved' },
    ];
    for (let i = 0; i < count; i++) {
      const n = ++data.bulkCount;
      const label = String(n).padStart(4, '0');
      const type = n % 10 === 0 ? 'theme' : 'extension';
      const extension = type === 'theme' ? `theme-frontend-bulk-${label}` : `module-bulk-${label}`;
      const sku = `acme/${extension}`;
      const version = `1.${n % 7}.${n % 3}`;
      const createdAt = now - 200 * DAY - n * HOUR;
      const sub = makeSub(env, {
        idSeed: `bulk:${n}`, sku, name: `Bulk ${type === 'theme' ? 'Theme' : 'Module'} ${label}`, version, type, extension,
        createdAt, modifiedAt: createdAt + 2 * HOUR, status: statuses[n % statuses.length] as Status,
      });
      data.subs.set(sub.id, sub);
      ids.push(sub.id);
    }
    return ids;
  }

  remove(env: SandboxEnv, id: string): void {
    this.sub(env, id);
    this.data[env].subs.delete(id);
  }

  // ------------------------------------------------------------------ new submissions (POST, ./uploads.ts)

  /**
   * Creates a submission as `POST /rest/v1/products/packages` does (./uploads.ts validated the item). A technical
   * `submit` starts the review pipeline now (its marketing steps only when marketing was submitted too); a marketing
   * submit alone waits for review without a pipeline; otherwise a draft. Answers the package as GET serves it.
   */
  create(env: SandboxEnv, spec: NewSubmission): Record<string, unknown> {
    const data = this.data[env];
    const now = this.now();
    const [vendor = '', extension = ''] = spec.sku.split('/');
    let id: string;
    do {
      id = crypto.createHash('sha256').update(`${env}:new:${crypto.randomUUID()}`).digest('hex').slice(0, 10);
    } while (data.subs.has(id));
    const sub: Sub = {
      id, sku: spec.sku, name: spec.name, version: spec.version, type: spec.type, vendor, extension,
      fields: structuredClone(spec.fields), createdAt: now, modifiedAt: now,
      status: {
        overall: spec.technical === 'submit' || spec.marketing === 'submit' ? 'in_progress' : 'draft',
        technical: 'draft',
        marketing: spec.marketing === 'submit' ? 'awaiting_marketing_review' : 'draft',
      },
      runs: [], reports: new Map(), nextRunId: 1, patch: {},
    };
    if (spec.technical === 'submit') {
      startPipeline(sub, now, spec.marketing === 'submit');
    }
    data.subs.set(id, sub);
    return served(sub);
  }

  /** True when a submission of `sku` `version` exists that was not cancelled (POST answers 1208 then). */
  versionTaken(env: SandboxEnv, sku: string, version: string): boolean {
    return [...this.data[env].subs.values()].some((s) => s.sku === sku && s.version === version
      && s.status.overall !== 'canceled_by_developer' && s.status.overall !== 'canceled_by_admin');
  }

  /** The newest submission of `sku` (its name and served fields), if any. */
  product(env: SandboxEnv, sku: string): { name: string; fields: Record<string, unknown> } | undefined {
    const sub = this.ordered(env).find((s) => s.sku === sku);
    return sub ? { name: sub.name, fields: structuredClone(sub.fields) } : undefined;
  }

  // ------------------------------------------------------------------ the API

  /** True when `path` belongs here (the packages endpoints, or the docs' short report path). */
  handles(path: string): boolean {
    return path === '/rest/v1/products/packages' || path.startsWith('/rest/v1/products/packages/') || shortReportPath(path) !== undefined;
  }

  /**
   * Answers a packages request. `guard` checks the token and eligibility (throws 401/403); it runs after the method
   * check (405) and before anything that could tell whether a submission exists (404).
   */
  answer(env: SandboxEnv, method: string, path: string, query: URLSearchParams, guard: () => void): SubmissionsAnswer {
    if (method !== 'GET') {
      // POST of new packages is answered by ./uploads.ts before it gets here; PUT (updates) is not served.
      const allow = path.replace(/\/+$/, '') === '/rest/v1/products/packages' ? 'GET, POST' : 'GET';
      throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: allow });
    }
    guard();
    const short = shortReportPath(path);
    if (short) {
      return this.reportAnswer(env, short.id, short.tool, short.run);
    }
    const rest = path.slice('/rest/v1/products/packages'.length).replace(/\/+$/, '');
    if (rest === '' || rest === '/skus' || rest === '/items') {
      return this.listAnswer(env, query);
    }
    const bySkuStatus = /^\/skus?\/(.+)\/status$/.exec(rest);
    if (bySkuStatus) {
      const sku = decodeSku(bySkuStatus[1] as string);
      const latest = this.ordered(env).filter((s) => s.sku === sku).sort((a, b) => compareVersions(b.version, a.version))[0];
      if (!latest) {
        throw new HttpError(404, `No submission with SKU ${sku}.`);
      }
      return { status: 200, body: runsBody(latest) };
    }
    const bySku = /^\/skus\/(.+)$/.exec(rest);
    if (bySku) {
      const sku = decodeSku(bySku[1] as string);
      const params = new URLSearchParams(query);
      params.delete('sku');
      const subs = this.ordered(env).filter((s) => s.sku === sku);
      return this.listAnswer(env, params, subs);
    }
    const one = /^\/([^/]+)(?:\/status(?:\/([^/]+)\/([^/]+))?)?$/.exec(rest);
    if (!one) {
      throw new HttpError(404, `No such endpoint: ${path}`);
    }
    const id = decodePart(one[1] as string);
    if (one[2] !== undefined) {
      return this.reportAnswer(env, id, decodePart(one[2]), decodePart(one[3] as string));
    }
    const sub = this.found(env, id);
    if (rest.endsWith('/status')) {
      return { status: 200, body: runsBody(sub) };
    }
    return { status: 200, body: served(sub) };
  }

  private listAnswer(env: SandboxEnv, query: URLSearchParams, subs: Sub[] = this.ordered(env)): SubmissionsAnswer {
    const offset = intParam(query, 'offset', 0);
    const limit = intParam(query, 'limit', 20);
    if (offset < 0) {
      throw new HttpError(400, 'offset must be 0 or more.');
    }
    if (limit < -1) {
      throw new HttpError(400, 'limit must be -1 (all) or 0 or more.');
    }
    let items = subs.map(served);
    for (const [name, value] of query) {
      if (EXACT_FILTERS.has(name)) {
        if (!(name === 'type' && value === 'all')) {
          items = items.filter((p) => p[name] === value);
        }
      } else if (SUBSTRING_FILTERS.has(name)) {
        const needle = value.toLowerCase();
        items = items.filter((p) => {
          const field = p[name];
          return typeof field === 'string' && field.toLowerCase().includes(needle);
        });
      }
    }
    const sort = query.get('sort');
    if (sort !== null && sort.trim() !== '') {
      items = sortPackages(items, sort);
    }
    const page = limit === -1 ? items.slice(offset) : items.slice(offset, offset + limit);
    return { status: 200, body: page, headers: { 'X-Total-Count': String(items.length) } };
  }

  private reportAnswer(env: SandboxEnv, id: string, tool: string, run: string): SubmissionsAnswer {
    const sub = this.found(env, id);
    const key = `${tool}/${run}`;
    if (!sub.reports.has(key)) {
      throw new HttpError(404, `No ${tool} run ${run} for submission ${id}.`);
    }
    return { status: 200, body: sub.reports.get(key) };
  }

  // ------------------------------------------------------------------ control interface (/__sandbox/submissions…)

  /** Answers a control request under /__sandbox/submissions (the server catches HttpError and SandboxRuleError). */
  control(env: SandboxEnv, method: string, path: string, query: URLSearchParams, raw: string, reset: () => void): SubmissionsAnswer {
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) {
        throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: methods.join(', ') });
      }
    };
    const json = (): unknown => {
      try {
        return raw === '' ? {} : JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'The request body must be JSON.');
      }
    };
    const object = (): Record<string, unknown> => {
      const body = json();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'The request body must be a JSON object.');
      }
      return body as Record<string, unknown>;
    };
    const rest = path.slice('/__sandbox/submissions'.length);
    if (rest === '' || rest === '/') {
      allow('GET');
      return { status: 200, body: this.list(env) };
    }
    if (rest === '/reset') {
      allow('POST');
      reset();
      return { status: 200, body: this.list(env) };
    }
    if (rest === '/bulk') {
      allow('POST');
      const { count } = object();
      return { status: 201, body: { ids: this.addBulk(env, count as number) } };
    }
    if (rest === '/id') {
      allow('GET');
      return { status: 200, body: { id: this.idOf(env, query.get('sku') ?? '', query.get('version') ?? '') } };
    }
    const route = /^\/([^/]+)(?:\/(advance|runs|phpcs|reports\/([^/]+)\/([^/]+)))?$/.exec(rest);
    if (!route) {
      throw new HttpError(404, `No such control endpoint: ${path}`);
    }
    const id = decodePart(route[1] as string);
    const action = route[2];
    if (action === undefined) {
      allow('GET', 'PATCH', 'DELETE');
      if (method === 'GET') {
        return { status: 200, body: info(this.settled(env, id)) };
      }
      if (method === 'DELETE') {
        this.remove(env, id);
        return { status: 204, body: undefined };
      }
      this.patch(env, id, object());
      return { status: 200, body: served(this.settled(env, id)) };
    }
    if (action === 'advance') {
      allow('POST');
      const body = object();
      const to = definedOnly({ overall: body.overall, technical: body.technical, marketing: body.marketing }) as SubmissionStatusChange;
      return { status: 200, body: this.advance(env, id, Object.keys(to).length > 0 ? to : undefined) };
    }
    if (action === 'runs') {
      allow('PUT');
      this.setRuns(env, id, json());
      return { status: 204, body: undefined };
    }
    if (action === 'phpcs') {
      allow('POST');
      const { count, phpVersions } = object();
      if (phpVersions !== undefined && (!Array.isArray(phpVersions) || !phpVersions.every((v) => typeof v === 'string'))) {
        throw new HttpError(400, 'phpVersions must be a list of strings.');
      }
      return { status: 200, body: { toolRunId: this.setPhpcsFindings(env, id, count as number, phpVersions as string[] | undefined) } };
    }
    allow('PUT');
    this.setReport(env, id, decodePart(route[3] as string), decodePart(route[4] as string), json());
    return { status: 204, body: undefined };
  }

  // ------------------------------------------------------------------ internals

  /** Every submission of `env`, pipelines settled, newest first. */
  private ordered(env: SandboxEnv): Sub[] {
    const now = this.now();
    const subs = [...this.data[env].subs.values()];
    for (const sub of subs) {
      settle(sub, now);
    }
    return subs.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** The submission for a test method (SandboxRuleError 404), not settled. */
  private sub(env: SandboxEnv, id: string): Sub {
    const sub = this.data[env].subs.get(id);
    if (!sub) {
      throw new SandboxRuleError(404, `No submission ${id} in ${env}.`);
    }
    return sub;
  }

  private settled(env: SandboxEnv, id: string): Sub {
    const sub = this.sub(env, id);
    settle(sub, this.now());
    return sub;
  }

  /** The submission for an API answer (HTTP 404), settled. */
  private found(env: SandboxEnv, id: string): Sub {
    const sub = this.data[env].subs.get(id);
    if (!sub) {
      throw new HttpError(404, `Submission ${id} not found.`);
    }
    settle(sub, this.now());
    return sub;
  }
}

// ------------------------------------------------------------------ the pipeline

/** Starts the review pipeline now; without `marketing` its marketing steps are skipped (marketing stays as it is). */
function startPipeline(sub: Sub, now: number, marketing = true): void {
  sub.status = { ...PIPELINE_START, ...(marketing ? {} : { marketing: sub.status.marketing }) };
  sub.pipeline = { start: now, applied: 0, marketing };
  sub.modifiedAt = now;
}

/** Applies the pipeline events that are due by `now`: statuses, runs (dated when the event was due) and reports. */
function settle(sub: Sub, now: number): void {
  const pipeline = sub.pipeline;
  if (!pipeline) {
    return;
  }
  while (pipeline.applied < PIPELINE.length) {
    const event = PIPELINE[pipeline.applied] as PipelineEvent;
    const at = pipeline.start + event.at;
    if (at > now) {
      break;
    }
    const { marketing: _marketing, ...technical } = event.status;
    sub.status = { ...sub.status, ...definedOnly(pipeline.marketing ? event.status : technical) };
    if (event.runs) {
      let shared: string | undefined;
      for (const name of event.runs.names.filter((n) => pipeline.marketing || n !== 'marketing')) {
        const id = event.runs.shareId ? (shared ??= String(sub.nextRunId++)) : String(sub.nextRunId++);
        addRun(sub, { id, name, status: 'pass', at });
      }
    }
    if (sub.status.technical === 'approved' && sub.status.marketing === 'approved') {
      sub.status.overall = 'approved';
    }
    sub.modifiedAt = at;
    pipeline.applied++;
  }
}

// ------------------------------------------------------------------ wire shapes

function info(sub: Sub): SandboxSubmissionInfo {
  return {
    id: sub.id, sku: sub.sku, name: sub.name, version: sub.version, type: sub.type,
    status: { ...sub.status }, runs: sub.runs.map(runJson), createdAt: sub.createdAt, modifiedAt: sub.modifiedAt,
  };
}

function runJson(run: Run): SandboxToolRun {
  return { tool_run_id: run.id, name: run.name, status: run.status, date: eqpDate(run.at) };
}

function runsBody(sub: Sub): unknown {
  return sub.rawRuns ? structuredClone(sub.rawRuns.value) : sub.runs.map(runJson);
}

/** The package object as GET answers it, patches merged last. */
function served(sub: Sub): Record<string, unknown> {
  const pkg: Record<string, unknown> = {
    submission_id: sub.id,
    type: sub.type,
    platform: 'M2',
    ...structuredClone(sub.fields),
    name: sub.name,
    short_description: '',
    sku: sub.sku,
    version: sub.version,
    eqp_status: { ...sub.status },
    actions_now_available: actionsFor(sub.status),
    created_at: eqpDate(sub.createdAt),
    modified_at: eqpDate(sub.modifiedAt),
  };
  if (sub.launchedAt !== undefined) {
    pkg.latest_launch_date = eqpDate(sub.launchedAt);
  }
  return { ...pkg, ...structuredClone(sub.patch) };
}

/** `actions_now_available` as real answers have it: scope -> actions. */
function actionsFor(status: Status): Record<string, string[]> {
  const review = (s: string): string[] => {
    if (s === 'draft' || s === 'rejected' || s === 'recalled') {
      return ['submit'];
    }
    return ['in_automation', 'awaiting_manual_qa', 'in_manual_qa', 'awaiting_marketing_review', 'in_marketing_review'].includes(s) ? ['recall'] : [];
  };
  switch (status.overall) {
    case 'released_to_store':
      return { technical: [], marketing: ['submit'], overall: ['remove'] };
    case 'developer_removed_from_store':
      return { technical: [], marketing: ['submit'], overall: [] };
    case 'admin_removed_from_store':
    case 'canceled_by_developer':
    case 'canceled_by_admin':
      return { technical: [], marketing: [], overall: [] };
    default:
      return { technical: review(status.technical), marketing: review(status.marketing), overall: ['cancel'] };
  }
}

function phpcsReport(sub: Sub, run: Run, files: Record<string, readonly PhpcsMessage[]>, phpVersions: readonly string[]): unknown {
  const root = `${TEMP_ROOT}/${sub.vendor}/${sub.extension}/${sub.vendor}-${sub.extension}-${sub.version}/`;
  const all = Object.values(files).flat();
  const totals = {
    errors: all.filter((m) => m.type === 'ERROR').length,
    warnings: all.filter((m) => m.type === 'WARNING').length,
    fixable: all.filter((m) => m.fixable).length,
  };
  const status = totals.errors + totals.warnings > 0 ? 'FAIL' : 'PASS';
  const details = {
    totals,
    files: Object.fromEntries(Object.entries(files).map(([rel, messages]) => [root + rel, {
      errors: messages.filter((m) => m.type === 'ERROR').length,
      warnings: messages.filter((m) => m.type === 'WARNING').length,
      messages: messages.map((m) => ({ ...m })),
    }])),
  };
  return {
    tool: 'phpcs',
    status,
    reports: phpVersions.map((php) => ({ ...reportHead(sub, 'phpcs', status, run.at), php_version: php, details: structuredClone(details) })),
  };
}

function reportHead(sub: Sub, tool: string, status: string, at: number): Record<string, unknown> {
  return { tool, vendor: sub.vendor, extension: sub.extension, version: sub.version, status, date: eqpDate(at) };
}

interface VarnishCombo { edition: 'CE' | 'EE'; magento: string; php: string; failure?: { command: string; output: string } }

function varnishReport(sub: Sub, run: Run, combos: readonly VarnishCombo[]): unknown {
  const failed = combos.some((c) => c.failure);
  return {
    tool: 'varnish',
    status: failed ? 'FAIL' : 'PASS',
    reports: combos.map((c, i) => {
      const steps = varnishSteps(sub);
      let details: { command: string; output: string }[] = steps;
      if (c.failure) {
        const index = steps.findIndex((s) => s.command === c.failure?.command);
        details = [...steps.slice(0, index < 0 ? steps.length : index), c.failure];
      }
      return {
        ...reportHead(sub, 'varnish', c.failure ? 'FAIL' : 'PASS', run.at + (i + 1) * 7 * MINUTE),
        magento_platform: 'M2', magento_edition: c.edition, magento_version: c.magento, php_version: c.php, details,
      };
    }),
  };
}

function varnishSteps(sub: Sub): { command: string; output: string }[] {
  const moduleName = sub.type === 'theme' ? undefined : 'Acme_Example';
  const steps = [
    {
      command: `composer require ${sub.sku}:${sub.version} 2>&1`,
      output: `./composer.json has been updated\nRunning composer update ${sub.sku}\nLoading composer repositories with package information\nUpdating dependencies\nLock file operations: 1 install, 0 updates, 0 removals\n  - Locking ${sub.sku} (${sub.version})\nWriting lock file\nInstalling dependencies from lock file (including require-dev)\nPackage operations: 1 install, 0 updates, 0 removals\n  - Installing ${sub.sku} (${sub.version}): Extracting archive\nGenerating autoload files`,
    },
  ];
  if (moduleName) {
    steps.push({ command: `php bin/magento module:enable ${moduleName}`, output: `The following modules have been enabled:\n- ${moduleName}\n\nTo make sure that the enabled modules are properly registered, run 'setup:upgrade'.` });
  }
  steps.push(
    { command: 'php bin/magento setup:upgrade', output: 'Cache types config flushed successfully\nCache cleared successfully\nFile system cleanup:\n/var/www/magento/generated/code/Magento\nUpdating modules:\nSchema creation/updates:\nModule \'Magento_Store\':\n...\nPost-updates:\nNothing to import.' },
    { command: 'php bin/magento setup:di:compile', output: 'Compilation was started.\nProxies code generation... 0/9 [>---------------------------]   0% < 1 sec 92.0 MiB\nRepositories code generation... 1/9 [===>------------------------]  11% 1 sec 96.0 MiB\nApplication code generator... 3/9 [=========>------------------]  33% 4 secs 164.0 MiB\nInterceptors generation... 4/9 [============>---------------]  44% 11 secs 248.0 MiB\nArea configuration aggregation... 5/9 [===============>------------]  55% 19 secs 412.0 MiB\nInterception cache generation... 6/9 [==================>---------]  66% 27 secs 412.0 MiB\nApp action list generation... 7/9 [=====================>------]  77% 27 secs 412.0 MiB\nPlugin list generation... 8/9 [========================>---]  88% 28 secs 412.0 MiB\nGenerated code and dependency injection configuration successfully.' },
    { command: 'php bin/magento setup:static-content:deploy -f', output: 'Deploy using quick strategy\nfrontend/Magento/luma/en_US            2170/2170           ============================ 100%   3 secs\nadminhtml/Magento/backend/en_US        1946/1946           ============================ 100%   2 secs\n\nExecution time: 9.3 seconds' },
    { command: 'curl -sI http://magento.eqp.test/ | grep -i x-magento-cache-debug', output: 'X-Magento-Cache-Debug: HIT' },
  );
  return steps;
}

function reviewReport(sub: Sub, tool: 'marketing' | 'manual_qa', run: Run, decision?: { reasons: string[]; message: string; attachment: string }): unknown {
  const status = run.status === 'pass' ? 'PASS' : 'FAIL';
  const details = decision ?? { reasons: [], message: tool === 'marketing' ? 'Marketing content approved.' : 'Manual QA passed.' };
  return { tool, status, reports: { ...reportHead(sub, tool, status, run.at), details } };
}

/** Adds a run and a report that fits it (pass reports unless the caller stores another one afterwards). */
function addRun(sub: Sub, run: Run): void {
  sub.runs.push(run);
  let report: unknown;
  switch (run.name) {
    case 'phpcs':
      report = phpcsReport(sub, run, cleanFiles(sub), PHPCS_PHP_VERSIONS);
      break;
    case 'phpcpd':
      report = { tool: 'phpcpd', status: run.status === 'pass' ? 'PASS' : 'FAIL', reports: [] };
      break;
    case 'varnish':
      report = varnishReport(sub, run, [
        { edition: 'CE', magento: '2.4.6-p8', php: '8.2.20' },
        { edition: 'CE', magento: '2.4.7-p3', php: '8.3.8' },
        { edition: 'EE', magento: '2.4.7-p3', php: '8.3.8' },
      ]);
      break;
    case 'marketing':
    case 'manual_qa':
      report = reviewReport(sub, run.name, run);
      break;
    default:
      report = { tool: run.name, status: run.status.toUpperCase(), reports: [] };
  }
  sub.reports.set(`${run.name}/${run.id}`, report);
}

/** Files of a clean phpcs run (no messages). */
function cleanFiles(sub: Sub): Record<string, PhpcsMessage[]> {
  const paths = sub.type === 'theme'
    ? ['registration.php', 'theme.xml', 'etc/view.xml', 'Magento_Theme/layout/default.xml']
    : Object.keys(SEEDED_PHPCS_FINDINGS).filter((p) => !p.startsWith('Test/'));
  return Object.fromEntries(paths.map((p) => [p, []]));
}

// ------------------------------------------------------------------ the seed

interface SubSpec {
  idSeed: string; sku: string; name: string; version: string; type: string; extension: string;
  createdAt: number; modifiedAt: number; status: Status; launchedAt?: number; extra?: Record<string, unknown>;
}

function makeSub(env: SandboxEnv, spec: SubSpec): Sub {
  const id = crypto.createHash('sha256').update(`${env}:${spec.idSeed}`).digest('hex').slice(0, 10);
  const digest = crypto.createHash('md5').update(`${env}:${spec.sku}:${spec.version}`).digest('hex');
  const uploadId = `${digest.slice(0, 14)}.${parseInt(digest.slice(14, 22), 16) % 100_000_000}.${parseInt(digest.slice(22, 23), 16) % 10}`;
  const isDraft = spec.status.overall === 'draft';
  return {
    id, sku: spec.sku, name: spec.name, version: spec.version, type: spec.type, vendor: 'acme', extension: spec.extension,
    fields: {
      version_compatibility: [{ edition: 'CE', versions: ['2.4'] }, { edition: 'EE', versions: ['2.4'] }],
      long_description: `<p>${spec.name} for Adobe Commerce and Magento Open Source.</p>`,
      release_notes: `<p>${spec.version}: ${isDraft ? 'work in progress' : 'bug fixes and compatibility with Magento 2.4.7'}.</p>`,
      artifact: {
        file_upload_id: uploadId,
        filename: `${spec.sku.replace('/', '_')}-${spec.version}.zip`,
        content_type: 'application/zip',
        size: 18_000 + (parseInt(digest.slice(23, 27), 16) % 40_000),
        malware_status: 'pass',
        file_hash: digest,
      },
      license_type: 'osl',
      url_key: spec.sku.replace('/', '-'),
      submission_counts: { technical: isDraft ? 0 : 1, marketing: isDraft ? 0 : 1 },
      ...spec.extra,
    },
    createdAt: spec.createdAt,
    modifiedAt: spec.modifiedAt,
    ...(spec.launchedAt !== undefined ? { launchedAt: spec.launchedAt } : {}),
    status: { ...spec.status },
    runs: [],
    reports: new Map(),
    nextRunId: 1,
    patch: {},
  };
}

/** The seeded submissions of one environment (ids differ per environment), seeded at clock time `t`. */
function seed(env: SandboxEnv, t: number): Sub[] {
  const module = (version: string, rest: Omit<SubSpec, 'idSeed' | 'sku' | 'name' | 'version' | 'type' | 'extension'>): Sub =>
    makeSub(env, { idSeed: `acme/module-example:${version}`, sku: 'acme/module-example', name: 'Example Module', version, type: 'extension', extension: 'module-example', ...rest });
  const theme = (version: string, rest: Omit<SubSpec, 'idSeed' | 'sku' | 'name' | 'version' | 'type' | 'extension'>): Sub =>
    makeSub(env, { idSeed: `acme/theme-frontend-example:${version}`, sku: 'acme/theme-frontend-example', name: 'Example Theme', version, type: 'theme', extension: 'theme-frontend-example', ...rest });
  const run = (sub: Sub, name: string, status: string, at: number, id?: string): Run => {
    const r = { id: id ?? String(sub.nextRunId++), name, status, at };
    addRun(sub, r);
    return r;
  };
  const automation = (sub: Sub, at: number, tools: string[], status: Record<string, string> = {}): Record<string, Run> => {
    const id = String(sub.nextRunId++);
    return Object.fromEntries(tools.map((name, i) => [name, run(sub, name, status[name] ?? 'pass', at + i * 9 * MINUTE, id)]));
  };

  // acme/module-example 1.0.0: live in the store.
  const m100c = t - 180 * DAY;
  const m100 = module('1.0.0', { createdAt: m100c, modifiedAt: m100c + 5 * DAY, launchedAt: m100c + 5 * DAY, status: { overall: 'released_to_store', technical: 'approved', marketing: 'approved' } });
  automation(m100, m100c + 2 * HOUR, ['phpcpd', 'phpcs', 'varnish']);
  run(m100, 'marketing', 'pass', m100c + 1 * DAY);
  run(m100, 'manual_qa', 'pass', m100c + 3 * DAY);

  // 1.0.1: rejected by the code sniffer and the install test; marketing approved.
  const m101c = t - 30 * DAY;
  const m101 = module('1.0.1', { createdAt: m101c, modifiedAt: m101c + 2 * DAY, status: { overall: 'in_progress', technical: 'rejected', marketing: 'approved' } });
  const m101runs = automation(m101, m101c + 1 * HOUR, ['phpcpd', 'phpcs', 'varnish'], { phpcs: 'fail', varnish: 'fail' });
  const m101phpcs = m101runs.phpcs as Run;
  const m101varnish = m101runs.varnish as Run;
  m101.reports.set(`phpcs/${m101phpcs.id}`, phpcsReport(m101, m101phpcs, SEEDED_PHPCS_FINDINGS as Record<string, PhpcsMessage[]>, PHPCS_PHP_VERSIONS));
  m101.reports.set(`varnish/${m101varnish.id}`, varnishReport(m101, m101varnish, [
    { edition: 'CE', magento: '2.4.6-p8', php: '8.2.20' },
    { edition: 'CE', magento: '2.4.7-p3', php: '8.3.8' },
    {
      edition: 'EE', magento: '2.4.7-p3', php: '8.3.8',
      failure: {
        command: 'php bin/magento setup:di:compile',
        output: 'Compilation was started.\nProxies code generation... 0/9 [>---------------------------]   0% < 1 sec 92.0 MiB\nRepositories code generation... 1/9 [===>------------------------]  11% 1 sec 96.0 MiB\nApplication code generator... 3/9 [=========>------------------]  33% 4 secs 166.0 MiB\nInterceptors generation... 4/9 [============>---------------]  44% 12 secs 252.0 MiB\nArea configuration aggregation... 5/9 [===============>------------]  55% 21 secs 418.0 MiB\n\nIn ClassReader.php line 61:\n\n  Impossible to process constructor argument Parameter #1 [ <required> Magento\\Framework\\Controller\\Result\\RawFactory $rawFactory ] of Acme\\Example\\Controller\\Index\\Index class\n\n\nIn GetParameterClassTrait.php line 34:\n\n  Class "Magento\\Framework\\Controller\\Result\\RawFactory" does not exist\n\n\nsetup:di:compile',
      },
    },
  ]));
  run(m101, 'marketing', 'pass', m101c + 2 * DAY);

  // 1.0.2: submitted now; the pipeline moves on the sandbox clock.
  const m102 = module('1.0.2', { createdAt: t - 2 * DAY, modifiedAt: t, status: { ...PIPELINE_START } });
  startPipeline(m102, t);

  // 1.1.0: a draft (package uploaded and scanned, not submitted).
  const m110 = module('1.1.0', { createdAt: t - 1 * HOUR, modifiedAt: t - 30 * MINUTE, status: { overall: 'draft', technical: 'draft', marketing: 'draft' } });

  // acme/theme-frontend-example 2.0.0: approved, launch pending.
  const t200c = t - 90 * DAY;
  const t200 = theme('2.0.0', {
    createdAt: t200c, modifiedAt: t200c + 5 * DAY, status: { overall: 'approved', technical: 'approved', marketing: 'approved' },
    extra: { requested_launch_date: eqpDate(t + 7 * DAY) },
  });
  automation(t200, t200c + 2 * HOUR, ['phpcpd', 'phpcs', 'varnish']);
  run(t200, 'marketing', 'pass', t200c + 2 * DAY);
  run(t200, 'manual_qa', 'pass', t200c + 5 * DAY);

  // 2.0.1: rejected by manual QA, marketing approved.
  const t201c = t - 45 * DAY;
  const t201 = theme('2.0.1', { createdAt: t201c, modifiedAt: t201c + 4 * DAY, status: { overall: 'in_progress', technical: 'rejected', marketing: 'approved' } });
  automation(t201, t201c + 1 * HOUR, ['phpcs', 'varnish']);
  run(t201, 'marketing', 'pass', t201c + 1 * DAY);
  const t201qa = run(t201, 'manual_qa', 'fail', t201c + 4 * DAY);
  t201.reports.set(`manual_qa/${t201qa.id}`, reviewReport(t201, 'manual_qa', t201qa, {
    reasons: ['Tech: The theme breaks the checkout page layout on mobile viewports.', 'Tech: The mini cart cannot be closed on Magento 2.4.7 EE.'],
    message: 'The shipping step of the checkout overflows the screen below 768 px and the mini cart stays open. See attached screenshots for more information.',
    attachment: 'https://mp-static.marketplace.example.com/user/attachments/acme/qa/theme-frontend-example-2.0.1/checkout-mobile.zip',
  }));

  // 2.1.0: waiting for manual QA; marketing rejected.
  const t210c = t - 12 * DAY;
  const t210 = theme('2.1.0', { createdAt: t210c, modifiedAt: t210c + 3 * DAY, status: { overall: 'in_progress', technical: 'awaiting_manual_qa', marketing: 'rejected' } });
  automation(t210, t210c + 1 * HOUR, ['phpcs', 'varnish']);
  const t210mkt = run(t210, 'marketing', 'fail', t210c + 3 * DAY);
  t210.reports.set(`marketing/${t210mkt.id}`, reviewReport(t210, 'marketing', t210mkt, {
    reasons: [
      'Long Description: Your theme long description contains several spelling and grammar errors. View marketing review guidelines...',
      'Gallery Images: Gallery images must show the theme on a storefront, not a mock-up.',
    ],
    message: 'Please correct the spelling issues and replace the gallery images. See attached screenshots for more information.',
    attachment: 'https://mp-static.marketplace.example.com/user/attachments/acme/marketing/theme-frontend-example-2.1.0/spelling.zip',
  }));

  return [m110, m102, t210, m101, t201, t200, m100];
}

// ------------------------------------------------------------------ helpers

/** `YYYY-MM-DD HH:MM:SS`, UTC, as the API writes dates. */
export function eqpDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The docs' short report path `/rest/v1/:sid/status/:tool/:run` (test-results.md examples). */
function shortReportPath(path: string): { id: string; tool: string; run: string } | undefined {
  const match = /^\/rest\/v1\/([^/]+)\/status\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!match || RESERVED_FIRST_SEGMENTS.has(match[1] as string)) {
    return undefined;
  }
  return { id: decodePart(match[1] as string), tool: decodePart(match[2] as string), run: decodePart(match[3] as string) };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `The path segment ${JSON.stringify(part)} is not validly URL-encoded.`);
  }
}

/** A SKU from the path: URL-encoded (`acme%2Fmodule-example`) or, from a careless client, with a plain slash. */
function decodeSku(part: string): string {
  return part.split('/').map(decodePart).join('/');
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw new HttpError(400, `${name} must be an integer, got "${raw}".`);
  }
  return Number(raw);
}

/** filtering.md: `sort=-created_at,+name`; a field without a sign sorts ascending. 400 for a field that is not sortable. */
function sortPackages(items: Record<string, unknown>[], sort: string): Record<string, unknown>[] {
  const keys = sort.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    // A `+` in a query string arrives as a space unless encoded; trimmed above, so a bare name means ascending.
    const desc = s.startsWith('-');
    const field = s.replace(/^[+-]/, '');
    if (!SORT_FIELDS.has(field)) {
      throw new HttpError(400, `Cannot sort by "${field}".`);
    }
    return { field, desc };
  });
  const compare = (a: unknown, b: unknown, field: string): number => {
    if (a === b) {
      return 0;
    }
    if (a === undefined || a === null) {
      return 1;
    }
    if (b === undefined || b === null) {
      return -1;
    }
    if (field === 'version') {
      return compareVersions(String(a), String(b));
    }
    return String(a) < String(b) ? -1 : 1;
  };
  return [...items].sort((x, y) => {
    for (const { field, desc } of keys) {
      const c = compare(x[field], y[field], field);
      if (c !== 0) {
        return desc ? -c : c;
      }
    }
    return 0;
  });
}

/** 1.0.10 after 1.0.9; pre-release text compared as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) {
      return x === undefined ? -1 : 1;
    }
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}
