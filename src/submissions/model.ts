/**
 * What the Submissions view shows, per environment: the submissions read so far (newest first, a page at a time),
 * whether more can be read, why the last read failed; and per submission its tool runs once asked for. Loaded on
 * demand (the view asks when it is shown), never at activation. No `vscode` import.
 */
import type { EnvironmentId } from '../eqp/environments';
import type { Submission, ToolRun } from '../eqp/submissions';
import { Emitter } from '../util/emitter';
import type { SubmissionsService } from './service';

export const PAGE_SIZE = 20;
/** Newest first. */
export const SORT = '-created_at';

export interface SubmissionListState {
  status: 'idle' | 'loading' | 'loaded' | 'error';
  /** In the server's order, without repeats (a page may shift when a submission is added meanwhile). */
  items: Submission[];
  /** X-Total-Count of the last page, when it said one. */
  total?: number;
  /** Another page can be asked for. */
  hasMore: boolean;
  /** A "Load More" is under way. */
  loadingMore: boolean;
  /** Why the first page (status 'error') or the last Load More failed. */
  error?: unknown;
  /** The server's count and its pages disagree (said as a sentence), e.g. fewer came back than it counted. */
  mismatch?: string;
  /** Entries of the answers that were not submissions, left out. */
  skipped: number;
}

export type RunsState =
  | { status: 'loading'; previous?: ToolRun[] }
  | { status: 'loaded'; runs: ToolRun[] }
  | { status: 'error'; error: unknown; previous?: ToolRun[] };

export interface ModelChange {
  env: EnvironmentId;
  /** The submission whose runs changed; undefined: the list. */
  submissionId?: string;
}

const IDLE: SubmissionListState = { status: 'idle', items: [], hasMore: false, loadingMore: false, skipped: 0 };

export class SubmissionsModel {
  private readonly lists = new Map<EnvironmentId, SubmissionListState>();
  private readonly loads = new Map<EnvironmentId, { promise: Promise<void>; controller: AbortController }>();
  private readonly runStates = new Map<string, RunsState>();
  private readonly runLoads = new Map<string, Promise<void>>();
  private readonly emitter = new Emitter<ModelChange>();
  readonly onDidChange = this.emitter.event;
  private disposed = false;

  constructor(
    private readonly service: Pick<SubmissionsService, 'list' | 'runs'>,
    /** `eqp.submissions.loadAll`: every submission in one request instead of pages of 20. */
    private readonly loadAll: () => boolean = () => false,
  ) {}

  state(env: EnvironmentId): SubmissionListState {
    return this.lists.get(env) ?? IDLE;
  }

  /** Every submission read so far of `env`. */
  items(env: EnvironmentId): Submission[] {
    return this.state(env).items;
  }

  find(env: EnvironmentId, submissionId: string): Submission | undefined {
    return this.state(env).items.find((s) => s.submissionId === submissionId);
  }

  /** Starts loading the first page unless loaded, failed or loading; resolves when settled. */
  ensure(env: EnvironmentId): Promise<void> {
    const s = this.state(env);
    if (s.status === 'loaded' || s.status === 'error') return Promise.resolve();
    return this.loads.get(env)?.promise ?? this.reload(env);
  }

  /** Reads the first page again (a running read is replaced); what was shown stays until the answer. */
  reload(env: EnvironmentId): Promise<void> {
    this.loads.get(env)?.controller.abort();
    const controller = new AbortController();
    const previous = this.state(env);
    this.set(env, { ...previous, status: 'loading', loadingMore: false });
    for (const key of [...this.runStates.keys()]) if (key.startsWith(`${env}/`)) this.runStates.delete(key);
    const limit = this.loadAll() ? -1 : PAGE_SIZE;
    const promise = this.service.list(env, { offset: 0, limit, sort: SORT }, controller.signal).then(
      (page) => {
        if (controller.signal.aborted || this.disposed) return;
        const items = dedupe([], page.items);
        this.set(env, { status: 'loaded', items, total: page.total, hasMore: hasMore(page.items.length, items.length, limit, page.total), loadingMore: false, skipped: page.skipped, mismatch: mismatch(items.length, page.items.length, limit, page.total) });
      },
      (error: unknown) => {
        if (controller.signal.aborted || this.disposed) return;
        this.set(env, { ...this.state(env), status: 'error', error, loadingMore: false });
      },
    ).finally(() => {
      if (this.loads.get(env)?.controller === controller) this.loads.delete(env);
    });
    this.loads.set(env, { promise, controller });
    return promise;
  }

  /** Reads the next page and appends it; a failure keeps what was shown and is reported on the Load More row. */
  loadMore(env: EnvironmentId): Promise<void> {
    const s = this.state(env);
    if (s.status !== 'loaded' || !s.hasMore) return Promise.resolve();
    const running = this.loads.get(env);
    if (running) return running.promise;
    const controller = new AbortController();
    this.set(env, { ...s, loadingMore: true, error: undefined });
    const offset = s.items.length;
    const promise = this.service.list(env, { offset, limit: PAGE_SIZE, sort: SORT }, controller.signal).then(
      (page) => {
        if (controller.signal.aborted || this.disposed) return;
        const now = this.state(env);
        const items = dedupe(now.items, page.items);
        const added = items.length - now.items.length;
        this.set(env, {
          ...now,
          items,
          total: page.total ?? now.total,
          // A page that adds nothing new ends the paging, whatever the count says (it would loop otherwise).
          hasMore: added > 0 && hasMore(page.items.length, items.length, PAGE_SIZE, page.total),
          loadingMore: false,
          skipped: now.skipped + page.skipped,
          mismatch: mismatch(items.length, page.items.length, PAGE_SIZE, page.total ?? now.total, added === 0 && page.items.length > 0),
        });
      },
      (error: unknown) => {
        if (controller.signal.aborted || this.disposed) return;
        this.set(env, { ...this.state(env), loadingMore: false, error });
      },
    ).finally(() => {
      if (this.loads.get(env)?.controller === controller) this.loads.delete(env);
    });
    this.loads.set(env, { promise, controller });
    return promise;
  }

  /** Forgets an environment (its API access key went away): the next render loads it again. */
  reset(env: EnvironmentId): void {
    this.loads.get(env)?.controller.abort();
    this.loads.delete(env);
    for (const key of [...this.runStates.keys()]) if (key.startsWith(`${env}/`)) this.runStates.delete(key);
    if (this.lists.delete(env)) this.emitter.fire({ env });
  }

  /** A submission read again (polling, a report): replaces its row. */
  put(env: EnvironmentId, submission: Submission): void {
    const s = this.state(env);
    const i = s.items.findIndex((x) => x.submissionId === submission.submissionId);
    if (i < 0) return;
    this.set(env, { ...s, items: s.items.map((x, j) => (j === i ? submission : x)) });
  }

  /**
   * A submission just made (submitted from the editor): first in a loaded list (newest first), so the view shows it
   * and the poller follows it while in review. A list not read yet will read it from the server.
   */
  add(env: EnvironmentId, submission: Submission): void {
    const s = this.state(env);
    if (s.status !== 'loaded' && s.items.length === 0) return;
    if (s.items.some((x) => x.submissionId === submission.submissionId)) return this.put(env, submission);
    this.set(env, { ...s, items: [submission, ...s.items], total: s.total === undefined ? undefined : s.total + 1 });
  }

  /** A submission the server no longer has (404). */
  remove(env: EnvironmentId, submissionId: string): void {
    const s = this.state(env);
    if (!s.items.some((x) => x.submissionId === submissionId)) return;
    this.runStates.delete(`${env}/${submissionId}`);
    this.set(env, { ...s, items: s.items.filter((x) => x.submissionId !== submissionId), total: s.total === undefined ? undefined : Math.max(0, s.total - 1) });
  }

  runs(env: EnvironmentId, submissionId: string): RunsState | undefined {
    return this.runStates.get(`${env}/${submissionId}`);
  }

  /** Reads a submission's tool runs (once; `force` reads them again). */
  ensureRuns(env: EnvironmentId, submissionId: string, force = false): Promise<void> {
    const key = `${env}/${submissionId}`;
    const s = this.runStates.get(key);
    if (!force && (s?.status === 'loaded' || s?.status === 'error')) return Promise.resolve();
    const running = this.runLoads.get(key);
    if (running) return running;
    const previous = s?.status === 'loaded' ? s.runs : s?.previous;
    this.setRuns(env, submissionId, { status: 'loading', previous });
    const promise = this.service.runs(env, submissionId).then(
      (runs) => { if (!this.disposed) this.setRuns(env, submissionId, { status: 'loaded', runs }); },
      (error: unknown) => { if (!this.disposed) this.setRuns(env, submissionId, { status: 'error', error, previous }); },
    ).finally(() => this.runLoads.delete(key));
    this.runLoads.set(key, promise);
    return promise;
  }

  private setRuns(env: EnvironmentId, submissionId: string, state: RunsState): void {
    this.runStates.set(`${env}/${submissionId}`, state);
    this.emitter.fire({ env, submissionId });
  }

  private set(env: EnvironmentId, state: SubmissionListState): void {
    this.lists.set(env, state);
    this.emitter.fire({ env });
  }

  dispose(): void {
    this.disposed = true;
    for (const l of this.loads.values()) l.controller.abort();
    this.loads.clear();
    this.emitter.dispose();
  }
}

function dedupe(existing: Submission[], page: Submission[]): Submission[] {
  const seen = new Set(existing.map((s) => s.submissionId));
  const out = [...existing];
  for (const s of page) {
    if (seen.has(s.submissionId)) continue;
    seen.add(s.submissionId);
    out.push(s);
  }
  return out;
}

function hasMore(pageLength: number, have: number, limit: number, total: number | undefined): boolean {
  if (limit < 0 || pageLength === 0) return false;
  // A short page is the last one, whatever the count says; a full one may be followed by more unless the count says no.
  if (pageLength < limit) return false;
  return total === undefined ? true : have < total;
}

/** When what came back contradicts X-Total-Count: a sentence for the view, else undefined. */
function mismatch(have: number, pageLength: number, limit: number, total: number | undefined, repeated = false): string | undefined {
  if (repeated) return 'The server answered the next page with submissions already shown; there may be more in the Developer Portal.';
  if (total === undefined) return undefined;
  if (have > total) return `The server counted ${total} submissions but sent ${have}: all of them are shown.`;
  if (have < total && (pageLength < limit || limit < 0)) return `The server counted ${total} submissions but sent ${have}: those are shown.`;
  return undefined;
}
