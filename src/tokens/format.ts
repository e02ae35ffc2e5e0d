/**
 * What the token features show and insert, as pure functions (no `vscode` import), so every state has a unit
 * test: the text inserted for `eqp.token.insertFormat`, and the status bar item's text, tooltip and
 * accessibility label. Nothing here ever puts a token into anything but `formatToken`'s result.
 */
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { commandLink, escapeIcons, escapeMarkdown, markdownCode } from '../util/markdown';
import { formatTime } from '../util/time';

export { escapeMarkdown } from '../util/markdown';

// ---- eqp.token.insertFormat ---------------------------------------------------------------------------------

export interface TokenVariables {
  token: string;
  mageId: string;
  apiUrl: string;
  environment: EnvironmentId;
}

export type Formatted = { ok: true; text: string } | { ok: false; message: string };

/** RFC 6750's b64token: what an `Authorization: Bearer` header may carry. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** The mage_id rule the EQP client checks answers against. */
const MAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A session token that can go into a header, a command line or a terminal variable as it is. */
export function isBearerToken(token: string): boolean {
  return BEARER_TOKEN.test(token);
}

/** A mage_id of the shape the EQP client accepts. */
export function isMageId(mageId: string): boolean {
  return MAGE_ID.test(mageId);
}

const PLACEHOLDER = /\$\{(token|mageId|apiUrl|environment)\}/g;

/**
 * `token` → the token alone; `bearer` → `Authorization: Bearer <token>`; anything else is a template in which
 * `${token}`, `${mageId}`, `${apiUrl}` and `${environment}` are replaced (other text is kept as written). A template
 * without `${token}` is refused: it would insert no token, which is never what the user meant.
 */
export function formatToken(format: string | undefined, vars: TokenVariables): Formatted {
  // What the server sent goes into a line the user will run or send (a header, a curl command): a token or
  // mage_id with a quote, a space or a line break in it could add a command or a header of its own.
  if (!isBearerToken(vars.token)) {
    return { ok: false, message: 'The session token the EQP API gave has characters a bearer token cannot have (letters, digits and -._~+/= only), so it was not inserted. Get a new one (EQP: Get New Session Token); if this keeps happening, check the EQP API URL settings.' };
  }
  if (!isMageId(vars.mageId)) {
    return { ok: false, message: 'The account ID (mage_id) the EQP API gave has characters an account ID cannot have, so nothing was inserted. Get a new session token (EQP: Get New Session Token); if this keeps happening, check the EQP API URL settings.' };
  }
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

export function statusView(input: StatusInput): StatusView {
  const label = environmentInfo(input.environment).label;
  const { key, token, now } = input;
  const spin = input.busy ? '$(sync~spin)' : '$(key)';
  const links = (items: [string, string, string][]): string => items.map(([icon, title, cmd]) => commandLink(`$(${icon}) ${title}`, cmd)).join(' · ');
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
  // The tooltip is trusted for TOOLTIP_COMMANDS: everything not written here (the key's name, the account, the
  // server's words) goes in escaped, so none of it can add a link, an image or markup of its own.
  const name = escapeMarkdown(key.name);
  const lines: string[] = [`**EQP session token** · ${label} · key **${name}** (${markdownCode(key.applicationId)})`, click];
  // The status bar renders $(icon) in its text: a name is shown as typed.
  const plainName = escapeIcons(key.name);
  let text: string;
  let a11y: string;
  if (live) {
    const left = token.expiresAt - now;
    text = `${spin} ${label} · ${plainName} · ${timeLeft(left)}`;
    a11y = `EQP session token for ${label}, key ${key.name}, expires in ${timeLeftSpoken(left)}`;
    lines.push(`Account ${markdownCode(token.mageId)} · valid until ${formatTime(token.expiresAt)} (${timeLeft(left)} left)`);
    if (token.applicationId !== key.applicationId) {
      lines.push('Obtained with the pair from before the key was regenerated: it stays valid until it expires, then a new one is minted with the new pair.');
    }
  } else {
    text = `${spin} ${label} · ${plainName} · ${rejected ? 'rejected' : 'no token'}`;
    a11y = rejected
      ? `EQP session token: key ${key.name} (${label}) was refused by the server`
      : `EQP session token: none cached for ${label}, key ${key.name}`;
    lines.push(
      token
        ? `The last token (account ${markdownCode(token.mageId)}) expired at ${formatTime(token.expiresAt)}. The next Insert or Copy gets a new one.`
        : 'No token cached. The next Insert or Copy gets one (one request; it is then reused until shortly before it expires).',
    );
  }
  if (rejected) {
    lines.push(`⚠ The ${label} EQP API refused this key${key.stateDetail ? `: ${escapeMarkdown(key.stateDetail)}` : ''}. It was regenerated or deleted in the Developer Portal, mistyped, or belongs to the other environment. ${commandLink('Regenerate…', 'eqp.keys.regenerate', { environment: input.environment, name: key.name })}`);
  }
  if (input.busy) lines.push('Getting a session token…');
  else if (input.lastError && !rejected && !live) lines.push(`⚠ The last attempt failed: ${escapeMarkdown(input.lastError)}`);
  lines.push(links([['insert', 'Insert', 'eqp.token.insert'], ['copy', 'Copy', 'eqp.token.copy'], ['refresh', 'New token', 'eqp.token.refresh'], ...switchLinks]));
  return { text, warning: rejected, accessibilityLabel: a11y, tooltip: lines.join('\n\n'), liveUntil: live ? token.expiresAt : undefined };
}
