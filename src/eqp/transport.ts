/**
 * How the EQP client reaches the API: our own agents instead of axios's environment proxying (the client sets
 * `proxy: false`), certificate checks forced on, and https through an http proxy as a CONNECT tunnel with TLS to
 * the API host inside it, so a proxy sees the host name and nothing else: no Authorization header, no body.
 * No `vscode` import: it runs in plain Node too.
 *
 * Which proxy: none for loopback (127.0.0.0/8, ::1, localhost), none when NO_PROXY/no_proxy names the host;
 * otherwise the `proxy` option (the extension may fill it from VS Code's `http.proxy`), else https_proxy,
 * HTTPS_PROXY, http_proxy, HTTP_PROXY (the order VS Code uses). Only http:// proxies are supported.
 *
 * Inside VS Code's extension host, VS Code patches `http.request`/`https.request` (@vscode/proxy-agent,
 * `createHttpPatch`) and what happens to our agent depends on `http.proxySupport`:
 *   - `override` (the default): for every host but `localhost`/`127.0.0.1` the request's own `agent` is dropped
 *     and replaced by VS Code's PacProxyAgent, which picks the proxy itself (`http.proxy`, `http.noProxy`, the
 *     same environment variables, or the OS/PAC resolver) and connects DIRECT through `https.globalAgent` or
 *     through its own CONNECT agent (https-proxy-agent: also a tunnel, so the proxy still sees no headers). Our
 *     agent and its proxy choice only run for loopback there.
 *   - `fallback`: VS Code resolves first and falls back to our agent when its answer is DIRECT.
 *   - `on`: a request that brings its own agent is left alone (our agent decides); `off`: no patching.
 * VS Code also patches `tls.connect` to add the OS certificates when no `ca` is given (`http.systemCertificates`),
 * which is why we never pass `ca`. Because override mode replaces the agent, `rejectUnauthorized: true` is put
 * on the request options too (see `requestTransport`): Node hands those to whichever agent opens the
 * connection, so an inherited NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch the check off on either path.
 */
import * as http from 'http';
import * as https from 'https';
import type { Duplex } from 'stream';
import * as tls from 'tls';
import { EqpError } from './errors';

/** Where a proxy came from, for messages: the client's `proxy` option or the environment variable's name. */
export type ProxySource = 'option' | 'https_proxy' | 'HTTPS_PROXY' | 'http_proxy' | 'HTTP_PROXY';

export interface ProxyChoice {
  url: URL;
  source: ProxySource;
}

const ENV_PROXY_ORDER: readonly ProxySource[] = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

/** 127.0.0.0/8, ::1 and localhost (or a name under .localhost): never proxied. */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    host === '::ffff:127.0.0.1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/**
 * Whether a NO_PROXY value exempts `hostname:port`: entries split at commas or spaces; `*` matches all; `name`
 * matches the name and every name under it, `.name` and `*.name` only names under it; `name:port` only that port.
 */
export function noProxyMatches(noProxy: string | undefined, hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  for (const raw of (noProxy ?? '').split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') {
      continue;
    }
    if (entry === '*') {
      return true;
    }
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1] ?? '';
      entryPort = bracketed[2] !== undefined ? Number(bracketed[2]) : undefined;
    } else {
      const withPort = /^([^:]+):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1] ?? '';
        entryPort = Number(withPort[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) {
      continue;
    }
    entry = entry.replace(/\.$/, '');
    if (entry.startsWith('*.')) {
      entry = entry.slice(1);
    }
    if (entry.startsWith('.') ? host.endsWith(entry) : host === entry || host.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

/** A proxy host:port for messages: never its user name or password. */
export function proxyLabel(url: URL): string {
  return url.host;
}

function describeSource(source: ProxySource): string {
  return source === 'option' ? 'the proxy setting (http.proxy)' : `the ${source} environment variable`;
}

/**
 * The proxy for `target`, or undefined for a direct connection. Throws EqpError('config') for a proxy URL that
 * cannot be used (never quoting it whole: it may hold a password).
 */
export function chooseProxy(target: URL, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): ProxyChoice | undefined {
  if (isLoopbackHostname(target.hostname)) {
    return undefined;
  }
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  if (noProxyMatches(env.no_proxy ?? env.NO_PROXY, target.hostname, port)) {
    return undefined;
  }
  let raw: string | undefined;
  let source: ProxySource | undefined;
  if (explicit !== undefined && explicit.trim() !== '') {
    raw = explicit.trim();
    source = 'option';
  } else {
    source = ENV_PROXY_ORDER.find((name) => (env[name] ?? '').trim() !== '');
    raw = source !== undefined ? env[source]?.trim() : undefined;
  }
  if (raw === undefined || source === undefined) {
    return undefined;
  }
  const fail = (problem: string): never => {
    throw new EqpError('config', `The proxy from ${describeSource(source)} ${problem}.`, {
      hint: 'Use an address such as http://proxy.example.com:3128 (with user:password@ before the host if the proxy asks for credentials), or clear it.',
    });
  };
  let url: URL;
  try {
    // "proxy:3128" with no scheme is common in environment variables: it means http.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return fail('is not a valid URL');
  }
  if (url.protocol !== 'http:') {
    fail(`uses ${url.protocol}// but only http:// proxies are supported`);
  }
  if (url.hostname === '') {
    fail('has no host name');
  }
  return { url, source };
}

/** Why a proxy did not open the tunnel: `status` when it answered the CONNECT, `code` when it could not be reached. */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  readonly code = 'EQP_PROXY_TUNNEL';

  constructor(
    readonly proxyHost: string,
    readonly source: ProxySource,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super(status !== undefined ? `proxy ${proxyHost} answered CONNECT with HTTP ${status}` : `proxy ${proxyHost}: ${reason ?? 'unreachable'}`);
  }

  /** "the proxy setting (http.proxy)" or "the HTTPS_PROXY environment variable". */
  get sourceLabel(): string {
    return describeSource(this.source);
  }
}

/** The ProxyTunnelError behind a failed request (axios wraps it, keeping it as `cause`), if any. */
export function findProxyTunnelError(e: unknown): ProxyTunnelError | undefined {
  for (let link = e, depth = 0; link !== null && link !== undefined && depth < 5; depth++) {
    if (link instanceof ProxyTunnelError) {
      return link;
    }
    link = (link as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * An https agent that reaches every host through `proxy` with CONNECT, then speaks TLS (servername = the API
 * host, certificate checked) inside the tunnel. Proxy credentials go only in the CONNECT's Proxy-Authorization.
 */
export class TunnelAgent extends https.Agent {
  private readonly proxyAuthorization: string | undefined;

  constructor(
    readonly proxy: ProxyChoice,
    private readonly connectTimeoutMs: number,
  ) {
    super({ keepAlive: true, rejectUnauthorized: true });
    const { username, password } = proxy.url;
    this.proxyAuthorization =
      username !== '' || password !== ''
        ? `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`, 'utf8').toString('base64')}`
        : undefined;
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const done = callback ?? (() => undefined);
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? 443);
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const proxyHost = proxyLabel(this.proxy.url);
    const fail = (status?: number, reason?: string): void =>
      done(new ProxyTunnelError(proxyHost, this.proxy.source, status, reason), undefined as unknown as Duplex);
    const headers: http.OutgoingHttpHeaders = { Host: authority };
    if (this.proxyAuthorization !== undefined) {
      headers['Proxy-Authorization'] = this.proxyAuthorization;
    }
    // agent: false, its own socket: the CONNECT never shares a connection with anything else.
    const connect = http.request({
      host: this.proxy.url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.proxy.url.port || 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      timeout: this.connectTimeoutMs,
    });
    connect.once('connect', (res, socket, head) => {
      connect.removeAllListeners('timeout');
      // The CONNECT's idle timeout must not follow the socket into its life as the API connection.
      socket.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        fail(res.statusCode);
        return;
      }
      if (head.length > 0) {
        // Bytes the proxy sent before we spoke TLS: nothing honest does that.
        socket.destroy();
        fail(undefined, 'it sent data before the TLS handshake');
        return;
      }
      const servername = typeof options.servername === 'string' && options.servername !== '' ? options.servername : host;
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        host,
        socket,
        // An IP address is not a valid SNI name; the certificate is still checked against it.
        servername: /^[\d.]+$|:/.test(servername) ? undefined : servername,
        rejectUnauthorized: true,
      });
      done(null, secure);
    });
    connect.once('timeout', () => {
      connect.destroy();
      fail(undefined, 'no answer to CONNECT in time');
    });
    connect.once('error', (e: NodeJS.ErrnoException) => fail(undefined, typeof e.code === 'string' ? e.code : 'unreachable'));
    connect.end();
    return undefined;
  }
}

/** The agents for one request and the proxy they go through (undefined: direct). */
export interface Route {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  proxy?: ProxyChoice;
}

export interface TransportOptions {
  /** The proxy URL to use; wins over the environment. Empty or undefined: the environment decides. */
  proxy?: () => string | undefined;
  /** How long a proxy may take to answer the CONNECT (ms). */
  connectTimeoutMs: number;
  /** Default process.env, read on every request. */
  env?: () => NodeJS.ProcessEnv;
}

/** Keeps one direct agent per protocol and one tunnel agent for the proxy in use; a new proxy replaces it. */
export class Transport {
  private readonly directHttp = new http.Agent({ keepAlive: true });
  private readonly directHttps = new https.Agent({ keepAlive: true, rejectUnauthorized: true });
  private tunnel: TunnelAgent | undefined;

  constructor(private readonly options: TransportOptions) {}

  route(target: URL): Route {
    const explicit = this.options.proxy?.();
    const proxy = target.protocol === 'https:' ? chooseProxy(target, explicit, this.options.env?.() ?? process.env) : undefined;
    if (proxy === undefined) {
      return { httpAgent: this.directHttp, httpsAgent: this.directHttps };
    }
    if (this.tunnel?.proxy.url.href !== proxy.url.href) {
      this.tunnel?.destroy();
      this.tunnel = new TunnelAgent(proxy, this.options.connectTimeoutMs);
    }
    // http targets are loopback only (validateServiceUrl), never proxied: the direct http agent is never used here.
    return { httpAgent: this.directHttp, httpsAgent: this.tunnel, proxy };
  }

  /** Closes every kept-alive connection. */
  destroy(): void {
    this.directHttp.destroy();
    this.directHttps.destroy();
    this.tunnel?.destroy();
    this.tunnel = undefined;
  }
}

/**
 * An axios `transport`: Node's own request functions, with `rejectUnauthorized: true` on every https request's
 * options. Our agents set it already; this keeps it when VS Code's `override` proxy support swaps the agent.
 */
export const requestTransport = {
  request(options: https.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest {
    if (options.protocol === 'https:') {
      return https.request({ ...options, rejectUnauthorized: true }, callback);
    }
    return http.request(options, callback);
  },
};
