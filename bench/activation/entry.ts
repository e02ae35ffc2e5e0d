// The activation probe of `npm run bench`, loaded by the extension host of a real VS Code as its
// extensionTestsPath (see bench/activation/runner.mjs). One page load = one fresh extension host = one run.
// What to do comes from $EQP_BENCH_DIR/run.json; the result goes to $EQP_BENCH_DIR/result-<runId>.json.
//
//   time   times `getExtension(id).activate()` of an extension that is not active yet
//   profile  the same under the V8 sampling profiler; writes profile-<runId>.cpuprofile (open it in Chrome DevTools)
//   seed   adds a key with the scripted `eqp.keys.create` command (verified against the bench's EQP sandbox, which
//          the runner's settings name as the production API), so the next page load starts with one
//   check  counts SecretStorage calls and EQP API requests made while EQP Keys activates (and shortly after)
//
// EQP Keys is the shipped production bundle here, which has no test hooks (they live in the test entry,
// test/integration's bundle only): everything goes through its commands or through the secrets probe.
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import Module from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { KeyRecord } from '../../src/keys/keyStore';

export interface RunRequest {
  runId: string;
  mode: 'time' | 'profile' | 'seed' | 'check';
  extensionId: string;
  /** How long the extension host's event loop must be quiet before measuring (and, for check, the window after). */
  settleMs: number;
  /** check: the extension whose context.secrets is used to reach the SecretStorage class. */
  probeId?: string;
  /** check: how long to keep counting after activate() returned (work it started without awaiting). */
  afterMs?: number;
  /** check: `/__sandbox/state` URLs of the EQP sandbox listeners. */
  sandboxStateUrls?: string[];
  /** seed: a key the sandbox knows. */
  seedKey?: { name: string; applicationId: string; applicationSecret: string; mageId: string };
  /** check: how many keys the seed run stored (its SeedResult.keys); reported as keysPresent. */
  keysSeeded?: number;
}

export interface TimeResult {
  mode: 'time';
  wasActive: boolean;
  isActive: boolean;
  /** From calling `getExtension(id).activate()` to its promise resolving: what the figure reports. */
  ms: number;
  /** Of `ms`: loading (compiling and running) the extension's main module... */
  loadMs?: number;
  /** ...and its `activate` function, until what it returns has resolved. The rest is the extension host's own work. */
  activateMs?: number;
}
/** `keys`: how many keys the seed run stored (eqp.keys.create returned a record for each). */
export interface SeedResult { mode: 'seed'; keys: number }
export interface CheckResult {
  mode: 'check';
  wasActive: boolean;
  /** Keys stored by the seed run (passed through the run request; the shipped bundle cannot be asked), -1 if unknown. */
  keysPresent: number;
  /** SecretStorage calls by method, made between the start of activate() and its end. */
  secretCallsDuringActivate: Record<string, number>;
  /** The same, in the `afterMs` after activate() returned (work activate() started but did not await). */
  secretCallsAfterActivate: Record<string, number>;
  /** Each call of both windows in order, as `<method> <kind of key>` (`get eqp.token.…`), activate()'s first. */
  secretCalls: { during: string[]; after: string[] };
  apiRequestsDuringActivate: number;
  apiRequestsAfterActivate: number;
  /**
   * The counter saw a get made on purpose afterwards on the probe's SecretStorage: the instrument works. (Every
   * extension's context.secrets is an instance of one class, whose prototype the counter wraps; EQP Keys' own
   * instance is out of reach without test hooks.)
   */
  instrumentWorks: boolean;
}
export type RunResult = TimeResult | SeedResult | CheckResult | { mode: 'error'; error: string };

const SECRET_METHODS = ['get', 'store', 'delete', 'keys'] as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until the runner says the workbench page has loaded and gone idle (it writes go-<runId>), then until this
 * extension host's event loop has been quiet (no 20 ms timer late by more than 5 ms) for `settleMs`, so that
 * start-up work of the workbench or of other extensions does not land inside the measurement. Waits at most 20 s
 * for the page and 3 s for the quiet, then measures anyway (a busy machine is noted in RESULTS.md).
 */
async function waitUntilQuiet(dir: string, runId: string, settleMs: number): Promise<void> {
  const go = path.join(dir, `go-${runId}`);
  const pageDeadline = Date.now() + 20_000;
  while (!fs.existsSync(go) && Date.now() < pageDeadline) await sleep(25);
  const quietDeadline = Date.now() + 3_000;
  let quietSince = performance.now();
  while (performance.now() - quietSince < settleMs && Date.now() < quietDeadline) {
    const t = performance.now();
    await sleep(20);
    if (performance.now() - t > 25) quietSince = performance.now();
  }
}

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;

/**
 * Times `getExtension(id).activate()`, and inside it how long the extension's main module takes to load and its
 * `activate` function to run: `Module._load` is wrapped for that one file while the call runs, and the module's
 * exports are handed to the extension host behind a proxy whose `activate` is timed. Both extensions measured get
 * the same treatment; the wrappers cost microseconds.
 */
async function activateTimed(id: string): Promise<TimeResult> {
  const ext = vscode.extensions.getExtension(id);
  if (!ext) throw new Error(`${id} is not loaded`);
  const main = path.join(ext.extensionPath, String((ext.packageJSON as { main?: string }).main ?? ''));
  const isMain = (request: string): boolean => request === main || `${request}.js` === main || request === `${main}.js`;
  const loader = Module as unknown as { _load: LoadFn };
  const originalLoad = loader._load;
  let loadMs: number | undefined;
  let activateMs: number | undefined;
  loader._load = function (this: unknown, request, parent, isMainModule) {
    if (typeof request !== 'string' || !isMain(request) || loadMs !== undefined) return originalLoad.call(this, request, parent, isMainModule);
    const t = performance.now();
    const exports = originalLoad.call(this, request, parent, isMainModule) as Record<string, unknown>;
    loadMs = performance.now() - t;
    const activate = exports.activate;
    if (typeof activate !== 'function') return exports;
    const timedActivate = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const t0 = performance.now();
      try {
        return await (activate as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        activateMs = performance.now() - t0;
      }
    };
    return new Proxy(exports, { get: (target, key) => (key === 'activate' ? timedActivate : Reflect.get(target, key)) });
  };
  const wasActive = ext.isActive;
  try {
    const t0 = performance.now();
    await ext.activate();
    const ms = performance.now() - t0;
    return { mode: 'time', wasActive, isActive: ext.isActive, ms, loadMs, activateMs };
  } finally {
    loader._load = originalLoad;
  }
}

function post<T>(session: inspector.Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

/** `activateTimed` under the sampling profiler (100 µs); the profile is written beside the result. */
async function activateProfiled(id: string, file: string): Promise<TimeResult> {
  const session = new inspector.Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    const result = await activateTimed(id);
    const { profile } = await post<{ profile: object }>(session, 'Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}

/**
 * Stores the seed key as a script would: `eqp.keys.create` verifies the pair by minting a token from the production
 * API setting (the sandbox) and makes it the environment's active key, the first one. The token that verification
 * cached is forgotten, so the check starts, as before, with a key and no cached token.
 */
async function seed(req: RunRequest): Promise<SeedResult> {
  const key = req.seedKey;
  if (!key) throw new Error('seed: no seedKey');
  const apiUrl = vscode.workspace.getConfiguration('eqp').get<string>('production.apiUrl') ?? '';
  if (!/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(apiUrl)) throw new Error(`seed: eqp.production.apiUrl is ${apiUrl}, not the bench's sandbox`);
  const record = await vscode.commands.executeCommand<KeyRecord>('eqp.keys.create', {
    environment: 'production', name: key.name, applicationId: key.applicationId, applicationSecret: key.applicationSecret,
  });
  if (record?.name !== key.name) throw new Error(`seed: eqp.keys.create returned ${JSON.stringify(record)}`);
  await vscode.commands.executeCommand('eqp.token.forget', { all: true });
  // globalState reaches the browser's storage asynchronously; give it time before the page goes away.
  await sleep(1500);
  return { mode: 'seed', keys: 1 };
}

/** `eqp.token.<keyId>` -> `eqp.token.…`: which kind of secret, not which one. */
function secretKind(key: unknown): string {
  if (typeof key !== 'string') return '?';
  const parts = key.split('.');
  return parts.length > 2 ? `${parts.slice(0, 2).join('.')}.…` : key;
}

/**
 * Counts calls to the SecretStorage methods of every extension (their `context.secrets` share one class) until
 * `stop()`; `calls` lists them as `get eqp.token.…`.
 */
function countSecretCalls(secrets: object): { snapshot(): Record<string, number>; calls: string[]; stop(): void } {
  const proto = Object.getPrototypeOf(secrets) as Record<string, unknown>;
  const counts: Record<string, number> = {};
  const calls: string[] = [];
  const originals = new Map<string, unknown>();
  for (const name of SECRET_METHODS) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    originals.set(name, original);
    counts[name] = 0;
    proto[name] = function (this: unknown, ...args: unknown[]): unknown {
      counts[name] = (counts[name] ?? 0) + 1;
      calls.push(name === 'keys' ? 'keys' : `${name} ${secretKind(args[0])}`);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return {
    snapshot: () => ({ ...counts }),
    calls,
    stop: () => {
      for (const [name, original] of originals) proto[name] = original;
    },
  };
}

async function apiRequests(urls: string[]): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const response = await fetch(url);
    const state = (await response.json()) as { counts: { apiRequests: number } };
    total += state.counts.apiRequests;
  }
  return total;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) out[k] = v - (before[k] ?? 0);
  return out;
}

async function check(req: RunRequest): Promise<CheckResult> {
  if (!req.probeId || !req.sandboxStateUrls) throw new Error('check: probeId and sandboxStateUrls are needed');
  const probe = vscode.extensions.getExtension<{ secrets: vscode.SecretStorage }>(req.probeId);
  if (!probe) throw new Error(`${req.probeId} is not loaded`);
  const { secrets } = await probe.activate();
  const urls = req.sandboxStateUrls;

  const counter = countSecretCalls(secrets);
  try {
    const s0 = counter.snapshot();
    const c0 = counter.calls.length;
    const r0 = await apiRequests(urls);
    const ext = vscode.extensions.getExtension(req.extensionId);
    if (!ext) throw new Error(`${req.extensionId} is not loaded`);
    const wasActive = ext.isActive;
    await ext.activate();
    const s1 = counter.snapshot();
    const c1 = counter.calls.length;
    const r1 = await apiRequests(urls);
    await sleep(req.afterMs ?? 1000);
    const s2 = counter.snapshot();
    const c2 = counter.calls.length;
    const r2 = await apiRequests(urls);
    // A get on the probe's instance of the shared SecretStorage class must reach the counter.
    await secrets.get('eqp-bench.instrument-self-test');
    const s3 = counter.snapshot();
    return {
      mode: 'check',
      wasActive,
      keysPresent: req.keysSeeded ?? -1,
      secretCallsDuringActivate: diff(s1, s0),
      secretCallsAfterActivate: diff(s2, s1),
      secretCalls: { during: counter.calls.slice(c0, c1), after: counter.calls.slice(c1, c2) },
      apiRequestsDuringActivate: r1 - r0,
      apiRequestsAfterActivate: r2 - r1,
      instrumentWorks: (s3.get ?? 0) - (s2.get ?? 0) === 1,
    };
  } finally {
    counter.stop();
  }
}

export async function run(): Promise<void> {
  const dir = process.env.EQP_BENCH_DIR;
  if (!dir) throw new Error('EQP_BENCH_DIR is not set');
  const req = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunRequest;
  let result: RunResult;
  try {
    if (req.mode !== 'seed') await waitUntilQuiet(dir, req.runId, req.settleMs);
    if (req.mode === 'time') {
      result = await activateTimed(req.extensionId);
    } else if (req.mode === 'profile') {
      result = await activateProfiled(req.extensionId, path.join(dir, `profile-${req.runId}.cpuprofile`));
    } else if (req.mode === 'seed') {
      result = await seed(req);
    } else {
      result = await check(req);
    }
  } catch (e) {
    result = { mode: 'error', error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  fs.writeFileSync(path.join(dir, `result-${req.runId}.json`), JSON.stringify(result));
}
