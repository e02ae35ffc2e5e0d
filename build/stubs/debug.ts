/**
 * Stands in for the `debug` package inside the bundle (see esbuild.js). Only https-proxy-agent uses it, to print
 * tracing when the DEBUG environment variable names it, which nobody sets for an editor's extension host; the
 * real package with `ms` costs about 5 KB of bundle and load time. Proxies work the same; only that tracing is
 * silent. The shape is the part of debug's API its callers use: a factory of logging functions.
 */
interface Debugger {
  (...args: unknown[]): void;
  enabled: boolean;
  namespace: string;
  extend(sub: string): Debugger;
}

function createDebug(namespace: string): Debugger {
  const log = (() => undefined) as unknown as Debugger;
  log.enabled = false;
  log.namespace = namespace;
  log.extend = (sub: string) => createDebug(`${namespace}:${sub}`);
  return log;
}

export default createDebug;
