// The suite runs on the production build of the test entry (`npm test` builds `node esbuild.js --production`
// before this stage; esbuild.js writes the shipped dist/extension.js and the test entry's
// run/test-extension/dist/extension.js from one configuration): this file checks that it does, that the shipped
// bundle beside it holds none of the test hooks the test entry adds, mints a session token over https through it
// (the EQP sandbox server with the throwaway loopback certificate, which code-server's extension host trusts
// through NODE_EXTRA_CA_CERTS), and, once every suite has run, fails if any stub of axios internals (build/stubs/)
// was reached during the key and token flows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT } from '../repoRoot';
import type { KeyRecord } from '../../src/keys/keyStore';
import { EqpSandbox } from '../sandbox/server';
import { loopbackTls } from '../sandbox/tls';
import { EXTENSION_ID, TestApi, clearKeys, resetAll, testApi } from './helpers';

/** What build/stubs/reached.ts records under; read here, in the same extension host, after all suites. */
const STUBS_REACHED_KEY = Symbol.for('eqp-keys.buildStubsReached');
const STUB_REACHED_MARKER = 'EQP build stub reached';
/** The repository (this file runs as out/test/integration/bundle.test.js), and the bundle the .vsix ships. */
const ROOT = REPO_ROOT;
const SHIPPED = path.join(ROOT, 'dist', 'extension.js');

/**
 * Test hooks by names that survive minification (property and method names, string literals), which the test
 * entry (test/entry/) has and the shipped bundle must not: FaultySecretStorage.failNext, TestClock.fireDue and
 * timersLongerThan, the hooks' newTokenService and terminalEnv, StatusBarRecorder's `renders` counter (in the
 * snapshot() of the status bar; `snapshot` alone is also a KeyStore method, so it is not a hook name).
 */
const HOOKS_IN_TEST_ENTRY = ['failNext', 'fireDue', 'timersLongerThan', 'newTokenService', 'terminalEnv', 'renders'];
/**
 * Also never in the shipped bundle, though minification would rename them in the test entry (class names) or the
 * test entry does not need them: the hook classes, the status bar's old `countingDown` test field, and the old
 * gating of the hooks on `context.extensionMode === vscode.ExtensionMode.Test` (property accesses survive).
 */
const NEVER_SHIPPED = [...HOOKS_IN_TEST_ENTRY, 'FaultySecretStorage', 'TestClock', 'StatusBarRecorder', 'countingDown', 'ExtensionMode', 'extensionMode'];

// A root hook: it runs after every suite of the run (keys, tokens, security, ...), whichever were selected.
after(() => {
  const reached = (globalThis as { [STUBS_REACHED_KEY]?: string[] })[STUBS_REACHED_KEY] ?? [];
  assert.deepEqual(reached, [], `the bundle reached build stubs at run time: ${reached.join(', ')} (see esbuild.js)`);
});

/** Checks `file` is a production build: no source map, minified, the throwing stubs in place. */
function assertProduction(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(!text.includes('sourceMappingURL'), `${file} is a development build: run \`node esbuild.js --production\` (npm test does)`);
  assert.ok(!fs.existsSync(`${file}.map`), `a source map lies beside ${file}`);
  // Minified code has very long lines; its line breaks are the ones inside template literals (messages).
  const lines = text.split('\n').length;
  assert.ok(text.length / lines > 1000, `${file} is not minified (${lines} lines, ${Math.round(text.length / lines)} characters a line)`);
  assert.ok(text.includes(STUB_REACHED_MARKER), `${file} has no build stubs`);
  return text;
}

describe('the production bundle (dist/extension.js, and the test entry built from the same configuration)', function () {
  this.timeout(30000);

  it('the extension host runs the test entry\'s production build (run/test-extension/): minified, no source map, the throwing stubs in place', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    assert.equal(path.relative(ROOT, ext.extensionPath), path.join('run', 'test-extension'), 'the suite must load the staged test entry, not the repository');
    const main = path.join(ext.extensionPath, (ext.packageJSON as { main: string }).main);
    assertProduction(main);
  });

  it('the shipped dist/extension.js holds no test hook, which the test entry\'s bundle does', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const testEntry = fs.readFileSync(path.join(ext.extensionPath, (ext.packageJSON as { main: string }).main), 'utf8');
    const shipped = assertProduction(SHIPPED);
    // The names are found where they are: the grep below would see them in the shipped bundle too.
    assert.deepEqual(HOOKS_IN_TEST_ENTRY.filter((h) => !testEntry.includes(h)), [], 'the test entry\'s bundle lacks hooks the suite uses');
    assert.deepEqual(NEVER_SHIPPED.filter((h) => shipped.includes(h)), [], `${SHIPPED} contains test hooks`);
    // Same product inside: the test entry wraps the shipped activate(), so it is the larger, by little.
    assert.ok(testEntry.length > shipped.length && testEntry.length - shipped.length < 20_000, `test entry ${testEntry.length} B, shipped ${shipped.length} B`);
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
      // eqp.token.get is called as a script would; its consent is test/integration/trust.test.ts's subject.
      await cfg().update('token.commandAccess', 'allow', g);
    });
    after(async () => {
      await resetAll(api, sandbox);
      for (const k of ['sandbox.apiUrl', 'sandbox.portalUrl', 'environment', 'token.commandAccess']) await cfg().update(k, undefined, g);
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
