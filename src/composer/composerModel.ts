/**
 * What the Composer Keys view shows, per environment: not loaded, loading, the keys, or why loading failed. Loaded
 * on demand (the view asks when it is first shown, or on refresh), never at activation. Holds public records only.
 * No `vscode` import.
 */
import type { EnvironmentId } from '../eqp/environments';
import { Emitter } from '../util/emitter';
import type { ComposerKeyRecord, ComposerKeyService, ComposerOwner } from './composerService';

export type ComposerListState =
  | { status: 'idle' }
  | { status: 'loading'; previous?: ComposerKeyRecord[] }
  | { status: 'loaded'; keys: ComposerKeyRecord[]; mageId: string }
  | { status: 'error'; error: unknown; previous?: ComposerKeyRecord[] };

export class ComposerKeysModel {
  private readonly states = new Map<EnvironmentId, ComposerListState>();
  private readonly loads = new Map<EnvironmentId, { promise: Promise<void>; controller: AbortController }>();
  private readonly owners = new Map<EnvironmentId, ComposerOwner[]>();
  private readonly emitter = new Emitter<EnvironmentId>();
  /** Fires when an environment's list state changed. */
  readonly onDidChange = this.emitter.event;
  private disposed = false;

  constructor(private readonly service: Pick<ComposerKeyService, 'list' | 'ownersOf'>) {}

  state(env: EnvironmentId): ComposerListState {
    return this.states.get(env) ?? { status: 'idle' };
  }

  /** The keys last loaded (also while a reload runs or after it failed); undefined: never loaded. */
  keys(env: EnvironmentId): ComposerKeyRecord[] | undefined {
    const s = this.state(env);
    return s.status === 'loaded' ? s.keys : s.status === 'idle' ? undefined : s.previous;
  }

  /** Starts loading unless loaded or loading; resolves when the environment's state is settled. */
  ensure(env: EnvironmentId): Promise<void> {
    const s = this.state(env);
    if (s.status === 'loaded' || s.status === 'error') return Promise.resolve();
    return this.load(env);
  }

  /** Re-reads the list (a running load is replaced); the old keys stay readable meanwhile. */
  reload(env: EnvironmentId): Promise<void> {
    return this.load(env, true);
  }

  /** Forgets an environment's list (its API access key went away): the next render loads it again. */
  reset(env: EnvironmentId): void {
    this.loads.get(env)?.controller.abort();
    this.loads.delete(env);
    this.owners.delete(env);
    if (this.states.delete(env)) this.emitter.fire(env);
  }

  /** After a command changed one key (created, enabled, disabled): the list shows the server's answer. */
  put(record: ComposerKeyRecord): void {
    const s = this.state(record.environment);
    if (s.status !== 'loaded') return;
    const i = s.keys.findIndex((k) => k.label === record.label && k.uid === record.uid);
    // A new key takes its place by label, as a load would put it.
    const keys = i < 0 ? sortByLabel([...s.keys, record]) : s.keys.map((k, j) => (j === i ? record : k));
    this.set(record.environment, { ...s, keys });
  }

  /** After a delete answered 204 (or 404: gone elsewhere). */
  remove(env: EnvironmentId, key: { label: string; uid: string }): void {
    const s = this.state(env);
    if (s.status !== 'loaded') return;
    this.set(env, { ...s, keys: s.keys.filter((k) => !(k.label === key.label && k.uid === key.uid)) });
  }

  /** The owners a new key may have (the account and its organizations); read once per environment. */
  async ownersOf(env: EnvironmentId, signal?: AbortSignal): Promise<ComposerOwner[]> {
    const known = this.owners.get(env);
    if (known) return known;
    const owners = await this.service.ownersOf(env, signal);
    this.owners.set(env, owners);
    this.emitter.fire(env);
    return owners;
  }

  /** An owner's display name from what is known; undefined when the owners were never read. */
  ownerName(env: EnvironmentId, uid: string): string | undefined {
    return this.owners.get(env)?.find((o) => o.uid === uid)?.name;
  }

  private load(env: EnvironmentId, replace = false): Promise<void> {
    const running = this.loads.get(env);
    if (running && !replace) return running.promise;
    running?.controller.abort();
    const controller = new AbortController();
    const previous = this.keys(env);
    this.set(env, { status: 'loading', previous });
    // The owners' names (organizations) come from the profile, read once per environment beside the first list;
    // a failure there only leaves organization ids unnamed.
    if (!this.owners.has(env)) void this.ownersOf(env, controller.signal).catch(() => undefined);
    const promise = this.service.list(env, controller.signal).then(
      ({ keys, mageId }) => {
        if (controller.signal.aborted || this.disposed) return;
        this.set(env, { status: 'loaded', keys: sortByLabel(keys), mageId });
      },
      (error: unknown) => {
        if (controller.signal.aborted || this.disposed) return;
        this.set(env, { status: 'error', error, previous });
      },
    ).finally(() => {
      if (this.loads.get(env)?.controller === controller) this.loads.delete(env);
    });
    this.loads.set(env, { promise, controller });
    return promise;
  }

  private set(env: EnvironmentId, state: ComposerListState): void {
    this.states.set(env, state);
    this.emitter.fire(env);
  }

  dispose(): void {
    this.disposed = true;
    for (const l of this.loads.values()) l.controller.abort();
    this.loads.clear();
    this.emitter.dispose();
  }
}

function sortByLabel(keys: ComposerKeyRecord[]): ComposerKeyRecord[] {
  return [...keys].sort((a, b) => a.label.localeCompare(b.label) || a.uid.localeCompare(b.uid));
}
