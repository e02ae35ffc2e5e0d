// The key and token flows that need no test hook, run against the SHIPPED bundle: the package stage of `npm test`
// installs the .vsix into a fresh code-server and runs this file alone in its extension host (EQP_IT_FILES, see
// index.ts; the integration stages skip it, since their bundle is the test entry, which has hooks). Everything goes
// through the contributed commands and the EQP sandbox server, as a script or task would: no hook, no seam.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KeyRecord } from '../../src/keys/keyStore';
import type { EqpSandbox } from '../sandbox/server';
import { EXTENSION_ID, startSandbox, stopSandbox } from './helpers';

/** What build/stubs/reached.ts records under (as in bundle.test.ts, which does not run here). */
const STUBS_REACHED_KEY = Symbol.for('eqp-keys.buildStubsReached');

const run = <T = unknown>(command: string, arg?: unknown): Promise<T> => Promise.resolve(vscode.commands.executeCommand<T>(command, arg));

describe('the shipped bundle, installed from the .vsix (commands only, no test hooks)', function () {
  this.timeout(30000);
  let sandbox: EqpSandbox;

  /** The sandbox's answer to an API call made with `token` (200: it accepts the token). */
  const statusWith = (token: string): Promise<number | undefined> =>
    new Promise((resolve, reject) => {
      http.get(`${sandbox.apiUrl('sandbox')}/rest/v1/users/${sandbox.account('sandbox').mageId}?style=summary`, {
        agent: false, headers: { authorization: `Bearer ${token}` },
      }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });

  const create = (name: string, pair: { applicationId: string; applicationSecret: string }): Promise<KeyRecord> =>
    run<KeyRecord>('eqp.keys.create', { environment: 'sandbox', name, applicationId: pair.applicationId, applicationSecret: pair.applicationSecret });

  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await stopSandbox(sandbox);
    const reached = (globalThis as { [STUBS_REACHED_KEY]?: string[] })[STUBS_REACHED_KEY] ?? [];
    assert.deepEqual(reached, [], `the shipped bundle reached build stubs at run time: ${reached.join(', ')} (see esbuild.js)`);
  });

  it('is the installed extension, not a development folder, and gives other extensions no API (no test hooks)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    const exports: unknown = await ext.activate();
    assert.equal(exports, undefined, 'activate() of the shipped bundle returned something');
    assert.equal(ext.exports, undefined);
    // Installed by code-server --install-extension into <extensions dir>/eqp-keys.eqp-keys-<version>.
    assert.match(path.basename(ext.extensionPath), /^eqp-keys\.eqp-keys-\d/, `loaded from ${ext.extensionPath}, not the installed .vsix`);
    const main = path.join(ext.extensionPath, (ext.packageJSON as { main: string }).main);
    const text = fs.readFileSync(main, 'utf8');
    for (const hook of ['failNext', 'fireDue', 'newTokenService', 'ExtensionMode']) assert.ok(!text.includes(hook), `${main} contains ${hook}`);
  });

  it('a scripted create stores a key the sandbox verifies; eqp.token.get mints a token the sandbox accepts, once', async () => {
    const pk = sandbox.createKey('sandbox', 'Shipped A');
    const key = await create('Shipped A', pk);
    assert.equal(key.name, 'Shipped A');
    assert.equal(key.environment, 'sandbox');
    assert.equal(key.applicationId, pk.applicationId);
    assert.ok(!JSON.stringify(key).includes(pk.applicationSecret), 'the command returned the secret');
    await run('eqp.token.forget', { all: true });
    const before = sandbox.tokenRequestCount('sandbox');
    const token = await run<string>('eqp.token.get', { environment: 'sandbox' });
    assert.equal(typeof token, 'string');
    assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'eqp.token.get minted one token');
    assert.equal(await statusWith(token), 200);
    // A second get: the cached token, no second request.
    assert.equal(await run<string>('eqp.token.get', { environment: 'sandbox' }), token);
    assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'the second eqp.token.get asked the server again');
  });

  it('eqp.token.refresh mints a new token that replaces the cached one', async () => {
    const old = await run<string>('eqp.token.get', { environment: 'sandbox' });
    const before = sandbox.tokenRequestCount('sandbox');
    const info = await run<{ environment: string; keyName: string; expiresAt: number }>('eqp.token.refresh', { environment: 'sandbox' });
    assert.equal(info.environment, 'sandbox');
    assert.equal(info.keyName, 'Shipped A');
    assert.ok(!JSON.stringify(info).includes(old), 'eqp.token.refresh returned a token');
    assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'eqp.token.refresh made one request');
    const fresh = await run<string>('eqp.token.get', { environment: 'sandbox' });
    assert.notEqual(fresh, old);
    assert.equal(sandbox.tokenRequestCount('sandbox') - before, 1, 'eqp.token.get after the refresh asked the server again');
    assert.equal(await statusWith(fresh), 200);
  });

  it('a wrong pair is refused with the server\'s answer, the secret nowhere, and nothing stored', async () => {
    const pk = sandbox.createKey('sandbox', 'Shipped wrong');
    const wrongSecret = 'b'.repeat(40);
    await assert.rejects(create('Wrong', { applicationId: pk.applicationId, applicationSecret: wrongSecret }), (e: Error) => {
      assert.match(e.message, /refused/i);
      assert.ok(!e.message.includes(wrongSecret), 'the error shows the secret');
      return true;
    });
    await assert.rejects(run('eqp.keys.delete', { environment: 'sandbox', name: 'Wrong', confirm: false }), /no API access key named "Wrong" in Sandbox/);
    sandbox.deleteKey('sandbox', pk.applicationId);
  });

  it('a 4th key in one environment is refused with a clear error before any request', async () => {
    await create('Shipped B', sandbox.createKey('sandbox', 'Shipped B'));
    await create('Shipped C', sandbox.createKey('sandbox', 'Shipped C'));
    const requests = sandbox.requestLog('sandbox').length;
    await assert.rejects(create('Shipped D', { applicationId: 'ZZZZ000001', applicationSecret: 'f'.repeat(40) }), /already has 3 API access keys/);
    assert.equal(sandbox.requestLog('sandbox').length, requests, 'the refused create sent a request');
  });

  it('Composer keys: a scripted create, auth.json written with the private key (atomic, 0600), delete', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-shipped-composer-'));
    const saved = process.env.COMPOSER_HOME;
    process.env.COMPOSER_HOME = home;
    const cfg = vscode.workspace.getConfiguration('eqp');
    try {
      const made = await run<{ label: string; userKey: string; uid: string }>('eqp.composer.create', { environment: 'sandbox', label: 'shipped ci/1' });
      const key = sandbox.composerKeys('sandbox').find((k) => k.label === 'shipped ci/1');
      assert.ok(key, 'the sandbox has the key');
      assert.deepEqual({ label: made.label, userKey: made.userKey }, { label: key.label, userKey: key.userKey });
      assert.ok(!JSON.stringify(made).includes(key.passwordKey), 'the script never gets the private key');
      await assert.rejects(run('eqp.composer.writeAuthJson', { environment: 'sandbox', label: 'shipped ci/1', target: 'global' }), /eqp\.sandbox\.composerRepositoryHost/);
      await cfg.update('sandbox.composerRepositoryHost', 'repo-sandbox.example.com', vscode.ConfigurationTarget.Global);
      const written = await run<{ file: string; host: string }>('eqp.composer.writeAuthJson', { environment: 'sandbox', label: 'shipped ci/1', target: 'global' });
      assert.equal(written.file, path.join(home, 'auth.json'));
      assert.deepEqual(JSON.parse(fs.readFileSync(written.file, 'utf8')), { 'http-basic': { 'repo-sandbox.example.com': { username: key.userKey, password: key.passwordKey } } });
      assert.equal(fs.statSync(written.file).mode & 0o777, 0o600);
      await run('eqp.composer.delete', { environment: 'sandbox', label: 'shipped ci/1', confirm: false });
      assert.equal(sandbox.composerKeys('sandbox').length, 0);
    } finally {
      await cfg.update('sandbox.composerRepositoryHost', undefined, vscode.ConfigurationTarget.Global);
      if (saved === undefined) delete process.env.COMPOSER_HOME;
      else process.env.COMPOSER_HOME = saved;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('eqp.keys.delete (scripted) deletes each key; then eqp.token.get says there is no key', async () => {
    for (const name of ['Shipped A', 'Shipped B', 'Shipped C']) await run('eqp.keys.delete', { environment: 'sandbox', name, confirm: false });
    for (const name of ['Shipped A', 'Shipped B', 'Shipped C']) {
      await assert.rejects(run('eqp.keys.delete', { environment: 'sandbox', name, confirm: false }), new RegExp(`no API access key named "${name}"`));
    }
    await assert.rejects(run('eqp.token.get', { environment: 'sandbox' }), /There is no API access key for Sandbox/);
  });
});
