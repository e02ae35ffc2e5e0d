/**
 * The EQP API client: session tokens, the profile summary, the Magento 2 Composer keys, package submissions
 * with their test reports, and submitting a package (file uploads, their malware scan, the submission batch). One request per call and no retries (retry policy belongs to the token service). Every
 * failure comes out as an EqpError whose message and fields hold no secret, token or request detail; the axios error
 * is mapped, never kept.
 */
import * as fs from 'fs';
import type { AxiosInstance, AxiosProgressEvent, AxiosResponse, CreateAxiosDefaults, Method } from 'axios';
import { type EnvironmentId, environmentInfo, legacyHostHint, otherEnvironment, validateServiceUrl } from './environments';
import { EqpError } from './errors';
import { RedactionList, redact } from './redact';
import { unlinkText } from '../util/markdown';
import { type ProxyChoice, Transport, findProxyTunnelError, requestTransport } from './transport';
import {
  type ListSubmissionsOptions,
  type Submission,
  type SubmissionPage,
  type ToolReportAnswer,
  type ToolRun,
  parseSubmission,
  parseToolReport,
  parseToolRuns,
} from './submissions';
import {
  type BatchItemResult,
  type FileUploadInfo,
  type PackageItem,
  type ParsedAnswer,
  type UploadPart,
  type UploadProgress,
  type UploadedFile,
  parseBatchResults,
  parseUploadInfo,
  parseUploadedFiles,
} from './uploads';

export interface SessionToken {
  mageId: string;
  token: string;
  /** Seconds the server granted (not the lifetime that was asked for). */
  expiresIn: number;
}

export interface Profile {
  mageId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  screenName?: string;
}

/** An Adobe organization the account belongs to; it may own Composer keys (`uid`). */
export interface Organization {
  id: string;
  /** The id when the answer names none. */
  name: string;
}

/** A Magento 2 Composer key pair: the repo.magento.com username (`userKey`) and password (`passwordKey`). */
export interface ComposerKey {
  label: string;
  userKey: string;
  /** Secret: on the redaction list from the moment the client sees it. */
  passwordKey: string;
  isEnabled: boolean;
  /** The owner: the user's mage_id or an Adobe organization id (`…@AdobeOrg`); the mage_id when the API leaves it out. */
  uid: string;
}

/** A Magento 1 product key (read-only). */
export interface ProductKey {
  productName: string;
  productKey: string;
}

export interface ComposerKeyList {
  m2: ComposerKey[];
  m1: ProductKey[];
}

export interface ListComposerKeysOptions {
  /** Default `all`. */
  type?: 'm1' | 'm2' | 'all';
  /** Only the M2 key with this label. */
  label?: string;
  /** Only keys of this owner (mage_id or organization id); default all owners. */
  uid?: string;
}

/** One item of a create batch: its own outcome, whatever the others' (the HTTP answer is 200 overall). */
export type ComposerKeyCreateResult =
  | { label: string; ok: true; key: ComposerKey }
  | { label: string; ok: false; code: number | string; message: string };

export interface EqpClientOptions {
  /** Per request, default 15000. */
  timeoutMs?: number;
  /** How messages name the API URL setting of `env`; default "EQP <Label> API URL". */
  settingName?: (env: EnvironmentId) => string;
  /**
   * Every other secret the caller knows (other keys' secrets, session tokens): a server that echoes one back in
   * an error message must not carry it into our messages, key state or logs.
   */
  redactions?: { values(): Iterable<string>; add?(value: string): void };
  /**
   * The proxy URL (http://[user:password@]host:port) for the EQP hosts, read on every request; wins over
   * HTTPS_PROXY/HTTP_PROXY. Undefined or empty: the environment decides. Loopback and NO_PROXY hosts never use one.
   */
  proxy?: () => string | undefined;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * An upload's whole-request deadline: a 30 MB zip over a slow uplink (1 Mbit/s: about 4 minutes) must fit. A stalled
 * upload is caught sooner, by the idle timeout.
 */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 30 * 60_000;
/** An upload is cut off when no byte went out (or, once all were sent, no answer came) for this long. */
export const DEFAULT_UPLOAD_IDLE_TIMEOUT_MS = 60_000;
/** The largest package zip the Marketplace takes (technical review guidelines), for messages. */
const MAX_PACKAGE_MB = 30;
/** A granted lifetime beyond this is not a real answer (the documented examples are 1–2 hours). */
export const MAX_PLAUSIBLE_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
/** Longest piece of a server message we show. */
const MAX_SERVER_MESSAGE = 300;
/** A token or profile answer is a few hundred bytes; anything near this is not one. */
const MAX_RESPONSE_BYTES = 1_000_000;
/** A page of submissions (limit -1 may ask for all of them; the docs' package object alone is about 4 KB). */
const MAX_SUBMISSIONS_BYTES = 20_000_000;
/** One test report: a code sniffer report of a large extension (thousands of findings per PHP version). */
export const MAX_TOOL_REPORT_BYTES = 50_000_000;
/** Longest submission id, tool name or run id put into a URL path. */
const MAX_PATH_PART = 200;
/** What a Magento ID (mage_id) looks like; it goes into URL paths, messages and terminal variables. */
const MAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAGE_ID_RULE = '1 to 64 letters, digits, "_" or "-"';

type Operation = 'token' | 'profile' | 'keys' | SubmissionOperation;
type SubmissionOperation = 'submissions' | 'submission' | 'toolRuns' | 'toolReport' | 'upload' | 'uploadInfo' | 'submit';

/** How messages name the request of each operation. */
const REQUEST_NAME: Record<Operation, string> = {
  token: 'session token request',
  profile: 'profile request',
  keys: 'Composer key request',
  submissions: 'submission list request',
  submission: 'submission request',
  toolRuns: 'test run list request',
  toolReport: 'test report request',
  upload: 'file upload',
  uploadInfo: 'uploaded file request',
  submit: 'package submission',
};

/** How messages name a valid answer of each operation ("not a valid …"). */
const ANSWER_NAME: Record<Operation, string> = {
  token: 'session token',
  profile: 'profile',
  keys: 'Composer key answer',
  submissions: 'submission list',
  submission: 'submission',
  toolRuns: 'test run list',
  toolReport: 'test report',
  upload: 'upload answer',
  uploadInfo: 'uploaded file status',
  submit: 'package submission answer',
};

const SUBMISSION_OPERATIONS: ReadonlySet<Operation> = new Set<SubmissionOperation>(['submissions', 'submission', 'toolRuns', 'toolReport', 'upload', 'uploadInfo', 'submit']);

function isSubmissionOperation(op: Operation): op is SubmissionOperation {
  return SUBMISSION_OPERATIONS.has(op);
}

/** What one call knows about itself, for building messages. */
interface CallContext {
  env: EnvironmentId;
  op: Operation;
  /** "EQP Sandbox API" */
  api: string;
  baseUrl: string;
  host: string;
  setting: string;
  /** Values to scrub from anything the server says back. */
  secrets: string[];
  /** The Composer key label a PUT/DELETE is about: a 404 then means "no such key". */
  label?: string;
  /** The submission a GET is about: a 404 then names it. */
  submissionId?: string;
  /** The test run a report GET is about (tool name and run id). */
  run?: { tool: string; toolRunId: string };
  /** The uploaded file a GET is about: a 404 then names it. */
  fileUploadId?: string;
  /** Largest answer accepted; default MAX_RESPONSE_BYTES. */
  maxBytes?: number;
}

/** How send() treats one request beyond the defaults (uploads). */
interface SendOptions {
  /** Request headers besides Authorization (they win over the defaults). */
  headers?: Record<string, string>;
  /** The whole-request deadline instead of the client's timeoutMs. */
  timeoutMs?: number;
  /** Also cut the request off when no byte of the body went out, or no answer came after it, for this long. */
  idleTimeoutMs?: number;
  /** Bytes of the request body sent so far, of `total`. */
  onUploadProgress?: UploadProgress;
}

/** What an upload may be told besides its files. */
export interface UploadOptions {
  /** Bytes of the whole multipart body sent so far (throttled, a few calls a second), of its total. */
  onProgress?: UploadProgress;
  /** Aborting it cuts the request off mid-body: the server sees an incomplete upload and keeps nothing of it. */
  signal?: AbortSignal;
  /** The whole-request deadline; default DEFAULT_UPLOAD_TIMEOUT_MS. */
  timeoutMs?: number;
  /** No byte sent (or, once all were, no answer) for this long ends the upload; default DEFAULT_UPLOAD_IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
}

interface RawAnswer {
  status: number;
  body: string;
  contentType: string;
  /** Response headers with lower-case names (string values only). */
  headers: Record<string, string>;
}

export class EqpClient {
  private readonly httpConfig: CreateAxiosDefaults;
  /** Our agents (direct, or a CONNECT tunnel through a proxy), chosen per request. */
  private readonly transport: Transport;
  /**
   * axios is loaded on the first request, not when the extension activates: evaluating it is most of the
   * bundle's start-up cost, and many sessions never send a request.
   */
  private http: Promise<AxiosInstance> | undefined;
  private readonly timeoutMs: number;
  private readonly settingName: (env: EnvironmentId) => string;
  private readonly redactions: { values(): Iterable<string>; add?(value: string): void };
  /** Password keys and tokens this client has seen, scrubbed from every later message even without a shared list. */
  private readonly seen = new RedactionList();

  constructor(
    private readonly apiUrl: (env: EnvironmentId) => string,
    options: EqpClientOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new EqpError('config', `The EQP client timeout must be a positive number of milliseconds (got ${timeoutMs}).`);
    }
    this.timeoutMs = timeoutMs;
    this.settingName = options.settingName ?? ((env) => `EQP ${environmentInfo(env).label} API URL`);
    this.redactions = options.redactions ?? { values: () => [] };
    this.transport = new Transport({ proxy: options.proxy, connectTimeoutMs: timeoutMs });
    this.httpConfig = {
      // No axios `timeout` (an idle-socket timer: a server that drips a byte a second would never time out):
      // send() cuts every request off at timeoutMs in total.
      // Never follow a redirect: it would re-send the credentials to wherever the Location points.
      maxRedirects: 0,
      // Not axios's own HTTPS_PROXY handling: our agents decide (transport.ts), with certificate checks forced on.
      proxy: false,
      transport: requestTransport,
      // All statuses come back as answers; send() judges them itself.
      validateStatus: () => true,
      // Raw text and our own JSON.parse, so a malformed body is caught and described, not half-parsed.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxContentLength: MAX_RESPONSE_BYTES,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'User-Agent': 'eqp-keys-vscode',
      },
    };
  }

  async getSessionToken(
    env: EnvironmentId,
    applicationId: string,
    applicationSecret: string,
    requestedLifetime?: number,
    signal?: AbortSignal,
  ): Promise<SessionToken> {
    if (typeof applicationId !== 'string' || applicationId === '' || applicationId.includes(':')) {
      // Basic auth splits at the first ':', so such an ID could never be sent intact.
      throw new EqpError('config', 'The application ID is empty or contains ":"; it cannot be sent.', {
        hint: 'Copy the application ID again from the Developer Portal (Account → Manage API Keys).',
      });
    }
    if (typeof applicationSecret !== 'string' || applicationSecret === '') {
      throw new EqpError('config', 'The application secret is empty.', {
        hint: 'Copy the application secret again from the Developer Portal (Account → Manage API Keys).',
      });
    }
    if (requestedLifetime !== undefined && !(Number.isInteger(requestedLifetime) && requestedLifetime > 0)) {
      throw new EqpError('config', `The requested token lifetime must be a whole number of seconds above 0 (got ${requestedLifetime}).`);
    }
    const basic = Buffer.from(`${applicationId}:${applicationSecret}`, 'utf8').toString('base64');
    const ctx = this.context(env, 'token', [applicationSecret, basic]);
    const body: { grant_type: 'session'; expires_in?: number } = { grant_type: 'session' };
    if (requestedLifetime !== undefined) {
      body.expires_in = requestedLifetime;
    }
    const answer = await this.send(ctx, 'POST', '/rest/v1/app/session/token', `Basic ${basic}`, body, signal);
    return parseSessionToken(ctx, answer);
  }

  async getProfile(env: EnvironmentId, token: string, mageId: string, signal?: AbortSignal): Promise<Profile> {
    checkSession(token, mageId);
    const ctx = this.context(env, 'profile', [token]);
    const path = `/rest/v1/users/${encodeURIComponent(mageId)}?style=summary`;
    const answer = await this.send(ctx, 'GET', path, `Bearer ${token}`, undefined, signal);
    return parseProfile(ctx, answer, mageId);
  }

  /**
   * The organizations of the profile (its full style). Their shape is not documented: objects with an `id` (or
   * `org_id`/`uid`) and a `name` (or `label`), or plain id strings, are read; anything else in the list is skipped,
   * and a profile without the field has none.
   */
  async getOrganizations(env: EnvironmentId, token: string, mageId: string, signal?: AbortSignal): Promise<Organization[]> {
    checkSession(token, mageId);
    this.remember(token);
    const ctx = this.context(env, 'profile', [token]);
    const answer = await this.send(ctx, 'GET', `/rest/v1/users/${encodeURIComponent(mageId)}`, `Bearer ${token}`, undefined, signal);
    return parseOrganizations(parseJsonObject(ctx, answer, 'profile').organizations);
  }

  /** The Magento 2 Composer keys (`m2`) and Magento 1 product keys (`m1`) of `mageId` and its organizations. */
  async listComposerKeys(
    env: EnvironmentId,
    token: string,
    mageId: string,
    opts: ListComposerKeysOptions = {},
    signal?: AbortSignal,
  ): Promise<ComposerKeyList> {
    const type = opts.type ?? 'all';
    if (type !== 'm1' && type !== 'm2' && type !== 'all') {
      throw new EqpError('config', `The key type must be m1, m2 or all (got ${String(type)}).`);
    }
    if (opts.label !== undefined) {
      checkLabel(opts.label);
    }
    if (opts.uid !== undefined) {
      checkUid(opts.uid);
    }
    const ctx = this.keysContext(env, token, mageId);
    const query = new URLSearchParams({ type });
    if (opts.label !== undefined) {
      query.set('label', opts.label);
    }
    if (opts.uid !== undefined) {
      query.set('uid', opts.uid);
    }
    const answer = await this.send(ctx, 'GET', `${keysPath(mageId)}?${query.toString()}`, `Bearer ${token}`, undefined, signal);
    const json = parseJsonObject(ctx, answer, ANSWER_NAME.keys);
    const m2 = type === 'm1' ? [] : this.parseComposerKeys(ctx, json.m2, mageId, 'list');
    let m1: ProductKey[] = [];
    // An account without Magento 1 products may leave m1 out of an "all" answer (undocumented): none, not an error.
    if (type === 'm1' || json.m1 !== undefined) {
      m1 = this.parseProductKeys(ctx, json.m1);
    }
    return { m2, m1 };
  }

  /** Creates Composer keys in one batch; each item succeeds or fails on its own (duplicate label, unknown owner…). */
  async createComposerKeys(
    env: EnvironmentId,
    token: string,
    mageId: string,
    items: readonly { label: string; uid?: string }[],
    signal?: AbortSignal,
  ): Promise<ComposerKeyCreateResult[]> {
    if (!Array.isArray(items) || items.length === 0) {
      throw new EqpError('config', 'There are no Composer keys to create.');
    }
    for (const item of items) {
      checkLabel(item.label);
      if (item.uid !== undefined) {
        checkUid(item.uid);
      }
    }
    const ctx = this.keysContext(env, token, mageId);
    const body = { m2: items.map((i) => (i.uid === undefined ? { label: i.label } : { label: i.label, uid: i.uid })) };
    const answer = await this.send(ctx, 'POST', keysPath(mageId), `Bearer ${token}`, body, signal);
    const json = parseJsonObject(ctx, answer, ANSWER_NAME.keys);
    const answered = json.m2;
    if (!Array.isArray(answered)) {
      malformed(ctx, answered === undefined ? '"m2" is missing' : '"m2" is not a list');
    }
    // Scrub every password before judging anything, so no later error can carry one.
    this.rememberPasswords(answered);
    if (answered.length !== items.length) {
      malformed(ctx, `${items.length} keys were asked for but ${answered.length} answered`);
    }
    return items.map((item, index): ComposerKeyCreateResult => {
      const raw = answered[index] as unknown;
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        return malformed(ctx, `m2 item ${index + 1} is not an object`);
      }
      const fields = raw as Record<string, unknown>;
      const code = fields.code;
      if (code === undefined) {
        return malformed(ctx, `m2 item ${index + 1} has no "code"`);
      }
      if (!((typeof code === 'number' && Number.isFinite(code)) || (typeof code === 'string' && /^\d{1,6}$/.test(code)))) {
        return malformed(ctx, `m2 item ${index + 1} has a "code" that is not a number`);
      }
      if (Number(code) === 200) {
        return { label: item.label, ok: true, key: this.parseComposerKey(ctx, raw, mageId, index, item.uid) };
      }
      const message =
        typeof fields.message === 'string' && fields.message.trim() !== ''
          ? cleanServerText(fields.message, ctx.secrets.concat([...this.seen.values()]))
          : `refused with code ${code}`;
      return { label: item.label, ok: false, code, message };
    });
  }

  /** Enables or disables one Composer key; answers the key as updated. */
  async setComposerKeyEnabled(
    env: EnvironmentId,
    token: string,
    mageId: string,
    label: string,
    enabled: boolean,
    uid?: string,
    signal?: AbortSignal,
  ): Promise<ComposerKey> {
    checkLabel(label);
    if (typeof enabled !== 'boolean') {
      throw new EqpError('config', 'Whether to enable the key must be true or false.');
    }
    if (uid !== undefined) {
      checkUid(uid);
    }
    const ctx = { ...this.keysContext(env, token, mageId), label };
    const item: { is_enabled: boolean; uid?: string } = { is_enabled: enabled };
    if (uid !== undefined) {
      item.uid = uid;
    }
    const answer = await this.send(ctx, 'PUT', `${keysPath(mageId)}/${encodeURIComponent(label)}`, `Bearer ${token}`, { m2: [item] }, signal);
    const json = parseJsonObject(ctx, answer, ANSWER_NAME.keys);
    const keys = this.parseComposerKeys(ctx, json.m2, mageId, 'update', uid);
    if (keys.length !== 1) {
      malformed(ctx, `"m2" holds ${keys.length} keys, not the one updated`);
    }
    return keys[0] as ComposerKey;
  }

  /** Deletes one Composer key (204 No Content). */
  async deleteComposerKey(env: EnvironmentId, token: string, mageId: string, label: string, uid?: string, signal?: AbortSignal): Promise<void> {
    checkLabel(label);
    if (uid !== undefined) {
      checkUid(uid);
    }
    const ctx = { ...this.keysContext(env, token, mageId), label };
    const query = uid === undefined ? '' : `?${new URLSearchParams({ uid }).toString()}`;
    await this.send(ctx, 'DELETE', `${keysPath(mageId)}/${encodeURIComponent(label)}${query}`, `Bearer ${token}`, undefined, signal);
  }

  /**
   * One page of the account's package submissions (`GET /rest/v1/products/packages`), newest first unless `sort`
   * says otherwise. `total` comes from X-Total-Count (undefined when absent or not a whole number >= 0); entries that
   * are not submissions are left out and counted in `skipped`. A page that disagrees with the total is returned as is.
   */
  async listSubmissions(env: EnvironmentId, token: string, opts: ListSubmissionsOptions = {}, signal?: AbortSignal): Promise<SubmissionPage> {
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 20;
    const sort = opts.sort ?? '-created_at';
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new EqpError('config', `The submission list offset must be a whole number from 0 (got ${String(offset)}).`);
    }
    if (!Number.isSafeInteger(limit) || (limit < 1 && limit !== -1)) {
      throw new EqpError('config', `The submission list limit must be a whole number from 1, or -1 for all (got ${String(limit)}).`);
    }
    if (typeof sort !== 'string' || !/^[+-]?[A-Za-z_][A-Za-z0-9_.]*(,[+-]?[A-Za-z_][A-Za-z0-9_.]*)*$/.test(sort)) {
      throw new EqpError('config', 'The submission list sort must be a comma list of field names, each with an optional + or - (e.g. -created_at).');
    }
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit), sort });
    for (const [name, value] of Object.entries(opts.filters ?? {})) {
      if (name.trim() === '' || query.has(name) || typeof value !== 'string' || CONTROL_CHARS.test(name) || CONTROL_CHARS.test(value)) {
        throw new EqpError('config', 'A submission filter must be a field name (not offset, limit or sort) with a text value, without control characters.');
      }
      query.set(name, value);
    }
    const ctx = { ...this.tokenContext(env, token, 'submissions'), maxBytes: MAX_SUBMISSIONS_BYTES };
    const answer = await this.send(ctx, 'GET', `/rest/v1/products/packages?${query.toString()}`, `Bearer ${token}`, undefined, signal);
    const json = parseJsonBody(ctx, answer);
    if (!Array.isArray(json)) {
      malformed(ctx, 'the body is JSON but not a list');
    }
    const items: Submission[] = [];
    for (const raw of json as unknown[]) {
      const submission = parseSubmission(raw);
      if (submission !== undefined) {
        items.push(submission);
      }
    }
    return { items, total: parseTotal(answer.headers['x-total-count']), skipped: json.length - items.length, offset, limit };
  }

  /** One submission (`GET /rest/v1/products/packages/:submission_id`); a one-item list is read as that item. */
  async getSubmission(env: EnvironmentId, token: string, submissionId: string, signal?: AbortSignal): Promise<Submission> {
    const idPart = pathPart(submissionId, 'submission ID');
    const ctx = { ...this.tokenContext(env, token, 'submission'), submissionId, maxBytes: MAX_SUBMISSIONS_BYTES };
    const answer = await this.send(ctx, 'GET', `/rest/v1/products/packages/${idPart}`, `Bearer ${token}`, undefined, signal);
    let json = parseJsonBody(ctx, answer);
    if (Array.isArray(json)) {
      if (json.length !== 1) {
        malformed(ctx, `the body is a list of ${json.length} items, not one submission`);
      }
      json = json[0] as unknown;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      malformed(ctx, 'the body is JSON but not an object');
    }
    const submission = parseSubmission(json);
    if (submission === undefined) {
      malformed(ctx, '"submission_id" is missing or not usable');
    }
    return submission;
  }

  /** The test runs of a submission (`GET …/:submission_id/status`); entries without a name or run id are left out. */
  async listToolRuns(env: EnvironmentId, token: string, submissionId: string, signal?: AbortSignal): Promise<ToolRun[]> {
    const idPart = pathPart(submissionId, 'submission ID');
    const ctx = { ...this.tokenContext(env, token, 'toolRuns'), submissionId };
    const answer = await this.send(ctx, 'GET', `/rest/v1/products/packages/${idPart}/status`, `Bearer ${token}`, undefined, signal);
    const json = parseJsonBody(ctx, answer);
    if (!Array.isArray(json)) {
      malformed(ctx, 'the body is JSON but not a list');
    }
    return parseToolRuns(json);
  }

  /**
   * One test report (`GET …/:submission_id/status/:tool/:tool_run_id`), up to MAX_TOOL_REPORT_BYTES, with the exact
   * text the server sent as `raw`.
   */
  async getToolReport(
    env: EnvironmentId,
    token: string,
    submissionId: string,
    tool: string,
    toolRunId: string,
    signal?: AbortSignal,
  ): Promise<ToolReportAnswer> {
    const path =
      `/rest/v1/products/packages/${pathPart(submissionId, 'submission ID')}/status/` +
      `${pathPart(tool, 'test tool name')}/${pathPart(toolRunId, 'test run ID')}`;
    const ctx = { ...this.tokenContext(env, token, 'toolReport'), submissionId, run: { tool, toolRunId }, maxBytes: MAX_TOOL_REPORT_BYTES };
    let answer: RawAnswer;
    try {
      answer = await this.send(ctx, 'GET', path, `Bearer ${token}`, undefined, signal);
    } catch (e) {
      // test-results.md's own examples read the report at /rest/v1/:submission_id/status/…: a server that has only
      // that spelling is asked there once; its 404 too means the report is not there (the first error is told).
      if (!(e instanceof EqpError && e.status === 404)) throw e;
      const docsPath = path.replace('/rest/v1/products/packages/', '/rest/v1/');
      answer = await this.send(ctx, 'GET', docsPath, `Bearer ${token}`, undefined, signal).catch((second: unknown) => {
        throw second instanceof EqpError && second.status === 404 ? e : second;
      });
    }
    const json = parseJsonBody(ctx, answer);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      malformed(ctx, 'the body is JSON but not an object');
    }
    return { report: parseToolReport(json), raw: answer.body };
  }

  /**
   * Uploads files (`POST /rest/v1/files/uploads`, multipart/form-data, every part named `file[]` with its filename
   * and content type) and answers their upload ids in the order sent. The files are streamed from disk
   * (fs.openAsBlob), never read into memory. No retries: a failed upload can simply be sent again.
   */
  async uploadFiles(env: EnvironmentId, token: string, parts: readonly UploadPart[], opts: UploadOptions = {}): Promise<UploadedFile[]> {
    checkUploadParts(parts);
    const timeoutMs = checkTimeout(opts.timeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS, 'upload timeout');
    const idleTimeoutMs = checkTimeout(opts.idleTimeoutMs ?? DEFAULT_UPLOAD_IDLE_TIMEOUT_MS, 'upload idle timeout');
    const ctx = this.tokenContext(env, token, 'upload');
    if (opts.signal?.aborted) {
      throw cancelledError(ctx);
    }
    // Node's own FormData with file-backed Blobs: axios's http adapter turns a spec-compliant form into a stream
    // (formDataToStream, readBlob) with a Content-Length from the blobs' sizes, reading each file as it goes.
    const form = new FormData();
    for (const part of parts) {
      form.append('file[]', await openFile(part), part.filename);
    }
    let reported: { sent: number; total: number | undefined } = { sent: 0, total: undefined };
    const onUploadProgress: UploadProgress = (sent, total) => {
      reported = { sent, total };
      try {
        opts.onProgress?.(sent, total);
      } catch {
        // A caller's progress display failing is no reason to fail the upload.
      }
    };
    const answer = await this.send(ctx, 'POST', '/rest/v1/files/uploads', `Bearer ${token}`, form, opts.signal, {
      // Not JSON: axios would turn the form into JSON. The adapter puts the boundary in.
      headers: { 'Content-Type': 'multipart/form-data' },
      timeoutMs,
      idleTimeoutMs,
      onUploadProgress,
    });
    // A 2xx came after the whole body: the caller's progress ends at the total even if the last event was throttled.
    if (reported.total !== undefined && reported.sent < reported.total) {
      onUploadProgress(reported.total, reported.total);
    }
    return answerOrMalformed(ctx, parseUploadedFiles(parseJsonBody(ctx, answer), parts.length));
  }

  /** One uploaded file and its malware scan (`GET /rest/v1/files/uploads/:file_upload_id`); a one-item list is read as that item. */
  async getUpload(env: EnvironmentId, token: string, fileUploadId: string, signal?: AbortSignal): Promise<FileUploadInfo> {
    const idPart = pathPart(fileUploadId, 'file upload ID', 'Upload the file again to get a new file upload ID.');
    const ctx = { ...this.tokenContext(env, token, 'uploadInfo'), fileUploadId };
    const answer = await this.send(ctx, 'GET', `/rest/v1/files/uploads/${idPart}`, `Bearer ${token}`, undefined, signal);
    return answerOrMalformed(ctx, parseUploadInfo(parseJsonBody(ctx, answer), fileUploadId));
  }

  /**
   * Creates package submissions in one batch (`POST /rest/v1/products/packages`); each item succeeds or fails on its
   * own (the HTTP answer is 200 overall), and the results come in the order sent.
   */
  async submitPackages(env: EnvironmentId, token: string, items: readonly PackageItem[], signal?: AbortSignal): Promise<BatchItemResult[]> {
    if (!Array.isArray(items) || items.length === 0 || !items.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i))) {
      throw new EqpError('config', 'There is no package to submit (the batch must be a non-empty list of package objects).');
    }
    const ctx = this.tokenContext(env, token, 'submit');
    const answer = await this.send(ctx, 'POST', '/rest/v1/products/packages', `Bearer ${token}`, items, signal);
    const secrets = ctx.secrets.concat([...this.seen.values()]);
    return answerOrMalformed(ctx, parseBatchResults(parseJsonBody(ctx, answer), items.length, (m) => cleanServerText(m, secrets)));
  }

  /** A call made with only a session token: checks it, puts it on the redaction lists, builds the context. */
  private tokenContext(env: EnvironmentId, token: string, op: Operation): CallContext {
    if (typeof token !== 'string' || token === '') {
      throw new EqpError('config', 'There is no session token to send.', { hint: 'Get a new session token first.' });
    }
    this.remember(token);
    return this.context(env, op, [token]);
  }

  /** Checks token and mage_id, puts the token on the redaction lists, builds the context. */
  private keysContext(env: EnvironmentId, token: string, mageId: string): CallContext {
    checkSession(token, mageId);
    this.remember(token);
    return this.context(env, 'keys', [token]);
  }

  /** A secret seen in a request or an answer: never shown from now on, by this client or the shared list's users. */
  private remember(value: string): void {
    this.seen.add(value);
    this.redactions.add?.(value);
  }

  /** Every string `password_key` of a raw m2 list, remembered before the list is judged. */
  private rememberPasswords(items: unknown): void {
    if (!Array.isArray(items)) {
      return;
    }
    for (const item of items) {
      const password = (item as { password_key?: unknown } | null)?.password_key;
      if (typeof password === 'string') {
        this.remember(password);
      }
    }
  }

  private parseComposerKeys(ctx: CallContext, raw: unknown, mageId: string, what: 'list' | 'update', uid?: string): ComposerKey[] {
    if (!Array.isArray(raw)) {
      malformed(ctx, raw === undefined ? '"m2" is missing' : '"m2" is not a list');
    }
    this.rememberPasswords(raw);
    return raw.map((item, index) => this.parseComposerKey(ctx, item, mageId, index, what === 'update' ? uid : undefined));
  }

  /** One m2 item; its values are never quoted in a message (the password, and labels a user typed). */
  private parseComposerKey(ctx: CallContext, raw: unknown, mageId: string, index: number, defaultUid?: string): ComposerKey {
    const where = `m2 item ${index + 1}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      malformed(ctx, `${where} is not an object`);
    }
    const item = raw as Record<string, unknown>;
    if (typeof item.password_key === 'string') {
      this.remember(item.password_key);
    }
    for (const field of ['label', 'user_key', 'password_key'] as const) {
      const value = item[field];
      if (typeof value !== 'string' || value === '') {
        malformed(ctx, `${where}: "${field}" is ${value === undefined ? 'missing' : 'not a non-empty string'}`);
      }
    }
    if (typeof item.is_enabled !== 'boolean') {
      malformed(ctx, `${where}: "is_enabled" is ${item.is_enabled === undefined ? 'missing' : 'not true or false'}`);
    }
    if (item.uid !== undefined && (typeof item.uid !== 'string' || item.uid === '')) {
      malformed(ctx, `${where}: "uid" is not a non-empty string`);
    }
    return {
      label: item.label as string,
      userKey: item.user_key as string,
      passwordKey: item.password_key as string,
      isEnabled: item.is_enabled,
      uid: (item.uid as string | undefined) ?? defaultUid ?? mageId,
    };
  }

  private parseProductKeys(ctx: CallContext, raw: unknown): ProductKey[] {
    if (!Array.isArray(raw)) {
      malformed(ctx, raw === undefined ? '"m1" is missing' : '"m1" is not a list');
    }
    return raw.map((item: unknown, index) => {
      const fields = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
      if (fields === undefined) {
        return malformed(ctx, `m1 item ${index + 1} is not an object`);
      }
      const { product_name: productName, product_key: productKey } = fields;
      if (typeof productName !== 'string' || typeof productKey !== 'string') {
        return malformed(ctx, `m1 item ${index + 1}: "product_name" and "product_key" must be strings`);
      }
      // A download URL with a key in it: treated as a secret too.
      this.remember(productKey);
      return { productName, productKey };
    });
  }

  /** Reads and checks the URL setting on every call: it may have changed since the last one. */
  private context(env: EnvironmentId, op: Operation, secrets: string[]): CallContext {
    const info = environmentInfo(env);
    const setting = this.settingName(env);
    let raw: string;
    try {
      raw = this.apiUrl(env);
    } catch (e) {
      if (e instanceof EqpError) {
        throw e;
      }
      throw new EqpError('config', `The ${setting} setting could not be read.`);
    }
    const baseUrl = validateServiceUrl(raw, setting);
    return { env, op, api: `EQP ${info.label} API`, baseUrl, host: new URL(baseUrl).host, setting, secrets: [...secrets, ...this.seen.values(), ...this.redactions.values()] };
  }

  private async send(
    ctx: CallContext,
    method: Method,
    path: string,
    authorization: string,
    data: unknown,
    signal: AbortSignal | undefined,
    options: SendOptions = {},
  ): Promise<RawAnswer> {
    if (signal?.aborted) {
      throw cancelledError(ctx);
    }
    const url = `${ctx.baseUrl}${path}`;
    const route = this.transport.route(new URL(url));
    // One deadline for the whole request (connect, proxy, TLS, headers and body), and the caller's cancel.
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const abort = new AbortController();
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    // An idle timer, re-armed by every progress event of the body: a stalled upload fails long before the deadline.
    const { idleTimeoutMs } = options;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let idledOut = false;
    let settled = false;
    let progress: { sent: number; total: number | undefined } = { sent: 0, total: undefined };
    const armIdle = (): void => {
      if (idleTimeoutMs === undefined || settled) {
        return;
      }
      clearTimeout(idle);
      idle = setTimeout(() => {
        idledOut = true;
        abort.abort();
      }, idleTimeoutMs);
    };
    const onUploadProgress =
      options.onUploadProgress !== undefined || idleTimeoutMs !== undefined
        ? (event: AxiosProgressEvent): void => {
            // axios reports throttled and a tick late: nothing once the request is over.
            if (settled) {
              return;
            }
            progress = { sent: event.loaded, total: event.total };
            armIdle();
            options.onUploadProgress?.(event.loaded, event.total);
          }
        : undefined;
    armIdle();
    const onCancel = (): void => abort.abort();
    signal?.addEventListener('abort', onCancel, { once: true });
    let response: AxiosResponse<unknown>;
    try {
      this.http ??= import('axios').then((m) => m.default.create(this.httpConfig));
      response = await (await this.http).request({
        method,
        url,
        headers: { Authorization: authorization, ...options.headers },
        data,
        signal: abort.signal,
        maxContentLength: ctx.maxBytes ?? MAX_RESPONSE_BYTES,
        httpAgent: route.httpAgent,
        httpsAgent: route.httpsAgent,
        onUploadProgress,
      });
    } catch (e) {
      // Rethrown as a fresh error: the axios one holds the request config, Authorization header included.
      if (signal?.aborted) {
        throw cancelledError(ctx);
      }
      if (timedOut) {
        throw timeoutError(ctx, timeoutMs, route.proxy);
      }
      if (idledOut && idleTimeoutMs !== undefined) {
        throw idleTimeoutError(ctx, idleTimeoutMs, progress, route.proxy);
      }
      throw transportError(ctx, e, timeoutMs, route.proxy);
    } finally {
      settled = true;
      clearTimeout(deadline);
      clearTimeout(idle);
      signal?.removeEventListener('abort', onCancel);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
      if (typeof value === 'string') {
        headers[name.toLowerCase()] = value;
      }
    }
    const answer: RawAnswer = {
      status: response.status,
      body: typeof response.data === 'string' ? response.data : '',
      contentType,
      headers,
    };
    if (answer.status >= 200 && answer.status < 300) {
      return answer;
    }
    if (answer.status >= 300 && answer.status < 400) {
      throw redirectError(ctx, answer.status, response.headers['location']);
    }
    throw httpError(ctx, answer, response.headers['retry-after']);
  }
}

// ---- success answers ----------------------------------------------------------------------------------------

function parseSessionToken(ctx: CallContext, answer: RawAnswer): SessionToken {
  const json = parseJsonObject(ctx, answer, 'session token');
  function bad(problem: string): never {
    throw new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid session token: ${problem}.`, {
      hint: malformedHint(ctx),
    });
  }
  const { ust, mage_id: mageId, expires_in: expiresIn } = json;
  if (typeof ust !== 'string' || ust.trim() === '') {
    bad(ust === undefined ? '"ust" is missing' : '"ust" is not a non-empty string');
  }
  if (typeof mageId !== 'string' || mageId.trim() === '') {
    bad(mageId === undefined ? '"mage_id" is missing' : '"mage_id" is not a non-empty string');
  }
  if (!MAGE_ID.test(mageId)) {
    bad(`"mage_id" is not a Magento ID (${MAGE_ID_RULE})`);
  }
  if (expiresIn === undefined) {
    bad('"expires_in" is missing');
  }
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) {
    bad('"expires_in" is not a number');
  }
  if (expiresIn <= 0) {
    bad(`"expires_in" is ${expiresIn}, but a token must live for some time`);
  }
  if (expiresIn > MAX_PLAUSIBLE_LIFETIME_SECONDS) {
    bad(`"expires_in" is ${expiresIn} seconds, more than 30 days`);
  }
  return { mageId, token: ust, expiresIn };
}

function parseProfile(ctx: CallContext, answer: RawAnswer, askedMageId: string): Profile {
  const json = parseJsonObject(ctx, answer, 'profile');
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  if (typeof json.mage_id === 'string' && !MAGE_ID.test(json.mage_id)) {
    malformed(ctx, `"mage_id" is not a Magento ID (${MAGE_ID_RULE})`);
  }
  const profile: Profile = { mageId: text(json.mage_id) ?? askedMageId };
  const fields: [keyof Profile, string][] = [
    ['firstName', 'first_name'],
    ['lastName', 'last_name'],
    ['email', 'email'],
    ['screenName', 'screen_name'],
  ];
  // Names end up in notifications ("… works: verified · MAG… · Jane Doe"): they can form no link there.
  for (const [ours, theirs] of fields) {
    const value = text(json[theirs]);
    if (value !== undefined) {
      profile[ours] = unlinkText(value);
    }
  }
  return profile;
}

function parseOrganizations(raw: unknown): Organization[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' && v.length <= 200 ? v.trim() : undefined);
  const found: Organization[] = [];
  for (const item of raw as unknown[]) {
    const fields = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    const id = fields ? (text(fields.id) ?? text(fields.org_id) ?? text(fields.uid)) : text(item);
    if (id === undefined || found.some((o) => o.id === id)) {
      continue;
    }
    // The id goes back to the server as it came (a uid); the name is only shown, and forms no link.
    found.push({ id, name: unlinkText((fields && (text(fields.name) ?? text(fields.label))) ?? id) });
  }
  return found;
}

function parseJsonObject(ctx: CallContext, answer: RawAnswer, what: string): Record<string, unknown> {
  function fail(problem: string): never {
    throw new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid ${what}: ${problem}.`, {
      hint: malformedHint(ctx),
    });
  }
  if (answer.body.trim() === '') {
    fail(`the body is empty (HTTP ${answer.status})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    // Not the parser's message: newer Node versions quote the body in it.
    fail(`the body is not JSON${describeContentType(answer.contentType)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('the body is JSON but not an object');
  }
  return parsed as Record<string, unknown>;
}

/** Any JSON body (the caller judges its shape); an empty or non-JSON body is malformed. */
function parseJsonBody(ctx: CallContext, answer: RawAnswer): unknown {
  if (answer.body.trim() === '') {
    malformed(ctx, `the body is empty (HTTP ${answer.status})`);
  }
  const parsed = tryParseJson(answer.body);
  if (!parsed.ok) {
    // Not the parser's message: newer Node versions quote the body in it.
    malformed(ctx, `the body is not JSON${describeContentType(answer.contentType)}`);
  }
  return parsed.value;
}

/** X-Total-Count: a whole number >= 0, else undefined. */
function parseTotal(header: string | undefined): number | undefined {
  const value = header?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * A submission id, tool name or run id as one URL path segment: refused (kind 'config', nothing sent) when empty,
 * too long, made of dots only (`..` would climb the path) or holding control characters; otherwise percent-encoded.
 */
function pathPart(value: unknown, what: string, hint = 'List the submissions again and pick one from the list.'): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_PATH_PART || /^\.+$/.test(value) || CONTROL_CHARS.test(value)) {
    throw new EqpError('config', `The ${what} must be a non-empty text of at most ${MAX_PATH_PART} characters without control characters.`, { hint });
  }
  return encodeURIComponent(value);
}

/** A parser's verdict (uploads.ts) as the value, or the client's malformed error. */
function answerOrMalformed<T>(ctx: CallContext, parsed: ParsedAnswer<T>): T {
  if (!parsed.ok) {
    malformed(ctx, parsed.problem);
  }
  return parsed.value;
}

function checkTimeout(ms: unknown, what: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new EqpError('config', `The ${what} must be a positive number of milliseconds (got ${String(ms)}).`);
  }
  return ms;
}

/** A MIME type without parameters (`application/zip`); it goes into a part header as is. */
const CONTENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** The parts of an upload: at least one, each with a path, a filename and a content type that can be sent. */
function checkUploadParts(parts: unknown): asserts parts is readonly UploadPart[] {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new EqpError('config', 'There are no files to upload.');
  }
  for (const part of parts as unknown[]) {
    const { path, filename, contentType } = (part ?? {}) as Partial<Record<keyof UploadPart, unknown>>;
    if (typeof path !== 'string' || path === '') {
      throw new EqpError('config', 'A file to upload has no path.');
    }
    // The filename goes into the part header (axios escapes quotes and line breaks) and the server's records.
    if (typeof filename !== 'string' || filename.trim() === '' || filename.length > 255 || CONTROL_CHARS.test(filename) || /[\\/]/.test(filename)) {
      throw new EqpError('config', 'A file to upload needs a file name of 1 to 255 characters, without "/", "\\" or control characters.');
    }
    if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) {
      throw new EqpError('config', `The content type of ${quotedId(filename)} is not a MIME type such as application/zip.`);
    }
  }
}

/**
 * A file as a Blob backed by the file on disk (Node >= 19.8; VS Code 1.90+ runs Node 20): its bytes are read only
 * while the request streams them. A file that cannot be opened is the caller's problem, told before anything is sent.
 */
async function openFile(part: UploadPart): Promise<Blob> {
  if (typeof fs.openAsBlob !== 'function') {
    throw new EqpError('config', 'Uploading files needs Node 19.8 or later (VS Code 1.90 or later).', { hint: 'Update VS Code, then try again.' });
  }
  const unusable = (why: string): EqpError =>
    new EqpError('config', `The file ${quotedId(part.filename)} could not be opened for upload (${why}).`, { hint: 'Build the package again, then upload it.' });
  // openAsBlob says only "Unable to open file as blob" (and throws rather than rejects): stat and access say why.
  try {
    const stat = await fs.promises.stat(part.path);
    if (!stat.isFile()) {
      throw unusable('not a file');
    }
    await fs.promises.access(part.path, fs.constants.R_OK);
  } catch (e) {
    if (e instanceof EqpError) {
      throw e;
    }
    const code = (e as { code?: unknown } | null)?.code;
    throw unusable(typeof code === 'string' ? code : 'unreadable');
  }
  try {
    return await fs.openAsBlob(part.path, { type: part.contentType });
  } catch {
    throw unusable('unreadable');
  }
}

/** An id from the server or a caller, safe to put into a message: no link, at most 64 characters. */
function quotedId(id: string): string {
  const oneLine = unlinkText(id);
  return oneLine.length > 64 ? `${oneLine.slice(0, 63)}…` : oneLine;
}

function malformed(ctx: CallContext, problem: string): never {
  throw new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid ${ANSWER_NAME[ctx.op]}: ${problem}.`, {
    hint: malformedHint(ctx),
  });
}

/** A call made with a session token: the token and its mage_id must be there. */
function checkSession(token: unknown, mageId: unknown): void {
  if (typeof token !== 'string' || token === '') {
    throw new EqpError('config', 'There is no session token to send.', { hint: 'Get a new session token first.' });
  }
  if (typeof mageId !== 'string' || mageId === '') {
    throw new EqpError('config', 'The Magento ID (mage_id) is empty.', { hint: 'Get a new session token first.' });
  }
}

function keysPath(mageId: string): string {
  return `/rest/v1/users/${encodeURIComponent(mageId)}/keys`;
}

function checkLabel(label: unknown): void {
  if (typeof label !== 'string' || label.trim() === '') {
    throw new EqpError('config', 'A Composer key label must be a non-empty text.', { hint: 'Type a label for the key.' });
  }
}

function checkUid(uid: unknown): void {
  if (typeof uid !== 'string' || uid.trim() === '') {
    throw new EqpError('config', 'The key owner (uid) must be a Magento ID or an organization ID, not empty.');
  }
}

function malformedHint(ctx: CallContext): string {
  return (
    `${ctx.host} may not be the EQP API, or something in between (a proxy, a captive portal) changed the answer. ` +
    `Check the ${ctx.setting} setting, then try again.`
  );
}

// ---- error answers ------------------------------------------------------------------------------------------

function httpError(ctx: CallContext, answer: RawAnswer, retryAfterHeader: unknown): EqpError {
  const { status } = answer;
  const info = environmentInfo(ctx.env);
  const other = environmentInfo(otherEnvironment(ctx.env)).label;

  // The server's own words, when it sent JSON with a message (documented for every 4xx).
  let serverMessage: string | undefined;
  let code: number | string | undefined;
  let detail: string;
  const parsed = tryParseJson(answer.body);
  if (parsed.ok) {
    if (parsed.value !== null && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
      const body = parsed.value as Record<string, unknown>;
      if (typeof body.message === 'string' && body.message.trim() !== '') {
        serverMessage = cleanServerText(body.message, ctx.secrets);
      }
      if (typeof body.code === 'number' && Number.isFinite(body.code)) {
        code = body.code;
      } else if (typeof body.code === 'string' && body.code.length <= 40) {
        code = cleanServerText(body.code, ctx.secrets);
      }
    }
    // The detail goes inside "(…)." : a server sentence's own final stop would read "secret.).".
    detail = serverMessage !== undefined ? `HTTP ${status}: ${serverMessage.replace(/[.!;:,\s]+$/u, '')}` : `HTTP ${status}`;
  } else if (answer.body.trim() === '') {
    detail = `HTTP ${status}, empty body`;
  } else {
    // An HTML error page from a proxy or load balancer: say what it was, do not dump it.
    detail = `HTTP ${status}; the answer was not JSON${describeContentType(answer.contentType)}`;
  }

  const retryAfterSeconds = status === 429 || status === 503 ? parseRetryAfter(retryAfterHeader) : undefined;
  const wait =
    retryAfterSeconds !== undefined ? `The server asks to wait ${formatSeconds(retryAfterSeconds)} before trying again.` : '';

  let message: string;
  let hint: string;
  if (status === 403 && isSubmissionOperation(ctx.op) && ctx.env === 'sandbox') {
    message =
      `The ${ctx.api} refused access to package submissions (${detail}): this account may not be eligible for the Sandbox ` +
      '(only some partner tiers are).';
    hint =
      'The Sandbox is open to some Adobe partner tiers only. Use the Production environment for your submissions, or ask ' +
      'Commerce Marketplace support whether your account can use the Sandbox. If it can, get a new session token and try again.';
  } else if (status === 403 && ctx.op === 'keys') {
    message = `The ${ctx.api} refused access to these Composer keys (${detail}).`;
    hint =
      'The account of the session token may not belong to that organization (uid), or may not manage its keys. ' +
      'Check the owner, or get a new session token with a key of the right account.';
  } else if (status === 401 || status === 403) {
    if (ctx.op === 'token') {
      message = `The ${ctx.api} refused the application ID and secret (${detail}).`;
      hint =
        `Check the pair in the ${info.label} Developer Portal (Account → Manage API Keys): it may be mistyped, ` +
        `regenerated or deleted there, or belong to the ${other} environment.`;
    } else {
      message = `The ${ctx.api} refused the session token (${detail}).`;
      hint =
        `The session token may have expired, or belong to the ${other} environment: get a new session token. ` +
        `If that is refused too, check the key in the ${info.label} Developer Portal (Account → Manage API Keys).`;
    }
  } else if (status === 429) {
    message = `The ${ctx.api} is limiting how often it may be called (${detail}).`;
    hint =
      retryAfterSeconds !== undefined
        ? `Wait ${formatSeconds(retryAfterSeconds)} before trying again.`
        : 'Wait a minute before trying again.';
  } else if (status >= 500) {
    message = `The ${ctx.api} had trouble on its side (${detail}).`;
    hint = `This is not a problem with your key: try again later. ${wait}`.trim();
  } else if (status === 413 && ctx.op === 'upload') {
    message = `The package is larger than the ${ctx.api} accepts (${detail}).`;
    hint =
      `A package zip may be at most ${MAX_PACKAGE_MB} MB. Leave out what the package does not need (tests, build output, ` +
      'vendor/, node_modules/, documentation sources), then upload it again.';
  } else if (status === 404 && ctx.fileUploadId !== undefined) {
    message = `The ${ctx.api} has no uploaded file ${quotedId(ctx.fileUploadId)} (it may have expired, or belong to another account or environment).`;
    hint = 'Upload the file again to get a new file upload ID.';
  } else if (status === 404 && ctx.op === 'keys' && ctx.label !== undefined) {
    message = `The ${ctx.api} has no Composer key with that label (${detail}).`;
    hint = 'It may have been deleted or renamed elsewhere (the Developer Portal, another tool): list the keys again.';
  } else if (status === 404 && ctx.submissionId !== undefined) {
    const id = quotedId(ctx.submissionId);
    if (ctx.run !== undefined) {
      message =
        `The ${ctx.api} has no ${quotedId(ctx.run.tool)} report ${quotedId(ctx.run.toolRunId)} for submission ${id} ` +
        '(the submission may have been removed or cancelled).';
      hint = 'List the test runs of the submission again: the run may have been replaced by a newer one.';
    } else {
      message = `The ${ctx.api} has no submission ${id} (it may have been removed or cancelled).`;
      hint = 'List the submissions again; if it should be there, check that it belongs to this environment and account.';
    }
  } else if (status === 404 && ctx.op === 'token') {
    message = `The ${ctx.api} at ${ctx.host} has no session token endpoint (${detail}).`;
    hint = `Check the ${ctx.setting} setting: it should be the EQP API address, e.g. ${info.defaultApiUrl}.`;
  } else {
    message = `The ${ctx.api} rejected the ${REQUEST_NAME[ctx.op]} (${detail}).`;
    hint = `If this keeps happening, check the ${ctx.setting} setting and report the message above. ${wait}`.trim();
  }
  return new EqpError('http', message, { status, code, serverMessage, hint, retryAfterSeconds });
}

function redirectError(ctx: CallContext, status: number, location: unknown): EqpError {
  // Name only the target host: the rest of a Location may carry tokens of its own.
  let target = 'another address';
  if (typeof location === 'string' && location !== '') {
    try {
      target = new URL(location, `${ctx.baseUrl}/`).host || target;
    } catch {
      target = 'an unreadable address';
    }
  }
  const legacy = legacyHostHint(ctx.baseUrl);
  return new EqpError('http', `The ${ctx.api} answered with a redirect to ${target}; credentials are not re-sent (HTTP ${status}).`, {
    status,
    hint:
      legacy ??
      `Check the ${ctx.setting} setting: it should be the EQP API address itself (e.g. ${environmentInfo(ctx.env).defaultApiUrl}), ` +
        'not an address that forwards elsewhere.',
  });
}

function cancelledError(ctx: CallContext): EqpError {
  return new EqpError('cancelled', `The ${REQUEST_NAME[ctx.op]} to the ${ctx.api} was cancelled.`);
}

/** Node/OpenSSL error codes that mean "the TLS handshake or certificate check failed". */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|EPROTO$)/;

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'address not available',
};

function timeoutError(ctx: CallContext, timeoutMs: number, proxy: ProxyChoice | undefined): EqpError {
  const via = proxy !== undefined ? ` through the proxy ${proxy.url.host}` : '';
  return new EqpError('timeout', `The ${ctx.api} (${ctx.host}) did not answer within ${formatSeconds(timeoutMs / 1000)}${via}.`, {
    hint: 'The server or the network may be slow: try again later, and check your network and proxy settings (http.proxy).',
  });
}

/** An upload that went quiet: no byte of the body went out, or no answer came after the last one, for `idleMs`. */
function idleTimeoutError(
  ctx: CallContext,
  idleMs: number,
  progress: { sent: number; total: number | undefined },
  proxy: ProxyChoice | undefined,
): EqpError {
  const via = proxy !== undefined ? ` through the proxy ${proxy.url.host}` : '';
  const allSent = progress.total !== undefined && progress.sent >= progress.total;
  const what = allSent
    ? `did not answer within ${formatSeconds(idleMs / 1000)} after the whole upload was sent`
    : `took no more of the upload for ${formatSeconds(idleMs / 1000)} (${describeBytes(progress.sent)}${progress.total !== undefined ? ` of ${describeBytes(progress.total)}` : ''} sent)`;
  return new EqpError('timeout', `The ${ctx.api} (${ctx.host})${via} ${what}; the upload did not complete.`, {
    hint: 'The network or the server may be slow or stuck. Nothing was submitted: upload again, and check your network and proxy settings (http.proxy).',
  });
}

function describeBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** What a proxy's refusal of CONNECT means, by status. */
const PROXY_REFUSALS: Record<number, string> = {
  407: 'it asks for proxy credentials, or refused the ones given',
  403: 'it does not allow connections to this host',
  502: 'it could not reach the host',
  503: 'it is unavailable',
  504: 'it timed out reaching the host',
};

/** Maps a failed axios request (no usable answer) to an EqpError, keeping only its code. */
function transportError(ctx: CallContext, e: unknown, timeoutMs: number, proxy?: ProxyChoice): EqpError {
  const rawCode = (e as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  const message = e instanceof Error ? e.message : '';

  if ((e as { __CANCEL__?: unknown } | null)?.__CANCEL__ === true || code === 'ERR_CANCELED') {
    return cancelledError(ctx);
  }
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return timeoutError(ctx, timeoutMs, proxy);
  }
  const tunnel = findProxyTunnelError(e);
  if (tunnel !== undefined) {
    // Named by host:port only: the proxy URL may carry a user name and password.
    const what =
      tunnel.status !== undefined
        ? `refused to open a connection to ${ctx.host} (HTTP ${tunnel.status}${PROXY_REFUSALS[tunnel.status] ? `: ${PROXY_REFUSALS[tunnel.status]}` : ''})`
        : `could not be used to reach ${ctx.host} (${NETWORK_REASONS[tunnel.reason ?? ''] ?? tunnel.reason ?? 'unreachable'})`;
    // No `status`: a proxy's 403/407 says nothing about the key (isAuthFailure must stay false).
    return new EqpError('network', `The proxy ${tunnel.proxyHost} from ${tunnel.sourceLabel} ${what}.`, {
      hint:
        'Check the proxy settings: http.proxy, or the HTTPS_PROXY and NO_PROXY environment variables (credentials go in the proxy URL, ' +
        'http://user:password@host:port). If this host should not go through a proxy, add it to NO_PROXY.',
    });
  }
  // Headers arrived but the body did not (connection dropped midway, or far too large): a broken answer.
  const axiosError = e as { isAxiosError?: unknown; response?: unknown } | null;
  const answered = axiosError?.isAxiosError === true && axiosError.response !== undefined;
  if (answered || code === 'ERR_BAD_RESPONSE') {
    const problem = /maxContentLength/.test(message)
      ? `the answer is larger than ${ctx.maxBytes ?? MAX_RESPONSE_BYTES} bytes`
      : 'the answer was cut off before its end';
    return new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid ${ANSWER_NAME[ctx.op]}: ${problem}.`, {
      hint: malformedHint(ctx),
    });
  }

  // A file-backed Blob refuses to be read once its file changed on disk (or went away) after it was opened.
  if (ctx.op === 'upload' && (e as { name?: unknown } | null)?.name === 'NotReadableError') {
    return new EqpError('config', `A file changed or could not be read while it was being uploaded to the ${ctx.api}; the upload did not complete.`, {
      hint: 'Build the package again and leave its files alone until the upload is done, then upload it again.',
    });
  }
  // An upload cut off midway (the connection was reset or closed before an answer): the server kept nothing usable.
  if (ctx.op === 'upload' && (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message))) {
    const how = code === 'EPIPE' ? 'the connection was closed' : code === 'ECONNRESET' ? 'the connection was reset' : 'the connection was closed without an answer';
    return new EqpError('network', `The upload to the ${ctx.api} at ${ctx.host} did not complete (${how}); nothing was submitted.`, {
      hint:
        'The connection broke off mid-upload; the upload can simply be retried. If it keeps breaking off, check your network and ' +
        `proxy settings (http.proxy): a proxy may refuse uploads this large (a package zip may be at most ${MAX_PACKAGE_MB} MB).`,
    });
  }

  let reason: string;
  let hint = `Check your network connection, your proxy settings (http.proxy) and the ${ctx.setting} setting.`;
  if (TLS_CODE.test(code)) {
    reason = `secure connection failed: ${code}`;
    hint =
      'The server certificate was not accepted. A proxy or antivirus that inspects HTTPS can cause this: check ' +
      `your proxy settings (http.proxy, http.proxyStrictSSL) and the ${ctx.setting} setting.`;
  } else if (NETWORK_REASONS[code] !== undefined) {
    reason = NETWORK_REASONS[code];
  } else if (/socket hang up/i.test(message)) {
    reason = 'the connection was closed without an answer';
  } else {
    reason = code !== '' ? code : 'unknown network error';
  }
  const legacy = legacyHostHint(ctx.baseUrl);
  return new EqpError('network', `Could not reach the ${ctx.api} at ${ctx.host} (${reason}).`, {
    hint: legacy !== undefined ? `${legacy} ${hint}` : hint,
  });
}

// ---- small helpers ------------------------------------------------------------------------------------------

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * One line, no control characters, no secrets, no link, at most MAX_SERVER_MESSAGE characters. Every server message
 * passes here before it reaches an error (and from there a notification, which would turn `[x](command:…)` into a
 * link that runs a command when clicked).
 */
function cleanServerText(text: string, secrets: string[]): string {
  // Scrub before cutting, so a secret cut in half is still recognised.
  const oneLine = unlinkText(
    redact(text, secrets)
      .replace(/\p{Cc}+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return oneLine.length > MAX_SERVER_MESSAGE ? `${oneLine.slice(0, MAX_SERVER_MESSAGE - 1)}…` : oneLine;
}

function describeContentType(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    return ' (an HTML page)';
  }
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? ` (${type})` : '';
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') {
    return undefined;
  }
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function formatSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(1))} s`;
}
