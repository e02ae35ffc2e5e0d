/**
 * The EQP API client: session tokens and the profile summary. One request per call and no retries (retry
 * policy belongs to the token service). Every failure comes out as an EqpError whose message and fields hold
 * no secret, token or request detail; the axios error is mapped, never kept.
 */
import type { AxiosInstance, AxiosResponse, CreateAxiosDefaults, Method } from 'axios';
import { type EnvironmentId, environmentInfo, legacyHostHint, otherEnvironment, validateServiceUrl } from './environments';
import { EqpError } from './errors';
import { redact } from './redact';

export interface SessionToken {
  mageId: string;
  token: string;
  /** Seconds the server granted (not the lifetime that was asked for). */
  expiresIn: number;
}

export interface Profile {
  mageId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  screenName?: string;
}

export interface EqpClientOptions {
  /** Per request, default 15000. */
  timeoutMs?: number;
  /** How messages name the API URL setting of `env`; default "EQP <Label> API URL". */
  settingName?: (env: EnvironmentId) => string;
  /**
   * Every other secret the caller knows (other keys' secrets, session tokens): a server that echoes one back in
   * an error message must not carry it into our messages, key state or logs.
   */
  redactions?: { values(): Iterable<string> };
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** A granted lifetime beyond this is not a real answer (the documented examples are 1–2 hours). */
export const MAX_PLAUSIBLE_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
/** Longest piece of a server message we show. */
const MAX_SERVER_MESSAGE = 300;
/** A token or profile answer is a few hundred bytes; anything near this is not one. */
const MAX_RESPONSE_BYTES = 1_000_000;

type Operation = 'token' | 'profile';

/** What one call knows about itself, for building messages. */
interface CallContext {
  env: EnvironmentId;
  op: Operation;
  /** "EQP Sandbox API" */
  api: string;
  baseUrl: string;
  host: string;
  setting: string;
  /** Values to scrub from anything the server says back. */
  secrets: string[];
}

interface RawAnswer {
  status: number;
  body: string;
  contentType: string;
}

export class EqpClient {
  private readonly httpConfig: CreateAxiosDefaults;
  /**
   * axios is loaded on the first request, not when the extension activates: evaluating it is most of the
   * bundle's start-up cost, and many sessions never send a request.
   */
  private http: Promise<AxiosInstance> | undefined;
  private readonly timeoutMs: number;
  private readonly settingName: (env: EnvironmentId) => string;
  private readonly redactions: { values(): Iterable<string> };

  constructor(
    private readonly apiUrl: (env: EnvironmentId) => string,
    options: EqpClientOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new EqpError('config', `The EQP client timeout must be a positive number of milliseconds (got ${timeoutMs}).`);
    }
    this.timeoutMs = timeoutMs;
    this.settingName = options.settingName ?? ((env) => `EQP ${environmentInfo(env).label} API URL`);
    this.redactions = options.redactions ?? { values: () => [] };
    this.httpConfig = {
      timeout: timeoutMs,
      // Never follow a redirect: it would re-send the credentials to wherever the Location points.
      maxRedirects: 0,
      // All statuses come back as answers; send() judges them itself.
      validateStatus: () => true,
      // Raw text and our own JSON.parse, so a malformed body is caught and described, not half-parsed.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxContentLength: MAX_RESPONSE_BYTES,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'User-Agent': 'eqp-keys-vscode',
      },
    };
  }

  async getSessionToken(
    env: EnvironmentId,
    applicationId: string,
    applicationSecret: string,
    requestedLifetime?: number,
    signal?: AbortSignal,
  ): Promise<SessionToken> {
    if (typeof applicationId !== 'string' || applicationId === '' || applicationId.includes(':')) {
      // Basic auth splits at the first ':', so such an ID could never be sent intact.
      throw new EqpError('config', 'The application ID is empty or contains ":"; it cannot be sent.', {
        hint: 'Copy the application ID again from the Developer Portal (Account → Manage API Keys).',
      });
    }
    if (typeof applicationSecret !== 'string' || applicationSecret === '') {
      throw new EqpError('config', 'The application secret is empty.', {
        hint: 'Copy the application secret again from the Developer Portal (Account → Manage API Keys).',
      });
    }
    if (requestedLifetime !== undefined && !(Number.isInteger(requestedLifetime) && requestedLifetime > 0)) {
      throw new EqpError('config', `The requested token lifetime must be a whole number of seconds above 0 (got ${requestedLifetime}).`);
    }
    const basic = Buffer.from(`${applicationId}:${applicationSecret}`, 'utf8').toString('base64');
    const ctx = this.context(env, 'token', [applicationSecret, basic]);
    const body: { grant_type: 'session'; expires_in?: number } = { grant_type: 'session' };
    if (requestedLifetime !== undefined) {
      body.expires_in = requestedLifetime;
    }
    const answer = await this.send(ctx, 'POST', '/rest/v1/app/session/token', `Basic ${basic}`, body, signal);
    return parseSessionToken(ctx, answer);
  }

  async getProfile(env: EnvironmentId, token: string, mageId: string, signal?: AbortSignal): Promise<Profile> {
    if (typeof token !== 'string' || token === '') {
      throw new EqpError('config', 'There is no session token to send.', { hint: 'Get a new session token first.' });
    }
    if (typeof mageId !== 'string' || mageId === '') {
      throw new EqpError('config', 'The Magento ID (mage_id) is empty.', { hint: 'Get a new session token first.' });
    }
    const ctx = this.context(env, 'profile', [token]);
    const path = `/rest/v1/users/${encodeURIComponent(mageId)}?style=summary`;
    const answer = await this.send(ctx, 'GET', path, `Bearer ${token}`, undefined, signal);
    return parseProfile(ctx, answer, mageId);
  }

  /** Reads and checks the URL setting on every call: it may have changed since the last one. */
  private context(env: EnvironmentId, op: Operation, secrets: string[]): CallContext {
    const info = environmentInfo(env);
    const setting = this.settingName(env);
    let raw: string;
    try {
      raw = this.apiUrl(env);
    } catch (e) {
      if (e instanceof EqpError) {
        throw e;
      }
      throw new EqpError('config', `The ${setting} setting could not be read.`);
    }
    const baseUrl = validateServiceUrl(raw, setting);
    return { env, op, api: `EQP ${info.label} API`, baseUrl, host: new URL(baseUrl).host, setting, secrets: [...secrets, ...this.redactions.values()] };
  }

  private async send(
    ctx: CallContext,
    method: Method,
    path: string,
    authorization: string,
    data: unknown,
    signal: AbortSignal | undefined,
  ): Promise<RawAnswer> {
    if (signal?.aborted) {
      throw cancelledError(ctx);
    }
    let response: AxiosResponse<unknown>;
    try {
      this.http ??= import('axios').then((m) => m.default.create(this.httpConfig));
      response = await (await this.http).request({
        method,
        url: `${ctx.baseUrl}${path}`,
        headers: { Authorization: authorization },
        data,
        signal,
      });
    } catch (e) {
      // Rethrown as a fresh error: the axios one holds the request config, Authorization header included.
      throw transportError(ctx, e, this.timeoutMs);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    const answer: RawAnswer = {
      status: response.status,
      body: typeof response.data === 'string' ? response.data : '',
      contentType,
    };
    if (answer.status >= 200 && answer.status < 300) {
      return answer;
    }
    if (answer.status >= 300 && answer.status < 400) {
      throw redirectError(ctx, answer.status, response.headers['location']);
    }
    throw httpError(ctx, answer, response.headers['retry-after']);
  }
}

// ---- success answers ----------------------------------------------------------------------------------------

function parseSessionToken(ctx: CallContext, answer: RawAnswer): SessionToken {
  const json = parseJsonObject(ctx, answer, 'session token');
  function bad(problem: string): never {
    throw new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid session token: ${problem}.`, {
      hint: malformedHint(ctx),
    });
  }
  const { ust, mage_id: mageId, expires_in: expiresIn } = json;
  if (typeof ust !== 'string' || ust.trim() === '') {
    bad(ust === undefined ? '"ust" is missing' : '"ust" is not a non-empty string');
  }
  if (typeof mageId !== 'string' || mageId.trim() === '') {
    bad(mageId === undefined ? '"mage_id" is missing' : '"mage_id" is not a non-empty string');
  }
  if (expiresIn === undefined) {
    bad('"expires_in" is missing');
  }
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) {
    bad('"expires_in" is not a number');
  }
  if (expiresIn <= 0) {
    bad(`"expires_in" is ${expiresIn}, but a token must live for some time`);
  }
  if (expiresIn > MAX_PLAUSIBLE_LIFETIME_SECONDS) {
    bad(`"expires_in" is ${expiresIn} seconds, more than 30 days`);
  }
  return { mageId, token: ust, expiresIn };
}

function parseProfile(ctx: CallContext, answer: RawAnswer, askedMageId: string): Profile {
  const json = parseJsonObject(ctx, answer, 'profile');
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const profile: Profile = { mageId: text(json.mage_id) ?? askedMageId };
  const fields: [keyof Profile, string][] = [
    ['firstName', 'first_name'],
    ['lastName', 'last_name'],
    ['email', 'email'],
    ['screenName', 'screen_name'],
  ];
  for (const [ours, theirs] of fields) {
    const value = text(json[theirs]);
    if (value !== undefined) {
      profile[ours] = value;
    }
  }
  return profile;
}

function parseJsonObject(ctx: CallContext, answer: RawAnswer, what: string): Record<string, unknown> {
  function fail(problem: string): never {
    throw new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid ${what}: ${problem}.`, {
      hint: malformedHint(ctx),
    });
  }
  if (answer.body.trim() === '') {
    fail(`the body is empty (HTTP ${answer.status})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    // Not the parser's message: newer Node versions quote the body in it.
    fail(`the body is not JSON${describeContentType(answer.contentType)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('the body is JSON but not an object');
  }
  return parsed as Record<string, unknown>;
}

function malformedHint(ctx: CallContext): string {
  return (
    `${ctx.host} may not be the EQP API, or something in between (a proxy, a captive portal) changed the answer. ` +
    `Check the ${ctx.setting} setting, then try again.`
  );
}

// ---- error answers ------------------------------------------------------------------------------------------

function httpError(ctx: CallContext, answer: RawAnswer, retryAfterHeader: unknown): EqpError {
  const { status } = answer;
  const info = environmentInfo(ctx.env);
  const other = environmentInfo(otherEnvironment(ctx.env)).label;

  // The server's own words, when it sent JSON with a message (documented for every 4xx).
  let serverMessage: string | undefined;
  let code: number | string | undefined;
  let detail: string;
  const parsed = tryParseJson(answer.body);
  if (parsed.ok) {
    if (parsed.value !== null && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
      const body = parsed.value as Record<string, unknown>;
      if (typeof body.message === 'string' && body.message.trim() !== '') {
        serverMessage = cleanServerText(body.message, ctx.secrets);
      }
      if (typeof body.code === 'number' && Number.isFinite(body.code)) {
        code = body.code;
      } else if (typeof body.code === 'string' && body.code.length <= 40) {
        code = cleanServerText(body.code, ctx.secrets);
      }
    }
    // The detail goes inside "(…)." : a server sentence's own final stop would read "secret.).".
    detail = serverMessage !== undefined ? `HTTP ${status}: ${serverMessage.replace(/[.!;:,\s]+$/u, '')}` : `HTTP ${status}`;
  } else if (answer.body.trim() === '') {
    detail = `HTTP ${status}, empty body`;
  } else {
    // An HTML error page from a proxy or load balancer: say what it was, do not dump it.
    detail = `HTTP ${status}; the answer was not JSON${describeContentType(answer.contentType)}`;
  }

  const retryAfterSeconds = status === 429 || status === 503 ? parseRetryAfter(retryAfterHeader) : undefined;
  const wait =
    retryAfterSeconds !== undefined ? `The server asks to wait ${formatSeconds(retryAfterSeconds)} before trying again.` : '';

  let message: string;
  let hint: string;
  if (status === 401 || status === 403) {
    if (ctx.op === 'token') {
      message = `The ${ctx.api} refused the application ID and secret (${detail}).`;
      hint =
        `Check the pair in the ${info.label} Developer Portal (Account → Manage API Keys): it may be mistyped, ` +
        `regenerated or deleted there, or belong to the ${other} environment.`;
    } else {
      message = `The ${ctx.api} refused the session token (${detail}).`;
      hint =
        `The session token may have expired, or belong to the ${other} environment: get a new session token. ` +
        `If that is refused too, check the key in the ${info.label} Developer Portal (Account → Manage API Keys).`;
    }
  } else if (status === 429) {
    message = `The ${ctx.api} is limiting how often it may be called (${detail}).`;
    hint =
      retryAfterSeconds !== undefined
        ? `Wait ${formatSeconds(retryAfterSeconds)} before trying again.`
        : 'Wait a minute before trying again.';
  } else if (status >= 500) {
    message = `The ${ctx.api} had trouble on its side (${detail}).`;
    hint = `This is not a problem with your key: try again later. ${wait}`.trim();
  } else if (status === 404 && ctx.op === 'token') {
    message = `The ${ctx.api} at ${ctx.host} has no session token endpoint (${detail}).`;
    hint = `Check the ${ctx.setting} setting: it should be the EQP API address, e.g. ${info.defaultApiUrl}.`;
  } else {
    const request = ctx.op === 'token' ? 'session token request' : 'profile request';
    message = `The ${ctx.api} rejected the ${request} (${detail}).`;
    hint = `If this keeps happening, check the ${ctx.setting} setting and report the message above. ${wait}`.trim();
  }
  return new EqpError('http', message, { status, code, serverMessage, hint, retryAfterSeconds });
}

function redirectError(ctx: CallContext, status: number, location: unknown): EqpError {
  // Name only the target host: the rest of a Location may carry tokens of its own.
  let target = 'another address';
  if (typeof location === 'string' && location !== '') {
    try {
      target = new URL(location, `${ctx.baseUrl}/`).host || target;
    } catch {
      target = 'an unreadable address';
    }
  }
  const legacy = legacyHostHint(ctx.baseUrl);
  return new EqpError('http', `The ${ctx.api} answered with a redirect to ${target}; credentials are not re-sent (HTTP ${status}).`, {
    status,
    hint:
      legacy ??
      `Check the ${ctx.setting} setting: it should be the EQP API address itself (e.g. ${environmentInfo(ctx.env).defaultApiUrl}), ` +
        'not an address that forwards elsewhere.',
  });
}

function cancelledError(ctx: CallContext): EqpError {
  const what = ctx.op === 'token' ? 'session token request' : 'profile request';
  return new EqpError('cancelled', `The ${what} to the ${ctx.api} was cancelled.`);
}

/** Node/OpenSSL error codes that mean "the TLS handshake or certificate check failed". */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|EPROTO$)/;

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'address not available',
};

/** Maps a failed axios request (no usable answer) to an EqpError, keeping only its code. */
function transportError(ctx: CallContext, e: unknown, timeoutMs: number): EqpError {
  const rawCode = (e as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  const message = e instanceof Error ? e.message : '';

  if ((e as { __CANCEL__?: unknown } | null)?.__CANCEL__ === true || code === 'ERR_CANCELED') {
    return cancelledError(ctx);
  }
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new EqpError('timeout', `The ${ctx.api} (${ctx.host}) did not answer within ${formatSeconds(timeoutMs / 1000)}.`, {
      hint: 'The server or the network may be slow: try again later, and check your network and proxy settings (http.proxy).',
    });
  }
  // Headers arrived but the body did not (connection dropped midway, or far too large): a broken answer.
  const axiosError = e as { isAxiosError?: unknown; response?: unknown } | null;
  const answered = axiosError?.isAxiosError === true && axiosError.response !== undefined;
  if (answered || code === 'ERR_BAD_RESPONSE') {
    const problem = /maxContentLength/.test(message)
      ? `the answer is larger than ${MAX_RESPONSE_BYTES} bytes`
      : 'the answer was cut off before its end';
    const what = ctx.op === 'token' ? 'session token' : 'profile';
    return new EqpError('malformed', `The ${ctx.api} answered with something that is not a valid ${what}: ${problem}.`, {
      hint: malformedHint(ctx),
    });
  }

  let reason: string;
  let hint = `Check your network connection, your proxy settings (http.proxy) and the ${ctx.setting} setting.`;
  if (TLS_CODE.test(code)) {
    reason = `secure connection failed: ${code}`;
    hint =
      'The server certificate was not accepted. A proxy or antivirus that inspects HTTPS can cause this: check ' +
      `your proxy settings (http.proxy, http.proxyStrictSSL) and the ${ctx.setting} setting.`;
  } else if (NETWORK_REASONS[code] !== undefined) {
    reason = NETWORK_REASONS[code];
  } else if (/socket hang up/i.test(message)) {
    reason = 'the connection was closed without an answer';
  } else {
    reason = code !== '' ? code : 'unknown network error';
  }
  const legacy = legacyHostHint(ctx.baseUrl);
  return new EqpError('network', `Could not reach the ${ctx.api} at ${ctx.host} (${reason}).`, {
    hint: legacy !== undefined ? `${legacy} ${hint}` : hint,
  });
}

// ---- small helpers ------------------------------------------------------------------------------------------

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** One line, no control characters, no secrets, at most MAX_SERVER_MESSAGE characters. */
function cleanServerText(text: string, secrets: string[]): string {
  // Scrub before cutting, so a secret cut in half is still recognised.
  const oneLine = redact(text, secrets)
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > MAX_SERVER_MESSAGE ? `${oneLine.slice(0, MAX_SERVER_MESSAGE - 1)}…` : oneLine;
}

function describeContentType(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    return ' (an HTML page)';
  }
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? ` (${type})` : '';
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') {
    return undefined;
  }
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function formatSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(1))} s`;
}
