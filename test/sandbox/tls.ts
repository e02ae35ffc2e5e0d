// A throwaway self-signed certificate for 127.0.0.1 and localhost, for loopback tests of https only
// (EqpSandbox.start({ tls: loopbackTls() })). Its private key is public, in this repository: never trust it
// anywhere but a test process. Made with
//   openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
//     -days 36500 -keyout loopback.key.pem -out loopback.cert.pem
// A client trusts it through NODE_EXTRA_CA_CERTS=<LOOPBACK_CERT_FILE>, read by Node at start-up: `npm test` sets
// it for the unit stage and for code-server (so the extension host trusts it in the integration suite).
import * as fs from 'node:fs';
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
