/**
 * Session tokens for the active API access key of an environment: cached in secret storage, minted when the
 * cached one is about to expire, one request per key however many callers ask at once, and the retry policy
 * for the token endpoint (the client itself never retries). No `vscode` import: it runs in plain Node tests.
 */
import type { EqpClient, SessionToken } from '../eqp/client';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { EqpError } from '../eqp/errors';
import { redact } from '../eqp/redact';
import { raceAbort } from '../util/abort';
import { type Clock, sleep, systemClock } from '../util/clock';

export interface ActiveKey {
  keyId: string;
  environment: EnvironmentId;
  name: string;
  applicationId: string;
  applicationSecret: string;
}

/** An active key without its secret: enough to find and hand out its cached token, and to show it. */
export interface KeyRef extends Omit<ActiveKey, 'applicationSecret'> {
  /** What the key store knows of the pair: verified, refused (401/403), unreachable when last tried, or not tried. */
  state?: 'unverified' | 'verified' | 'rejected' | 'unreachable';
  /** The last answer that set `state`, for the tooltip. */
  stateDetail?: string;
}

/** Implemented by the key store (src/keys). */
export interface TokenKeySource {
  /** The environment's active key, without reading its secret (no I/O); undefined: no key in that environment. */
  activeKeyRef(env: EnvironmentId): KeyRef | undefined;
  /** The environment's active key with its secret (read only to mint); undefined: no key in that environment. */
  activeKey(env: EnvironmentId): Promise<ActiveKey | undefined>;
  /** The token endpoint answered 401/403 for this key. */
  markRejected(keyId: string, applicationId: string, error: EqpError): Promise<void>;
  /** A token was minted with this key. */
  markVerified(keyId: string, applicationId: string, mageId: string): Promise<void>;
  /** Fires when keys were added, deleted, renamed, regenerated or made active (the state of an environment may differ). */
  onDidChange?(listener: () => void): { dispose(): void };
}

/**
 * What an environment's session token looks like right now, as every render shows it (status bar, tree, terminal
 * export, menus): read from memory, synchronously, without I/O. `onDidChange` fires when any of it changes.
 */
export interface TokenState {
  environment: EnvironmentId;
  /** The active key, without its secret; undefined: the environment has no key. */
  key: KeyRef | undefined;
  /**
   * The active key's cached token of this environment, expired or not (it may be one minted with the pair before
   * a regenerate); undefined: none cached (or not read yet, see `loading`).
   */
  token: CachedToken | undefined;
  /** `token` has not expired. */
  live: boolean;
  /** `getToken` would hand out `token` without a request (it has more than the refresh margin to live). */
  fresh: boolean;
  /** When `token` stops being fresh (ms since epoch): the refresh margin before it expires. */
  refreshAt: number | undefined;
  /** The active key's cache entry is being read from secret storage (`onDidChange` fires once it is known). */
  loading: boolean;
  /** A request for a new token of the active key is under way. */
  busy: boolean;
  /** Why the last request for the active key's current pair failed, until one succeeds or the token is forgotten. */
  lastError: unknown;
  /**
   * When a background caller (`getToken(env, { background: true })`) may have a token minted for the active key
   * (ms since epoch; at or before now: it may now). Undefined: not at all, because `token` is a grant of the
   * current pair of less than SHORT_GRANT_SECONDS (or there is no key); a token got otherwise lifts that. No event
   * fires when the time comes: a render that waits for it sets its own timer.
   */
  backgroundMintAt: number | undefined;
}

/** vscode.SecretStorage fits this. */
export interface SecretCache {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

export interface CachedToken {
  keyId: string;
  environment: EnvironmentId;
  /** The pair that minted it; after a regenerate this is the old ID (the token stays usable until it expires). */
  applicationId: string;
  keyName: string;
  mageId: string;
  token: string;
  /** ms since epoch, local clock, taken when the request was sent. */
  obtainedAt: number;
  /** obtainedAt + the lifetime the server granted. */
  expiresAt: number;
}

/** Something failed that did not stop the caller from getting its answer (see `onWarning`). */
export interface TokenServiceWarning {
  operation: 'cache-read' | 'cache-store' | 'cache-delete' | 'mark-verified' | 'mark-rejected';
  keyId: string;
  /** One sentence for the log; holds no secret or token. */
  message: string;
  error: unknown;
}

export interface TokenServiceOptions {
  /** Seconds to ask for (setting eqp.token.lifetime, default 7200). */
  lifetime(): number;
  /** Seconds (setting eqp.token.refreshMargin, default 120). */
  refreshMargin(): number;
  /** The time tokens expire by and the timer retry waits use; default the system clock. */
  clock?: Clock;
  /** 5xx / network / timeout / 429 retries, default 2 (so 3 attempts). */
  maxRetries?: number;
  /** Backoff base, default 500, doubled each retry. */
  retryBaseMs?: number;
  /** Longest Retry-After honoured by waiting, default 30; longer => error saying when. */
  maxRetryAfterSeconds?: number;
  /**
   * Secret storage or the key source failed on the side (e.g. no OS keyring: the token could not be saved).
   * The caller still gets its token or its original error. Default: console.warn.
   */
  onWarning?(warning: TokenServiceWarning): void;
  /**
   * Called with every secret value the service handles: each application secret it is given and each token it
   * mints, reads from the cache or adopts, so a logger can redact them. Must not throw (errors are ignored).
   */
  redactions?: { add(value: string): void };
}

/** The key a verification minted a token with (a KeyRecord of the key store fits). */
export interface AdoptedKey {
  id: string;
  environment: EnvironmentId;
  name: string;
  applicationId: string;
}

interface Disposable {
  dispose(): void;
}

const CACHE_PREFIX = 'eqp.token.';

/** Background callers of `getToken` have at most one token minted per key in this time. */
export const BACKGROUND_MINT_INTERVAL_MS = 60_000;

/**
 * A token the server granted for less than this (seconds) serves the call that asked for it, but background callers
 * do not replace it: a refresh every few seconds would be a request loop.
 */
export const SHORT_GRANT_SECONDS = 60;

/** One shared attempt to produce a token for a key; callers wait on `promise`. */
class Flight {
  /** Set once the flight decided to mint (forceNew, or the cache had nothing fresh enough). */
  minting: boolean;
  /**
   * Every caller so far asked in the background, so the background limits apply when the flight decides whether to
   * mint. A caller that is not in the background clears it when it joins.
   */
  background: boolean;
  waiters = 0;
  settled = false;
  readonly controller = new AbortController();
  readonly promise: Promise<CachedToken>;

  constructor(
    readonly keyId: string,
    /** Mints whatever the cache holds, so a forceNew caller may share it. */
    readonly forceNew: boolean,
    background: boolean,
    work: (flight: Flight) => Promise<CachedToken>,
  ) {
    this.minting = forceNew;
    this.background = background;
    this.promise = work(this).finally(() => {
      this.settled = true;
    });
    // Every waiter may have gone (cancelled) by the time it fails: that is not an unhandled rejection.
    this.promise.catch(() => undefined);
  }
}

export class TokenService {
  private readonly clock: Clock;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly warn: (warning: TokenServiceWarning) => void;

  private readonly flights = new Map<string, Flight>();
  /** Key ids known to have a cached token, and their environment (for `forget()` and `onDidChange`). */
  private readonly index = new Map<string, EnvironmentId>();
  /** Bumped by `forget(keyId)`, so a mint already under way does not put a forgotten key's token back. */
  private readonly generations = new Map<string, number>();
  private readonly listeners = new Set<(env: EnvironmentId) => void>();
  private disposed = false;
  /** Cache reads under way, per key id (one read per key however many renders ask). */
  private readonly loads = new Map<string, Promise<CachedToken | undefined>>();
  /** The last failed request per key id, with the application ID it was made with. */
  private readonly failures = new Map<string, { applicationId: string; error: unknown }>();
  private readonly keysListener: { dispose(): void } | undefined;
  /**
   * The in-memory picture of the cached tokens: per key id its token, or null for "none". Filled lazily from
   * SecretStorage (one read per key), kept in step by this service's own writes and, for other windows, by
   * `invalidate` (secrets.onDidChange). A render of the status bar or the tree reads memory, not the keychain.
   */
  private readonly memory = new Map<string, CachedToken | null>();
  /**
   * Tokens minted whose store in SecretStorage failed (no OS keyring), per key id: kept, in memory only, until they
   * expire, a token of the key is stored or the key's token is forgotten, and handed out as if cached: without
   * them every call (and every background refresh) would mint again.
   */
  private readonly unsaved = new Map<string, CachedToken>();
  /** When a background caller last had a token minted, per key id (BACKGROUND_MINT_INTERVAL_MS). */
  private readonly backgroundMints = new Map<string, number>();

  constructor(
    private readonly client: Pick<EqpClient, 'getSessionToken'>,
    private readonly keys: TokenKeySource,
    private readonly cache: SecretCache,
    private readonly options: TokenServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxRetries = nonNegative(options.maxRetries, 2);
    this.retryBaseMs = nonNegative(options.retryBaseMs, 500);
    this.maxRetryAfterSeconds = nonNegative(options.maxRetryAfterSeconds, 30);
    this.warn = options.onWarning ?? ((w) => console.warn(`[eqp-keys] ${w.message}`));
    this.keysListener = keys.onDidChange?.(() => this.fireAll());
  }

  private now(): number {
    return this.clock.now();
  }

  /**
   * Fires with the environment whose `state()` may have changed: a token of one of its keys was stored, read
   * or forgotten, a request started or ended or failed, or its keys changed.
   */
  readonly onDidChange = (listener: (env: EnvironmentId) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /**
   * Ends the service (deactivation): every request and retry wait under way is aborted (their callers get a
   * 'cancelled' error), nothing more is stored or fired, and later calls are refused.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const flight of this.flights.values()) flight.controller.abort();
    this.flights.clear();
    this.listeners.clear();
    this.keysListener?.dispose();
  }

  /**
   * The environment's token picture, synchronously from memory (see TokenState). When the active key's cache
   * entry has not been read yet, this starts the read and says `loading`; `onDidChange` fires when it is known.
   */
  state(env: EnvironmentId): TokenState {
    const key = this.keys.activeKeyRef(env);
    if (!key) {
      return { environment: env, key, token: undefined, live: false, fresh: false, refreshAt: undefined, loading: false, busy: false, lastError: undefined, backgroundMintAt: undefined };
    }
    const known = this.memory.get(key.keyId);
    if (known === undefined) void this.read(key.keyId);
    const token = known && known.environment === env ? known : undefined;
    const live = token !== undefined && token.expiresAt > this.now();
    const failure = this.failures.get(key.keyId);
    return {
      environment: env,
      key,
      token,
      live,
      fresh: live && this.isFresh(token),
      refreshAt: token && refreshDueAt(token, this.options.refreshMargin()),
      loading: known === undefined && !this.disposed,
      busy: this.flights.get(key.keyId)?.minting === true,
      lastError: failure && failure.applicationId === key.applicationId ? failure.error : undefined,
      backgroundMintAt: this.backgroundMintAt(key, token),
    };
  }

  /**
   * A key's cached token from memory, expired or not; undefined when none is cached or its entry has not been
   * read yet (this starts the read, and `onDidChange` fires if it finds one). For rows that list every key.
   */
  cached(keyId: string): CachedToken | undefined {
    const known = this.memory.get(keyId);
    if (known === undefined) void this.read(keyId);
    return known ?? undefined;
  }

  /**
   * A key's cached token if memory already knows it (expired or not), and nothing else: no secret storage read is
   * started. For answers that must not touch the keychain (the authentication provider's listing at start-up).
   */
  inMemory(keyId: string): CachedToken | undefined {
    return this.memory.get(keyId) ?? undefined;
  }

  /**
   * The cached tokens of these keys (expired or not; undefined: none), reading from secret storage the entries
   * memory does not know yet, after which `state()` and `cached()` answer from what is stored. For commands that
   * must see what is stored before they show something once (a list, a confirmation).
   */
  load(keyIds: readonly string[]): Promise<(CachedToken | undefined)[]> {
    return Promise.all(keyIds.map((id) => this.read(id)));
  }

  /**
   * A session token of `env`'s active key with more than `refreshMargin()` seconds to live: the cached one, or a
   * new one (one request per key, shared by all concurrent callers). `forceNew` ignores the cached token; it is
   * replaced only once the new one has been minted. Throws EqpError: 'config' when there is no key, 'cancelled'
   * when `signal` aborts (the shared request goes on for the other callers), otherwise the client's error.
   *
   * `background`: nobody is waiting for this token right now (the terminal export keeping one ready, a status bar
   * refresh, an authentication provider answering another extension). Such calls are limited, so that no chain
   * of events can make them mint in a loop: per key at most one mint for background callers every
   * BACKGROUND_MINT_INTERVAL_MS (60 s), and none at all while the cached token of the key's current pair is a
   * grant of less than SHORT_GRANT_SECONDS (60 s; a call that is not in the background replaces it). When a limit
   * stops the mint, the cached token is returned if it is still live (it may be inside the refresh margin), else
   * this throws EqpError 'throttled', with `retryAfterSeconds` when the 60 s limit will let it through. No
   * request is made either way. `state().backgroundMintAt` says beforehand when a background call may mint.
   * A background caller shares a request under way like any other; a caller that is not in the background is
   * never limited, also when it joins a background caller's request.
   */
  async getToken(env: EnvironmentId, opts: { signal?: AbortSignal; forceNew?: boolean; background?: boolean } = {}): Promise<CachedToken> {
    const { signal, forceNew = false, background = false } = opts;
    if (this.disposed) throw cancelledError();
    throwIfAborted(signal);
    // The key without its secret: a fresh cached token is handed out without reading the application secret.
    const key = await this.keys.activeKeyRef(env);
    throwIfAborted(signal);
    if (!key) {
      throw noKeyError(env);
    }
    for (;;) {
      const current = this.flights.get(key.keyId);
      if (!current) {
        return this.wait(this.startFlight(key, forceNew, background), signal);
      }
      // Decided before the flight's cache read ends (a flight that refuses leaves the map at once): a caller that
      // is not in the background lifts the limits for the flight it joins.
      if (!background) current.background = false;
      if (!forceNew || current.forceNew) {
        return this.wait(current, signal);
      }
      // A forceNew caller may share a flight only if it mints. Whether this one does is decided after its cache
      // read, so wait for it: a token it minted is as new as ours would be; one it took from the cache is not.
      try {
        const token = await this.wait(current, signal);
        if (current.minting) {
          return token;
        }
      } catch (e) {
        // A failed mint is the very attempt we would make; anything else (it was cancelled) is not ours.
        if (current.minting || signal?.aborted) {
          throw e;
        }
      }
    }
  }

  /**
   * Keeps a token that was minted elsewhere (a key's verification) as the key's cached token, so the first
   * `getToken` needs no request of its own. `requestedAt` is when that request was sent (local clock); the expiry
   * counts from it with the lifetime the server granted. A cached token that lives longer is kept instead; an
   * already expired or implausible one is ignored. Failing to store it is reported through `onWarning`, never
   * thrown. Fires `onDidChange` when stored.
   */
  async adopt(key: AdoptedKey, session: SessionToken, requestedAt: number): Promise<void> {
    if (typeof session.token !== 'string' || session.token === '' || typeof session.mageId !== 'string' || session.mageId === '') {
      return;
    }
    this.observe(session.token);
    if (!Number.isFinite(session.expiresIn) || session.expiresIn <= 0 || !Number.isFinite(requestedAt)) {
      return;
    }
    const token: CachedToken = {
      keyId: key.id,
      environment: key.environment,
      applicationId: key.applicationId,
      keyName: key.name,
      mageId: session.mageId,
      token: session.token,
      obtainedAt: requestedAt,
      expiresAt: requestedAt + session.expiresIn * 1000,
    };
    if (token.expiresAt <= this.now()) {
      return;
    }
    const cached = await this.read(key.id);
    if (cached && cached.environment === key.environment && cached.expiresAt >= token.expiresAt) {
      return;
    }
    try {
      await this.cache.store(cacheKey(key.id), JSON.stringify(token));
    } catch (e) {
      this.report('cache-store', key.id, `Could not save the session token of key "${key.name}" in secret storage, so it will not be reused`, e, [token.token]);
      return;
    }
    this.unsaved.delete(key.id);
    this.remember(key.id, token);
    this.index.set(key.id, key.environment);
    this.fire(key.environment);
  }

  /**
   * A key's cached token, if any, expired or not: from memory once known, else read from SecretStorage once
   * (concurrent reads share one). An entry that cannot be read counts as none until it changes.
   */
  private read(keyId: string, again = false): Promise<CachedToken | undefined> {
    const known = this.memory.get(keyId);
    if (known !== undefined && !again) return Promise.resolve(known ?? undefined);
    const running = this.loads.get(keyId);
    if (running && !again) return running;
    // Identifies this read: `invalidate` (another window wrote the entry meanwhile) drops it from `loads`, and a
    // read that is no longer the current one must not put what it read into memory.
    const self: { promise?: Promise<CachedToken | undefined> } = {};
    const current = (): boolean => this.loads.get(keyId) === self.promise && !this.disposed;
    self.promise = (async (): Promise<CachedToken | undefined> => {
      let raw: string | undefined;
      try {
        raw = await this.cache.get(cacheKey(keyId));
      } catch (e) {
        this.report('cache-read', keyId, `Could not read the cached session token of key ${keyId}`, e);
        // Counts as none until the entry changes (`invalidate`) or a token is stored: renders must not loop on
        // a secret storage that keeps failing.
        const kept = this.withUnsaved(keyId, undefined);
        if (current()) this.memory.set(keyId, kept ?? null);
        return kept;
      }
      const stored = parseCachedToken(raw, keyId);
      if (stored) this.observe(stored.token);
      const cached = this.withUnsaved(keyId, stored);
      if (!current()) return cached;
      if (cached) this.index.set(keyId, cached.environment);
      this.memory.set(keyId, cached ?? null);
      return cached;
    })().finally(() => {
      if (!current()) return;
      this.loads.delete(keyId);
      // Renders that showed "loading" render again, now with what is stored.
      this.fireAll();
    });
    this.loads.set(keyId, self.promise);
    return self.promise;
  }

  /**
   * SecretStorage changed under this service (another window stored or forgot a token; `secrets.onDidChange`
   * key `eqp.token.<keyId>`): the entry is read again (what memory holds is shown meanwhile), and `onDidChange`
   * fires once it is known. A read already under way is superseded: it may have read the entry before the change.
   */
  invalidate(keyId: string): void {
    if (this.disposed) return;
    void this.read(keyId, true);
  }

  /**
   * What a key's entry stands for: the stored token, or the token kept in memory because storing it failed (while
   * it lives), whichever lives longer.
   */
  private withUnsaved(keyId: string, stored: CachedToken | undefined): CachedToken | undefined {
    const kept = this.unsaved.get(keyId);
    if (!kept) return stored;
    if (kept.expiresAt <= this.now()) {
      this.unsaved.delete(keyId);
      return stored;
    }
    return stored && stored.expiresAt >= kept.expiresAt ? stored : kept;
  }

  /** The key id of a SecretStorage key of a cached token (`eqp.token.<keyId>`), else undefined. */
  static keyIdOf(secretKey: string): string | undefined {
    return secretKey.startsWith(CACHE_PREFIX) ? secretKey.slice(CACHE_PREFIX.length) : undefined;
  }

  /**
   * Drops one key's cached token, or all tokens this service knows of: those it stored or read since it was
   * created (after a reload, a key is known once `state`, `cached`, `load` or `getToken` has looked at it).
   */
  async forget(keyId?: string): Promise<void> {
    const ids = keyId !== undefined ? [keyId] : [...this.index.keys()];
    for (const id of ids) {
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
      const env = this.index.get(id) ?? (await this.read(id))?.environment;
      this.index.delete(id);
      this.failures.delete(id);
      // A token kept in memory only goes whatever secret storage does.
      const hadUnsaved = this.unsaved.delete(id);
      try {
        await this.cache.delete(cacheKey(id));
      } catch (e) {
        this.report('cache-delete', id, `Could not delete the cached session token of key ${id}`, e);
        if (hadUnsaved) {
          // Memory showed the unsaved token: read what is stored again.
          this.memory.delete(id);
          this.loads.delete(id);
          if (env) this.fire(env);
        }
        continue;
      }
      this.remember(id, null);
      if (env) {
        this.fire(env);
      }
    }
  }

  // ---- single flight --------------------------------------------------------------------------------------

  private startFlight(key: KeyRef, forceNew: boolean, background: boolean): Flight {
    const flight = new Flight(key.keyId, forceNew, background, async (self) => {
      try {
        return await this.resolve(key, self);
      } finally {
        if (this.flights.get(key.keyId) === self) {
          this.flights.delete(key.keyId);
        }
        // No longer busy.
        if (self.minting) this.fire(key.environment);
      }
    });
    this.flights.set(key.keyId, flight);
    return flight;
  }

  /** Waits for a flight on behalf of one caller; the caller's abort stops only its own wait. */
  private async wait(flight: Flight, signal: AbortSignal | undefined): Promise<CachedToken> {
    flight.waiters++;
    try {
      return await raceAbort(flight.promise, signal, cancelledError);
    } finally {
      flight.waiters--;
      if (flight.waiters === 0 && signal?.aborted && !flight.settled) {
        // Nobody is waiting any more: stop the request, and let the next caller start afresh.
        flight.controller.abort();
        if (this.flights.get(flight.keyId) === flight) {
          this.flights.delete(flight.keyId);
        }
      }
    }
  }

  /** The flight's work: the cached token when fresh enough, else a new one. */
  private async resolve(key: KeyRef, flight: Flight): Promise<CachedToken> {
    if (!flight.forceNew || flight.background) {
      const read = await this.read(key.keyId);
      const cached = read && read.environment === key.environment ? read : undefined;
      if (!flight.forceNew && cached && this.isFresh(cached)) {
        return cached;
      }
      if (flight.background) {
        const mintAt = this.backgroundMintAt(key, cached);
        if (mintAt === undefined || mintAt > this.now()) {
          // Refused. Callers that come later start a flight of their own (one not in the background mints).
          if (this.flights.get(key.keyId) === flight) this.flights.delete(key.keyId);
          if (cached && cached.expiresAt > this.now()) return cached;
          throw backgroundRefusal(key, cached, mintAt, this.now());
        }
        this.backgroundMints.set(key.keyId, this.now());
      }
      flight.minting = true;
    }
    this.fire(key.environment);
    // Only minting reads the application secret.
    const withSecret = await this.activeKey(key.environment);
    if (!withSecret) {
      throw noKeyError(key.environment);
    }
    try {
      const token = await this.mint(withSecret, flight.controller.signal);
      this.failures.delete(key.keyId);
      return token;
    } catch (e) {
      if (!(e instanceof EqpError && e.kind === 'cancelled') && !this.disposed) {
        this.failures.set(key.keyId, { applicationId: withSecret.applicationId, error: e });
      }
      throw e;
    }
  }

  /**
   * When a background caller may have a token minted for `key` (see TokenState.backgroundMintAt), given the
   * key's cached token of its environment.
   */
  private backgroundMintAt(key: KeyRef, cached: CachedToken | undefined): number | undefined {
    if (cached && cached.applicationId === key.applicationId && isShortGrant(cached)) return undefined;
    const last = this.backgroundMints.get(key.keyId);
    return last === undefined ? 0 : last + BACKGROUND_MINT_INTERVAL_MS;
  }

  /**
   * Fresh: more than refreshMargin() seconds to live. The margin is capped at half the granted lifetime, so a
   * server that grants less than the margin does not make every call mint a new token.
   */
  private isFresh(token: CachedToken): boolean {
    return refreshDueAt(token, this.options.refreshMargin()) > this.now();
  }

  // ---- minting and retries --------------------------------------------------------------------------------

  private async mint(key: ActiveKey, signal: AbortSignal): Promise<CachedToken> {
    const generation = this.generations.get(key.keyId) ?? 0;
    const lifetime = requestedLifetime(this.options.lifetime());
    let retries = 0;
    for (;;) {
      // Expiry counts from when the request left: the server's clock started no later than that.
      const sentAt = this.now();
      let error: unknown;
      try {
        const session = await this.client.getSessionToken(
          key.environment,
          key.applicationId,
          key.applicationSecret,
          lifetime,
          signal,
        );
        const token: CachedToken = {
          keyId: key.keyId,
          environment: key.environment,
          applicationId: key.applicationId,
          keyName: key.name,
          mageId: session.mageId,
          token: session.token,
          obtainedAt: sentAt,
          expiresAt: sentAt + session.expiresIn * 1000,
        };
        await this.afterMint(key, token, generation);
        return token;
      } catch (e) {
        error = e;
      }
      const wait = await this.retryDelay(key, error, retries, signal);
      if (wait === undefined) {
        throw error;
      }
      retries++;
      await sleep(this.clock, wait, signal, cancelledError);
      if (signal.aborted) {
        throw cancelledError();
      }
    }
  }

  /** Stores the new token (unless its key was forgotten meanwhile) and tells the key source. */
  private async afterMint(key: ActiveKey, token: CachedToken, generation: number): Promise<void> {
    this.observe(token.token);
    if (this.disposed) return;
    if ((this.generations.get(key.keyId) ?? 0) === generation) {
      try {
        await this.cache.store(cacheKey(key.keyId), JSON.stringify(token));
        this.unsaved.delete(key.keyId);
      } catch (e) {
        this.report(
          'cache-store',
          key.keyId,
          `Could not save the session token of key "${key.name}" in secret storage, so it is kept in this window's memory only, until it expires`,
          e,
          [token.token, key.applicationSecret],
        );
        this.unsaved.set(key.keyId, token);
      }
      this.remember(key.keyId, token);
      this.index.set(key.keyId, key.environment);
      this.fire(key.environment);
    }
    try {
      await this.keys.markVerified(key.keyId, key.applicationId, token.mageId);
    } catch (e) {
      this.report('mark-verified', key.keyId, `Could not record that key "${key.name}" works`, e, [
        token.token,
        key.applicationSecret,
      ]);
    }
  }

  /**
   * How long to wait before the next attempt, or undefined when `error` is final. Throws instead when the error
   * needs rewording (a Retry-After too long to wait for, retries used up).
   */
  private async retryDelay(key: ActiveKey, error: unknown, retries: number, signal: AbortSignal): Promise<number | undefined> {
    if (!(error instanceof EqpError)) {
      return undefined;
    }
    if (signal.aborted || error.kind === 'cancelled') {
      throw error.kind === 'cancelled' ? error : cancelledError();
    }
    if (error.isAuthFailure) {
      try {
        await this.keys.markRejected(key.keyId, key.applicationId, error);
      } catch (e) {
        this.report('mark-rejected', key.keyId, `Could not record that key "${key.name}" was refused`, e, [
          key.applicationSecret,
        ]);
      }
      return undefined;
    }
    if (!isRetryable(error)) {
      return undefined;
    }
    const retryAfter = error.retryAfterSeconds;
    if (retryAfter !== undefined && retryAfter > this.maxRetryAfterSeconds) {
      throw tryLaterError(error, retryAfter, this.now());
    }
    if (retries >= this.maxRetries) {
      throw gaveUpError(error, retries + 1);
    }
    return retryAfter !== undefined ? retryAfter * 1000 : this.retryBaseMs * 2 ** retries;
  }

  // ---- small helpers --------------------------------------------------------------------------------------

  /** The key source's active key; its secret goes on the redaction list before anything can log it. */
  private async activeKey(env: EnvironmentId): Promise<ActiveKey | undefined> {
    const key = await this.keys.activeKey(env);
    if (key) {
      this.observe(key.applicationSecret);
    }
    return key;
  }

  private observe(value: string): void {
    try {
      this.options.redactions?.add(value);
    } catch {
      // Redaction bookkeeping must not change an outcome.
    }
  }

  /** What this service itself stored or deleted; a read under way (which may have read before) is dropped. */
  private remember(keyId: string, token: CachedToken | null): void {
    this.memory.set(keyId, token);
    this.loads.delete(keyId);
  }

  private fireAll(): void {
    this.fire('production');
    this.fire('sandbox');
  }

  private fire(env: EnvironmentId): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(env);
      } catch (e) {
        console.error('[eqp-keys] a TokenService.onDidChange listener threw', e);
      }
    }
  }

  private report(
    operation: TokenServiceWarning['operation'],
    keyId: string,
    what: string,
    error: unknown,
    secrets: string[] = [],
  ): void {
    const reason = error instanceof Error ? error.message : String(error);
    const message = redact(`${what}: ${reason}`, secrets);
    try {
      this.warn({ operation, keyId, message, error });
    } catch {
      // A failing warning handler must not turn a good token into a failure.
    }
  }
}

// ---- module helpers -----------------------------------------------------------------------------------------

function cacheKey(keyId: string): string {
  return `${CACHE_PREFIX}${keyId}`;
}

/** The stored JSON when it is a whole CachedToken of this key; anything else counts as no cache. */
function parseCachedToken(raw: string | undefined, keyId: string): CachedToken | undefined {
  if (raw === undefined || raw === '') {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') {
    return undefined;
  }
  const t = value as Record<string, unknown>;
  const text = (v: unknown): boolean => typeof v === 'string' && v !== '';
  const time = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  const ok =
    t.keyId === keyId &&
    (t.environment === 'production' || t.environment === 'sandbox') &&
    text(t.applicationId) &&
    typeof t.keyName === 'string' &&
    text(t.mageId) &&
    text(t.token) &&
    time(t.obtainedAt) &&
    time(t.expiresAt);
  return ok ? (t as unknown as CachedToken) : undefined;
}

/** The lifetime setting as the API wants it: whole seconds above 0; otherwise let the server choose. */
function requestedLifetime(seconds: number): number | undefined {
  return Number.isFinite(seconds) && seconds >= 1 ? Math.floor(seconds) : undefined;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function cancelledError(): EqpError {
  return new EqpError('cancelled', 'The session token request was cancelled.');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw cancelledError();
  }
}

/**
 * The refresh-margin rule, in one place: when a token is due to be replaced (ms since epoch), `marginSeconds`
 * before it expires, the margin capped at half the lifetime the server granted (a server that grants less than
 * the margin must not make every call mint).
 */
export function refreshDueAt(token: { expiresAt: number; obtainedAt: number }, marginSeconds: number): number {
  const marginMs = Math.max(0, marginSeconds * 1000);
  return token.expiresAt - Math.min(marginMs, (token.expiresAt - token.obtainedAt) / 2);
}

/** The short-grant rule, in one place: the server granted the token less than SHORT_GRANT_SECONDS to live. */
export function isShortGrant(token: { expiresAt: number; obtainedAt: number }): boolean {
  return token.expiresAt - token.obtainedAt < SHORT_GRANT_SECONDS * 1000;
}

/** Why a background caller gets no token (see `getToken`'s `background`). */
function backgroundRefusal(key: KeyRef, cached: CachedToken | undefined, mintAt: number | undefined, now: number): EqpError {
  const label = environmentInfo(key.environment).label;
  if (mintAt === undefined) {
    const granted = cached ? Math.max(0, Math.round((cached.expiresAt - cached.obtainedAt) / 1000)) : 0;
    return new EqpError('throttled', `The server granted the last ${label} session token of "${key.name}" only ${granted} seconds, so it is not replaced in the background.`);
  }
  const seconds = Math.max(1, Math.ceil((mintAt - now) / 1000));
  return new EqpError('throttled', `A ${label} session token of "${key.name}" was requested in the background less than ${BACKGROUND_MINT_INTERVAL_MS / 1000} seconds ago, so none is requested in the background for another ${seconds} seconds.`, { retryAfterSeconds: seconds });
}

/** The retry rule, in one place: a network failure, a timeout, a 429 or a 5xx is worth another attempt. */
export function isRetryable(e: unknown): e is EqpError {
  if (!(e instanceof EqpError)) return false;
  const status = e.status ?? 0;
  return e.kind === 'network' || e.kind === 'timeout' || (e.kind === 'http' && (status === 429 || status >= 500));
}

function noKeyError(env: EnvironmentId): EqpError {
  const label = environmentInfo(env).label;
  return new EqpError('config', `There is no API access key for ${label}.`, {
    hint: `Create one in the ${label} Developer Portal (Account → Manage API Keys), then add it in the EQP Keys view.`,
  });
}

/** The same error, reworded to say how many attempts were made. */
function gaveUpError(error: EqpError, attempts: number): EqpError {
  return new EqpError(error.kind, `${error.message} Gave up after ${attempts} attempts.`, {
    status: error.status,
    code: error.code,
    serverMessage: error.serverMessage,
    hint: error.hint,
    retryAfterSeconds: error.retryAfterSeconds,
  });
}

/** A Retry-After too long to wait for inside a command: say when the user may try again. */
function tryLaterError(error: EqpError, seconds: number, now: number): EqpError {
  const at = new Date(now + seconds * 1000);
  const clock = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return new EqpError(error.kind, `${error.message} Try again in ${formatWait(seconds)} (after ${clock}).`, {
    status: error.status,
    code: error.code,
    serverMessage: error.serverMessage,
    hint: `The server asked to wait ${formatWait(seconds)}; requesting sooner will likely be refused again.`,
    retryAfterSeconds: seconds,
  });
}

function formatWait(seconds: number): string {
  if (seconds < 120) {
    return `${seconds} seconds`;
  }
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) {
    return `${minutes} minutes`;
  }
  return `${Math.ceil(minutes / 60)} hours`;
}
