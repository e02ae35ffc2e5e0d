/**
 * What the API Keys view shows on each row, as pure functions (no `vscode` import), so every kind of row has a
 * unit test: the short description that fits a 300 px side bar, the text a screen reader says (rows are short,
 * and tooltips are skipped by screen readers), and the `contextValue` the package.json menus match.
 *
 * `contextValue` is a small vocabulary with flags: `eqp:environment[+active][+full]`,
 * `eqp:key[+active][+rejected][+token]`. `when` clauses match it with `viewItem =~ /^eqp:key\b/` and
 * `viewItem =~ /\+active\b/`; a negation is written `!(viewItem =~ /…/)` (VS Code has no `!~` operator).
 */
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { timeLeft, timeLeftSpoken } from '../tokens/format';
import { type KeyRecord, MAX_KEYS_PER_ENVIRONMENT as KEY_LIMIT } from './keyStore';

export type KeyState = KeyRecord['state'];

/** A key's state in full, for tooltips, pickers and screen readers. */
export const STATE_IN_FULL: Record<KeyState, string> = {
  verified: 'verified',
  unverified: 'not verified yet',
  rejected: 'rejected by the server',
  unreachable: 'unreachable',
};

/** The state words of a key, short enough for a row. */
export const STATE_WORDS: Record<KeyState, string> = {
  verified: 'verified',
  unverified: 'not verified',
  rejected: 'rejected',
  unreachable: 'unreachable',
};

export interface EnvironmentRowInput {
  environment: EnvironmentId;
  keyCount: number;
  /** The active environment (`eqp.environment`). */
  active: boolean;
  /** How many of its keys the server refused. */
  rejected: number;
}

export interface RowView {
  description: string;
  accessibilityLabel: string;
  contextValue: string;
}

export function environmentContextValue(f: { active: boolean; full: boolean }): string {
  return `eqp:environment${f.active ? '+active' : ''}${f.full ? '+full' : ''}`;
}

export function keyContextValue(f: { active: boolean; rejected: boolean; token: boolean }): string {
  return `eqp:key${f.active ? '+active' : ''}${f.rejected ? '+rejected' : ''}${f.token ? '+token' : ''}`;
}

/** "2/3 · active", "3/3 · full · 1 rejected": a collapsed environment still shows that a key inside needs care. */
export function environmentRow(e: EnvironmentRowInput): RowView {
  const label = environmentInfo(e.environment).label;
  const full = e.keyCount >= KEY_LIMIT;
  const parts = [`${e.keyCount}/${KEY_LIMIT}${full ? ' · full' : ''}`];
  if (e.rejected > 0) parts.push(`${e.rejected} rejected`);
  if (e.active) parts.push('active');
  return {
    description: parts.join(' · '),
    accessibilityLabel: [
      `${label} environment`,
      `${e.keyCount} of ${KEY_LIMIT} keys${full ? ', full' : ''}`,
      e.rejected > 0 ? `${e.rejected} ${e.rejected === 1 ? 'key' : 'keys'} rejected by the server` : '',
      e.active ? 'active environment' : '',
    ].filter(Boolean).join(', '),
    contextValue: environmentContextValue({ active: e.active, full }),
  };
}

export interface KeyRowInput {
  name: string;
  environment: EnvironmentId;
  state: KeyState;
  /** The key its environment mints session tokens with. */
  active: boolean;
  /** Its cached session token's expiry (ms since epoch), expired or not; undefined when none is cached. */
  tokenExpiresAt?: number;
  now: number;
}

/**
 * "★ verified · 1h 59m" for the active key, "verified", "not verified", "unreachable · 12m", "rejected". A rejected
 * key shows no time: its pair cannot mint a token, so no time left is promised (the tooltip says what is cached).
 */
export function keyRow(k: KeyRowInput): RowView {
  const live = k.tokenExpiresAt !== undefined && k.tokenExpiresAt > k.now;
  const usable = live && k.state !== 'rejected';
  const left = usable ? k.tokenExpiresAt! - k.now : 0;
  const description = `${k.active ? '★ ' : ''}${STATE_WORDS[k.state]}${usable ? ` · ${timeLeft(left)}` : ''}`;
  const accessibilityLabel = [
    `Key ${k.name}`,
    environmentInfo(k.environment).label,
    k.active ? 'active key' : '',
    STATE_IN_FULL[k.state],
    usable ? `session token expires in ${timeLeftSpoken(left)}` : '',
  ].filter(Boolean).join(', ');
  return { description, accessibilityLabel, contextValue: keyContextValue({ active: k.active, rejected: k.state === 'rejected', token: k.tokenExpiresAt !== undefined }) };
}
