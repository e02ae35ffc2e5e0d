/**
 * Magento 2 Composer keys (the repo.magento.com credentials) of the account behind each environment's active API
 * access key, through the EQP API with the token service's session token. No `vscode` import: plain Node tests
 * run it against the sandbox server.
 *
 * Private keys (`password_key`) are never kept: every answer is reduced to the public record before it leaves
 * this file, except `privateKey()` and `create()`, which hand the password to their caller for one immediate use.
 */
import type { ComposerKey, EqpClient, Organization } from '../eqp/client';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { EqpError } from '../eqp/errors';
import { raceAbort } from '../util/abort';

/** What EQP Keys shows and returns of a Composer key: never its private key. */
export interface ComposerKeyRecord {
  environment: EnvironmentId;
  label: string;
  /** The public key: Composer's username for repo.magento.com. */
  userKey: string;
  isEnabled: boolean;
  /** The owner: the account's mage_id or an organization id. */
  uid: string;
}

/** Who may own a Composer key: the account itself, or one of its organizations. */
export interface ComposerOwner {
  uid: string;
  /** "you (MAG…)" style names are the caller's business: this is the organization name, or the mage_id. */
  name: string;
  isAccount: boolean;
}

export type ComposerClient = Pick<EqpClient, 'listComposerKeys' | 'createComposerKeys' | 'setComposerKeyEnabled' | 'deleteComposerKey' | 'getOrganizations'>;

/** The token service fits this. */
export interface ComposerTokenSource {
  getToken(env: EnvironmentId, opts?: { signal?: AbortSignal; forceNew?: boolean }): Promise<{ token: string; mageId: string }>;
}

/** Label rules as the API applies them (unique per owner); the length limit is ours: the docs give none. */
export const MAX_LABEL_LENGTH = 100;

/** Why `label` cannot be a new key's label, or undefined. `taken`: labels that exist for the same owner. */
export function labelProblem(label: string, taken: readonly string[] = []): string | undefined {
  if (label.trim() === '') return 'Type a label for the key.';
  if (label !== label.trim()) return 'A label cannot start or end with a space.';
  if ([...label].length > MAX_LABEL_LENGTH) return `A label has at most ${MAX_LABEL_LENGTH} characters.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/u.test(label)) return 'A label cannot contain control characters (such as a line break or a tab).';
  if (taken.includes(label)) return `There is already a Composer key labelled "${label}": labels are unique.`;
  return undefined;
}

/** "ci" → "ci-2", "ci-2" → "ci-3": the first free one. */
export function nextLabel(label: string, taken: readonly string[]): string {
  const m = /^(.*?)-(\d+)$/u.exec(label);
  const base = m ? m[1]! : label;
  let n = m ? Number(m[2]) + 1 : 2;
  while (taken.includes(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

/** A Composer host name (optionally with a port), as auth.json's `http-basic` keys it. */
export function hostProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Type the host name, e.g. repo.example.com.';
  if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(v)) return 'Type the host name only, without https://.';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/iu.test(v)) return 'That is not a host name (letters, digits, dots and dashes, optionally :port).';
  return undefined;
}

export class ComposerKeyService {
  /** Per environment and mage_id: the organizations are read once per session (they rarely change). */
  private readonly owners = new Map<string, Promise<Organization[]>>();

  constructor(
    private readonly client: ComposerClient,
    private readonly tokens: ComposerTokenSource,
  ) {}

  /** The Magento 2 keys of the account and its organizations, without their private keys. */
  async list(env: EnvironmentId, signal?: AbortSignal): Promise<{ keys: ComposerKeyRecord[]; mageId: string }> {
    return this.call(env, signal, async (token, mageId) => {
      const { m2 } = await this.client.listComposerKeys(env, token, mageId, { type: 'm2' }, signal);
      return { keys: m2.map((k) => publicRecord(env, k)), mageId };
    });
  }

  /** The account and its organizations, the possible owners of a new key. */
  async ownersOf(env: EnvironmentId, signal?: AbortSignal): Promise<ComposerOwner[]> {
    return this.call(env, signal, async (token, mageId) => {
      const cacheKey = `${env}\u0000${mageId}`;
      let orgs = this.owners.get(cacheKey);
      if (!orgs) {
        // Shared by every caller, so no one caller's signal may end it (the client's timeout still does): each
        // caller stops only its own wait.
        orgs = this.client.getOrganizations(env, token, mageId);
        this.owners.set(cacheKey, orgs);
        orgs.catch(() => this.owners.delete(cacheKey));
      }
      let found: Organization[];
      try {
        found = await raceAbort(orgs, signal, () => new EqpError('cancelled', `The profile request to the EQP ${environmentInfo(env).label} API was cancelled.`));
      } catch (e) {
        // A refused token is the caller's business (re-mint, "may not manage"); anything else only costs the
        // organizations: the account itself can still own a key.
        if (e instanceof EqpError && (e.status === 401 || e.kind === 'cancelled')) throw e;
        found = [];
      }
      return [{ uid: mageId, name: mageId, isAccount: true }, ...found.map((o) => ({ uid: o.id, name: o.name, isAccount: false }))];
    });
  }

  /** Creates one key; the password comes back for one immediate use (writing auth.json) and must then be dropped. */
  async create(env: EnvironmentId, label: string, uid: string | undefined, signal?: AbortSignal): Promise<{ record: ComposerKeyRecord; password: string }> {
    return this.call(env, signal, async (token, mageId) => {
      const owner = uid === mageId ? undefined : uid;
      const [result] = await this.client.createComposerKeys(env, token, mageId, [{ label, uid: owner }], signal);
      if (!result) throw new EqpError('malformed', `The EQP ${environmentInfo(env).label} API answered no result for the new key.`);
      if (!result.ok) {
        throw new EqpError('http', `The EQP ${environmentInfo(env).label} API did not create the Composer key "${label}": ${result.message.replace(/[.\s]+$/u, '')} (code ${result.code}).`, {
          code: result.code,
          serverMessage: result.message,
          hint: 'Choose another label (labels are unique), or check the owner.',
        });
      }
      return { record: publicRecord(env, result.key), password: result.key.passwordKey };
    });
  }

  async setEnabled(env: EnvironmentId, key: Pick<ComposerKeyRecord, 'label' | 'uid'>, enabled: boolean, signal?: AbortSignal): Promise<ComposerKeyRecord> {
    return this.call(env, signal, async (token, mageId) => {
      const updated = await this.client.setComposerKeyEnabled(env, token, mageId, key.label, enabled, key.uid, signal);
      return publicRecord(env, updated);
    });
  }

  async delete(env: EnvironmentId, key: Pick<ComposerKeyRecord, 'label' | 'uid'>, signal?: AbortSignal): Promise<void> {
    await this.call(env, signal, (token, mageId) => this.client.deleteComposerKey(env, token, mageId, key.label, key.uid, signal));
  }

  /** Reads one key again, with its private key, for one immediate use (copy, write); nothing keeps it. */
  async privateKey(env: EnvironmentId, key: Pick<ComposerKeyRecord, 'label' | 'uid'>, signal?: AbortSignal): Promise<{ record: ComposerKeyRecord; password: string }> {
    return this.call(env, signal, async (token, mageId) => {
      const { m2 } = await this.client.listComposerKeys(env, token, mageId, { type: 'm2', label: key.label, uid: key.uid }, signal);
      const found = m2.find((k) => k.label === key.label && k.uid === key.uid);
      if (!found) {
        throw new EqpError('http', `The EQP ${environmentInfo(env).label} API has no Composer key labelled "${key.label}" any more.`, {
          status: 404,
          hint: 'It may have been deleted elsewhere (the Marketplace site, another window): refresh the Composer Keys view.',
        });
      }
      return { record: publicRecord(env, found), password: found.passwordKey };
    });
  }

  /**
   * Runs one call with the environment's session token. A 401 means the token was refused (expired early,
   * revoked): a new one is minted once and the call retried once. A second 401, or a 403, means this account may
   * not manage these keys; the API access key itself is fine (it just minted a token), so it is not marked.
   */
  private async call<T>(env: EnvironmentId, signal: AbortSignal | undefined, run: (token: string, mageId: string) => Promise<T>): Promise<T> {
    const first = await this.tokens.getToken(env, { signal });
    try {
      return await run(first.token, first.mageId);
    } catch (e) {
      if (!(e instanceof EqpError) || e.status !== 401) throw notAllowed(env, e);
    }
    const second = await this.tokens.getToken(env, { signal, forceNew: true });
    try {
      return await run(second.token, second.mageId);
    } catch (e) {
      throw notAllowed(env, e);
    }
  }
}

function publicRecord(env: EnvironmentId, key: ComposerKey): ComposerKeyRecord {
  return { environment: env, label: key.label, userKey: key.userKey, isEnabled: key.isEnabled, uid: key.uid };
}

/** A 401 after a fresh token, or a 403: the account may not manage these keys. Other errors pass unchanged. */
function notAllowed(env: EnvironmentId, e: unknown): unknown {
  if (!(e instanceof EqpError) || (e.status !== 401 && e.status !== 403)) return e;
  const label = environmentInfo(env).label;
  return new EqpError('http', `${e.message.replace(/\.$/u, '')}: the ${label} account may not manage these Magento 2 Composer keys.`, {
    status: e.status,
    code: e.code,
    serverMessage: e.serverMessage,
    hint:
      'Your API access key works (it just got a session token), so it is left as it is. Composer keys may be ' +
      `managed only by the account (or organization) that owns them: check them on the ${label} Marketplace site.`,
  });
}
