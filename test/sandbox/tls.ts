// A throwaway self-signed certificate for 127.0.0.1 and localhost, for loopback tests of https only
// (EqpSandbox.start({ tls: loopbackTls() })). Its private key is public, in this repository: never trust it
// anywhere but a test process. Made with
//   openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
//     -days 36500 -keyout loopback.key.pem -out loopback.cert.pem
// A client trusts it through NODE_EXTRA_CA_CERTS=<LOOPBACK_CERT_FILE>, read by Node at start-up: `npm test` sets
// it for the unit stage and for code-server (so the extension host trusts it in the integration suite).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../repoRoot';

/** test/sandbox/tls/ in the repository (tsc does not copy the .pem files next to the compiled code). */
const TLS_DIR = path.join(REPO_ROOT, 'test', 'sandbox', 'tls');
export const LOOPBACK_CERT_FILE = path.join(TLS_DIR, 'loopback.cert.pem');
export const LOOPBACK_KEY_FILE = path.join(TLS_DIR, 'loopback.key.pem');

export function loopbackTls(): { cert: Buffer; key: Buffer } {
  return { cert: fs.readFileSync(LOOPBACK_CERT_FILE), key: fs.readFileSync(LOOPBACK_KEY_FILE) };
}

/** Whether this process trusts the loopback certificate (NODE_EXTRA_CA_CERTS names it). */
export function processTrustsLoopbackCert(): boolean {
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return extra !== undefined && extra !== '' && path.resolve(extra) === LOOPBACK_CERT_FILE;
}

/** A certificate made for one test run: PEM texts and the file the certificate is in (for NODE_EXTRA_CA_CERTS). */
export interface ThrowawayTls {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  /** Deletes the files. */
  remove(): void;
}

/**
 * A fresh self-signed certificate (EC P-256, one day) for `names` (DNS names or IP addresses), made with openssl in
 * a temporary folder; undefined when openssl is not installed. No process trusts it unless told to: a test uses it
 * for a server the client must refuse, or trusts it in a child process through NODE_EXTRA_CA_CERTS.
 */
export function throwawayTls(names: readonly string[]): ThrowawayTls | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${names[0] ?? 'eqp-test'}`,
      '-addext', `subjectAltName=${san}`, '-days', '1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0 || !fs.existsSync(certFile)) {
    remove();
    return undefined;
  }
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), certFile, remove };
}
