import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as yauzl from 'yauzl';
import type { SubmitResult } from '../../src/submit/commands/submit';
import type { BuildResult } from '../../src/submit/commands/build';
import type { EqpSandbox, Fault, SandboxKey } from '../sandbox/server';
import { ScriptedUi, refused, TestApi, eventually, resetAll, setting, startSandbox, stopSandbox, testApi, demoModuleFixture } from './helpers';

type Env = 'production' | 'sandbox';
const ENVS: readonly Env[] = ['production', 'sandbox'];
const MODULE = 'acme/module-example';
const SUBMIT = 'eqp.submissions.submit';
const BUILD = 'eqp.submissions.buildPackage';
const INIT = 'eqp.submissions.initSubmissionFile';
const UPLOADS_PATH = '/rest/v1/files/uploads';
const PACKAGES_PATH = '/rest/v1/products/packages';
const SOURCE = 'EQP pre-flight';

const run = async <T = unknown>(id: string, ...args: unknown[]): Promise<T> => vscode.commands.executeCommand<T>(id, ...args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every entry of a zip file with its bytes. */
function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('Submit a package (real VS Code, EQP sandbox server, copies of the demo module outside the workspace)', function () {
  this.timeout(60000);
  let api: TestApi;
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;
  let fixture: string;
  /** Copies of the demo module live here, outside the shared workspace (the Submissions suite maps acme/module-example there). */
  let tmp: string;
  const keys = {} as Record<Env, SandboxKey>;
  const realWithProgress = vscode.window.withProgress;
  const restorers: (() => void)[] = [];
  let copies = 0;

  /** A fresh copy of the demo module at `version` (composer.json patched by `composer`), returned as its absolute path. */
  function copyModule(version = '1.0.3', composer: (c: Record<string, unknown>) => void = () => undefined): string {
    const dir = path.join(tmp, `module-${++copies}`);
    fs.cpSync(fixture, dir, { recursive: true });
    const file = path.join(dir, 'composer.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    json.version = version;
    composer(json);
    fs.writeFileSync(file, `${JSON.stringify(json, null, 4)}\n`);
    return dir;
  }
  const write = (dir: string, rel: string, text: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const editSpec = (dir: string, edit: (s: Record<string, unknown>) => void) => {
    const file = path.join(dir, 'eqp-submission.json');
    const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(spec);
    fs.writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`);
  };

  const uploadRequests = (env: Env = 'sandbox') => sandbox.requestLog(env).filter((e) => e.method === 'POST' && e.path === UPLOADS_PATH);
  const packagePosts = (env: Env = 'sandbox') => sandbox.requestLog(env).filter((e) => e.method === 'POST' && e.path === PACKAGES_PATH);
  const newSubmissions = (env: Env = 'sandbox') => sandbox.submissions(env).filter((s) => s.sku === MODULE && !['1.1.0', '1.0.2', '1.0.1', '1.0.0'].includes(s.version ?? ''));
  /** The pre-flight diagnostics on one file of a package. */
  const diagnostics = (dir: string, rel: string) => vscode.languages.getDiagnostics(vscode.Uri.file(path.join(dir, rel))).filter((d) => d.source === SOURCE);
  const codes = (dir: string, rel: string) => diagnostics(dir, rel).map((d) => String(d.code));
  /** Nothing reached the sandbox's uploads, and no package was posted. */
  const assertNothingSent = (env: Env = 'sandbox') => {
    assert.deepEqual(sandbox.uploads(env), [], 'nothing was stored as an upload');
    assert.equal(uploadRequests(env).length, 0, 'no upload request');
    assert.equal(packagePosts(env).length, 0, 'no package posted');
  };

  /** Runs `fault` on the next call of the upload (or submit) request only: the sandbox's faults hit whichever request comes next. */
  function faultOn(method: 'upload' | 'submit', env: Env, fault: Fault, count = 1): void {
    const service = api.submit.service as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = service[method]!;
    service[method] = (...args: unknown[]) => {
      service[method] = original;
      sandbox.injectFault(env, fault, count);
      return original.apply(api.submit.service, args);
    };
    restorers.push(() => { service[method] = original; });
  }

  /** Progress notifications whose title matches `title` are cancelled after `ms`; the others show as usual. */
  function cancelProgress(title: RegExp, ms: number): string[] & { cancelledAt?: number } {
    const seen: string[] & { cancelledAt?: number } = [];
    (vscode.window as { withProgress: unknown }).withProgress = (opts: vscode.ProgressOptions, task: (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Thenable<unknown>) => {
      seen.push(opts.title ?? '');
      if (!title.test(opts.title ?? '')) return realWithProgress(opts, task);
      assert.equal(opts.cancellable, true, `${opts.title ?? ''} is cancellable`);
      seen.cancelledAt = Date.now() + ms;
      const cts = new vscode.CancellationTokenSource();
      setTimeout(() => cts.cancel(), ms);
      return task({ report: () => undefined }, cts.token);
    };
    restorers.push(() => { (vscode.window as { withProgress: unknown }).withProgress = realWithProgress; });
    return seen;
  }

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
    await resetAll(api, sandbox);
    for (const env of ENVS) {
      keys[env] = sandbox.createKey(env, `API ${env}`);
      await run('eqp.keys.create', { environment: env, name: `API ${env}`, applicationId: keys[env].applicationId, applicationSecret: keys[env].applicationSecret });
    }
    fixture = demoModuleFixture();
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-submit-it-')));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Back to the Explorer, as the other suites leave it: a visible Submissions view would read and poll.
    await vscode.commands.executeCommand('workbench.view.explorer');
    api.setWindowFocused(undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
    await resetAll(api, sandbox);
    for (const env of ENVS) api.submissions.model.reset(env);
    await stopSandbox(sandbox);
  });
  beforeEach(() => {
    sandbox.clearFaults();
    sandbox.resetSubmissions();
    // The scan passes at once unless a test says otherwise (the default is a minute of sandbox clock).
    for (const env of ENVS) sandbox.setUploadScan(env, { durationSeconds: 0 });
    api.setWindowFocused(false);
    for (const env of ENVS) api.submissions.model.reset(env);
    sandbox.clearLog();
  });
  afterEach(async () => {
    ui?.restore();
    ui = undefined;
    while (restorers.length) restorers.pop()!();
    sandbox.clearFaults();
    api.clock.use();
    await setting('submissions.malwareScanTimeoutMinutes', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  describe('scripted submit to the sandbox', () => {
    it('submits the demo module at 1.0.3: a submission in automation, in the Submissions view; the zip leaves out credential files, the PDF goes along', async () => {
      const dir = copyModule();
      write(dir, 'auth.json', '{"http-basic":{"repo.magento.com":{"username":"u","password":"p"}}}');
      write(dir, '.env', 'A=1\n');
      write(dir, '.env.local', 'B=2\n');
      write(dir, 'certs/x.pem', '-----BEGIN PRIVATE KEY-----\n');
      write(dir, 'etc/deep/y.key', 'key\n');
      write(dir, 'etc/deep/auth.json', '{}');
      write(dir, 'view/.env', 'C=3\n');
      await api.submissions.model.ensure('sandbox');
      assert.equal(api.submissions.model.state('sandbox').status, 'loaded');
      ui = new ScriptedUi();

      const r = await run<SubmitResult>(SUBMIT, { environment: 'sandbox', folder: dir });
      assert.equal(r.environment, 'sandbox');
      assert.match(r.submissionId, /\S/);
      assert.equal(r.sku, MODULE);
      assert.equal(r.version, '1.0.3');
      assert.equal(r.code, 200);
      assert.match(r.fileUploadId, /\S/);
      assert.match(r.userGuideUploadId ?? '', /\S/);
      assert.match(JSON.stringify(r.status), /automation/, `status ${JSON.stringify(r.status)}`);
      assert.deepEqual(ui.messages.filter((m) => m.modal), [], 'the sandbox never asks');

      assert.equal(sandbox.submissionId('sandbox', MODULE, '1.0.3'), r.submissionId);
      const row = api.submissions.model.find('sandbox', r.submissionId);
      assert.ok(row, 'the new version is in the Submissions view');
      assert.equal(row.version, '1.0.3');

      const uploads = sandbox.uploads('sandbox');
      assert.equal(uploads.length, 2, 'the zip and the user guide');
      const zip = uploads.find((u) => u.kind === 'package');
      assert.ok(zip, 'a zip was uploaded');
      assert.equal(zip.fileUploadId, r.fileUploadId);
      const entries = zip.entries ?? [];
      for (const must of ['composer.json', 'registration.php', 'etc/module.xml', 'docs/user-guide.pdf', 'eqp-submission.json']) assert.ok(entries.includes(must), `${must} in ${entries.join(', ')}`);
      for (const never of ['auth.json', '.env', '.env.local', 'certs/x.pem', 'etc/deep/y.key', 'etc/deep/auth.json', 'view/.env']) assert.ok(!entries.includes(never), `${never} is not in the zip`);
      assert.ok(!entries.some((e) => /(^|\/)(auth\.json|\.env[^/]*|[^/]*\.pem|[^/]*\.key)$/.test(e)), `no credential file by name: ${entries.join(', ')}`);
      const pdf = uploads.find((u) => u.kind === 'pdf');
      assert.ok(pdf, 'the user guide PDF was uploaded');
      assert.equal(pdf.fileUploadId, r.userGuideUploadId);
      assert.equal(pdf.filename, 'user-guide.pdf');
      // One multipart request, every part named file[].
      const [upload] = uploadRequests();
      const parts = (upload?.body as { multipart: { name: string; content_type?: string }[] }).multipart;
      assert.deepEqual(parts.map((p) => [p.name, p.content_type]), [['file[]', 'application/zip'], ['file[]', 'application/pdf']]);
    });

    it('action "draft" without a user guide saves a draft (a technical submit would need one)', async () => {
      const dir = copyModule();
      editSpec(dir, (s) => delete s.documentation_artifacts);
      const r = await run<SubmitResult>(SUBMIT, { environment: 'sandbox', folder: dir, action: 'draft' });
      assert.deepEqual(r.status, { overall: 'draft', technical: 'draft', marketing: 'draft' });
      assert.equal(r.userGuideUploadId, undefined);
      assert.deepEqual(sandbox.uploads('sandbox').map((u) => u.kind), ['package']);
      assert.equal(sandbox.submissionId('sandbox', MODULE, '1.0.3'), r.submissionId);
    });
  });

  describe('the secret canary', () => {
    it('a built zip holds no application secret and no session token, even with auth.json and .env holding them in the folder', async () => {
      const dir = copyModule();
      const tokens = await Promise.all(ENVS.map(async (env) => (await api.tokens.getToken(env)).token));
      const secrets = [...ENVS.map((env) => keys[env].applicationSecret), ...tokens];
      write(dir, 'auth.json', JSON.stringify({ 'http-basic': { 'repo.magento.com': { username: 'x', password: secrets[0] } } }));
      write(dir, '.env', `EQP_SECRET=${secrets[1]}\nEQP_TOKEN=${tokens[1]}\n`);
      write(dir, 'Helper/.env.production', `EQP_TOKEN=${tokens[0]}\n`);
      const saveTo = path.join(tmp, `canary-${copies}.zip`);
      const r = await run<BuildResult>(BUILD, { folder: dir, saveTo });
      assert.equal(r.savedTo, saveTo);
      assert.equal(r.zipName, 'acme_module-example-1.0.3.zip');
      const entries = await readZip(saveTo);
      assert.deepEqual([...entries.keys()].sort(), [...r.files].sort());
      assert.ok(entries.size >= 8, `${entries.size} entries`);
      for (const [name, bytes] of entries) {
        for (const s of secrets) assert.equal(bytes.indexOf(Buffer.from(s, 'utf8')), -1, `${name} holds a known secret`);
      }
      assert.deepEqual(r.excluded.map((e) => e.path).sort(), ['.env', 'Helper/.env.production', 'auth.json']);
      assertNothingSent();
    });

    it('a package file holding the application secret fails the pre-flight on that file, without the secret in any message; nothing is uploaded', async () => {
      const dir = copyModule();
      const secret = keys.sandbox.applicationSecret;
      write(dir, 'Helper/Config.php', `<?php\n// left in by mistake\nconst EQP = '${secret}';\n`);
      const built = await refused(BUILD, { folder: dir }, /pre-flight found 1 problem/);
      assert.ok(!built.message.includes(secret), 'the build error does not hold the secret');
      const err = await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /Not submitted to Sandbox: the pre-flight found 1 problem.*Helper\/Config\.php:3/);
      assert.ok(!err.message.includes(secret), 'the submit error does not hold the secret');
      const d = diagnostics(dir, 'Helper/Config.php');
      assert.equal(d.length, 1);
      assert.equal(d[0]!.code, 'secret-in-file');
      assert.equal(d[0]!.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(d[0]!.range.start.line, 2);
      assert.equal(d[0]!.range.start.character, 13);
      assert.match(d[0]!.message, /application secret/);
      assert.ok(!d[0]!.message.includes(secret), 'the diagnostic does not hold the secret');
      assert.ok(!JSON.stringify(api.submit.problems.current().map(([, ds]) => ds.map((x) => x.message))).includes(secret));
      assertNothingSent();
      // Fixed: the findings go.
      fs.rmSync(path.join(dir, 'Helper'), { recursive: true });
      await run<BuildResult>(BUILD, { folder: dir });
      assert.deepEqual(diagnostics(dir, 'Helper/Config.php'), []);
    });

    it('a Composer key\'s private key EQP Keys has listed is found too (the Composer Keys view read it)', async () => {
      const composerKey = sandbox.createComposerKey('sandbox', 'shop');
      try {
        api.composer.model.reset('sandbox');
        await api.composer.tree.getChildren();
        await eventually(() => assert.equal(api.composer.model.state('sandbox').status, 'loaded'), 10000);
        assert.deepEqual(api.composer.model.keys('sandbox')?.map((k) => k.label), ['shop']);
        const dir = copyModule();
        write(dir, 'etc/di.xml', `<config><!-- repo.magento.com ${composerKey.userKey}:${composerKey.passwordKey} --></config>\n`);
        const e = await refused(BUILD, { folder: dir }, /etc\/di\.xml:1/);
        assert.ok(!e.message.includes(composerKey.passwordKey));
        assert.deepEqual(codes(dir, 'etc/di.xml'), ['secret-in-file']);
        assert.ok(!diagnostics(dir, 'etc/di.xml')[0]!.message.includes(composerKey.passwordKey));
      } finally {
        sandbox.clearComposerKeys();
        for (const env of ENVS) api.composer.model.reset(env);
      }
    });
  });

  describe('pre-flight errors: nothing is uploaded', () => {
    it('no eqp-submission.json', async () => {
      const dir = copyModule();
      fs.rmSync(path.join(dir, 'eqp-submission.json'));
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /There is no eqp-submission\.json in the package folder.*Create eqp-submission\.json/);
      assert.deepEqual(codes(dir, 'composer.json'), ['submission-file-missing']);
      assertNothingSent();
    });

    it('eqp-submission.json that is not JSON: the diagnostic points at the spot', async () => {
      const dir = copyModule();
      write(dir, 'eqp-submission.json', '{\n  "action": { "technical": "submit" },\n  "sku": "acme/module-example" "license_type": "osl"\n}\n');
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /eqp-submission\.json:3/);
      const d = diagnostics(dir, 'eqp-submission.json');
      assert.equal(d.length, 1, JSON.stringify(d));
      assert.equal(d[0]!.code, 'spec-invalid-json');
      assert.equal(d[0]!.range.start.line, 2);
      assert.equal(d[0]!.range.start.character, 31, `at ${JSON.stringify(d[0]!.range)}`);
      assertNothingSent();
    });

    it('composer.json without version', async () => {
      const dir = copyModule('1.0.3', (c) => delete c.version);
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /composer\.json has no "version"/);
      assert.ok(codes(dir, 'composer.json').includes('composer-missing-version'), codes(dir, 'composer.json').join());
      assertNothingSent();
    });

    it('a module without etc/module.xml', async () => {
      const dir = copyModule();
      fs.rmSync(path.join(dir, 'etc', 'module.xml'));
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /needs etc\/module\.xml/);
      const d = diagnostics(dir, 'composer.json');
      assert.deepEqual(d.map((x) => x.code), ['package-missing-file']);
      assert.equal(d[0]!.range.start.line, 3, 'on "type"');
      assertNothingSent();
    });

    it('"magento/framework": "*"', async () => {
      const dir = copyModule('1.0.3', (c) => { (c.require as Record<string, string>)['magento/framework'] = '*'; });
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /magento\/framework must not use "\*"/);
      const d = diagnostics(dir, 'composer.json').find((x) => x.code === 'composer-magento-wildcard');
      assert.ok(d, codes(dir, 'composer.json').join());
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'composer.json')));
      assert.equal(doc.getText(d.range), '"*"');
      assertNothingSent();
    });

    it('a technical submit without a user guide', async () => {
      const dir = copyModule();
      editSpec(dir, (s) => delete s.documentation_artifacts);
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /give a user guide PDF/);
      assert.deepEqual(codes(dir, 'eqp-submission.json'), ['user-guide-missing']);
      assertNothingSent();
    });

    it('a version already submitted (1.0.1 as shipped): on composer.json\'s version', async () => {
      const dir = copyModule('1.0.1');
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /Version 1\.0\.1 of acme\/module-example was already submitted/);
      const d = diagnostics(dir, 'composer.json');
      assert.deepEqual(d.map((x) => x.code), ['version-already-submitted']);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'composer.json')));
      assert.equal(doc.getText(d[0]!.range), '"1.0.1"');
      assertNothingSent();
    });

    it('a zip over 30 MB is refused before any upload', async function () {
      this.timeout(120000);
      const dir = copyModule();
      write(dir, 'media/blob.bin', crypto.randomBytes(31 * 1024 * 1024));
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /acme_module-example-1\.0\.3\.zip is 3\d\.\d MB; the Marketplace takes at most 30 MB/);
      assert.deepEqual(codes(dir, 'composer.json'), ['zip-too-large']);
      assertNothingSent();
    });
  });

  describe('the malware scan', () => {
    it('fail: an error saying the scan refused the package; no submission', async () => {
      const dir = copyModule();
      sandbox.setUploadScan('sandbox', { result: 'fail' });
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /malware scan refused acme_module-example-1\.0\.3\.zip .*Nothing was submitted/);
      assert.equal(packagePosts().length, 0);
      assert.deepEqual(newSubmissions(), []);
    });

    it('never finishing: the wait ends on the extension clock with the upload id; later, that id is submitted without uploading the zip again', async () => {
      const dir = copyModule();
      await setting('submissions.malwareScanTimeoutMinutes', 1);
      sandbox.setUploadScan('sandbox', { result: 'never' });
      api.clock.use(() => sandbox.clock.now());
      let settled: { error?: Error; value?: unknown } | undefined;
      const started = sandbox.clock.now();
      void run(SUBMIT, { environment: 'sandbox', folder: dir }).then((value) => { settled = { value }; }, (error: Error) => { settled = { error }; });
      for (let i = 0; i < 400 && !settled; i++) {
        await sleep(25);
        if (uploadRequests().length > 0) {
          sandbox.clock.advance(5);
          api.clock.fireDue();
        }
      }
      assert.ok(settled?.error, `the command ended with an error: ${JSON.stringify(settled)}`);
      const zip = sandbox.uploads('sandbox').find((u) => u.kind === 'package');
      assert.ok(zip);
      assert.match(settled.error.message, /The malware scan did not finish within 1 minute: /);
      assert.ok(settled.error.message.includes(zip.fileUploadId), `${settled.error.message} names ${zip.fileUploadId}`);
      assert.match(settled.error.message, /"fileUploadId"/);
      assert.ok(sandbox.clock.now() - started < 5 * 60_000, 'it waited about the minute, not longer');
      assert.equal(packagePosts().length, 0);
      assert.deepEqual(newSubmissions(), []);

      // The scan passes later; submitted with that id, only the PDF is uploaded again.
      sandbox.setUploadScan('sandbox', { result: 'pass' });
      sandbox.setUploadScanResult('sandbox', zip.fileUploadId, 'pass');
      sandbox.clock.advance(60);
      sandbox.clearLog();
      const r = await run<SubmitResult>(SUBMIT, { environment: 'sandbox', folder: dir, fileUploadId: zip.fileUploadId });
      assert.equal(r.fileUploadId, zip.fileUploadId);
      assert.match(JSON.stringify(r.status), /automation/);
      const parts = uploadRequests().map((e) => (e.body as { multipart: { filename?: string }[] }).multipart.map((p) => p.filename));
      assert.deepEqual(parts, [['user-guide.pdf']], 'only the user guide went up again');
      assert.deepEqual(sandbox.uploads('sandbox').filter((u) => u.kind === 'package').length, 1);
      assert.equal(sandbox.submissionId('sandbox', MODULE, '1.0.3'), r.submissionId);
    });

    it('a scan that takes 90 s (spelled queued → passed): waited on with backoff on the extension clock, then submitted', async () => {
      const dir = copyModule();
      sandbox.setUploadScan('sandbox', { durationSeconds: 90, spelling: 'observed' });
      api.clock.use(() => sandbox.clock.now());
      let settled: { error?: Error; value?: SubmitResult } | undefined;
      void run<SubmitResult>(SUBMIT, { environment: 'sandbox', folder: dir }).then((value) => { settled = { value }; }, (error: Error) => { settled = { error }; });
      for (let i = 0; i < 400 && !settled; i++) {
        await sleep(25);
        if (uploadRequests().length > 0) {
          sandbox.clock.advance(1);
          api.clock.fireDue();
        }
      }
      assert.ok(settled?.value, `submitted: ${settled?.error?.message ?? 'not settled'}`);
      assert.match(JSON.stringify(settled.value.status), /automation/);
      // Both files read each round until they pass: 2, 4, 8, 16, 30, 30 s of backoff reach 90 s in 7 rounds, not one read a second.
      const reads = sandbox.requestLog('sandbox').filter((e) => e.method === 'GET' && e.path.startsWith(`${UPLOADS_PATH}/`));
      assert.ok(reads.length >= 4 && reads.length <= 16, `${reads.length} scan reads`);
    });
  });

  describe('faults on the upload', () => {
    it('413: the package is too large for the API; nothing submitted', async () => {
      const dir = copyModule();
      faultOn('upload', 'sandbox', { kind: 'status', status: 413 });
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /The package is larger than the EQP Sandbox API accepts \(HTTP 413/);
      assert.deepEqual(sandbox.uploads('sandbox'), []);
      assert.equal(packagePosts().length, 0);
    });

    it('401 once: a new token is minted once and the upload goes through', async () => {
      const dir = copyModule();
      await api.tokens.getToken('sandbox');
      const minted = sandbox.tokenRequestCount('sandbox');
      faultOn('upload', 'sandbox', { kind: 'status', status: 401 });
      const r = await run<SubmitResult>(SUBMIT, { environment: 'sandbox', folder: dir });
      assert.match(r.submissionId, /\S/);
      assert.equal(sandbox.tokenRequestCount('sandbox') - minted, 1, 'one new token');
      assert.deepEqual(uploadRequests().map((e) => e.status), [401, 200], 'exactly 2 upload requests');
      assert.equal(sandbox.uploads('sandbox').length, 2);
    });

    it('429 with Retry-After: says how long to wait; nothing submitted', async () => {
      const dir = copyModule();
      faultOn('upload', 'sandbox', { kind: 'retry-after', seconds: 120 });
      const e = await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /limiting how often/);
      assert.match(e.message, /Wait 120 s before trying again/);
      assert.deepEqual(sandbox.uploads('sandbox'), []);
      assert.equal(packagePosts().length, 0);
    });

    it('500: trouble on the server side; nothing submitted', async () => {
      const dir = copyModule();
      faultOn('upload', 'sandbox', { kind: 'status', status: 500 });
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /had trouble on its side \(HTTP 500/);
      assert.deepEqual(sandbox.uploads('sandbox'), []);
      assert.equal(packagePosts().length, 0);
    });

    it('a connection reset mid-body: a clear error, no submission from half a file; the retry uploads again and succeeds', async () => {
      const dir = copyModule();
      write(dir, 'media/blob.bin', crypto.randomBytes(2 * 1024 * 1024));
      faultOn('upload', 'sandbox', { kind: 'reset', afterBytes: 256 * 1024 });
      const e = await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /./);
      assert.match(e.message, /The upload to the EQP Sandbox API at .* did not complete \(the connection was reset\); nothing was submitted\..*can simply be retried/);
      assert.deepEqual(sandbox.uploads('sandbox'), [], 'nothing stored');
      assert.equal(packagePosts().length, 0);
      assert.deepEqual(newSubmissions(), []);
      const r = await run<SubmitResult>(SUBMIT, { environment: 'sandbox', folder: dir });
      assert.equal(uploadRequests().length, 2, 'uploaded again');
      assert.equal(sandbox.uploads('sandbox').find((u) => u.kind === 'package')?.fileUploadId, r.fileUploadId);
      assert.equal(sandbox.submissionId('sandbox', MODULE, '1.0.3'), r.submissionId);
    });

    it('a batch answer with the item failed (1208): the error shows code and message', async () => {
      const dir = copyModule();
      faultOn('submit', 'sandbox', { kind: 'status', status: 200, body: [{ code: 1208, message: 'This version of the package already exists.' }] });
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /did not take acme\/module-example 1\.0\.3: code 1208, "This version of the package already exists\."/);
      assert.deepEqual(newSubmissions(), []);
    });

    it('the sandbox\'s own 1210 (the SKU is not the zip\'s): code and message shown, with the upload id to submit again', async () => {
      const dir = copyModule();
      editSpec(dir, (s) => { s.sku = 'acme/module-other'; });
      const e = await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /code 1210/);
      const zip = sandbox.uploads('sandbox').find((u) => u.kind === 'package');
      assert.ok(zip && e.message.includes(zip.fileUploadId), e.message);
      assert.deepEqual(newSubmissions(), []);
    });
  });

  describe('production asks first', () => {
    it('scripted: a modal naming product, version and action; refused, it throws and uploads nothing; confirm:false asks nothing', async () => {
      const dir = copyModule();
      ui = new ScriptedUi();
      ui.answer(undefined);
      await refused(SUBMIT, { environment: 'production', folder: dir }, /not confirmed.*Nothing was uploaded or submitted/);
      const modal = ui.messages.filter((m) => m.modal);
      assert.equal(modal.length, 1);
      assert.match(modal[0]!.message, /Submit for technical review: acme\/module-example 1\.0\.3 to Production\?/);
      assert.match(modal[0]!.detail ?? '', /Product acme\/module-example, version 1\.0\.3/);
      assert.deepEqual(modal[0]!.items, ['Submit to Production']);
      assertNothingSent('production');

      ui.answer('Submit to Production');
      const yes = await run<SubmitResult>(SUBMIT, { environment: 'production', folder: dir, action: 'draft' });
      assert.equal(ui.messages.filter((m) => m.modal).length, 2);
      assert.match(ui.messages.filter((m) => m.modal)[1]!.message, /Save as a draft: acme\/module-example 1\.0\.3 to Production\?/);
      assert.equal(yes.environment, 'production');
      sandbox.resetSubmissions();
      for (const env of ENVS) sandbox.setUploadScan(env, { durationSeconds: 0 });

      const before = ui.messages.length;
      const r = await run<SubmitResult>(SUBMIT, { environment: 'production', folder: dir, confirm: false });
      assert.equal(ui.messages.length, before, 'no modal with confirm:false');
      assert.equal(sandbox.submissionId('production', MODULE, '1.0.3'), r.submissionId);
    });
  });

  describe('interactive (a folder from the Explorer)', () => {
    it('the file list with Upload and Submit, the files and what is left out; upload → submitted to Sandbox, Show in Submissions', async () => {
      const dir = copyModule();
      write(dir, 'auth.json', '{}');
      const progress: { title: string; messages: string[]; cancellable?: boolean }[] = [];
      (vscode.window as { withProgress: unknown }).withProgress = (opts: vscode.ProgressOptions, task: (p: vscode.Progress<{ message?: string }>, t: vscode.CancellationToken) => Thenable<unknown>) => {
        const entry = { title: opts.title ?? '', messages: [] as string[], cancellable: opts.cancellable };
        progress.push(entry);
        return realWithProgress(opts, (p, t) => task({ report: (v) => { if (v.message) entry.messages.push(v.message); p.report(v); } }, t));
      };
      restorers.push(() => { (vscode.window as { withProgress: unknown }).withProgress = realWithProgress; });
      ui = new ScriptedUi();
      ui.pick('Sandbox').pick('Upload and Submit').answer('Show in Submissions');
      const r = await run<SubmitResult>(SUBMIT, vscode.Uri.file(dir));
      assert.ok(r, 'submitted');
      assert.deepEqual(progress.map((p) => p.title), [
        `Checking ${path.basename(dir)} for Sandbox`,
        'Building acme_module-example-1.0.3.zip',
        'Uploading to Sandbox',
        'Waiting for the malware scan (Sandbox)',
        'Submitting acme/module-example 1.0.3 to Sandbox',
      ]);
      assert.ok(progress.every((p) => p.cancellable), 'every step can be cancelled');
      const upload = progress.find((p) => p.title === 'Uploading to Sandbox')!;
      assert.match(upload.messages.at(-1) ?? '', /^100% of \d+(\.\d)? KB$/, upload.messages.join(' | '));
      const list = ui.picks[1];
      assert.ok(list, JSON.stringify(ui.picks));
      assert.match(list.title ?? '', /acme\/module-example 1\.0\.3 to Sandbox/);
      assert.match(list.items[0]!, /Upload and Submit for technical review/);
      for (const f of ['composer.json', 'registration.php', 'etc/module.xml', 'docs/user-guide.pdf']) assert.ok(list.items.includes(f), `${f} listed`);
      const leftOut = list.items.findIndex((i) => /^Left out: 1$/.test(i));
      assert.ok(leftOut > 0, `a Left out section: ${list.items.join(' | ')}`);
      assert.equal(list.items[leftOut + 1], 'auth.json');
      assert.equal(list.descriptions?.[leftOut + 1], 'always left out: may hold credentials');
      await eventually(() => assert.ok(ui!.messages.some((m) => m.level === 'info' && /^Example Module 1\.0\.3 was submitted to Sandbox for technical review: in automation\.$/.test(m.message))));
      const done = ui.messages.find((m) => m.level === 'info')!;
      assert.deepEqual(done.items, ['Show in Submissions']);
      assert.deepEqual(ui.messages.filter((m) => m.level === 'error'), []);
      assert.equal(sandbox.submissionId('sandbox', MODULE, '1.0.3'), r.submissionId);
      // Show in Submissions: the view opens with the new version selected, and the poller follows it (in review).
      await eventually(() => {
        const selected = api.submissions.view.selection[0];
        assert.ok(api.submissions.view.visible, 'the Submissions view is visible');
        assert.ok(selected?.kind === 'submission' && selected.submission.submissionId === r.submissionId, `selected: ${selected?.kind}`);
      }, 10000);
      api.setWindowFocused(true);
      await eventually(() => assert.ok(api.submissions.poller.nextPollInMs !== undefined, 'the new submission in review is followed'));
      api.setWindowFocused(undefined);
      await vscode.commands.executeCommand('workbench.view.explorer');
      await eventually(() => assert.equal(api.submissions.poller.nextPollInMs, undefined, 'not followed once the view is hidden'));
    });

    it('a pre-flight error: an error message with Show Problems, nothing asked or uploaded', async () => {
      const dir = copyModule('1.0.1');
      ui = new ScriptedUi();
      ui.pick('Sandbox');
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      const err = ui.messages.filter((m) => m.level === 'error');
      assert.equal(err.length, 1, JSON.stringify(ui.messages));
      assert.match(err[0]!.message, /Not submitted to Sandbox: the pre-flight found 1 problem .*Nothing was uploaded\. composer\.json:5: Version 1\.0\.1 of acme\/module-example was already submitted/);
      assert.deepEqual(err[0]!.items, ['Show Problems']);
      assert.equal(ui.picks.length, 1, 'no file list');
      assertNothingSent();
    });

    it('no eqp-submission.json: the error offers to create it, and Create opens a new one from composer.json; nothing uploaded', async () => {
      const dir = copyModule();
      fs.rmSync(path.join(dir, 'eqp-submission.json'));
      ui = new ScriptedUi();
      ui.pick('Sandbox').answer('Create eqp-submission.json');
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      const err = ui.messages.filter((m) => m.level === 'error');
      assert.equal(err.length, 1, JSON.stringify(ui.messages));
      assert.match(err[0]!.message, /has no eqp-submission\.json, the file that says what to submit .* Nothing was uploaded\./);
      assert.deepEqual(err[0]!.items, ['Create eqp-submission.json']);
      const specUri = vscode.Uri.file(path.join(dir, 'eqp-submission.json'));
      await eventually(() => assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, specUri.fsPath));
      const created = JSON.parse(vscode.window.activeTextEditor!.document.getText()) as { action?: { technical?: string } };
      assert.equal(created.action?.technical, 'draft');
      assertNothingSent();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('eqp-submission.json is checked by its JSON schema as it is typed: an unknown license is a problem in the editor', async function () {
      const dir = copyModule();
      editSpec(dir, (spec) => { spec.license_type = 'gpl-9'; });
      const uri = vscode.Uri.file(path.join(dir, 'eqp-submission.json'));
      await vscode.window.showTextDocument(uri);
      // The schema comes from contributes.jsonValidation; VS Code's JSON language features check the file.
      await eventually(() => {
        const schema = vscode.languages.getDiagnostics(uri).filter((d) => d.source !== SOURCE);
        const line = vscode.window.activeTextEditor!.document.getText().split('\n').findIndex((l) => l.includes('"license_type"'));
        assert.deepEqual(schema.map((d) => [d.range.start.line, /^Value is not accepted\. Valid values: "afl", "apache"/.test(d.message)]), [[line, true]], JSON.stringify(schema.map((d) => d.message)));
      }, 20000);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('a folder without composer.json: an error naming it', async () => {
      const dir = path.join(tmp, 'not-a-package');
      fs.mkdirSync(dir, { recursive: true });
      ui = new ScriptedUi();
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      const err = ui.messages.filter((m) => m.level === 'error');
      assert.equal(err.length, 1);
      assert.ok(err[0]!.message.includes('not-a-package'), err[0]!.message);
      assert.match(err[0]!.message, /has no composer\.json/);
      assert.deepEqual(ui.picks, []);
      assertNothingSent();
    });
  });

  describe('cancel: nothing is submitted', () => {
    it('the file list dismissed: nothing uploaded', async () => {
      const dir = copyModule();
      ui = new ScriptedUi();
      ui.pick('Sandbox');
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      assert.equal(ui.picks.length, 2, 'the environment, then the file list (Escape)');
      assert.ok(ui.messages.some((m) => /Nothing was uploaded or submitted/.test(m.message)));
      assertNothingSent();
    });

    it('the production modal cancelled: nothing uploaded', async () => {
      const dir = copyModule();
      ui = new ScriptedUi();
      ui.pick('Production').pick('Upload and Submit').answer(undefined);
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      assert.equal(ui.messages.filter((m) => m.modal).length, 1);
      assert.deepEqual(ui.messages.filter((m) => m.level === 'error'), []);
      assertNothingSent('production');
    });

    it('Cancel on the upload\'s progress notification: the upload stops, nothing stored or submitted', async () => {
      const dir = copyModule();
      faultOn('upload', 'sandbox', { kind: 'stall', ms: 3000 });
      const titles = cancelProgress(/^Uploading to Sandbox/, 500);
      ui = new ScriptedUi();
      ui.pick('Sandbox').pick('Upload and Submit');
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      const after = Date.now() - (titles.cancelledAt ?? 0);
      assert.ok(after < 2000, `cancel ended the stalled upload at once (${after} ms after it), not when the sandbox read on`);
      assert.ok(titles.some((x) => /^Uploading to Sandbox/.test(x)), titles.join(' | '));
      assert.ok(ui.messages.some((m) => m.message === 'Submit Package was cancelled. Nothing was submitted.'), JSON.stringify(ui.messages));
      await sleep(3500); // the stalled request's body is read now; the client had gone
      assert.deepEqual(sandbox.uploads('sandbox'), []);
      assert.equal(packagePosts().length, 0);
    });

    it('Cancel while waiting for the malware scan: nothing submitted', async () => {
      const dir = copyModule();
      sandbox.setUploadScan('sandbox', { result: 'never' });
      const titles = cancelProgress(/^Waiting for the malware scan/, 300);
      ui = new ScriptedUi();
      ui.pick('Sandbox').pick('Upload and Submit');
      assert.equal(await run(SUBMIT, vscode.Uri.file(dir)), undefined);
      assert.ok(titles.some((x) => /^Waiting for the malware scan \(Sandbox\)/.test(x)), titles.join(' | '));
      assert.ok(ui.messages.some((m) => m.message === 'Submit Package was cancelled. Nothing was submitted.'), JSON.stringify(ui.messages));
      assert.equal(packagePosts().length, 0);
      assert.deepEqual(newSubmissions(), []);
    });

    it('scripted, a cancel is thrown to the script', async () => {
      const dir = copyModule();
      sandbox.setUploadScan('sandbox', { result: 'never' });
      cancelProgress(/^Waiting for the malware scan/, 300);
      await refused(SUBMIT, { environment: 'sandbox', folder: dir }, /cancelled\. Nothing was submitted/);
      assert.equal(packagePosts().length, 0);
    });
  });

  describe('Create eqp-submission.json', () => {
    it('scripted: created from composer.json and saved', async () => {
      const dir = copyModule();
      fs.rmSync(path.join(dir, 'eqp-submission.json'));
      const r = await run<{ path: string; created: boolean }>(INIT, { folder: dir });
      assert.deepEqual(r, { path: path.join(dir, 'eqp-submission.json'), created: true });
      const spec = JSON.parse(fs.readFileSync(r.path, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(spec.action, { technical: 'draft' });
      assert.equal(spec.license_type, 'osl');
      assert.deepEqual(spec.documentation_artifacts, { user: 'docs/user-guide.pdf' });
      assert.equal(spec.type, 'extension');
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === r.path);
      assert.equal(doc?.isDirty ?? false, false, 'saved');
      // It exists now: opened, not replaced.
      assert.deepEqual(await run(INIT, { folder: dir }), { path: r.path, created: false });
    });

    it('interactive: an unsaved edit in an editor that Undo removes; an existing file is opened', async () => {
      const dir = copyModule();
      const file = path.join(dir, 'eqp-submission.json');
      fs.rmSync(file);
      ui = new ScriptedUi();
      const r = await run<{ path: string; created: boolean }>(INIT, vscode.Uri.file(dir));
      assert.equal(r.created, true);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.fsPath, file);
      assert.equal(editor.document.isDirty, true, 'left unsaved for review');
      const spec = JSON.parse(editor.document.getText()) as { action: unknown; license_type: string; documentation_artifacts: unknown };
      assert.deepEqual(spec.action, { technical: 'draft' });
      assert.equal(spec.license_type, 'osl');
      assert.deepEqual(spec.documentation_artifacts, { user: 'docs/user-guide.pdf' });
      assert.match(ui.messages[0]?.message ?? '', /Created eqp-submission\.json from composer\.json/);
      assert.equal(fs.readFileSync(file, 'utf8'), '', 'nothing written yet but the empty file');
      // One undo takes the whole edit back: the text and the new file.
      await vscode.commands.executeCommand('undo');
      await eventually(() => assert.equal(fs.existsSync(file), false, 'the file is gone'));
      assert.equal(editor.document.getText(), '');

      // An existing file is opened to edit.
      fs.copyFileSync(path.join(fixture, 'eqp-submission.json'), file);
      const again = await run<{ path: string; created: boolean }>(INIT, vscode.Uri.file(dir));
      assert.deepEqual(again, { path: file, created: false });
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
      assert.match(ui.messages.at(-1)?.message ?? '', /exists already: it is open to edit/);
    });
  });

  describe('Build Package Zip (dry run)', () => {
    it('scripted: the files and what is left out; uploads nothing', async () => {
      const dir = copyModule();
      write(dir, 'auth.json', '{}');
      write(dir, '.gitignore', 'build/\n');
      write(dir, 'build/out.txt', 'x');
      write(dir, 'node_modules/x/index.js', 'x');
      const r = await run<BuildResult>(BUILD, { folder: dir });
      assert.equal(r.zipName, 'acme_module-example-1.0.3.zip');
      assert.ok(r.size > 0);
      assert.deepEqual(r.files, ['.gitignore', 'Controller/Index/Index.php', 'Model/Greeting.php', 'RELEASE_NOTES.md', 'composer.json', 'docs/user-guide.pdf', 'eqp-submission.json', 'etc/module.xml', 'registration.php', 'view/frontend/templates/greeting.phtml']);
      assert.deepEqual(r.excluded, [
        { path: 'auth.json', reason: 'secret-name' },
        { path: 'build/', reason: 'gitignore' },
        { path: 'node_modules/', reason: 'node_modules' },
      ]);
      assertNothingSent();
      assertNothingSent('production');
    });

    it('interactive: opens the eqp-package: listing, says nothing was uploaded', async () => {
      const dir = copyModule();
      write(dir, '.env', 'X=1\n');
      ui = new ScriptedUi();
      const r = await run<BuildResult>(BUILD, vscode.Uri.file(dir));
      assert.ok(r);
      const doc = vscode.window.activeTextEditor?.document;
      assert.equal(doc?.uri.scheme, 'eqp-package');
      const text = doc.getText();
      assert.match(text, /^acme\/module-example 1\.0\.3 \(dry run, nothing sent\): acme_module-example-1\.0\.3\.zip/);
      assert.match(text, /In the zip:\n(.|\n)* {2}composer\.json/);
      assert.match(text, /Left out:\n {2}\.env +always left out: may hold credentials/);
      const info = ui.messages.find((m) => m.level === 'info');
      assert.match(info?.message ?? '', /^Built acme_module-example-1\.0\.3\.zip: 9 files, .*Nothing was uploaded\./);
      assert.deepEqual(info?.items, ['Save Zip As…']);
      assertNothingSent();
    });
  });
});
