/**
 * The API access keys: application secrets in SecretStorage, everything else (names, application IDs,
 * environment, active key, verification state) in globalState. No `vscode` import: the two storages come in
 * through small interfaces that `context.secrets` and `context.globalState` satisfy.
 *
 * Writes are ordered so that a failure at any step leaves the old state or the new one, never a key whose
 * metadata points at a secret that is not there: a secret is stored before the metadata that refers to it,
 * and removed only after the metadata stopped referring to it.
 */
import { ENVIRONMENT_IDS, EnvironmentId, environmentInfo } from '../eqp/environments';
import type { EqpError } from '../eqp/errors';
import { redact } from '../eqp/redact';
import type { KeyRef } from '../tokens/tokenService';
import { type Clock, TimerSlot, systemClock } from '../util/clock';
import { Emitter } from '../util/emitter';
import { checkName } from './credentials';

export const MAX_KEYS_PER_ENVIRONMENT = 3;

/** The one wording of the Developer Portal's key limit, wherever it is enforced. */
export function keyLimitMessage(env: EnvironmentId): string {
  return `${environmentInfo(env).label} already has ${MAX_KEYS_PER_ENVIRONMENT} API access keys, the Developer Portal's limit. Regenerate or delete one instead.`;
}

/** The one wording of "that application ID is stored already". */
export function duplicateIdMessage(applicationId: string, clash: { name: string; environment: EnvironmentId }): string {
  return `Application ID ${applicationId} is already stored as "${clash.name}" (${environmentInfo(clash.environment).label}).`;
}
const METADATA_KEY = 'eqp.keys.v1';
/**
 * Not a secret: a revision number written to SecretStorage after every metadata change, only because
 * `secrets.onDidChange` is the one storage event that reaches every window (globalState has none). Other windows
 * reload the metadata when it changes.
 */
export const REVISION_KEY = 'eqp.keys.revision';
const SECRET_PREFIX = 'eqp.secret.';
export const KEYRING_HELP_URL = 'https://code.visualstudio.com/docs/configure/settings-sync#_troubleshooting-keychain-issues';

export type KeyState = 'unverified' | 'verified' | 'rejected' | 'unreachable';

/** What is known of a key, without its secret. This is also what commands return to scripts. */
export interface KeyRecord {
  id: string;
  environment: EnvironmentId;
  name: string;
  applicationId: string;
  addedAt: number;
  state: KeyState;
  /** Why the state is what it is (the server's or the network's words, redacted). */
  stateDetail?: string;
  mageId?: string;
  profileName?: string;
  lastVerifiedAt?: number;
  lastCheckedAt?: number;
  regeneratedAt?: number;
}

interface Metadata {
  version: 1;
  keys: KeyRecord[];
  active: Partial<Record<EnvironmentId, string>>;
}

export interface SecretStorageLike {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export type KeyStoreErrorKind = 'limit' | 'duplicate-name' | 'duplicate-id' | 'not-found' | 'storage' | 'invalid';

export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
  constructor(readonly kind: KeyStoreErrorKind, message: string) {
    super(message);
  }
}

export interface Verification {
  state: KeyState;
  mageId?: string;
  profileName?: string;
  detail?: string;
}

export interface NewKey {
  environment: EnvironmentId;
  name: string;
  applicationId: string;
  applicationSecret: string;
  verification?: Verification;
  /** An id from `newKeyId()`, when something must be keyed by it before the key exists (its first token). */
  id?: string;
}

export interface KeyStoreOptions {
  now?: () => number;
  newId?: () => string;
}

function secretKey(keyId: string, applicationId: string): string {
  return `${SECRET_PREFIX}${keyId}.${applicationId}`;
}

function storageError(action: string, e: unknown, secrets: string[]): KeyStoreError {
  const detail = redact(e instanceof Error ? e.message : String(e), secrets);
  return new KeyStoreError(
    'storage',
    `VS Code's secret storage could not ${action} (${detail}). Nothing was changed. ` +
      `On Linux this usually means no OS keyring (GNOME Keyring, KWallet) is running or unlocked; see ${KEYRING_HELP_URL}. ` +
      'EQP Keys never falls back to storing secrets in plain text.',
  );
}

export class KeyStore {
  private readonly changed = new Emitter<void>();
  /** Fires after any change made here, and after `reload()` when another window changed something. */
  readonly onDidChange = this.changed.event;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly newId: () => string;
  private lastSeen: string;
  private revision = 0;
  private lastRevision: string | undefined;

  constructor(
    private readonly secrets: SecretStorageLike,
    private readonly memento: MementoLike,
    options: KeyStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.lastSeen = JSON.stringify(this.read());
  }

  // ---- reading ----

  private read(): Metadata {
    const raw = this.memento.get<Metadata>(METADATA_KEY);
    if (!raw || raw.version !== 1 || !Array.isArray(raw.keys)) return { version: 1, keys: [], active: {} };
    return { version: 1, keys: raw.keys.map((k) => ({ ...k })), active: { ...raw.active } };
  }

  list(env?: EnvironmentId): KeyRecord[] {
    const keys = this.read().keys;
    return env ? keys.filter((k) => k.environment === env) : keys;
  }

  count(env: EnvironmentId): number {
    return this.list(env).length;
  }

  get(id: string): KeyRecord | undefined {
    return this.read().keys.find((k) => k.id === id);
  }

  find(env: EnvironmentId, by: { name?: string; applicationId?: string }): KeyRecord | undefined {
    const name = by.name?.trim().toLocaleLowerCase();
    return this.list(env).find((k) => (name !== undefined && k.name.toLocaleLowerCase() === name) || (by.applicationId !== undefined && k.applicationId === by.applicationId));
  }

  /** The key used for tokens in `env`: the one the user chose, else the first one. */
  activeKeyId(env: EnvironmentId): string | undefined {
    const md = this.read();
    const chosen = md.active[env];
    const keys = md.keys.filter((k) => k.environment === env);
    return keys.find((k) => k.id === chosen)?.id ?? keys[0]?.id;
  }

  /** Reads a key's application secret from SecretStorage. */
  async secret(id: string): Promise<string | undefined> {
    const key = this.get(id);
    if (!key) return undefined;
    try {
      return await this.secrets.get(secretKey(key.id, key.applicationId));
    } catch (e) {
      throw storageError('read the application secret', e, []);
    }
  }

  /**
   * Called when SecretStorage or globalState may have been changed by another window. Idempotent: fires
   * onDidChange only when the metadata really differs from what this window last saw.
   */
  reload(): boolean {
    const now = JSON.stringify(this.read());
    if (now === this.lastSeen) return false;
    this.lastSeen = now;
    this.changed.fire();
    return true;
  }

  /** The revision value is the one this window wrote last (its own change, nothing to catch up on). */
  isOwnRevision(value: string | undefined): boolean {
    return value !== undefined && value === this.lastRevision;
  }

  // ---- writing (serialised, so two commands never interleave read-modify-write) ----

  private mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(md: Metadata): Promise<void> {
    await this.memento.update(METADATA_KEY, md);
    this.lastSeen = JSON.stringify(md);
    this.changed.fire();
    // Tell the other windows, after the metadata is written. Failing to is not failing the change.
    try {
      this.lastRevision = `${this.now()}.${++this.revision}`;
      await this.secrets.store(REVISION_KEY, this.lastRevision);
    } catch {
      // No keyring: the other windows catch up on focus or Refresh.
    }
  }

  private mustGet(md: Metadata, id: string): KeyRecord {
    const key = md.keys.find((k) => k.id === id);
    if (!key) throw new KeyStoreError('not-found', 'That API access key no longer exists (it may have been deleted in another window).');
    return key;
  }

  /** A fresh key id, for `add({ id })`. */
  newKeyId(): string {
    return this.newId();
  }

  add(input: NewKey): Promise<KeyRecord> {
    return this.mutate(async () => {
      const md = this.read();
      if (input.id !== undefined && md.keys.some((k) => k.id === input.id)) {
        throw new Error(`A key with id ${input.id} exists already.`);
      }
      const env = input.environment;
      const inEnv = md.keys.filter((k) => k.environment === env);
      if (inEnv.length >= MAX_KEYS_PER_ENVIRONMENT) {
        throw new KeyStoreError('limit', keyLimitMessage(env));
      }
      const name = checkName(input.name, inEnv.map((k) => k.name));
      if (!name.ok) throw new KeyStoreError('duplicate-name', name.message);
      const clash = md.keys.find((k) => k.applicationId === input.applicationId);
      if (clash) {
        throw new KeyStoreError('duplicate-id', duplicateIdMessage(input.applicationId, clash));
      }
      const now = this.now();
      const v = input.verification ?? { state: 'unverified' };
      const record: KeyRecord = {
        id: input.id ?? this.newId(),
        environment: env,
        name: name.value,
        applicationId: input.applicationId,
        addedAt: now,
        state: v.state,
        stateDetail: v.detail,
        mageId: v.mageId,
        profileName: v.profileName,
        lastVerifiedAt: v.state === 'verified' ? now : undefined,
        lastCheckedAt: v.state === 'unverified' ? undefined : now,
      };
      // 1. the secret; if this fails nothing refers to it and nothing changed.
      try {
        await this.secrets.store(secretKey(record.id, record.applicationId), input.applicationSecret);
      } catch (e) {
        throw storageError('store the application secret', e, [input.applicationSecret]);
      }
      // 2. the metadata; if this fails, take the secret back out so no orphan is left.
      md.keys.push(record);
      if (!md.active[env] || !inEnv.some((k) => k.id === md.active[env])) md.active[env] = record.id;
      try {
        await this.write(md);
      } catch (e) {
        await Promise.resolve(this.secrets.delete(secretKey(record.id, record.applicationId))).catch(() => undefined);
        throw new KeyStoreError('storage', `Could not save the key's details in VS Code's global state (${redact(String(e), [input.applicationSecret])}). Nothing was changed.`);
      }
      return { ...record };
    });
  }

  /** After a regenerate in the portal: the same key gets a new application ID and secret. */
  replacePair(id: string, applicationId: string, applicationSecret: string, verification?: Verification): Promise<KeyRecord> {
    return this.mutate(async () => {
      const md = this.read();
      const key = this.mustGet(md, id);
      if (applicationId === key.applicationId) {
        throw new KeyStoreError('invalid', `That is the current application ID of "${key.name}". Regenerating in the Developer Portal gives the key a new ID and secret: paste those.`);
      }
      const clash = md.keys.find((k) => k.applicationId === applicationId);
      if (clash) throw new KeyStoreError('duplicate-id', duplicateIdMessage(applicationId, clash));
      const oldSecretKey = secretKey(key.id, key.applicationId);
      try {
        await this.secrets.store(secretKey(key.id, applicationId), applicationSecret);
      } catch (e) {
        throw storageError('store the new application secret', e, [applicationSecret]);
      }
      const now = this.now();
      const v = verification ?? { state: 'unverified' as const };
      Object.assign(key, {
        applicationId,
        regeneratedAt: now,
        state: v.state,
        stateDetail: v.detail,
        mageId: v.mageId ?? key.mageId,
        profileName: v.profileName ?? key.profileName,
        lastVerifiedAt: v.state === 'verified' ? now : key.lastVerifiedAt,
        lastCheckedAt: v.state === 'unverified' ? key.lastCheckedAt : now,
      });
      try {
        await this.write(md);
      } catch (e) {
        await Promise.resolve(this.secrets.delete(secretKey(key.id, applicationId))).catch(() => undefined);
        throw new KeyStoreError('storage', `Could not save the key's details in VS Code's global state (${redact(String(e), [applicationSecret])}). The old pair is kept.`);
      }
      // The old secret is useless now (the portal refuses it); failing to delete it leaves no key without a pair.
      await Promise.resolve(this.secrets.delete(oldSecretKey)).catch(() => undefined);
      return { ...key };
    });
  }

  rename(id: string, newName: string): Promise<KeyRecord> {
    return this.mutate(async () => {
      const md = this.read();
      const key = this.mustGet(md, id);
      const others = md.keys.filter((k) => k.environment === key.environment && k.id !== id).map((k) => k.name);
      const name = checkName(newName, others);
      if (!name.ok) throw new KeyStoreError('duplicate-name', name.message);
      key.name = name.value;
      await this.write(md);
      return { ...key };
    });
  }

  setActive(id: string): Promise<KeyRecord> {
    return this.mutate(async () => {
      const md = this.read();
      const key = this.mustGet(md, id);
      md.active[key.environment] = id;
      await this.write(md);
      return { ...key };
    });
  }

  /**
   * Records what a check of the key found. With `applicationId`, only if the key still has that pair: an answer
   * about a pair the key no longer holds (a request still running when the key was regenerated) relabels nothing.
   */
  recordVerification(id: string, v: Verification, applicationId?: string): Promise<KeyRecord | undefined> {
    return this.mutate(async () => {
      const md = this.read();
      const key = md.keys.find((k) => k.id === id);
      if (!key) return undefined;
      if (applicationId !== undefined && key.applicationId !== applicationId) return undefined;
      const now = this.now();
      key.state = v.state;
      key.stateDetail = v.detail;
      if (v.mageId) key.mageId = v.mageId;
      if (v.profileName) key.profileName = v.profileName;
      key.lastCheckedAt = now;
      if (v.state === 'verified') key.lastVerifiedAt = now;
      await this.write(md);
      return { ...key };
    });
  }

  /**
   * Removes the key: first its secret (if SecretStorage refuses, nothing changed), then its metadata. Should the
   * metadata write fail, the secret is put back, so the key stays whole.
   */
  remove(id: string): Promise<KeyRecord> {
    return this.mutate(async () => {
      const md = this.read();
      const key = this.mustGet(md, id);
      const sk = secretKey(key.id, key.applicationId);
      let secret: string | undefined;
      try {
        secret = await this.secrets.get(sk);
        await this.secrets.delete(sk);
      } catch (e) {
        throw storageError('delete the application secret', e, secret ? [secret] : []);
      }
      md.keys = md.keys.filter((k) => k.id !== id);
      if (md.active[key.environment] === id) delete md.active[key.environment];
      try {
        await this.write(md);
      } catch (e) {
        if (secret) await Promise.resolve(this.secrets.store(sk, secret)).catch(() => undefined);
        throw new KeyStoreError('storage', `Could not update VS Code's global state (${redact(String(e), secret ? [secret] : [])}). The key was kept.`);
      }
      return { ...key };
    });
  }

  // ---- what the token service needs (TokenKeySource) ----

  /** The active key of `env` without its secret (no SecretStorage read). */
  activeKeyRef(env: EnvironmentId): KeyRef | undefined {
    const id = this.activeKeyId(env);
    const key = id ? this.get(id) : undefined;
    return key ? { keyId: key.id, environment: env, name: key.name, applicationId: key.applicationId, state: key.state, stateDetail: key.stateDetail } : undefined;
  }

  async activeKey(env: EnvironmentId): Promise<{ keyId: string; environment: EnvironmentId; name: string; applicationId: string; applicationSecret: string } | undefined> {
    const id = this.activeKeyId(env);
    const key = id ? this.get(id) : undefined;
    if (!key) return undefined;
    const secret = await this.secret(key.id);
    if (!secret) {
      throw new KeyStoreError('storage', `The application secret of "${key.name}" (${environmentInfo(env).label}) is missing from VS Code's secret storage. Regenerate the key (enter its pair again) to fix this.`);
    }
    return { keyId: key.id, environment: env, name: key.name, applicationId: key.applicationId, applicationSecret: secret };
  }

  /** The pair `applicationId` of the key was refused; ignored when the key holds another pair by now. */
  async markRejected(keyId: string, applicationId: string, error: EqpError): Promise<void> {
    await this.recordVerification(keyId, { state: 'rejected', detail: error.serverMessage ?? error.message }, applicationId);
  }

  /** The pair `applicationId` of the key minted a token; ignored when the key holds another pair by now. */
  async markVerified(keyId: string, applicationId: string, mageId: string): Promise<void> {
    const key = this.get(keyId);
    if (!key || key.applicationId !== applicationId) return;
    if (key.state === 'verified' && key.mageId === mageId) return;
    await this.recordVerification(keyId, { state: 'verified', mageId }, applicationId);
  }

  /** Every environment with its keys, for the tree. */
  snapshot(): { environment: EnvironmentId; keys: KeyRecord[]; activeKeyId?: string }[] {
    return ENVIRONMENT_IDS.map((environment) => ({ environment, keys: this.list(environment), activeKeyId: this.activeKeyId(environment) }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * After another window's revision arrived but this window's globalState did not show the change yet: reload a
 * few more times (250 ms, 1 s, 3 s), stopping at the first that finds it. One schedule at a time.
 */
export class KeysCatchUp {
  private readonly timer: TimerSlot;
  private scheduled = false;

  constructor(
    private readonly reload: () => boolean,
    private readonly delaysMs: readonly number[] = [250, 1000, 3000],
    clock: Clock = systemClock,
  ) {
    this.timer = new TimerSlot(clock);
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const step = (i: number): void => {
      const delay = this.delaysMs[i];
      if (delay === undefined) { this.scheduled = false; return; }
      this.timer.set(delay, () => {
        if (this.reload()) this.scheduled = false;
        else step(i + 1);
      });
    };
    step(0);
  }

  dispose(): void {
    this.timer.clear();
    this.scheduled = false;
  }
}
