/**
 * What the token features show and insert, as pure functions (no `vscode` import), so every state has a unit
 * test: the text inserted for `eqp.token.insertFormat`, and the status bar item's text, tooltip and
 * accessibility label. Nothing here ever puts a token into anything but `formatToken`'s result.
 */
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { formatTime } from '../util/time';

// ---- eqp.token.insertFormat ---------------------------------------------------------------------------------

export interface TokenVariables {
  token: string;
  mageId: string;
  apiUrl: string;
  environment: EnvironmentId;
}

export type Formatted = { ok: true; text: string } | { ok: false; message: string };

const PLACEHOLDER = /\$\{(token|mageId|apiUrl|environment)\}/g;

/**
 * `token` → the token alone; `bearer` → `Authorization: Bearer <token>`; anything else is a template in which
 * `${token}`, `${mageId}`, `${apiUrl}` and `${environment}` are replaced (other text is kept as written). A template
 * without `${token}` is refused: it would insert no token, which is never what the user meant.
 */
export function formatToken(format: string | undefined, vars: TokenVariables): Formatted {
  const f = (format ?? '').trim() === '' ? 'token' : format!;
  if (f === 'token') return { ok: true, text: vars.token };
  if (f === 'bearer') return { ok: true, text: `Authorization: Bearer ${vars.token}` };
  if (!f.includes('${token}')) {
    return {
      ok: false,
      message: 'The eqp.token.insertFormat setting is neither "token", "bearer" nor a template containing ${token}. Fix it in the settings (e.g. "curl -H \'Authorization: Bearer ${token}\' ${apiUrl}/rest/v1/users/${mageId}").',
    };
  }
  return { ok: true, text: f.replace(PLACEHOLDER, (_m, name: keyof TokenVariables) => vars[name]) };
}

// ---- time left ----------------------------------------------------------------------------------------------

/** "1h 52m", "3m", "<1m": whole minutes, rounded down (the status bar ticks once a minute). */
export function timeLeft(ms: number): string {
  if (ms < 60_000) return '<1m';
  const minutes = Math.floor(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h ${m}m` : `${m}m`;
}

/** The same for a screen reader: "1 hour 52 minutes", "less than a minute". */
export function timeLeftSpoken(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  const minutes = Math.floor(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const part = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  return [h > 0 ? part(h, 'hour') : '', m > 0 || h === 0 ? part(m, 'minute') : ''].filter(Boolean).join(' ');
}

/**
 * Milliseconds until `timeLeft` shows something else: the next whole minute down, or the expiry itself in the
 * last minute. Undefined once expired (no timer needed).
 */
export function nextChangeIn(remainingMs: number): number | undefined {
  if (remainingMs <= 0) return undefined;
  if (remainingMs < 60_000) return remainingMs;
  return (remainingMs % 60_000) || 60_000;
}

// ---- the status bar item ------------------------------------------------------------------------------------

export type KeyHealth = 'unverified' | 'verified' | 'rejected' | 'unreachable';

export interface StatusInput {
  environment: EnvironmentId;
  /** The environment's active key, if it has one. */
  key?: { name: string; applicationId: string; state: KeyHealth; stateDetail?: string };
  /** That key's cached token (expired or not); never its text. */
  token?: { mageId: string; expiresAt: number; applicationId: string };
  /** A request for a token is under way. */
  busy: boolean;
  /** Why the last request for this key's pair failed (one sentence), while no token since has been had. */
  lastError?: string;
  now: number;
  /** What a click on the item does (`eqp.statusBar.clickAction`); the tooltip says so. */
  clickAction?: 'insert' | 'copy' | 'menu';
}

/** The tooltip's first line: what a click does. */
export function clickHint(action: StatusInput['clickAction'] = 'insert', hasKey = true): string {
  if (!hasKey) return 'Click: create an API access key';
  if (action === 'copy') return 'Click: copy the session token (the clipboard is cleared again later)';
  if (action === 'menu') return 'Click: session token actions';
  return 'Click: insert the session token at the cursor (copied instead when no editor is open)';
}

export interface StatusView {
  text: string;
  /** Warning look: no key, or the key was refused. */
  warning: boolean;
  accessibilityLabel: string;
  /** Markdown for a trusted MarkdownString whose enabled commands are TOOLTIP_COMMANDS. */
  tooltip: string;
  /** The token expires at this time and is live now: the caller keeps a timer. */
  liveUntil?: number;
}

/** The commands the tooltip links to (the MarkdownString trusts these and no others). */
export const TOOLTIP_COMMANDS = [
  'eqp.token.insert',
  'eqp.token.copy',
  'eqp.token.refresh',
  'eqp.environment.switch',
  'eqp.keys.use',
  'eqp.keys.create',
  'eqp.keys.regenerate',
] as const;

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

export function statusView(input: StatusInput): StatusView {
  const label = environmentInfo(input.environment).label;
  const { key, token, now } = input;
  const spin = input.busy ? '$(sync~spin)' : '$(key)';
  const links = (items: [string, string, string][]): string => items.map(([icon, title, cmd]) => `[$(${icon}) ${title}](command:${cmd})`).join(' · ');
  const switchLinks: [string, string, string][] = [['arrow-swap', 'Switch environment', 'eqp.environment.switch'], ['key', 'Switch active key', 'eqp.keys.use']];

  const click = `*${clickHint(input.clickAction, key !== undefined)}*`;
  if (!key) {
    return {
      text: `${spin} ${label} · no key`,
      warning: true,
      accessibilityLabel: `EQP session token: there is no API access key for ${label}`,
      tooltip: [
        `**EQP session token** · ${label}`,
        click,
        `There is no API access key for ${label}, so no session token can be minted. Keys are created in the ${label} Developer Portal; EQP Keys guides you there.`,
        links([['add', 'Create API Access Key…', 'eqp.keys.create'], ...switchLinks]),
      ].join('\n\n'),
    };
  }

  const live = token !== undefined && token.expiresAt > now;
  const rejected = key.state === 'rejected';
  const name = escapeMarkdown(key.name);
  const lines: string[] = [`**EQP session token** · ${label} · key **${name}** (\`${key.applicationId}\`)`, click];
  let text: string;
  let a11y: string;
  if (live) {
    const left = token.expiresAt - now;
    text = `${spin} ${label} · ${key.name} · ${timeLeft(left)}`;
    a11y = `EQP session token for ${label}, key ${key.name}, expires in ${timeLeftSpoken(left)}`;
    lines.push(`Account \`${token.mageId}\` · valid until ${formatTime(token.expiresAt)} (${timeLeft(left)} left)`);
    if (token.applicationId !== key.applicationId) {
      lines.push('Obtained with the pair from before the key was regenerated: it stays valid until it expires, then a new one is minted with the new pair.');
    }
  } else {
    text = `${spin} ${label} · ${key.name} · ${rejected ? 'rejected' : 'no token'}`;
    a11y = rejected
      ? `EQP session token: key ${key.name} (${label}) was refused by the server`
      : `EQP session token: none cached for ${label}, key ${key.name}`;
    lines.push(
      token
        ? `The last token (account \`${token.mageId}\`) expired at ${formatTime(token.expiresAt)}. The next Insert or Copy gets a new one.`
        : 'No token cached. The next Insert or Copy gets one (one request; it is then reused until shortly before it expires).',
    );
  }
  if (rejected) {
    lines.push(`⚠ The ${label} EQP API refused this key${key.stateDetail ? `: ${escapeMarkdown(key.stateDetail)}` : ''}. It was regenerated or deleted in the Developer Portal, mistyped, or belongs to the other environment. [Regenerate…](command:eqp.keys.regenerate?${encodeURIComponent(JSON.stringify({ environment: input.environment, name: key.name }))})`);
  }
  if (input.busy) lines.push('Getting a session token…');
  else if (input.lastError && !rejected && !live) lines.push(`⚠ The last attempt failed: ${escapeMarkdown(input.lastError)}`);
  lines.push(links([['insert', 'Insert', 'eqp.token.insert'], ['copy', 'Copy', 'eqp.token.copy'], ['refresh', 'New token', 'eqp.token.refresh'], ...switchLinks]));
  return { text, warning: rejected, accessibilityLabel: a11y, tooltip: lines.join('\n\n'), liveUntil: live ? token.expiresAt : undefined };
}
