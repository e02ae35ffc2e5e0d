// The EQP API client, for the rest of the extension. No `vscode` import anywhere below this folder.
export * from './environments';
export * from './errors';
export * from './client';
export * from './redact';
export { chooseProxy, isLoopbackHostname, noProxyMatches, type ProxyChoice, type ProxySource } from './transport';
export * from './submissions';
export * from './uploads';
