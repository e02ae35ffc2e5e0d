/** The two EQP environments, their default hosts, and the rule for which API URLs we send secrets to. */
import { EqpError } from './errors';

export type EnvironmentId = 'production' | 'sandbox';

export const ENVIRONMENT_IDS: readonly EnvironmentId[] = Object.freeze(['production', 'sandbox'] as const);

export interface EnvironmentInfo {
  id: EnvironmentId;
  label: 'Production' | 'Sandbox';
  defaultApiUrl: string;
  defaultPortalUrl: string;
}

const ENVIRONMENTS: Readonly<Record<EnvironmentId, Readonly<EnvironmentInfo>>> = Object.freeze({
  production: Object.freeze({
    id: 'production',
    label: 'Production',
    defaultApiUrl: 'https://commercedeveloper-api.adobe.com',
    defaultPortalUrl: 'https://commercedeveloper.adobe.com',
  }),
  sandbox: Object.freeze({
    id: 'sandbox',
    label: 'Sandbox',
    defaultApiUrl: 'https://commercedeveloper-sandbox-api.adobe.com',
    defaultPortalUrl: 'https://commercedeveloper-sandbox.adobe.com',
  }),
});

export function environmentInfo(id: EnvironmentId): EnvironmentInfo {
  // A copy, so a caller cannot change the defaults for everyone else.
  return { ...ENVIRONMENTS[id] };
}

export function isEnvironmentId(x: unknown): x is EnvironmentId {
  return x === 'production' || x === 'sandbox';
}

/** The environment whose keys and tokens are *not* valid in `id` (named in "wrong environment" hints). */
export function otherEnvironment(id: EnvironmentId): EnvironmentId {
  return id === 'production' ? 'sandbox' : 'production';
}

/** Loopback is the only place plain http may go: nothing on the wire there for anyone to read. */
function isLoopbackHost(hostname: string): boolean {
  // WHATWG URL has already normalised the host: lowercase, IPv4 shorthands ("127.1") expanded, IPv6 bracketed.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

const HTTP_RULE = 'https:// is required (http:// only to 127.0.0.1, localhost or [::1])';

/**
 * https: anywhere, http: only to loopback (127.0.0.0/8, localhost, [::1]); no credentials, query or hash.
 * Returns the URL without a trailing slash; throws EqpError(kind 'config') with a clear message otherwise.
 * `what` names the setting, e.g. "eqp.sandbox.apiUrl"; messages read "The <what> setting …".
 * The raw value is never echoed whole: it might hold a password in its user-info part.
 */
export function validateServiceUrl(raw: string, what: string): string {
  const fail = (problem: string, hint = 'Fix the setting, then try again.'): never => {
    throw new EqpError('config', `The ${what} setting ${problem}.`, { hint });
  };
  const example = ENVIRONMENTS.production.defaultApiUrl;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') {
    fail('is empty', `Set it to the EQP API address, e.g. ${example}, or reset it to its default.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`is not a valid URL (${HTTP_RULE})`, `Use an address such as ${example}.`);
  }
  if (url.username !== '' || url.password !== '') {
    fail(
      'must not contain a user name or password',
      'Remove the "user:password@" part: the application ID and secret are stored separately, never in a URL.',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail(`uses ${url.protocol}// but ${HTTP_RULE}`, `Use an address such as ${example}.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    fail(
      `points at ${url.host} over plain http://, but ${HTTP_RULE}`,
      'Secrets must not travel unencrypted: use https://.',
    );
  }
  // `new URL` drops an empty "?" or "#", so look at the raw text too.
  if (url.search !== '' || text.includes('?')) {
    fail('must not contain a query ("?…")', `Use the bare API address, e.g. ${example}.`);
  }
  if (url.hash !== '' || text.includes('#')) {
    fail('must not contain a fragment ("#…")', `Use the bare API address, e.g. ${example}.`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/rest\/v1$/i.test(path)) {
    fail('must not end in /rest/v1 (the extension adds it)', `Use the bare API address, e.g. ${example}.`);
  }
  return `${url.origin}${path}`;
}

/** Pre-2023 (Magento-branded) hosts and what replaced them. */
const LEGACY_HOSTS: Readonly<Record<string, { env: EnvironmentId; kind: 'API' | 'Developer Portal' }>> = {
  'developer-api.magento.com': { env: 'production', kind: 'API' },
  'developer-stg-api.magento.com': { env: 'sandbox', kind: 'API' },
  'developer.magento.com': { env: 'production', kind: 'Developer Portal' },
  'developer-stg.magento.com': { env: 'sandbox', kind: 'Developer Portal' },
};

/**
 * When `url` (a URL or a bare host name) is one of the old Magento hosts, a sentence naming its replacement;
 * otherwise undefined.
 */
export function legacyHostHint(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url.includes('://') ? url.trim() : `https://${url.trim()}`).hostname;
  } catch {
    return undefined;
  }
  const legacy = LEGACY_HOSTS[host.replace(/\.$/, '')];
  if (!legacy) {
    return undefined;
  }
  const info = ENVIRONMENTS[legacy.env];
  const replacement = legacy.kind === 'API' ? info.defaultApiUrl : info.defaultPortalUrl;
  return (
    `${host} is the old Magento host of the EQP ${info.label} ${legacy.kind}; ` +
    `since the 2023 move to Adobe it is ${replacement}.`
  );
}
