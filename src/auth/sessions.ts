/**
 * What the `eqp` authentication provider calls a session, and how one set of sessions became another (for
 * `onDidChangeSessions`). No `vscode` import: the rules are tested in plain Node.
 *
 * An environment has a session while its active API access key has a token cached in memory (live or expired:
 * an extension that asks for that environment gets a fresh one). So "Sign Out" (forgetting the token) ends it,
 * and the next request by an extension starts it again, without any key being touched.
 */
import { type EnvironmentId, environmentInfo, isEnvironmentId } from '../eqp/environments';

/** The provider's id, in package.json's `contributes.authentication` too (ids are case-sensitive). */
export const AUTH_PROVIDER_ID = 'eqp';
export const AUTH_PROVIDER_LABEL = 'Adobe Commerce Marketplace (EQP)';

/** One session as the provider hands it out (a vscode.AuthenticationSession fits this). */
export interface EqpSession {
  /** Stable per environment and key: `eqp.<environment>.<keyId>`. */
  id: string;
  accessToken: string;
  account: { id: string; label: string };
  scopes: readonly string[];
}

/** What the session of one environment is built from: the active key (no secret) and its cached token. */
export interface SessionSource {
  environment: EnvironmentId;
  keyId: string;
  keyName: string;
  /** The key's account, when known (a verified key), else the token's. */
  mageId: string | undefined;
  token: string;
}

export function sessionId(env: EnvironmentId, keyId: string): string {
  return `eqp.${env}.${keyId}`;
}

/** The environment and key a session id names; undefined for an id this provider did not make. */
export function parseSessionId(id: string): { environment: EnvironmentId; keyId: string } | undefined {
  const m = /^eqp\.(production|sandbox)\.(.+)$/.exec(id);
  return m && isEnvironmentId(m[1]) ? { environment: m[1], keyId: m[2]! } : undefined;
}

/**
 * The account label VS Code remembers an extension's permission by: the environment and the account's
 * mage_id, never the profile name (which the user can change in the portal).
 */
export function accountLabel(env: EnvironmentId, mageId: string | undefined, keyName: string): string {
  return `EQP ${environmentInfo(env).label} (${mageId ?? keyName})`;
}

export function toSession(s: SessionSource): EqpSession {
  return {
    id: sessionId(s.environment, s.keyId),
    accessToken: s.token,
    account: { id: s.mageId ?? `${s.environment}:${s.keyId}`, label: accountLabel(s.environment, s.mageId, s.keyName) },
    scopes: [s.environment],
  };
}

/**
 * The environments a request's scopes name: none (the workbench's own listing, e.g. the Accounts menu) → undefined;
 * an empty list → the active environment; otherwise each scope must be `production` or `sandbox`, one of them.
 */
export function scopedEnvironment(scopes: readonly string[] | undefined, active: EnvironmentId): EnvironmentId | undefined {
  if (scopes === undefined) return undefined;
  const distinct = [...new Set(scopes)];
  if (distinct.length === 0) return active;
  if (distinct.length > 1) {
    throw new Error(`EQP Keys: ask for one environment at a time (got scopes ${JSON.stringify(scopes)}); use ["production"] or ["sandbox"].`);
  }
  const env = distinct[0];
  if (!isEnvironmentId(env)) {
    throw new Error(`EQP Keys: unknown scope ${JSON.stringify(env)}; use ["production"] or ["sandbox"] (or [] for the active environment).`);
  }
  return env;
}

export interface SessionsDelta {
  added: EqpSession[];
  removed: EqpSession[];
  changed: EqpSession[];
}

/** How `before` became `after`: by id, and a session whose token or account changed counts as changed. */
export function diffSessions(before: readonly EqpSession[], after: readonly EqpSession[]): SessionsDelta | undefined {
  const old = new Map(before.map((s) => [s.id, s]));
  const now = new Map(after.map((s) => [s.id, s]));
  const added = after.filter((s) => !old.has(s.id));
  const removed = before.filter((s) => !now.has(s.id));
  const changed = after.filter((s) => {
    const was = old.get(s.id);
    return was !== undefined && (was.accessToken !== s.accessToken || was.account.id !== s.account.id || was.account.label !== s.account.label);
  });
  return added.length + removed.length + changed.length === 0 ? undefined : { added, removed, changed };
}
