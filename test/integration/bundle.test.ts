// The suite runs on the production bundle (`npm test` builds `node esbuild.js --production` before this stage):
// this file checks that it does, mints a session token over https through it (the EQP sandbox server with the
// throwaway loopback certificate, which code-server's extension host trusts through NODE_EXTRA_CA_CERTS), and, once
// every suite has run, fails if any stub of axios internals (build/stubs/) was reached during the key and token flows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KeyRecord } from '../../src/keys/keyStore';
import { EqpSandbox } from '../sandbox/server';
import { loopbackTls } from '../sandbox/tls';
import { EXTENSION_ID, TestApi, clearKeys, resetAll, testApi } from './helpers';

/** What build/stubs/reached.ts records under; read here, in the same extension host, after all suites. */
const STUBS_REACHED_KEY = Symbol.for('eqp-keys.buildStubsReached');
const STUB_REACHED_MARKER = 'EQP build stub reached';

// A root hook: it runs after every suite of the run (keys, tokens, security, ...), whichever were selected.
after(() => {
  const reached = (globalThis as { [STUBS_REACHED_KEY]?: string[] })[STUBS_REACHED_KEY] ?? [];
  assert.deepEqual(reached, [], `the bundle reached build stubs at run time: ${reached.join(', ')} (see esbuild.js)`);
});

describe('the production bundle (dist/extension.js)', function () {
  this.timeout(30000);

  it('is the one the extension host runs: minified, no source map, the throwing stubs in place', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const main = path.join(ext.extensionPath, (ext.packageJSON as { main: string }).main);
    const text = fs.readFileSync(main, 'utf8');
    assert.ok(!text.includes('sourceMappingURL'), `${main} is a development build: run \`node esbuild.js --production\` (npm test does)`);
    assert.ok(!fs.existsSync(`${main}.map`), 'a source map lies beside the bundle');
    assert.ok(text.split('\n').length < 50, 'the bundle is not minified');
    assert.ok(text.includes(STUB_REACHED_MARKER), 'the bundle has no build stubs');
  });

  describe('over https (the EQP sandbox server with the loopback certificate)', () => {
    let api: TestApi;
    let sandbox: EqpSandbox;
    const cfg = () => vscode.workspace.getConfiguration('eqp');
    const g = vscode.ConfigurationTarget.Global;

    before(async () => {
      api = await testApi();
      sandbox = await EqpSandbox.start({ tls: loopbackTls() });
      await clearKeys(api);
      await cfg().update('sandbox.apiUrl', sandbox.apiUrl('sandbox'), g);
      await cfg().update('sandbox.portalUrl', sandbox.portalUrl('sandbox'), g);
      await cfg().update('environment', 'sandbox', g);
    });
    after(async () => {
      await resetAll(api, sandbox);
      for (const k of ['sandbox.apiUrl', 'sandbox.portalUrl', 'environment']) await cfg().update(k, undefined, g);
      await sandbox.close();
    });

    it('a scripted create verifies the key and eqp.token.get mints a token, both over TLS', async () => {
      assert.match(sandbox.apiUrl('sandbox'), /^https:/);
      const pk = sandbox.createKey('sandbox', 'TLS');
      const key = await vscode.commands.executeCommand<KeyRecord>('eqp.keys.create', {
        environment: 'sandbox', name: 'TLS', applicationId: pk.applicationId, applicationSecret: pk.applicationSecret,
      });
      assert.equal(key.name, 'TLS');
      await vscode.commands.executeCommand('eqp.token.forget', { all: true });
      const before = sandbox.tokenRequestCount('sandbox');
      const token = await vscode.commands.executeCommand<string>('eqp.token.get', { environment: 'sandbox' });
      assert.equal(typeof token, 'string');
      assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'eqp.token.get minted a new token');
      const log = sandbox.requestLog('sandbox');
      assert.ok(log.length >= 2, JSON.stringify(log));
      assert.deepEqual(log.filter((e) => !e.tls || e.status !== 200).map((e) => [e.method, e.path, e.status, e.tls]), [], 'every request came over TLS and succeeded');
      // The sandbox accepts the token it minted. (The test's own request names the CA: VS Code's patched global
      // fetch in the extension host does not go by NODE_EXTRA_CA_CERTS.)
      const status = await new Promise<number | undefined>((resolve, reject) => {
        https.get(`${sandbox.apiUrl('sandbox')}/rest/v1/users/${sandbox.account('sandbox').mageId}?style=summary`, {
          ca: loopbackTls().cert, agent: false, headers: { authorization: `Bearer ${token}` },
        }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
      });
      assert.equal(status, 200);
    });
  });
});
