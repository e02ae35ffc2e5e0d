// The EQP sandbox server: a real HTTP server on 127.0.0.1 that behaves like the
// Marketplace EQP API and its Developer Portal as far as the extension needs them
// (see /work/shared/EQP_API.md and docs/CONTRACTS.md "EQP sandbox server").
//
// One listener per environment, so a key or token of one is refused by the other.
// Each listener serves:
//   /rest/v1/...   the API (logged, subject to injected faults), including the seeded package submissions,
//                  tool runs and test reports of ./submissions.ts (/rest/v1/products/packages...), and the file
//                  uploads and new packages of ./uploads.ts (/rest/v1/files/uploads..., POST /rest/v1/products/packages)
//   /portal...     a small HTML "Manage API Keys" page (plain forms, no script; relative links only, so it
//                  also works behind a path prefix such as code-server's /proxy/PORT/)
//   /__sandbox/... a JSON control interface for other processes (demo, UI tests)
//
// With the `tls` option the listeners speak https (node:https) instead, e.g. with the throwaway loopback
// certificate of ./tls.ts, which the client under test must be told to trust.
//
// Test code only: node:http, node:https and node:crypto; ./uploads.ts reads uploaded zips with yauzl (dev dependency).

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { HttpError, SandboxRuleError } from './errors';
import { SandboxSubmissions, type SandboxSubmissionInfo, type SubmissionStatusChange } from './submissions';
import { SandboxUploads, type SandboxUploadInfo, type ScanResult, type UploadReceipt, type UploadScanSettings } from './uploads';

export { SandboxRuleError };
export type { SandboxSubmissionInfo, SubmissionStatusChange };
export type { SandboxUploadInfo, ScanResult, UploadScanSettings };

export type SandboxEnv = 'production' | 'sandbox';

export interface SandboxKey { name: string; applicationId: string; applicationSecret: string; createdAt: number }

/** A Magento 2 Composer key pair (repo.magento.com credentials), as the EQP keys endpoints hold it. */
export interface SandboxComposerKey { label: string; userKey: string; passwordKey: string; isEnabled: boolean; uid: string }

/** A Magento 1 product key (read-only in the API). */
export interface SandboxProductKey { productName: string; productKey: string }

/** An Adobe organization the account belongs to: may own Composer keys (`uid`). */
export interface SandboxOrganization { id: string; name: string }

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> } // default body {code, message}
  | { kind: 'retry-after'; seconds: number; status?: 429 | 503 }   // JSON error + Retry-After header
  | { kind: 'delay'; ms: number }                                  // waits, then answers normally
  | { kind: 'stall'; ms: number }                                  // reads none of the body for ms, then goes on as usual
  | { kind: 'malformed'; body: string; status?: number; contentType?: string } // raw body as given
  | { kind: 'truncated' }                                          // promises more bytes than it sends, then closes
  | { kind: 'reset'; afterBytes?: number }                         // destroys the socket without an answer; with
                                                                   // afterBytes, as soon as that many body bytes came
  | { kind: 'redirect'; location: string; status?: number };       // 302 by default

export interface RequestLogEntry {
  env: SandboxEnv; method: string; path: string; query: Record<string, string>;
  headers: Record<string, string>;   // authorization shown as 'Basic ‹redacted›' / 'Bearer ‹redacted›'
  body: unknown;                     // parsed JSON or raw text; never a secret
  status: number;                    // what was answered (0 for reset)
  at: number;                        // sandbox clock, ms
  tls: boolean;                      // the request came over TLS (https)
  fault?: Fault['kind'];
}

export interface SandboxOptions {
  maxLifetime?: number;      // seconds, default 7200: larger expires_in is clamped to it
  defaultLifetime?: number;  // seconds, default 3600: used when expires_in is absent
  ports?: Partial<Record<SandboxEnv, number>>; // default 0 (random free port)
  /** Serve https with this certificate and key (PEM) instead of http. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Holds every API answer this long (ms) before sending it: a far-away server's round trip, for benchmarks. */
  answerDelayMs?: number;
  /** How long an idle keep-alive connection stays open (ms); Node's default is 5000. */
  keepAliveTimeoutMs?: number;
  /**
   * Host names answered besides 127.0.0.1 and localhost (any port), e.g. `eqp-sandbox.test` for a test that reaches
   * the sandbox through a proxy under a non-loopback name. Others get 421 (DNS rebinding).
   */
  extraHostNames?: readonly string[];
}


const SANDBOX_ENVS: readonly SandboxEnv[] = ['production', 'sandbox'];
const ENV_LABEL: Record<SandboxEnv, string> = { production: 'Production', sandbox: 'Sandbox' };
/** The portal's limit (EQP_API.md: at most three keys per environment). */
const MAX_KEYS_PER_ENV = 3;
const REDACTED = '‹redacted›';
const MAX_BODY_BYTES = 1024 * 1024;
/** Keeps a long-running CLI sandbox from growing without bound. */
const MAX_LOG_ENTRIES = 5000;
const NOT_ELIGIBLE_MESSAGE =
  'You are not eligible to use the Marketplace EQP API in this environment. '
  + 'The sandbox is open to Adobe technology and solution partners only.';
const APP_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const FAULT_KINDS: ReadonlySet<string> = new Set(['status', 'retry-after', 'delay', 'stall', 'malformed', 'truncated', 'reset', 'redirect']);

type Account = { mageId: string; firstName: string; lastName: string; email: string; screenName: string };

/** The organization of each account (ids as in the docs' example: 15 hex digits + "@AdobeOrg"). */
const ORGANIZATIONS: Record<SandboxEnv, SandboxOrganization[]> = {
  production: [{ id: '000CBA111DCB222@AdobeOrg', name: 'Example Extensions Ltd.' }],
  sandbox: [{ id: '000ABC999FED888@AdobeOrg', name: 'Example Extensions Ltd. (sandbox)' }],
};

/** One Magento 1 product key per account, so `type=m1|all` answers have something to show. */
const PRODUCT_KEYS: Record<SandboxEnv, SandboxProductKey[]> = {
  production: [{ productName: 'acme/one-click-checkout-1.0.0', productKey: 'https://connect20.magentocommerce.com/e8c258702e443c509b42fc44a49b83b0/acme+one-click-checkout-1.0.0' }],
  sandbox: [{ productName: 'acme/one-click-checkout-1.0.0', productKey: 'https://connect20.magentocommerce.com/0d6b5e8a1f2c3b4a5968778695a4b3c2/acme+one-click-checkout-1.0.0' }],
};
/** Longest Composer key label the sandbox accepts (the real limit is not documented). */
const MAX_LABEL_LENGTH = 255;

// Different mage ids per environment, so a test notices when the two get mixed up.
const ACCOUNTS: Record<SandboxEnv, Account> = {
  production: { mageId: 'MAG123456789', firstName: 'Dana', lastName: 'Developer', email: 'dana.developer@example.com', screenName: 'dana-dev' },
  sandbox: { mageId: 'MAG987654321', firstName: 'Dana', lastName: 'Developer', email: 'dana.developer@example.com', screenName: 'dana-dev' },
};

interface IssuedToken { mageId: string; applicationId: string; expiresAt: number }

interface EnvState {
  readonly env: SandboxEnv;
  readonly server: http.Server | https.Server;
  port: number;
  keys: SandboxKey[];
  eligible: boolean;
  /** ust -> token record. Tokens outlive the key that minted them (regenerate/delete rule). */
  tokens: Map<string, IssuedToken>;
  /** One entry per API request still to be faulted, in order. */
  faults: Fault[];
  log: RequestLogEntry[];
  tokenRequests: number;
  /** Completed TLS handshakes (full or resumed): one per new https connection. */
  tlsHandshakes: number;
  /** Magento 2 Composer keys of the account and its organizations; labels unique per owner (uid). */
  composerKeys: SandboxComposerKey[];
}

/** What an API handler decided to answer; written (or faulted) afterwards. */
interface ApiAnswer { status: number; body: unknown; headers?: Record<string, string> }

export class EqpSandbox {
  private readonly envs: Record<SandboxEnv, EnvState>;
  private maxLifetime: number;
  private defaultLifetime: number;
  private clockOffsetMs = 0;
  /** Every secret and token ever issued: scrubbed from the log wherever it appears. */
  private readonly secrets = new Set<string>();
  /** setProfile's other user per environment; absent: the default account. */
  private readonly profiles: Partial<Record<SandboxEnv, { account: Account; organizations: SandboxOrganization[] }>> = {};
  private readonly pendingTimers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed: Promise<void> | undefined;
  private readonly scheme: 'http' | 'https';
  private readonly answerDelayMs: number;
  private readonly extraHostNames: readonly string[];
  /** Package submissions, tool runs and reports of both environments (./submissions.ts). */
  private readonly submissionStore: SandboxSubmissions;
  /** File uploads, their malware scans and new packages of both environments (./uploads.ts). */
  private readonly uploadStore: SandboxUploads;

  readonly clock: { now(): number; advance(seconds: number): void } = {
    now: () => Date.now() + this.clockOffsetMs,
    advance: (seconds: number) => {
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new RangeError(`clock.advance: seconds must be a finite number >= 0, got ${String(seconds)}`);
      }
      this.clockOffsetMs += seconds * 1000;
    },
  };

  private constructor(options: SandboxOptions) {
    this.maxLifetime = options.maxLifetime ?? 7200;
    this.defaultLifetime = options.defaultLifetime ?? 3600;
    checkLifetime('maxLifetime', this.maxLifetime);
    checkLifetime('defaultLifetime', this.defaultLifetime);
    this.answerDelayMs = options.answerDelayMs ?? 0;
    this.extraHostNames = (options.extraHostNames ?? []).map((h) => h.toLowerCase());
    if (!Number.isFinite(this.answerDelayMs) || this.answerDelayMs < 0) {
      throw new RangeError(`answerDelayMs must be a finite number >= 0, got ${String(options.answerDelayMs)}`);
    }
    const tls = options.tls;
    this.scheme = tls ? 'https' : 'http';
    const make = (env: SandboxEnv): EnvState => {
      const server = tls
        ? https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => this.handle(env, req, res))
        : http.createServer((req, res) => this.handle(env, req, res));
      if (options.keepAliveTimeoutMs !== undefined) {
        server.keepAliveTimeout = options.keepAliveTimeoutMs;
      }
      const state: EnvState = { env, server, port: 0, keys: [], eligible: true, tokens: new Map(), faults: [], log: [], tokenRequests: 0, tlsHandshakes: 0, composerKeys: [] };
      server.on('secureConnection', () => { state.tlsHandshakes++; });
      return state;
    };
    this.envs = { production: make('production'), sandbox: make('sandbox') };
    this.submissionStore = new SandboxSubmissions(() => this.clock.now());
    this.uploadStore = new SandboxUploads(() => this.clock.now(), this.submissionStore);
  }

  static async start(options: SandboxOptions = {}): Promise<EqpSandbox> {
    const sandbox = new EqpSandbox(options);
    try {
      for (const env of SANDBOX_ENVS) {
        const state = sandbox.envs[env];
        state.port = await listen(state.server, options.ports?.[env] ?? 0);
      }
    } catch (err) {
      await sandbox.close();
      throw err;
    }
    return sandbox;
  }

  apiUrl(env: SandboxEnv): string {
    return `${this.scheme}://127.0.0.1:${this.state(env).port}`;
  }

  portalUrl(env: SandboxEnv): string {
    return `${this.apiUrl(env)}/portal`;
  }

  /**
   * Makes the account of `env` another user: `mageId`, names, email and organizations as given (the rest as the
   * default account), for tokens minted from now on and every profile answer; `undefined` restores the default.
   * The security suite gives it hostile names (Markdown, HTML, line breaks) this way.
   */
  setProfile(env: SandboxEnv, profile?: Partial<Account> & { organizations?: SandboxOrganization[] }): void {
    const e = this.state(env).env;
    if (profile === undefined) {
      delete this.profiles[e];
      return;
    }
    const { organizations, ...fields } = profile;
    this.profiles[e] = { account: { ...ACCOUNTS[e], ...fields }, organizations: (organizations ?? ORGANIZATIONS[e]).map((o) => ({ ...o })) };
  }

  private accountOf(env: SandboxEnv): Account {
    return this.profiles[env]?.account ?? ACCOUNTS[env];
  }

  private organizationsOf(env: SandboxEnv): SandboxOrganization[] {
    return this.profiles[env]?.organizations ?? ORGANIZATIONS[env];
  }

  account(env: SandboxEnv): Account {
    return { ...this.accountOf(this.state(env).env) };
  }

  createKey(env: SandboxEnv, name: string): SandboxKey {
    const state = this.state(env);
    if (!state.eligible) {
      throw new SandboxRuleError(403, NOT_ELIGIBLE_MESSAGE);
    }
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (trimmed === '') {
      throw new SandboxRuleError(400, 'API Key Name is required.');
    }
    if (state.keys.length >= MAX_KEYS_PER_ENV) {
      throw new SandboxRuleError(409, `You can have at most ${MAX_KEYS_PER_ENV} API keys in this environment. Delete one to create another.`);
    }
    if (state.keys.some((k) => k.name === trimmed)) {
      throw new SandboxRuleError(409, `An API key named "${trimmed}" already exists.`);
    }
    const key: SandboxKey = { name: trimmed, ...this.newPair(), createdAt: this.clock.now() };
    state.keys.push(key);
    return { ...key };
  }

  /** New application id and secret under the same name; the old pair can no longer mint tokens. */
  regenerateKey(env: SandboxEnv, applicationId: string): SandboxKey {
    const state = this.state(env);
    if (!state.eligible) {
      throw new SandboxRuleError(403, NOT_ELIGIBLE_MESSAGE);
    }
    const index = this.keyIndex(state, applicationId);
    const old = state.keys[index] as SandboxKey;
    const key: SandboxKey = { name: old.name, ...this.newPair(), createdAt: this.clock.now() };
    state.keys[index] = key;
    return { ...key };
  }

  /** The pair can no longer mint tokens; tokens it minted stay valid until they expire.
   *  Allowed even when not eligible: only creating credentials is refused then. */
  deleteKey(env: SandboxEnv, applicationId: string): void {
    const state = this.state(env);
    state.keys.splice(this.keyIndex(state, applicationId), 1);
  }

  /** Deletes every API access key of both environments (a clean portal between tests). */
  deleteAllKeys(): void {
    for (const env of ['production', 'sandbox'] as const) this.state(env).keys.length = 0;
  }

  keys(env: SandboxEnv): SandboxKey[] {
    return this.state(env).keys.map((k) => ({ ...k }));
  }

  /** The organizations the account of `env` belongs to (the profile's `organizations`). */
  organizations(env: SandboxEnv): SandboxOrganization[] {
    return this.organizationsOf(this.state(env).env).map((o) => ({ ...o }));
  }

  /** The Magento 2 Composer keys of `env`, every owner, in creation order (copies). */
  composerKeys(env: SandboxEnv): SandboxComposerKey[] {
    return this.state(env).composerKeys.map((k) => ({ ...k }));
  }

  /** The Magento 1 product keys of `env` (fixed). */
  productKeys(env: SandboxEnv): SandboxProductKey[] {
    return PRODUCT_KEYS[this.state(env).env].map((k) => ({ ...k }));
  }

  /** Adds a Composer key as if made in the portal; `uid` defaults to the account's mage_id. Duplicate label => 409. */
  createComposerKey(env: SandboxEnv, label: string, uid?: string): SandboxComposerKey {
    const state = this.state(env);
    const owner = uid ?? this.accountOf(state.env).mageId;
    const problem = this.composerLabelProblem(state, label, owner);
    if (problem) {
      throw new SandboxRuleError(problem.code, problem.message);
    }
    const key = this.newComposerKey(label, owner);
    state.composerKeys.push(key);
    return { ...key };
  }

  /** Removes every Composer key of both environments. */
  clearComposerKeys(): void {
    for (const env of SANDBOX_ENVS) {
      this.envs[env].composerKeys = [];
    }
  }

  setEligible(env: SandboxEnv, eligible: boolean): void {
    this.state(env).eligible = eligible;
  }

  setLimits(limits: { maxLifetime?: number; defaultLifetime?: number }): void {
    if (limits.maxLifetime !== undefined) {
      checkLifetime('maxLifetime', limits.maxLifetime);
    }
    if (limits.defaultLifetime !== undefined) {
      checkLifetime('defaultLifetime', limits.defaultLifetime);
    }
    this.maxLifetime = limits.maxLifetime ?? this.maxLifetime;
    this.defaultLifetime = limits.defaultLifetime ?? this.defaultLifetime;
  }

  /** Queues `fault` for the next `count` API requests of `env`; with 'all', for the next `count` of EACH listener. */
  injectFault(env: SandboxEnv | 'all', fault: Fault, count = 1): void {
    checkFault(fault);
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`injectFault: count must be a positive integer, got ${String(count)}`);
    }
    const targets = env === 'all' ? SANDBOX_ENVS : [this.state(env).env];
    for (const target of targets) {
      for (let i = 0; i < count; i++) {
        this.envs[target].faults.push(fault);
      }
    }
  }

  clearFaults(): void {
    for (const env of SANDBOX_ENVS) {
      this.envs[env].faults = [];
    }
  }

  requestLog(env?: SandboxEnv): RequestLogEntry[] {
    const entries = env ? this.state(env).log : [...this.envs.production.log, ...this.envs.sandbox.log].sort((a, b) => a.at - b.at);
    return structuredClone(entries);
  }

  /** Empties the log and resets tokenRequestCount. */
  clearLog(): void {
    for (const env of SANDBOX_ENVS) {
      this.envs[env].log = [];
      this.envs[env].tokenRequests = 0;
    }
  }

  /** POSTs to /rest/v1/app/session/token, whatever they were answered (faults included). */
  tokenRequestCount(env?: SandboxEnv): number {
    return env ? this.state(env).tokenRequests : this.envs.production.tokenRequests + this.envs.sandbox.tokenRequests;
  }

  /** TLS handshakes completed so far (0 without the `tls` option): how many connections clients opened. */
  tlsHandshakeCount(env?: SandboxEnv): number {
    return env ? this.state(env).tlsHandshakes : this.envs.production.tlsHandshakes + this.envs.sandbox.tlsHandshakes;
  }

  // ------------------------------------------- package submissions (./submissions.ts; contract12.md)

  /** Every submission of `env` (copies), newest first, statuses as the pipeline has them now. */
  submissions(env: SandboxEnv): SandboxSubmissionInfo[] {
    return this.submissionStore.list(this.state(env).env);
  }

  /** The submission id of `sku` `version` in `env`; SandboxRuleError 404 when there is none. */
  submissionId(env: SandboxEnv, sku: string, version: string): string {
    return this.submissionStore.idOf(this.state(env).env, sku, version);
  }

  /** Without `to`: the next pipeline stage (a draft is submitted, approved is released). With it: exactly those statuses. */
  advanceSubmission(env: SandboxEnv, id: string, to?: SubmissionStatusChange): SandboxSubmissionInfo {
    return this.submissionStore.advance(this.state(env).env, id, to);
  }

  /** Merges raw fields into the package object as served (unknown statuses, odd shapes, extra fields). */
  patchSubmission(env: SandboxEnv, id: string, rawFields: Record<string, unknown>): void {
    this.submissionStore.patch(this.state(env).env, id, rawFields);
  }

  /** Serves `runs` (any JSON) as the submission's tool runs, for the id and the SKU paths. */
  setToolRuns(env: SandboxEnv, id: string, runs: unknown): void {
    this.submissionStore.setRuns(this.state(env).env, id, runs);
  }

  /** Serves `rawBody` (any JSON) as the report of `tool` run `runId`. */
  setToolReport(env: SandboxEnv, id: string, tool: string, runId: string, rawBody: unknown): void {
    this.submissionStore.setReport(this.state(env).env, id, tool, runId, rawBody);
  }

  /** Replaces the latest phpcs report with `count` findings over the demo module's files (per PHP version); returns its run id. */
  setPhpcsFindings(env: SandboxEnv, id: string, count: number, phpVersions?: readonly string[]): string {
    return this.submissionStore.setPhpcsFindings(this.state(env).env, id, count, phpVersions);
  }

  /** Adds `count` synthetic submissions, older than the seeded ones; returns their ids. */
  addSubmissions(env: SandboxEnv, count: number): string[] {
    return this.submissionStore.addBulk(this.state(env).env, count);
  }

  /** Removes a submission: its GETs answer 404. */
  removeSubmission(env: SandboxEnv, id: string): void {
    this.submissionStore.remove(this.state(env).env, id);
  }

  /**
   * Back to the seeded submissions in both environments (the seeded pipeline restarts at the clock's now); the
   * uploads go too (their submission_ids would name submissions that no longer exist).
   */
  resetSubmissions(): void {
    this.submissionStore.reset();
    this.uploadStore.reset();
  }

  // ------------------------------------------- file uploads and new packages (./uploads.ts)

  /** Every upload of `env` (copies), in upload order: size and md5 of the bytes received, a zip's entry names. */
  uploads(env: SandboxEnv): SandboxUploadInfo[] {
    return this.uploadStore.list(this.state(env).env);
  }

  /** How scans of uploads made from now on go (duration in sandbox-clock seconds, result), and how answers spell them. */
  setUploadScan(env: SandboxEnv, settings: Partial<UploadScanSettings>): UploadScanSettings {
    return this.uploadStore.setScan(this.state(env).env, settings);
  }

  /** The scan result of one upload (`never`: stays in progress); SandboxRuleError 404 for an unknown id. */
  setUploadScanResult(env: SandboxEnv, fileUploadId: string, result: ScanResult): SandboxUploadInfo {
    return this.uploadStore.setScanResult(this.state(env).env, fileUploadId, result);
  }

  /** No uploads in either environment, and the default scan (60 s, pass, documented spelling). */
  resetUploads(): void {
    this.uploadStore.reset();
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      // Let delayed requests finish their wait at once, so close() does not hang on them.
      for (const pending of this.pendingTimers) {
        clearTimeout(pending.timer);
        pending.resolve();
      }
      this.pendingTimers.clear();
      await Promise.all(SANDBOX_ENVS.map((env) => closeServer(this.envs[env].server)));
    })();
    return this.closed;
  }

  // ---------------------------------------------------------------- internals

  private state(env: SandboxEnv): EnvState {
    if (!Object.hasOwn(this.envs, env)) {
      throw new RangeError(`Unknown sandbox environment: ${String(env)}`);
    }
    return this.envs[env];
  }

  private keyIndex(state: EnvState, applicationId: string): number {
    const index = state.keys.findIndex((k) => k.applicationId === applicationId);
    if (index < 0) {
      throw new SandboxRuleError(404, `No API key with application ID ${applicationId} in ${ENV_LABEL[state.env]}.`);
    }
    return index;
  }

  private newPair(): { applicationId: string; applicationSecret: string } {
    const taken = new Set(SANDBOX_ENVS.flatMap((env) => this.envs[env].keys.map((k) => k.applicationId)));
    let applicationId: string;
    do {
      applicationId = Array.from({ length: 10 }, () => APP_ID_ALPHABET[crypto.randomInt(APP_ID_ALPHABET.length)]).join('');
    } while (taken.has(applicationId));
    const applicationSecret = crypto.randomBytes(20).toString('hex');
    this.secrets.add(applicationSecret);
    return { applicationId, applicationSecret };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.pendingTimers.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      this.pendingTimers.add(pending);
    });
  }

  private handle(env: SandboxEnv, req: http.IncomingMessage, res: http.ServerResponse): void {
    this.route(env, req, res).catch((err: unknown) => {
      // A bug in the sandbox itself: answer 500 rather than leave the client hanging.
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { code: 500, message: `Sandbox error: ${err instanceof Error ? err.message : String(err)}` });
      } else {
        res.destroy();
      }
    });
  }

  private async route(env: SandboxEnv, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    // Refuse other Host names: a DNS-rebinding page must not be able to drive the sandbox.
    if (!isLoopbackHost(req.headers.host) && !this.extraHostNames.includes((req.headers.host ?? '').replace(/:\d{1,5}$/, '').toLowerCase())) {
      await readBody(req).catch(() => undefined);
      sendJson(res, 421, { code: 421, message: 'The EQP sandbox only answers requests addressed to 127.0.0.1 or localhost.' });
      return;
    }
    if (path === '/rest/v1' || path.startsWith('/rest/v1/')) {
      await this.api(env, req, res, url);
    } else if (path === '/portal' || path.startsWith('/portal/')) {
      await this.portal(env, req, res, path);
    } else if (path.startsWith('/__sandbox/')) {
      await this.control(env, req, res, path);
    } else {
      await readBody(req).catch(() => undefined);
      sendJson(res, 404, { code: 404, message: `Not found: ${path}` });
    }
  }

  // ------------------------------------------------------------------ the API

  private async api(env: SandboxEnv, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const state = this.envs[env];
    const at = this.clock.now();
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'POST' && path === '/rest/v1/app/session/token') {
      state.tokenRequests++;
    }
    if (await this.bodyFault(env, req, url, at)) {
      return;
    }
    let raw: string | undefined;
    let bodyError: HttpError | undefined;
    // An upload is parsed as it arrives (up to 30 MB a file), never held as text; its parts are logged, not its bytes.
    const receipt: UploadReceipt | undefined = this.uploadStore.receives(method, path) ? await this.uploadStore.receive(req) : undefined;
    if (!receipt) {
      try {
        raw = await readBody(req);
      } catch (err) {
        bodyError = err instanceof HttpError ? err : new HttpError(400, 'Could not read the request body.');
      }
    }

    // Secrets this very request carries (even wrong ones) are scrubbed from its log entry too.
    const requestSecrets = credentialParts(req.headers.authorization);
    const entry: RequestLogEntry = {
      env,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: logHeaders(req.headers),
      body: receipt ? { multipart: receipt.summary.map((p) => ({ name: p.name, filename: p.filename, content_type: p.content_type, size: p.size })) }
        : raw === undefined || raw === '' ? undefined : parseForLog(raw),
      status: 0,
      at,
      tls: (req.socket as Partial<TLSSocket>).encrypted === true,
    };
    const record = (status: number, fault?: Fault['kind']): void => {
      entry.status = status;
      if (fault) {
        entry.fault = fault;
      }
      state.log.push(this.scrubEntry(entry, requestSecrets));
      if (state.log.length > MAX_LOG_ENTRIES) {
        state.log.splice(0, state.log.length - MAX_LOG_ENTRIES);
      }
    };

    if (receipt?.kind === 'aborted') {
      // The client went away mid-body: nothing to answer, nothing stored, no fault used up.
      record(0);
      return;
    }
    // (A stall was used up by bodyFault before the body was read.)
    const fault = state.faults.shift();
    if (fault && fault.kind !== 'delay' && fault.kind !== 'stall') {
      record(this.applyFault(fault, req, res), fault.kind);
      return;
    }
    if (fault?.kind === 'delay') {
      await this.sleep(fault.ms);
    }
    if (this.answerDelayMs > 0) {
      await this.sleep(this.answerDelayMs);
    }

    let answer: ApiAnswer;
    try {
      if (bodyError) {
        throw bodyError;
      }
      answer = this.apiAnswer(state, method, path, url.searchParams, req.headers.authorization, raw ?? '', receipt);
    } catch (err) {
      if (!(err instanceof HttpError)) {
        throw err;
      }
      answer = { status: err.status, body: { code: err.status, message: err.message }, headers: err.headers };
    }
    record(answer.status, fault?.kind);
    if (!res.destroyed && answer.status === 204) {
      res.writeHead(204, { 'Cache-Control': 'no-store', ...answer.headers }).end();
    } else if (!res.destroyed) {
      sendJson(res, answer.status, answer.body, { 'Cache-Control': 'no-store', ...answer.headers });
    }
  }

  private apiAnswer(
    state: EnvState, method: string, path: string, query: URLSearchParams, authorization: string | undefined, raw: string, receipt?: UploadReceipt,
  ): ApiAnswer {
    if (path === '/rest/v1/app/session/token') {
      if (method !== 'POST') {
        throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: 'POST' });
      }
      return this.issueToken(state, authorization, raw);
    }
    const keys = /^\/rest\/v1\/users\/([^/]+)\/keys(?:\/([^/]+))?$/.exec(path);
    if (keys) {
      return this.composerKeysAnswer(state, method, decodePathPart(keys[1] as string), keys[2] === undefined ? undefined : decodePathPart(keys[2]), query, authorization, raw);
    }
    const users = /^\/rest\/v1\/users\/([^/]+)$/.exec(path);
    if (users) {
      if (method !== 'GET') {
        throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: 'GET' });
      }
      return this.profile(state, authorization, decodeURIComponent(users[1] as string), query.get('style'));
    }
    if (this.uploadStore.handles(method, path)) {
      // Uploads and new packages belong to the environment and the account (mage_id) of the token.
      return this.uploadStore.answer(state.env, method, path, raw, receipt, () => {
        const token = this.checkToken(state, authorization);
        if (!state.eligible) {
          throw new HttpError(403, NOT_ELIGIBLE_MESSAGE);
        }
        return token.mageId;
      });
    }
    if (this.submissionStore.handles(path)) {
      // These paths carry no mage_id: only the token (and the environment's eligibility) is checked.
      return this.submissionStore.answer(state.env, method, path, query, () => {
        this.checkToken(state, authorization);
        if (!state.eligible) {
          throw new HttpError(403, NOT_ELIGIBLE_MESSAGE);
        }
      });
    }
    throw new HttpError(404, `No such endpoint: ${path}`);
  }

  private issueToken(state: EnvState, authorization: string | undefined, raw: string): ApiAnswer {
    const credentials = parseBasic(authorization);
    if (!credentials) {
      throw new HttpError(401, 'Missing or malformed Basic Authorization header: send base64(applicationId:applicationSecret).', { 'WWW-Authenticate': 'Basic realm="EQP"' });
    }
    const key = state.keys.find((k) => k.applicationId === credentials.id && safeEqual(k.applicationSecret, credentials.secret));
    if (!key) {
      throw new HttpError(401, 'Invalid application ID or secret.', { 'WWW-Authenticate': 'Basic realm="EQP"' });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'The request body must be a JSON object.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'The request body must be a JSON object.');
    }
    const fields = body as Record<string, unknown>;
    if (fields.grant_type === undefined) {
      throw new HttpError(400, 'grant_type is required.');
    }
    if (fields.grant_type !== 'session') {
      throw new HttpError(400, 'Unsupported grant_type: it must be "session".');
    }
    let lifetime = this.defaultLifetime;
    if (fields.expires_in !== undefined) {
      const requested = fields.expires_in;
      if (typeof requested !== 'number' || !Number.isInteger(requested) || requested <= 0) {
        throw new HttpError(400, 'expires_in must be a positive integer (seconds).');
      }
      lifetime = requested;
    }
    // The server's maximum wins, also over a default set above it.
    lifetime = Math.min(lifetime, this.maxLifetime);
    const mageId = this.accountOf(state.env).mageId;
    const ust = crypto.randomBytes(24).toString('base64url');
    this.secrets.add(ust);
    state.tokens.set(ust, { mageId, applicationId: key.applicationId, expiresAt: this.clock.now() + lifetime * 1000 });
    return { status: 200, body: { mage_id: mageId, ust, expires_in: lifetime } };
  }

  /** Checks the Bearer session token: 401 when missing, unknown (other environment) or expired; 403 for another user. */
  private checkBearer(state: EnvState, authorization: string | undefined, mageId: string): void {
    const token = this.checkToken(state, authorization);
    if (token.mageId !== mageId) {
      throw new HttpError(403, `This session token does not give access to user ${mageId}.`);
    }
  }

  /** 401 when the Bearer token is missing, unknown (other environment) or expired; the token's record otherwise. */
  private checkToken(state: EnvState, authorization: string | undefined): IssuedToken {
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '');
    const token = match ? state.tokens.get(match[1] as string) : undefined;
    if (!token) {
      throw new HttpError(401, 'Missing, unknown or invalid session token.', { 'WWW-Authenticate': 'Bearer realm="EQP"' });
    }
    if (this.clock.now() >= token.expiresAt) {
      throw new HttpError(401, 'The session token has expired.', { 'WWW-Authenticate': 'Bearer realm="EQP", error="invalid_token"' });
    }
    return token;
  }

  private profile(state: EnvState, authorization: string | undefined, mageId: string, style: string | null): ApiAnswer {
    this.checkBearer(state, authorization, mageId);
    const account = this.accountOf(state.env);
    const summary = {
      mage_id: account.mageId,
      first_name: account.firstName,
      last_name: account.lastName,
      email: account.email,
      screen_name: account.screenName,
    };
    if (style === 'summary') {
      return { status: 200, body: summary };
    }
    return {
      status: 200,
      body: {
        ...summary, company_name: 'Example Extensions Ltd.', country: 'US', is_company: true, created_at: '2019-03-14 09:26:53',
        // Shape not documented (EQP_API.md only says the profile lists them): id and name per organization.
        organizations: this.organizationsOf(state.env).map((o) => ({ id: o.id, name: o.name })),
      },
    };
  }

  // ---------------------------------------------- Magento 2 Composer keys (users.md "package access keys")

  private composerKeysAnswer(
    state: EnvState, method: string, mageId: string, label: string | undefined, query: URLSearchParams, authorization: string | undefined, raw: string,
  ): ApiAnswer {
    const allowed = label === undefined ? ['GET', 'POST'] : ['PUT', 'DELETE'];
    if (!allowed.includes(method)) {
      throw new HttpError(405, `Method ${method} not allowed here.`, { Allow: allowed.join(', ') });
    }
    this.checkBearer(state, authorization, mageId);
    if (label === undefined) {
      return method === 'GET' ? this.listComposerKeys(state, query) : this.createComposerKeys(state, raw);
    }
    if (method === 'PUT') {
      return this.updateComposerKey(state, label, raw);
    }
    const uid = this.ownerOf(state, query.get('uid') ?? undefined);
    const index = this.composerKeyIndex(state, label, uid);
    state.composerKeys.splice(index, 1);
    return { status: 204, body: undefined };
  }

  private listComposerKeys(state: EnvState, query: URLSearchParams): ApiAnswer {
    const type = query.get('type') ?? 'all';
    if (type !== 'm1' && type !== 'm2' && type !== 'all') {
      throw new HttpError(400, `Invalid type "${type}": it must be m1, m2 or all.`);
    }
    const uidParam = query.get('uid') ?? 'all';
    const owners = uidParam === 'all' ? undefined : this.ownerOf(state, uidParam);
    const label = query.get('label');
    const body: { m2?: unknown[]; m1?: unknown[] } = {};
    if (type !== 'm1') {
      body.m2 = state.composerKeys
        .filter((k) => (owners === undefined || k.uid === owners) && (label === null || k.label === label))
        .map(composerKeyJson);
    }
    if (type !== 'm2') {
      body.m1 = PRODUCT_KEYS[state.env].map((k) => ({ product_name: k.productName, product_key: k.productKey }));
    }
    return { status: 200, body };
  }

  private createComposerKeys(state: EnvState, raw: string): ApiAnswer {
    const items = m2Items(raw);
    if (items.length === 0) {
      throw new HttpError(400, 'The request body must have a non-empty "m2" array of {label, uid?}.');
    }
    const mageId = this.accountOf(state.env).mageId;
    const answers = items.map((item) => {
      const label = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).label : undefined;
      const uid = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).uid : undefined;
      const fail = (code: number, message: string) => ({ ...(typeof label === 'string' ? { label } : {}), code, message });
      if (typeof label !== 'string') {
        return fail(400, 'label is required and must be a string.');
      }
      if (uid !== undefined && typeof uid !== 'string') {
        return fail(400, 'uid must be a string.');
      }
      const owner = uid ?? mageId;
      if (!this.isOwner(state, owner)) {
        return fail(403, `You cannot create keys for ${owner}.`);
      }
      const problem = this.composerLabelProblem(state, label, owner);
      if (problem) {
        return fail(problem.code, problem.message);
      }
      const key = this.newComposerKey(label, owner);
      state.composerKeys.push(key);
      return { ...composerKeyJson(key), code: 200, message: 'Success' };
    });
    return { status: 200, body: { m2: answers } };
  }

  private updateComposerKey(state: EnvState, label: string, raw: string): ApiAnswer {
    const items = m2Items(raw);
    const item = items[0];
    if (items.length !== 1 || typeof item !== 'object' || item === null) {
      throw new HttpError(400, 'The request body must be {"m2": [{"is_enabled": true|false, "uid"?: "..."}]}.');
    }
    const { is_enabled: enabled, uid } = item as Record<string, unknown>;
    if (typeof enabled !== 'boolean') {
      throw new HttpError(400, 'is_enabled is required and must be true or false.');
    }
    if (uid !== undefined && typeof uid !== 'string') {
      throw new HttpError(400, 'uid must be a string.');
    }
    const key = state.composerKeys[this.composerKeyIndex(state, label, this.ownerOf(state, uid))] as SandboxComposerKey;
    key.isEnabled = enabled;
    return { status: 200, body: { m2: [composerKeyJson(key)] } };
  }

  /** The owner a `uid` names (default: the account itself); 403 for one the account does not belong to. */
  private ownerOf(state: EnvState, uid: string | undefined): string {
    const owner = uid ?? this.accountOf(state.env).mageId;
    if (!this.isOwner(state, owner)) {
      throw new HttpError(403, `You do not have access to the keys of ${owner}.`);
    }
    return owner;
  }

  private isOwner(state: EnvState, uid: string): boolean {
    return uid === this.accountOf(state.env).mageId || this.organizationsOf(state.env).some((o) => o.id === uid);
  }

  private composerKeyIndex(state: EnvState, label: string, uid: string): number {
    const index = state.composerKeys.findIndex((k) => k.label === label && k.uid === uid);
    if (index < 0) {
      throw new HttpError(404, `No Magento 2 key labelled "${label}" for ${uid}.`);
    }
    return index;
  }

  private composerLabelProblem(state: EnvState, label: string, uid: string): { code: number; message: string } | undefined {
    if (label.trim() === '') {
      return { code: 400, message: 'label must not be empty.' };
    }
    if (label.length > MAX_LABEL_LENGTH) {
      return { code: 400, message: `label must be at most ${MAX_LABEL_LENGTH} characters.` };
    }
    if (state.composerKeys.some((k) => k.label === label && k.uid === uid)) {
      return { code: 409, message: `A key labelled "${label}" already exists.` };
    }
    return undefined;
  }

  private newComposerKey(label: string, uid: string): SandboxComposerKey {
    const passwordKey = crypto.randomBytes(16).toString('hex');
    this.secrets.add(passwordKey);
    return { label, userKey: crypto.randomBytes(16).toString('hex'), passwordKey, isEnabled: true, uid };
  }

  /**
   * The faults that act on the request body, before it is read. `stall`: nothing of the body is read for `ms` (the
   * client's writes back up once the socket buffers are full, as with a stuck server or proxy), then the request goes
   * on as usual. `reset` with `afterBytes` cuts the connection mid-body, the way a dropped uplink or a proxy does
   * mid-upload: the socket is reset as soon as that many bytes of the request body came (or at its end, if shorter),
   * and the request is logged with status 0 and no body. Answers whether the request is over.
   */
  private async bodyFault(env: SandboxEnv, req: http.IncomingMessage, url: URL, at: number): Promise<boolean> {
    const state = this.envs[env];
    const next = state.faults[0];
    if (next?.kind === 'stall') {
      state.faults.shift();
      await this.sleep(next.ms);
      return false;
    }
    if (next?.kind !== 'reset' || next.afterBytes === undefined) {
      return false;
    }
    state.faults.shift();
    const limit = next.afterBytes;
    await new Promise<void>((resolve) => {
      let received = 0;
      const cut = (): void => {
        req.removeAllListeners('data');
        req.socket.resetAndDestroy();
        resolve();
      };
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= limit) {
          cut();
        }
      });
      req.on('end', cut);
      req.on('error', () => resolve());
      if (limit === 0) {
        cut();
      }
    });
    const entry: RequestLogEntry = {
      env, method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: logHeaders(req.headers),
      body: undefined, status: 0, at, tls: (req.socket as Partial<TLSSocket>).encrypted === true, fault: 'reset',
    };
    state.log.push(this.scrubEntry(entry, credentialParts(req.headers.authorization)));
    return true;
  }

  /** Answers (or not) as the fault says and returns the status to log (0: nothing was answered). */
  private applyFault(fault: Exclude<Fault, { kind: 'delay' | 'stall' }>, req: http.IncomingMessage, res: http.ServerResponse): number {
    switch (fault.kind) {
      case 'status': {
        if (fault.status === 204 || fault.status === 304) {
          // No body allowed with these.
          res.writeHead(fault.status, fault.headers).end();
          return fault.status;
        }
        const body = fault.body !== undefined ? fault.body : { code: fault.status, message: http.STATUS_CODES[fault.status] ?? `HTTP ${fault.status}` };
        sendJson(res, fault.status, body, fault.headers);
        return fault.status;
      }
      case 'retry-after': {
        const status = fault.status ?? 429;
        sendJson(res, status, { code: status, message: http.STATUS_CODES[status] ?? `HTTP ${status}` }, { 'Retry-After': String(fault.seconds) });
        return status;
      }
      case 'malformed': {
        const status = fault.status ?? 200;
        const bytes = Buffer.from(fault.body, 'utf8');
        res.writeHead(status, { 'Content-Type': fault.contentType ?? 'application/json', 'Content-Length': bytes.length });
        res.end(bytes);
        return status;
      }
      case 'truncated': {
        // Promise 512 bytes, send the first few of a plausible answer, then hang up.
        const partial = Buffer.from('{"mage_id":"MAG', 'utf8');
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 512 });
        res.write(partial, () => req.socket.destroy());
        return 200;
      }
      case 'reset':
        req.socket.resetAndDestroy();
        return 0;
      case 'redirect': {
        const status = fault.status ?? 302;
        sendJson(res, status, { code: status, message: `Moved to ${fault.location}` }, { Location: fault.location });
        return status;
      }
    }
  }

  /** The log entry with every known secret and token (and this request's credentials) replaced. */
  private scrubEntry(entry: RequestLogEntry, requestSecrets: string[]): RequestLogEntry {
    // A request's own credentials may be short junk ("user:pass"); scrubbing those
    // would mangle the path, so only longer ones count. Real secrets are 40 chars.
    const needles = [...this.secrets, ...requestSecrets.filter((s) => s.length >= 8)];
    return scrubValue(entry, needles) as RequestLogEntry;
  }

  // ------------------------------------------------------ control interface

  private async control(env: SandboxEnv, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      const raw = await readBody(req);
      const body = (): Record<string, unknown> => {
        let parsed: unknown;
        try {
          parsed = raw === '' ? {} : JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'The request body must be JSON.');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new HttpError(400, 'The request body must be a JSON object.');
        }
        return parsed as Record<string, unknown>;
      };
      const allow = (...methods: string[]): void => {
        if (!methods.includes(method)) {
          throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: methods.join(', ') });
        }
      };
      const keyRoute = /^\/__sandbox\/keys\/([^/]+)(\/regenerate)?$/.exec(path);

      if (path === '/__sandbox/state') {
        allow('GET');
        sendJson(res, 200, this.controlState(env));
      } else if (path === '/__sandbox/keys') {
        allow('POST');
        const name = body().name;
        sendJson(res, 201, this.createKey(env, typeof name === 'string' ? name : ''));
      } else if (keyRoute && keyRoute[2]) {
        allow('POST');
        sendJson(res, 200, this.regenerateKey(env, decodeURIComponent(keyRoute[1] as string)));
      } else if (keyRoute) {
        allow('DELETE');
        this.deleteKey(env, decodeURIComponent(keyRoute[1] as string));
        res.writeHead(204).end();
      } else if (path === '/__sandbox/faults') {
        allow('POST', 'DELETE');
        if (method === 'DELETE') {
          this.envs[env].faults = [];
        } else {
          const { fault, count } = body();
          try {
            this.injectFault(env, fault as Fault, count === undefined ? 1 : (count as number));
          } catch (err) {
            throw new HttpError(400, err instanceof Error ? err.message : String(err));
          }
        }
        sendJson(res, 200, { pendingFaults: this.envs[env].faults.length });
      } else if (path === '/__sandbox/clock') {
        allow('POST');
        const { advance } = body();
        if (typeof advance !== 'number') {
          throw new HttpError(400, 'advance (seconds) must be a number.');
        }
        try {
          this.clock.advance(advance);
        } catch (err) {
          throw new HttpError(400, err instanceof Error ? err.message : String(err));
        }
        sendJson(res, 200, { now: this.clock.now() });
      } else if (path === '/__sandbox/eligible') {
        allow('POST');
        const { eligible } = body();
        if (typeof eligible !== 'boolean') {
          throw new HttpError(400, 'eligible must be true or false.');
        }
        this.setEligible(env, eligible);
        sendJson(res, 200, { eligible });
      } else if (path === '/__sandbox/log') {
        allow('GET');
        sendJson(res, 200, this.requestLog(env));
      } else if (path === '/__sandbox/uploads' || path.startsWith('/__sandbox/uploads/')) {
        const answer = this.uploadStore.control(env, method, path, raw);
        sendJson(res, answer.status, answer.body, answer.headers);
      } else if (path === '/__sandbox/submissions' || path.startsWith('/__sandbox/submissions/')) {
        const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
        const answer = this.submissionStore.control(env, method, path, query, raw, () => this.resetSubmissions());
        if (answer.status === 204) {
          res.writeHead(204).end();
        } else {
          sendJson(res, answer.status, answer.body, answer.headers);
        }
      } else {
        throw new HttpError(404, `No such control endpoint: ${path}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { code: err.status, message: err.message }, err.headers);
      } else if (err instanceof SandboxRuleError) {
        sendJson(res, err.status, { code: err.status, message: err.message });
      } else {
        throw err;
      }
    }
  }

  /** Everything about one environment except secrets and tokens. */
  private controlState(env: SandboxEnv): unknown {
    const state = this.envs[env];
    const now = this.clock.now();
    return {
      environment: env,
      label: ENV_LABEL[env],
      apiUrl: this.apiUrl(env),
      portalUrl: this.portalUrl(env),
      account: this.account(env),
      eligible: state.eligible,
      limits: { maxKeys: MAX_KEYS_PER_ENV, maxLifetime: this.maxLifetime, defaultLifetime: this.defaultLifetime },
      keys: state.keys.map((k) => ({ name: k.name, applicationId: k.applicationId, createdAt: k.createdAt })),
      counts: {
        keys: state.keys.length,
        tokenRequests: state.tokenRequests,
        apiRequests: state.log.length,
        validTokens: [...state.tokens.values()].filter((t) => t.expiresAt > now).length,
        pendingFaults: state.faults.length,
      },
      clock: { now, offsetMs: this.clockOffsetMs },
    };
  }

  // ------------------------------------------------------------------ portal

  private async portal(env: SandboxEnv, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = await readBody(req).catch(() => '');
    const state = this.envs[env];
    const page = (status: number, title: string, content: string, extraHeaders: Record<string, string> = {}): void =>
      sendHtml(res, status, renderPage(env, title, content), extraHeaders);
    const link = (to: string): string => relativeLink(path, to);

    if (path === '/portal' || path === '/portal/') {
      if (method !== 'GET') {
        page(405, 'Method not allowed', `<p class="error">Use GET to view this page.</p>`, { Allow: 'GET' });
      } else if (!state.eligible) {
        page(403, 'Not eligible', this.notEligibleHtml());
      } else {
        page(200, 'Manage API Keys', this.keyListHtml(env, link));
      }
      return;
    }
    if (path === '/portal/extensions') {
      // The seller's list of extensions and themes (what "Open Submissions in Developer Portal" opens).
      if (method !== 'GET') {
        page(405, 'Method not allowed', `<p class="error">Use GET to view this page.</p>`, { Allow: 'GET' });
      } else {
        const rows = this.submissionStore.list(env).map((s) => `<tr><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.sku)}</td><td>${escapeHtml(s.version)}</td><td>${escapeHtml(s.status.overall)} / ${escapeHtml(s.status.technical)} / ${escapeHtml(s.status.marketing)}</td><td><code>${escapeHtml(s.id)}</code></td></tr>`).join('');
        page(200, 'My Extensions', `<table id="extensions"><tr><th>Name</th><th>SKU</th><th>Version</th><th>Overall / technical / marketing</th><th>Submission</th></tr>${rows}</table>`);
      }
      return;
    }
    const keyAction = /^\/portal\/keys\/([^/]+)\/(regenerate|delete)$/.exec(path);
    if (path !== '/portal/keys' && !keyAction) {
      page(404, 'Not found', `<p class="error">There is no page here.</p><p><a href="${link('/portal')}">Back to Manage API Keys</a></p>`);
      return;
    }
    if (method !== 'POST') {
      page(405, 'Method not allowed', `<p class="error">Use the buttons on <a href="${link('/portal')}">Manage API Keys</a>.</p>`, { Allow: 'POST' });
      return;
    }
    if (!state.eligible) {
      page(403, 'Not eligible', this.notEligibleHtml());
      return;
    }
    try {
      if (!keyAction) {
        const key = this.createKey(env, new URLSearchParams(raw).get('name') ?? '');
        page(201, 'API key created', newPairHtml('created', key, link));
      } else if (keyAction[2] === 'regenerate') {
        const key = this.regenerateKey(env, decodeURIComponent(keyAction[1] as string));
        page(200, 'API key regenerated', newPairHtml('regenerated', key, link));
      } else {
        this.deleteKey(env, decodeURIComponent(keyAction[1] as string));
        // Post/redirect/get: a reload of the list does not repeat the delete.
        res.writeHead(303, { Location: link('/portal'), 'Content-Length': 0 }).end();
      }
    } catch (err) {
      if (!(err instanceof SandboxRuleError)) {
        throw err;
      }
      page(err.status, 'Manage API Keys', `<p class="error" id="error" role="alert">${escapeHtml(err.message)}</p>${this.keyListHtml(env, link)}`);
    }
  }

  private keyListHtml(env: SandboxEnv, link: (to: string) => string): string {
    const keys = this.envs[env].keys;
    const account = this.accountOf(env);
    const rows = keys.map((k) => {
      const id = escapeHtml(encodeURIComponent(k.applicationId));
      return `<tr>
<td>${escapeHtml(k.name)}</td>
<td><code>${escapeHtml(k.applicationId)}</code></td>
<td><time datetime="${new Date(k.createdAt).toISOString()}">${escapeHtml(formatDate(k.createdAt))}</time></td>
<td class="actions">
<form method="post" action="${link(`/portal/keys/${id}/regenerate`)}"><button type="submit">Regenerate</button></form>
<form method="post" action="${link(`/portal/keys/${id}/delete`)}"><button type="submit" class="danger">Delete</button></form>
</td>
</tr>`;
    }).join('\n');
    return `<section class="account">
<p>Signed in as <strong>${escapeHtml(`${account.firstName} ${account.lastName}`)}</strong>
(<span id="account-email">${escapeHtml(account.email)}</span>, Magento ID <code id="account-mage-id">${escapeHtml(account.mageId)}</code>)</p>
</section>
<section>
<h2>API keys <small>(${keys.length} of ${MAX_KEYS_PER_ENV})</small></h2>
${keys.length === 0
    ? '<p id="no-keys">You have no API keys in this environment yet.</p>'
    : `<table id="keys">
<thead><tr><th>API Key Name</th><th>Application ID</th><th>Created</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`}
</section>
${this.composerKeysHtml(env)}
<section>
<h2>Create an API key</h2>
<form method="post" action="${link('/portal/keys')}" id="create-key">
<label for="name">API Key Name</label>
<input id="name" name="name" required autocomplete="off">
<button type="submit">Create</button>
</form>
<p class="note">The application secret is shown once, right after you create or regenerate a key.</p>
</section>`;
  }

  /** The Magento 2 Composer keys, read-only (public key only: the password stays with the API). */
  private composerKeysHtml(env: SandboxEnv): string {
    const keys = this.envs[env].composerKeys;
    if (keys.length === 0) {
      return '<section><h2>Magento 2 access keys</h2><p id="no-composer-keys">No Magento 2 access keys.</p></section>';
    }
    const rows = keys.map((k) => `<tr><td>${escapeHtml(k.label)}</td><td><code>${escapeHtml(k.userKey)}</code></td><td>${escapeHtml(k.uid)}</td><td>${k.isEnabled ? 'Enabled' : 'Disabled'}</td></tr>`).join('\n');
    return `<section>
<h2>Magento 2 access keys <small>(${keys.length})</small></h2>
<table id="composer-keys">
<thead><tr><th>Label</th><th>Public key</th><th>Owner</th><th>Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
  }

  private notEligibleHtml(): string {
    return `<p class="error" id="not-eligible" role="alert">${escapeHtml(NOT_ELIGIBLE_MESSAGE)}</p>
<p>You cannot create API access keys here, and so cannot use the Marketplace EQP API in this environment.</p>`;
  }
}

// ------------------------------------------------------------------ helpers

function checkLifetime(what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive integer (seconds), got ${String(value)}`);
  }
}

function checkFault(fault: Fault): void {
  const f = fault as unknown;
  if (typeof f !== 'object' || f === null || !FAULT_KINDS.has((f as { kind?: unknown }).kind as string)) {
    throw new TypeError(`Unknown fault: ${JSON.stringify(f)}`);
  }
  const bad = (why: string): never => {
    throw new TypeError(`Bad ${fault.kind} fault: ${why}`);
  };
  switch (fault.kind) {
    case 'status':
      if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) { bad('status must be 200..599'); }
      if (fault.headers !== undefined && (typeof fault.headers !== 'object' || fault.headers === null
        || !Object.values(fault.headers).every((v) => typeof v === 'string'))) { bad('headers must map names to strings'); }
      break;
    case 'retry-after':
      if (!Number.isInteger(fault.seconds) || fault.seconds < 0) { bad('seconds must be an integer >= 0'); }
      if (fault.status !== undefined && fault.status !== 429 && fault.status !== 503) { bad('status must be 429 or 503'); }
      break;
    case 'delay':
    case 'stall':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) { bad('ms must be >= 0'); }
      break;
    case 'malformed':
      if (typeof fault.body !== 'string') { bad('body must be a string'); }
      break;
    case 'redirect':
      if (typeof fault.location !== 'string' || fault.location === '') { bad('location is required'); }
      if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 300 || fault.status > 399)) { bad('status must be 3xx'); }
      break;
    case 'reset':
      if (fault.afterBytes !== undefined && (!Number.isSafeInteger(fault.afterBytes) || fault.afterBytes < 0)) { bad('afterBytes must be an integer >= 0'); }
      break;
    case 'truncated':
      break;
  }
}

function composerKeyJson(k: SandboxComposerKey): Record<string, unknown> {
  return { label: k.label, user_key: k.userKey, password_key: k.passwordKey, is_enabled: k.isEnabled, uid: k.uid };
}

/** The `m2` array of a keys request body; 400 when the body is not `{"m2": [...]}`. */
function m2Items(raw: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'The request body must be a JSON object.');
  }
  const m2 = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).m2 : undefined;
  if (!Array.isArray(m2)) {
    throw new HttpError(400, 'The request body must be {"m2": [...]}.');
  }
  return m2;
}

/** A path segment, percent-decoded; 400 for a broken escape ("%zz"). */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `The path segment ${JSON.stringify(part)} is not validly URL-encoded.`);
  }
}

function listen(server: http.Server | https.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  if (!server.listening) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections (fetch pools them) would otherwise hold close() open.
    server.closeAllConnections();
  });
}

/**
 * 127.0.0.1 or localhost, on any port: a DNS-rebinding page reaches us under its own (non-loopback) host name, so
 * the name is what matters. Any port, because a local proxy forwards the Host it was asked for: code-server opens
 * the portal as http://127.0.0.1:ITS_PORT/proxy/OUR_PORT/portal.
 */
function isLoopbackHost(host: string | undefined): boolean {
  return /^(127\.0\.0\.1|localhost)(:\d{1,5})?$/i.test(host ?? '');
}

/**
 * `to` (an absolute path of ours) as a link relative to the page at `from`, so it stays under whatever path prefix
 * a proxy put in front (code-server's /proxy/PORT/ strips it before forwarding): /portal → portal/keys,
 * /portal/keys/ID/delete → ../../../portal.
 */
function relativeLink(from: string, to: string): string {
  return '../'.repeat(from.split('/').length - 2) + to.slice(1);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'The request body is too large.'));
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    // No scripts, no external anything; pages may show a secret, so never cache them.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(html);
}

/** Splits `Basic base64(id:secret)`; undefined when missing or garbled. */
function parseBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization ?? '');
  if (!match) {
    return undefined;
  }
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    return undefined;
  }
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The raw credential text of an Authorization header, and for Basic its decoded parts. */
function credentialParts(authorization: string | undefined): string[] {
  if (!authorization) {
    return [];
  }
  const parts = authorization.trim().split(/\s+/).slice(1);
  const basic = parseBasic(authorization);
  if (basic) {
    // The application id is not secret, only the secret and the pair.
    parts.push(basic.secret, `${basic.id}:${basic.secret}`);
  }
  return parts;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function logHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) {
      continue;
    }
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'authorization' || name === 'proxy-authorization') {
      const scheme = /^(basic|bearer)\b/i.exec(text.trim())?.[1]?.toLowerCase();
      out[name] = scheme === 'basic' ? `Basic ${REDACTED}` : scheme === 'bearer' ? `Bearer ${REDACTED}` : REDACTED;
    } else if (name === 'cookie') {
      out[name] = REDACTED;
    } else {
      out[name] = text;
    }
  }
  return out;
}

function parseForLog(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Fields a careless client might put a credential in. */
const SECRET_FIELD = /secret|password|passwd|token|^ust$|authorization|credential/i;

function scrubValue(value: unknown, needles: string[]): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const needle of needles) {
      text = text.split(needle).join(REDACTED);
    }
    return text;
  }
  if (Array.isArray(value)) {
    return value.map((v) => scrubValue(v, needles));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = scrubValue(k, needles) as string;
      out[key] = SECRET_FIELD.test(k) && k !== 'authorization' && v !== null && typeof v !== 'object' ? REDACTED : scrubValue(v, needles);
    }
    return out;
  }
  return value;
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function newPairHtml(verb: 'created' | 'regenerated', key: SandboxKey, link: (to: string) => string): string {
  return `<p class="ok" role="status">API key <strong>${escapeHtml(key.name)}</strong> ${verb}.</p>
<p class="warning">Copy the application secret now. It is shown only this once.</p>
<dl class="pair">
<dt>API Key Name</dt><dd id="new-key-name">${escapeHtml(key.name)}</dd>
<dt>Application ID</dt><dd><code id="new-application-id">${escapeHtml(key.applicationId)}</code></dd>
<dt>Application Secret</dt><dd><code id="new-application-secret">${escapeHtml(key.applicationSecret)}</code></dd>
</dl>
<p><a href="${link('/portal')}" id="back">Back to Manage API Keys</a></p>`;
}

function renderPage(env: SandboxEnv, title: string, content: string): string {
  const heading = `Manage API Keys — ${ENV_LABEL[env]} (EQP sandbox)`;
  const pageTitle = title === 'Manage API Keys' ? heading : `${title} — ${heading}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(pageTitle)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1f1f1f; background: #f7f7f7; }
header { background: #2c2c2c; color: #fff; padding: .75rem 1.5rem; }
header .env { display: inline-block; margin-left: .5rem; padding: 0 .5rem; border-radius: 3px; background: ${env === 'production' ? '#b30000' : '#00667a'}; font-size: .8rem; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; } small { color: #666; font-weight: normal; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #ddd; vertical-align: middle; }
td.actions form { display: inline; margin-right: .25rem; }
button { font: inherit; padding: .25rem .75rem; cursor: pointer; }
button.danger { color: #b30000; }
input { font: inherit; padding: .25rem .5rem; margin: 0 .5rem; }
code { font-family: ui-monospace, monospace; background: #eee; padding: 0 .25rem; word-break: break-all; }
.error { color: #8a0000; background: #fde8e8; padding: .5rem .75rem; border-left: 4px solid #b30000; }
.ok { background: #e6f4ea; padding: .5rem .75rem; border-left: 4px solid #137333; }
.warning { font-weight: bold; }
.note { color: #555; }
dl.pair { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; background: #fff; padding: 1rem; }
dl.pair dt { font-weight: bold; } dl.pair dd { margin: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
</head>
<body>
<header>Marketplace Developer Portal <span class="env">${escapeHtml(ENV_LABEL[env])}</span> <small>local EQP sandbox for tests</small></header>
<main>
<h1>${escapeHtml(heading)}</h1>
${content}
</main>
</body>
</html>
`;
}
