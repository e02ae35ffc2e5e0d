import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
// Types only: the suite is compiled apart from the bundle, so its classes are not the extension's (no instanceof).
import type { SubmissionNode, SubmissionsTreeNode } from '../../src/submissions/tree';
import type { ReportSummary } from '../../src/submissions/commands/report';
import type { EqpSandbox } from '../sandbox/server';
import { ScriptedUi, refused, TestApi, eventually, resetAll, setting, startSandbox, stopSandbox, testApi, demoModuleFixture } from './helpers';

type Env = 'production' | 'sandbox';
const ENVS: readonly Env[] = ['production', 'sandbox'];
const MODULE = 'acme/module-example';
const THEME = 'acme/theme-frontend-example';
const SOURCE = 'EQP phpcs';

const run = async <T = unknown>(id: string, ...args: unknown[]): Promise<T> => vscode.commands.executeCommand<T>(id, ...args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Markdown report as it reads rendered: the backslash escapes of punctuation removed. */
const plain = (markdown: string): string => markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');

const label = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));
const icon = (item: vscode.TreeItem): string | undefined => (item.iconPath as vscode.ThemeIcon | undefined)?.id;
/** A tooltip as it reads rendered. */
const tooltip = (item: vscode.TreeItem): string => plain(typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''));

interface Row { node: SubmissionsTreeNode; item: vscode.TreeItem }

describe('Submissions (real VS Code, EQP sandbox server, the demo module in the workspace)', function () {
  this.timeout(60000);
  let api: TestApi;
  let sandbox: EqpSandbox;
  let ui: ScriptedUi | undefined;
  let ws: string;
  let moduleDir: string;
  let fixture: string;

  const tree = () => api.submissions.tree;
  const model = () => api.submissions.model;
  const id = (env: Env, sku: string, version: string) => sandbox.submissionId(env, sku, version);
  const moduleFile = (rel: string) => vscode.Uri.file(path.join(moduleDir, rel));
  const MODULE_FILES = ['Controller/Index/Index.php', 'Model/Greeting.php', 'registration.php', 'view/frontend/templates/greeting.phtml', 'etc/module.xml'];
  /** The code sniffer problems EQP Keys put on the demo module's files. */
  const moduleDiagnostics = () => MODULE_FILES.flatMap((rel) => vscode.languages.getDiagnostics(moduleFile(rel)).filter((d) => d.source === SOURCE).map((d) => ({ rel, d })));
  const packageRequests = (env?: Env) => sandbox.requestLog(env).filter((e) => e.path.startsWith('/rest/v1/products/packages'));
  /** The package requests since the log was cleared, as `env METHOD path`, for messages. */
  const requestLines = () => packageRequests().map((e) => `${e.env} ${e.method} ${e.path}${e.fault ? ` (${e.fault})` : ''}`);

  before(async () => {
    api = await testApi();
    sandbox = await startSandbox();
    await resetAll(api, sandbox);
    for (const env of ENVS) {
      const pk = sandbox.createKey(env, `API ${env}`);
      await run('eqp.keys.create', { environment: env, name: `API ${env}`, applicationId: pk.applicationId, applicationSecret: pk.applicationSecret });
    }
    ws = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    fixture = demoModuleFixture();
    moduleDir = path.join(ws, 'demo-module');
    fs.rmSync(moduleDir, { recursive: true, force: true });
    fs.cpSync(fixture, moduleDir, { recursive: true });
  });
  after(async () => {
    api.submissions.problems.clear();
    // Back to the Explorer: a visible Submissions view reads the lists whenever an environment gets an API key, and
    // its poller would follow them on the test clock, mixing requests and timers into the suites that follow.
    await vscode.commands.executeCommand('workbench.view.explorer');
    api.setWindowFocused(undefined);
    fs.rmSync(moduleDir, { recursive: true, force: true });
    await resetAll(api, sandbox);
    for (const env of ENVS) api.submissions.model.reset(env);
    await stopSandbox(sandbox);
  });
  beforeEach(async () => {
    sandbox.clearFaults();
    sandbox.setEligible('sandbox', true);
    sandbox.resetSubmissions();
    // No poll of a test that does not ask for one (a headless window's focus is whatever it is).
    api.setWindowFocused(false);
    for (const env of ENVS) model().reset(env);
    api.submissions.problems.clear();
  });
  afterEach(async () => {
    ui?.restore();
    ui = undefined;
    sandbox.clearFaults();
    sandbox.setEligible('sandbox', true);
    api.setWindowFocused(false);
    api.clock.use();
    await setting('http.timeoutSeconds', undefined);
    await setting('submissions.loadAll', undefined);
    await setting('submissions.notify', undefined);
    fs.copyFileSync(path.join(fixture, 'composer.json'), path.join(moduleDir, 'composer.json'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const rows = (nodes: SubmissionsTreeNode[]): Row[] => nodes.map((node) => ({ node, item: tree().getTreeItem(node) }));

  /** Asks for the view's rows as VS Code does, and waits until every environment's list has settled. */
  async function settle(): Promise<void> {
    tree().getChildren();
    await eventually(() => {
      for (const env of ENVS) {
        const s = model().state(env);
        assert.ok(s.status === 'loaded' || s.status === 'error', `${env} is ${s.status}`);
        assert.equal(s.loadingMore, false);
      }
    }, 15000);
  }

  async function roots(): Promise<Row[]> {
    await settle();
    return rows(tree().getChildren());
  }

  async function envChildren(env: Env): Promise<Row[]> {
    const root = (await roots()).find((r) => r.node.kind === 'submissionsEnvironment' && r.node.environment === env);
    assert.ok(root, `no ${env} row`);
    return rows(tree().getChildren(root.node));
  }

  async function versionRows(env: Env, product: string): Promise<Row[]> {
    const p = (await envChildren(env)).find((r) => r.node.kind === 'submissionProduct' && label(r.item) === product);
    assert.ok(p, `no product row ${product}`);
    return rows(tree().getChildren(p.node));
  }

  async function submissionRow(env: Env, submissionId: string): Promise<{ node: SubmissionNode; item: vscode.TreeItem }> {
    await settle();
    const node = tree().nodeFor(env, submissionId);
    assert.ok(node, `no row for ${submissionId}`);
    return { node, item: tree().getTreeItem(node) };
  }

  /** The tool run rows under a version, once its runs have loaded. */
  async function runRows(env: Env, submissionId: string): Promise<Row[]> {
    const { node } = await submissionRow(env, submissionId);
    tree().getChildren(node);
    await eventually(() => assert.ok(['loaded', 'error'].includes(model().runs(env, submissionId)?.status ?? ''), 'runs not loaded'), 10000);
    return rows(tree().getChildren(node));
  }

  /**
   * The text of a report document (eqp-report: URI). A document already open (the same report opened before) takes
   * the new text a moment after the provider says it changed: `until` waits for it.
   */
  async function docText(uri: string, until?: RegExp): Promise<string> {
    let text = '';
    await eventually(async () => {
      text = (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
      if (until) assert.match(plain(text), until);
    });
    return text;
  }

  /** A GET straight to the sandbox with a session token, as the portal's download would read it. */
  async function direct(env: Env, urlPath: string): Promise<{ status: number; text: string }> {
    const { token } = await api.tokens.getToken(env);
    const r = await fetch(`${sandbox.apiUrl(env)}${urlPath}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: r.status, text: await r.text() };
  }

  describe('the view', () => {
    it('reads nothing until shown; then environments → products → versions, newest first, with status, icon and tooltip', async () => {
      await run('workbench.action.closeSidebar');
      for (const env of ENVS) model().reset(env);
      sandbox.clearLog();
      await sleep(300);
      assert.equal(packageRequests().length, 0, 'nothing read before the view asks');

      const top = await roots();
      assert.deepEqual(top.map((r) => [label(r.item), r.item.description]), [['Production', '7 submissions'], ['Sandbox', '7 submissions']]);
      const products = await envChildren('sandbox');
      assert.deepEqual(products.map((r) => [label(r.item), r.item.description, icon(r.item)]), [
        ['Example Module', `${MODULE} · 4 versions`, 'extensions'],
        ['Example Theme', `${THEME} · 3 versions`, 'symbol-color'],
      ]);
      const modules = await versionRows('sandbox', 'Example Module');
      assert.deepEqual(modules.map((r) => [label(r.item), r.item.description, icon(r.item)]), [
        ['1.1.0', 'draft', 'edit'],
        ['1.0.2', 'in automation', 'loading~spin'],
        ['1.0.1', 'rejected (technical)', 'error'],
        ['1.0.0', 'released', 'pass-filled'],
      ]);
      const themes = await versionRows('sandbox', 'Example Theme');
      assert.deepEqual(themes.map((r) => [label(r.item), r.item.description]), [['2.1.0', 'rejected (marketing)'], ['2.0.1', 'rejected (technical)'], ['2.0.0', 'approved']]);
      const m101 = id('sandbox', MODULE, '1.0.1');
      const tip = tooltip((await submissionRow('sandbox', m101)).item);
      assert.match(tip, /Technical review: rejected/);
      assert.match(tip, /Marketing review: approved/);
      assert.match(tip, /Submitted: \d{4}-\d\d-\d\d \d\d:\d\d/);
      assert.match(tip, new RegExp(`Submission ID: \`${m101}\``));
      const draft = tooltip((await submissionRow('sandbox', id('sandbox', MODULE, '1.1.0'))).item);
      assert.match(draft, /You can: submit technical review, submit marketing review, cancel/);

      const runs = await runRows('sandbox', m101);
      assert.deepEqual(runs.map((r) => [label(r.item), String(r.item.description).split(' · ')[0], icon(r.item)]), [
        ['Copy-paste detector', 'passed', 'pass'],
        ['Code sniffer', 'failed', 'error'],
        ['Install and Varnish', 'failed', 'error'],
        ['Marketing review', 'passed', 'pass'],
      ]);
      // Short names fit a 300 px row; the tooltip says what the tool is, when it ran and what opening it does.
      assert.match(tooltip(runs[1]!.item), /^Code sniffer \(phpcs\): failed on \d{4}-\d\d-\d\d \d\d:\d\d \(run 1\)\. Open its report; its findings go to the Problems panel\.$/);
      assert.equal(runs[1]!.item.command?.command, 'eqp.submissions.openReport');
      const none = await runRows('sandbox', id('sandbox', MODULE, '1.1.0'));
      assert.deepEqual(none.map((r) => [label(r.item), r.item.description]), [['No test reports yet', 'A draft is not tested until it is submitted.']]);

      const lists = sandbox.requestLog().filter((e) => e.path === '/rest/v1/products/packages');
      assert.equal(lists.length, 2, 'one list request per environment');
      for (const l of lists) assert.deepEqual(l.query, { offset: '0', limit: '20', sort: '-created_at' });
    });

    it('20 at a time with Load More, counted from X-Total-Count, until all are shown', async () => {
      sandbox.addSubmissions('production', 45);
      sandbox.clearLog();
      const top = await roots();
      assert.equal(top[0]!.item.description, '20 of 52 submissions');
      let more = (await envChildren('production')).at(-1)!;
      assert.equal(more.node.kind, 'submissionsLoadMore');
      assert.deepEqual([label(more.item), more.item.description], ['Load More…', '20 of 52 shown']);
      const first = await run<{ shown: number; total: number; hasMore: boolean }>(more.item.command!.command, ...(more.item.command!.arguments ?? []));
      assert.deepEqual({ shown: first.shown, total: first.total, hasMore: first.hasMore }, { shown: 40, total: 52, hasMore: true });
      more = (await envChildren('production')).at(-1)!;
      assert.deepEqual([label(more.item), more.item.description], ['Load More…', '40 of 52 shown']);
      await run(more.item.command!.command, ...(more.item.command!.arguments ?? []));
      const all = await envChildren('production');
      assert.ok(!all.some((r) => r.node.kind === 'submissionsLoadMore'), 'no Load More once all are shown');
      assert.equal((await roots())[0]!.item.description, '52 submissions');
      assert.equal(model().items('production').length, 52);
      // Grouped by product on the client: the seeded products first, each bulk product once.
      assert.deepEqual(all.slice(0, 2).map((r) => label(r.item)), ['Example Module', 'Example Theme']);
      assert.equal(all.length, 2 + 45);
      const offsets = sandbox.requestLog('production').filter((e) => e.path === '/rest/v1/products/packages').map((e) => [e.query.offset, e.query.limit]);
      assert.deepEqual(offsets, [['0', '20'], ['20', '20'], ['40', '20']]);
    });

    it('eqp.submissions.loadAll reads every submission in one request', async () => {
      await setting('submissions.loadAll', true);
      sandbox.addSubmissions('production', 45);
      sandbox.clearLog();
      const top = await roots();
      assert.equal(top[0]!.item.description, '52 submissions');
      assert.ok(!(await envChildren('production')).some((r) => r.node.kind === 'submissionsLoadMore'));
      const lists = sandbox.requestLog('production').filter((e) => e.path === '/rest/v1/products/packages');
      assert.deepEqual(lists.map((e) => e.query.limit), ['-1']);
    });

    it('empty: an environment without submissions says what goes there; none anywhere sets eqp.submissions.empty (welcome)', async () => {
      const contexts: unknown[][] = [];
      const commands = vscode.commands as unknown as Record<string, unknown>;
      const original = vscode.commands.executeCommand;
      commands.executeCommand = (cmd: string, ...args: unknown[]) => {
        if (cmd === 'setContext' && args[0] === 'eqp.submissions.empty') contexts.push(args);
        return original.call(vscode.commands, cmd, ...args);
      };
      try {
        await roots();
        for (const s of sandbox.submissions('sandbox')) sandbox.removeSubmission('sandbox', s.id);
        model().reset('sandbox');
        const top = await roots();
        assert.deepEqual(top.map((r) => [label(r.item), r.item.description]), [['Production', '7 submissions'], ['Sandbox', '0 submissions']]);
        const empty = await envChildren('sandbox');
        assert.deepEqual(empty.map((r) => [label(r.item), icon(r.item)]), [['No submissions yet', 'info']]);
        assert.match(String(empty[0]!.item.description), /Packages submitted to this environment appear here/);
        for (const s of sandbox.submissions('production')) sandbox.removeSubmission('production', s.id);
        model().reset('production');
        await settle();
        assert.deepEqual(tree().getChildren(), [], 'no rows: the welcome content shows');
        assert.deepEqual(contexts.at(-1), ['eqp.submissions.empty', true]);
        sandbox.resetSubmissions();
        await run('eqp.submissions.refresh');
        assert.equal((await roots()).length, 2);
        assert.deepEqual(contexts.at(-1), ['eqp.submissions.empty', false]);
      } finally {
        commands.executeCommand = original;
      }
    });

    it('a failed list shows an error row with Retry; Retry shows the submissions', async () => {
      await api.tokens.getToken('sandbox');
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 1);
      const top = await roots();
      assert.deepEqual([label(top[1]!.item), top[1]!.item.description, icon(top[1]!.item)], ['Sandbox', 'could not load', 'warning']);
      const failed = await envChildren('sandbox');
      assert.equal(failed.length, 1);
      assert.equal(label(failed[0]!.item), 'Could not load the submissions: Retry');
      assert.match(String(failed[0]!.item.description), /had trouble on its side \(HTTP 500/);
      assert.equal(icon(failed[0]!.item), 'error');
      assert.equal(failed[0]!.item.command?.command, 'eqp.submissions.refresh');
      await run(failed[0]!.item.command!.command, ...(failed[0]!.item.command!.arguments ?? []));
      assert.deepEqual((await envChildren('sandbox')).map((r) => label(r.item)), ['Example Module', 'Example Theme']);
      assert.equal((await roots())[1]!.item.description, '7 submissions');
    });
  });

  describe('commands', () => {
    it('refresh: the title bar reads every environment again; {environment, submissionId} one submission and its runs', async () => {
      await roots();
      const m102 = id('production', MODULE, '1.0.2');
      sandbox.advanceSubmission('production', m102, { technical: 'awaiting_manual_qa' });
      assert.equal((await submissionRow('production', m102)).item.description, 'in automation', 'not read again yet');
      sandbox.clearLog();
      const one = await run<{ removed: boolean }>('eqp.submissions.refresh', { environment: 'production', submissionId: m102 });
      assert.deepEqual(one, { environment: 'production', submissionId: m102, removed: false });
      const row = await submissionRow('production', m102);
      assert.deepEqual([row.item.description, icon(row.item)], ['awaiting manual QA', 'eye']);
      assert.deepEqual(packageRequests().map((e) => e.path), [`/rest/v1/products/packages/${m102}`, `/rest/v1/products/packages/${m102}/status`]);
      sandbox.addSubmissions('sandbox', 1);
      sandbox.clearLog();
      const all = await run<{ environment: string; shown: number }[]>('eqp.submissions.refresh');
      assert.deepEqual(all.map((s) => [s.environment, s.shown]), [['production', 7], ['sandbox', 8]]);
      assert.equal(packageRequests().filter((e) => e.path === '/rest/v1/products/packages').length, 2);
      assert.equal((await roots())[1]!.item.description, '8 submissions');
    });

    it('openReport on the phpcs run row: findings on the module\'s files in Problems; the unmatched one listed in the report', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      const phpcs = (await runRows('sandbox', m101)).find((r) => label(r.item) === 'Code sniffer')!;
      ui = new ScriptedUi();
      const result = await run<ReportSummary>(phpcs.item.command!.command, ...(phpcs.item.command!.arguments ?? []));
      assert.equal(ui.messages.filter((m) => m.level === 'error').length, 0, JSON.stringify(ui.messages));
      assert.equal(result.tool, 'phpcs');
      assert.deepEqual(result.problems, { findings: 22, diagnostics: 10, files: result.problems!.files, unmatched: 2, versionNote: undefined });
      assert.deepEqual(result.problems!.files.map((f) => path.relative(moduleDir, f)).sort(), ['Controller/Index/Index.php', 'Model/Greeting.php', 'view/frontend/templates/greeting.phtml']);
      // The report is in front, rendered (the Markdown preview's tab).
      await eventually(() => assert.match(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '', /^Preview phpcs 1\.0\.1 run 1\.md$/));

      const greeting = vscode.languages.getDiagnostics(moduleFile('Model/Greeting.php')).filter((d) => d.source === SOURCE);
      assert.equal(greeting.length, 4);
      const superglobal = greeting.find((d) => d.code === 'Magento2.Security.Superglobal.SuperglobalUsageError');
      assert.ok(superglobal, 'the $_GET finding');
      assert.deepEqual([superglobal.range.start.line, superglobal.range.start.character], [30, 26]);
      assert.equal(superglobal.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(superglobal.message, 'Direct use of $_GET Superglobal detected.');
      // The code the finding points at really is there.
      const line = (await vscode.workspace.openTextDocument(moduleFile('Model/Greeting.php'))).lineAt(30).text;
      assert.equal(line.slice(26, 31), '$_GET');
      const warnings = greeting.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning);
      assert.equal(warnings.length, 3);
      assert.equal(moduleDiagnostics().length, 10);
      assert.deepEqual(api.submissions.problems.current().map((s) => [s.packageName, s.submissionId, s.diagnostics]), [[MODULE, m101, 10]]);

      const text = plain(await docText(result.document, /10 problems in 3 files/));
      assert.match(text, /^# Code sniffer \(phpcs\): Example Module 1\.0\.1/);
      assert.match(text, /10 problems in 3 files of the workspace/);
      assert.match(text, /## Not found in the workspace \(1\)/);
      assert.match(text, /### \/eqp-automation\/temp\/acme\/module-example\/acme-module-example-1\.0\.1\/Test\/Unit\/GreetingTest\.php/);
      assert.match(text, /- Line 24, column 41 · warning · `Squiz\.WhiteSpace\.SuperfluousWhitespace\.EndLine`: Whitespace found at end of line \(PHP 8\.2\.20, 8\.3\.8\)/);
      assert.doesNotMatch(text, /lines may have moved/);
    });

    it('a workspace composer.json of another version: the report says the lines may have moved', async () => {
      const file = path.join(moduleDir, 'composer.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"version": "1.0.1"', '"version": "1.0.3"'));
      const m101 = id('sandbox', MODULE, '1.0.1');
      const result = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m101, tool: 'phpcs' });
      assert.match(result.problems?.versionNote ?? '', /version 1\.0\.1 and the workspace's composer\.json says 1\.0\.3/);
      await docText(result.document, /> The report is for version 1\.0\.1 and the workspace's composer\.json says 1\.0\.3: the files may have changed since, so lines may have moved\./);
      assert.equal(moduleDiagnostics().length, 10, 'still placed');
    });

    it('another version\'s phpcs report replaces the package\'s findings; clearProblems clears them', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      const m100 = id('sandbox', MODULE, '1.0.0');
      await run('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m101, tool: 'phpcs', show: false });
      assert.equal(moduleDiagnostics().length, 10);
      sandbox.setPhpcsFindings('sandbox', m100, 3, ['8.3.8']);
      const result = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m100, tool: 'phpcs' });
      assert.equal(result.problems?.diagnostics, 3);
      const now = moduleDiagnostics();
      assert.deepEqual(now.map(({ rel, d }) => [rel, d.range.start.line, d.range.start.character]).sort(), [
        ['Controller/Index/Index.php', 0, 0], ['Model/Greeting.php', 0, 0], ['registration.php', 0, 0],
      ], 'only 1.0.0\'s findings: 1.0.1\'s are gone');
      assert.deepEqual(api.submissions.problems.current().map((s) => [s.packageName, s.submissionId, s.version]), [[MODULE, m100, '1.0.0']]);
      assert.match(result.problems?.versionNote ?? '', /version 1\.0\.0 and the workspace's composer\.json says 1\.0\.1/);

      assert.deepEqual(await run('eqp.submissions.clearProblems', { packageName: 'acme/other' }), { cleared: 0 });
      assert.equal(moduleDiagnostics().length, 3, 'another package: nothing cleared');
      assert.deepEqual(await run('eqp.submissions.clearProblems', {}), { cleared: 1 });
      assert.equal(moduleDiagnostics().length, 0);
      assert.deepEqual(api.submissions.problems.current(), []);
    });

    it('openReport varnish: the failing combination, its failing command and output', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      const result = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m101, tool: 'varnish' });
      assert.equal(result.status, 'fail');
      assert.equal(result.problems, undefined, 'no Problems for an install test');
      const text = await docText(result.document, /EE · PHP 8\.3\.8: failed/);
      const readable = plain(text);
      assert.match(readable, /\| 2\.4\.6-p8 \| CE \| 8\.2\.20 \| passed \|/);
      assert.match(readable, /\| 2\.4\.7-p3 \| CE \| 8\.3\.8 \| passed \|/);
      assert.match(readable, /\| 2\.4\.7-p3 \| EE \| 8\.3\.8 \| failed \|/);
      assert.match(readable, /## Magento 2\.4\.7-p3 EE · PHP 8\.3\.8: failed/);
      assert.equal((readable.match(/^## Magento /gm) ?? []).length, 1, 'only the failing combination has a section');
      assert.match(text, /Failing command:\n\n```sh\nphp bin\/magento setup:di:compile\n```/);
      assert.match(text, /Class "Magento\\Framework\\Controller\\Result\\RawFactory" does not exist/);
    });

    it('openReport marketing and manual_qa: reasons, message, and the attachment as an https link', async () => {
      const t210 = id('sandbox', THEME, '2.1.0');
      const marketing = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: t210, tool: 'marketing' });
      const m = plain(await docText(marketing.document, /Gallery Images/));
      assert.match(m, /## Reasons\n\n- Long Description: Your theme long description contains several spelling and grammar errors\./);
      assert.match(m, /- Gallery Images: Gallery images must show the theme on a storefront, not a mock-up\./);
      assert.match(m, /## Message\n\nPlease correct the spelling issues and replace the gallery images\./);
      assert.match(m, /\[Open the attachment on mp-static\.marketplace\.example\.com\]\(<https:\/\/mp-static\.marketplace\.example\.com\/user\/attachments\/acme\/marketing\/theme-frontend-example-2\.1\.0\/spelling\.zip>\)/);
      const t201 = id('sandbox', THEME, '2.0.1');
      const qa = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: t201, tool: 'manual_qa' });
      const q = plain(await docText(qa.document, /^# Manual QA: Example Theme 2\.0\.1/));
      assert.match(q, /^# Manual QA: Example Theme 2\.0\.1/);
      assert.match(q, /- Tech: The mini cart cannot be closed on Magento 2\.4\.7 EE\./);
      assert.match(q, /The shipping step of the checkout overflows the screen below 768 px/);
      assert.match(q, /\(<https:\/\/mp-static\.marketplace\.example\.com\/user\/attachments\/acme\/qa\/theme-frontend-example-2\.0\.1\/checkout-mobile\.zip>\)/);
    });

    it('openReportJson: exactly the bytes the server sent, from a script and from the report document', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      // A report of a run of its own, with text that JSON re-encoding would change (key order, escapes, numbers).
      sandbox.setToolRuns('sandbox', m101, [
        { tool_run_id: '1', name: 'phpcs', status: 'fail', date: '2026-01-10 10:00:00' },
        { tool_run_id: '77', name: 'phpcs', status: 'fail', date: '2026-02-10 10:00:00' },
        { tool_run_id: '1', name: 'varnish', status: 'fail', date: '2026-01-10 10:09:00' },
      ]);
      sandbox.setToolReport('sandbox', m101, 'phpcs', '77', { zeta: 1, tool: 'phpcs', status: 'FAIL', note: 'é \u2028 </script>', big: 1e21, reports: [] });
      const expected = await direct('sandbox', `/rest/v1/products/packages/${m101}/status/phpcs/77`);
      assert.equal(expected.status, 200);
      const scripted = await run<ReportSummary>('eqp.submissions.openReportJson', { environment: 'sandbox', submissionId: m101, tool: 'phpcs', toolRunId: '77' });
      assert.equal(scripted.toolRunId, '77');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), scripted.document);
      await eventually(async () => assert.equal(await docText(scripted.document), expected.text));

      const varnish = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m101, tool: 'varnish' });
      // The report opens rendered (the Markdown preview, whose tab carries no URI): the active tab is its preview.
      await eventually(() => assert.match(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '', /^Preview varnish 1\.0\.1 run 1\.md$/));
      assert.match(varnish.document, /^eqp-report:\/varnish%201\.0\.1%20run%201\.md\?/);
      const fromDocument = await run<ReportSummary>('eqp.submissions.openReportJson');
      assert.equal(fromDocument.tool, 'varnish');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), fromDocument.document);
      const varnishBytes = (await direct('sandbox', `/rest/v1/products/packages/${m101}/status/varnish/1`)).text;
      await eventually(async () => assert.equal(await docText(fromDocument.document), varnishBytes));
    });

    it('showProblems {environment, submissionId} uses the latest phpcs run; from a row it says what it did', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      sandbox.setToolRuns('sandbox', m101, [
        { tool_run_id: '1', name: 'phpcs', status: 'fail', date: '2026-01-10 10:00:00' },
        { tool_run_id: '7', name: 'phpcs', status: 'fail', date: '2026-03-10 10:00:00' },
        { tool_run_id: '3', name: 'phpcs', status: 'fail', date: '2026-02-10 10:00:00' },
      ]);
      const temp = '/eqp-automation/temp/acme/module-example/acme-module-example-1.0.1';
      sandbox.setToolReport('sandbox', m101, 'phpcs', '7', {
        tool: 'phpcs', status: 'FAIL',
        reports: [{
          tool: 'phpcs', vendor: 'acme', extension: 'module-example', version: '1.0.1', php_version: '8.3.8', status: 'FAIL', date: '2026-03-10 10:00:00',
          details: {
            totals: { errors: 1, warnings: 0, fixable: 0 },
            files: { [`${temp}/Model/Greeting.php`]: { errors: 1, warnings: 0, messages: [{ message: 'The newest run.', source: 'Magento2.Test.Newest', severity: 10, type: 'ERROR', line: 5, column: 1, fixable: false }] } },
          },
        }],
      });
      sandbox.clearLog();
      const result = await run<{ toolRunId: string; diagnostics: number; findings: number }>('eqp.submissions.showProblems', { environment: 'sandbox', submissionId: m101 });
      assert.equal(result.toolRunId, '7');
      assert.equal(result.diagnostics, 1);
      assert.ok(packageRequests('sandbox').some((e) => e.path === `/rest/v1/products/packages/${m101}/status/phpcs/7`));
      const d = moduleDiagnostics();
      assert.deepEqual(d.map(({ rel, d: x }) => [rel, x.range.start.line, x.code, x.message]), [['Model/Greeting.php', 4, 'Magento2.Test.Newest', 'The newest run.']]);

      // From the version row (a person): the seeded 1.0.1 run, and a message saying what went where.
      sandbox.resetSubmissions();
      model().reset('sandbox');
      const row = await submissionRow('sandbox', id('sandbox', MODULE, '1.0.1'));
      ui = new ScriptedUi();
      await run('eqp.submissions.showProblems', row.node);
      const info = ui.messages.find((m) => m.level === 'info');
      assert.match(info?.message ?? '', /^10 code sniffer findings of Example Module 1\.0\.1 in the Problems panel; 1 matches no workspace file\./);
      assert.deepEqual(info?.items, ['Open Report']);
      assert.equal(moduleDiagnostics().length, 10);
    });

    it('copySubmissionId puts the id on the clipboard, from a script and from the row', async () => {
      const m102 = id('production', MODULE, '1.0.2');
      await vscode.env.clipboard.writeText('before');
      assert.equal(await run('eqp.submissions.copySubmissionId', { environment: 'production', submissionId: m102 }), m102);
      assert.equal(await vscode.env.clipboard.readText(), m102);
      const t200 = id('sandbox', THEME, '2.0.0');
      await run('eqp.submissions.copySubmissionId', (await submissionRow('sandbox', t200)).node);
      assert.equal(await vscode.env.clipboard.readText(), t200);
    });

    it('openInPortal opens the portal\'s list of the seller\'s extensions', async () => {
      ui = new ScriptedUi();
      const url = await run<string>('eqp.submissions.openInPortal', { environment: 'sandbox' });
      assert.equal(url, `${sandbox.portalUrl('sandbox')}/extensions`);
      assert.deepEqual(ui.opened, [vscode.Uri.parse(url).toString(true)]);
      const products = await envChildren('production');
      await run('eqp.submissions.openInPortal', products[0]!.node);
      assert.equal(ui.opened[1], vscode.Uri.parse(`${sandbox.portalUrl('production')}/extensions`).toString(true));
    });
  });

  describe('faults and odd answers', () => {
    it('401 once: a new session token, one retry, the list shows', async () => {
      await api.tokens.getToken('sandbox');
      const mints = sandbox.tokenRequestCount('sandbox');
      sandbox.injectFault('sandbox', { kind: 'status', status: 401 }, 1);
      const top = await roots();
      assert.equal(top[1]!.item.description, '7 submissions');
      assert.equal(sandbox.tokenRequestCount('sandbox') - mints, 1, 'one new token');
    });

    it('401 again with the new token: says the API refuses this key\'s tokens for submissions', async () => {
      await api.tokens.getToken('sandbox');
      const mints = sandbox.tokenRequestCount('sandbox');
      // The faults apply to requests in order: the list gets 401, the new token goes through, the retry gets 401.
      sandbox.injectFault('sandbox', { kind: 'status', status: 401 }, 1);
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1 }, 1);
      sandbox.injectFault('sandbox', { kind: 'status', status: 401 }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /also with a session token minted a moment ago: the Sandbox API refuses this API access key's tokens for submissions\..*verify it in the API Keys view/);
      assert.equal(sandbox.tokenRequestCount('sandbox') - mints, 1, 're-minted once, not more');
      const failed = await envChildren('sandbox');
      assert.match(String(failed[0]!.item.description), /refuses this API access key's tokens/);
    });

    it('403 (the account is not eligible for the Sandbox): says so', async () => {
      sandbox.setEligible('sandbox', false);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /may not be eligible for the Sandbox/);
      const failed = await envChildren('sandbox');
      assert.equal(label(failed[0]!.item), 'Could not load the submissions: Retry');
      assert.match(String(failed[0]!.item.description), /not eligible/);
      assert.equal((await roots())[0]!.item.description, '7 submissions', 'Production is not affected');
    });

    it('404 (a submission removed): the row goes, with a warning; a script is told removed: true', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      const row = await submissionRow('sandbox', m101);
      sandbox.removeSubmission('sandbox', m101);
      ui = new ScriptedUi();
      await run('eqp.submissions.refresh', row.node);
      assert.match(ui.messages.find((m) => m.level === 'warning')?.message ?? '', new RegExp(`has no submission ${m101} \\(it may have been removed or cancelled\\)`));
      assert.equal(tree().nodeFor('sandbox', m101), undefined);
      assert.deepEqual((await versionRows('sandbox', 'Example Module')).map((r) => label(r.item)), ['1.1.0', '1.0.2', '1.0.0']);
      assert.equal((await roots())[1]!.item.description, '6 submissions');
      const m100 = id('sandbox', MODULE, '1.0.0');
      sandbox.removeSubmission('sandbox', m100);
      assert.deepEqual(await run('eqp.submissions.refresh', { environment: 'sandbox', submissionId: m100 }), { environment: 'sandbox', submissionId: m100, removed: true });
      assert.equal(ui.messages.filter((m) => m.level === 'warning').length, 1, 'no message to a script');
      await refused('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m100, tool: 'phpcs' }, /has no submission/);
    });

    it('429 with Retry-After, 500, a timeout, malformed and truncated JSON: a clear message each, as the error row and to a script', async () => {
      await roots();
      await api.tokens.getToken('sandbox');
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 42 }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /limiting how often.*Wait 42 s/);
      assert.match(String((await envChildren('sandbox'))[0]!.item.description), /Wait 42 s/);
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /had trouble on its side \(HTTP 500/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '<html>proxy</html>', contentType: 'text/html' }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /not a valid .*the body is not JSON/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '[{"submission_id": "abc", "sku": ' }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /not a valid .*the body is not JSON/);
      sandbox.injectFault('sandbox', { kind: 'truncated' }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /cut off before its end|connection was (reset|closed)/);
      await setting('http.timeoutSeconds', 0.3);
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 }, 1);
      await refused('eqp.submissions.refresh', { environment: 'sandbox' }, /did not answer within 0\.3 s/);
      // A report read fails the same way, and opens no document.
      await setting('http.timeoutSeconds', undefined);
      sandbox.clearFaults();
      await run('eqp.submissions.refresh', { environment: 'sandbox' });
      const m101 = id('sandbox', MODULE, '1.0.1');
      await runRows('sandbox', m101);
      const before = vscode.window.visibleTextEditors.length;
      await api.tokens.getToken('sandbox');
      // The runs are read again first (passes), then the report (500).
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1 }, 1);
      sandbox.injectFault('sandbox', { kind: 'status', status: 500 }, 1);
      await refused('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m101, tool: 'phpcs' }, /had trouble on its side \(HTTP 500/);
      assert.equal(vscode.window.visibleTextEditors.length, before);
    });

    it('a page whose X-Total-Count disagrees with what came back: shows what came, and a row says some may be missing', async () => {
      const page = JSON.parse((await direct('production', '/rest/v1/products/packages?offset=0&limit=3&sort=-created_at')).text) as unknown[];
      assert.equal(page.length, 3);
      await api.tokens.getToken('production');
      sandbox.injectFault('production', { kind: 'status', status: 200, body: page, headers: { 'X-Total-Count': '50' } }, 1);
      const top = await roots();
      assert.equal(top[0]!.item.description, '3 of 50 submissions');
      const children = await envChildren('production');
      const mismatch = children.find((r) => label(r.item) === 'Some submissions may be missing');
      assert.ok(mismatch, children.map((r) => label(r.item)).join(', '));
      assert.equal(mismatch.item.description, 'The server counted 50 submissions but sent 3: those are shown.');
      assert.equal(icon(mismatch.item), 'warning');
      assert.ok(!children.some((r) => r.node.kind === 'submissionsLoadMore'), 'a short page is the last: no endless Load More');
    });

    it('a report whose paths match no workspace folder: nothing placed, every finding listed in the report', async () => {
      const t210 = id('sandbox', THEME, '2.1.0');
      sandbox.setPhpcsFindings('sandbox', t210, 4);
      const result = await run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: t210, tool: 'phpcs' });
      assert.deepEqual([result.problems?.findings, result.problems?.diagnostics, result.problems?.unmatched], [8, 0, 8]);
      assert.equal(moduleDiagnostics().length, 0);
      const text = plain(await docText(result.document, /Not found in the workspace \(4\)/));
      assert.match(text, /None of the findings could be placed on a workspace file\./);
      assert.match(text, /No workspace folder has a composer\.json named acme\/theme-frontend-example\./);
      assert.match(text, /## Not found in the workspace \(4\)/);
      for (const rel of ['Controller/Index/Index.php', 'Model/Greeting.php', 'registration.php', 'view/frontend/templates/greeting.phtml']) {
        assert.ok(text.includes(`### /eqp-automation/temp/acme/theme-frontend-example/acme-theme-frontend-example-2.1.0/${rel}`), rel);
      }
    });

    it('a report of 10,000 findings: diagnostics set (as many as distinct findings) while the tree keeps answering', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      const runId = sandbox.setPhpcsFindings('sandbox', m101, 10000, ['8.3.8']);
      const raw = JSON.parse((await direct('sandbox', `/rest/v1/products/packages/${m101}/status/phpcs/${runId}`)).text) as { reports: { details: { files: Record<string, { messages: { line: number; column: number; source: string; message: string }[] }> } }[] };
      const distinct = new Set<string>();
      let findings = 0;
      for (const [file, f] of Object.entries(raw.reports[0]!.details.files)) {
        for (const m of f.messages) { findings++; distinct.add(JSON.stringify([file, m.line, m.column, m.source, m.message])); }
      }
      assert.equal(findings, 10000);
      await roots();
      let done = false;
      const pending = run<ReportSummary>('eqp.submissions.openReport', { environment: 'sandbox', submissionId: m101, tool: 'phpcs', show: false });
      void pending.then(() => { done = true; }, () => { done = true; });
      let answered = 0;
      let last = Date.now();
      let longest = 0;
      while (!done) {
        await sleep(10);
        longest = Math.max(longest, Date.now() - last);
        last = Date.now();
        if (tree().getChildren().length === 2) answered++;
      }
      const result = await pending;
      assert.ok(answered > 0, 'the tree answered while the report loaded');
      assert.ok(longest < 3000, `the extension host was blocked for ${longest} ms`);
      assert.equal(result.problems?.findings, 10000);
      assert.equal(result.problems?.diagnostics, distinct.size);
      assert.equal(moduleDiagnostics().length, distinct.size);
    });

    it('unknown tool names and statuses: shown as they came; the unknown tool\'s report shows its JSON', async () => {
      const m101 = id('sandbox', MODULE, '1.0.1');
      sandbox.patchSubmission('sandbox', m101, { eqp_status: { overall: 'pondering', technical: 'frobnicating', marketing: 'approved' }, surprise: { nested: [1, 2] } });
      sandbox.setToolRuns('sandbox', m101, [
        { tool_run_id: '1', name: 'phpcs', status: 'fail', date: '2026-01-10 10:00:00' },
        { tool_run_id: '9', name: 'sonar_scan', status: 'weird', date: '2026-01-11 10:00:00' },
      ]);
      sandbox.setToolReport('sandbox', m101, 'sonar_scan', '9', { tool: 'sonar_scan', status: 'WEIRD', reports: { score: 42, notes: ['unusual'] } });
      const row = await submissionRow('sandbox', m101);
      assert.equal(row.item.description, 'pondering');
      assert.equal(icon(row.item), 'question');
      assert.match(tooltip(row.item), /Technical review: frobnicating/);
      assert.match(tooltip(row.item), /Overall: pondering/);
      const runs = await runRows('sandbox', m101);
      const sonar = runs.find((r) => label(r.item) === 'sonar scan');
      assert.ok(sonar, runs.map((r) => label(r.item)).join(', '));
      assert.equal(sonar.item.description, 'weird');
      assert.match(tooltip(sonar.item), /^sonar scan: weird on \d{4}-\d\d-\d\d/);
      assert.equal(icon(sonar.item), 'question');
      const result = await run<ReportSummary>(sonar.item.command!.command, ...(sonar.item.command!.arguments ?? []));
      assert.equal(result.tool, 'sonar_scan');
      const text = await docText(result.document, /^# sonar scan/);
      assert.match(plain(text), /^# sonar scan: Example Module 1\.0\.1/);
      assert.match(plain(text), /- Result: weird/);
      assert.match(text, /```json\n\{\n {2}"score": 42,\n {2}"notes": \[\n {4}"unusual"\n {2}\]\n\}\n```/);
    });
  });

  describe('following submissions in review', () => {
    /** The first wait of the backoff (time passes between planning and asking). */
    const aboutAMinute = (ms: number | undefined) => ms !== undefined && ms > 50_000 && ms <= 60_000;

    async function showView(): Promise<void> {
      await run('eqp.submissions.focus');
      await settle();
    }

    it('focused window, view visible: the poll finds the change, updates the row and says so with Show', async () => {
      api.clock.use(() => sandbox.clock.now());
      await showView();
      api.setWindowFocused(true);
      await eventually(() => assert.ok(api.submissions.poller.nextPollInMs !== undefined, 'a poll is planned'));
      assert.ok(api.submissions.poller.nextPollInMs! <= 60_000, `first poll in ${api.submissions.poller.nextPollInMs} ms`);
      const m102 = id('production', MODULE, '1.0.2');
      const polls = api.submissions.poller.polls;
      ui = new ScriptedUi().answer('Show');
      sandbox.clearLog();
      sandbox.clock.advance(10 * 60);
      api.clock.fireDue();
      await eventually(() => assert.ok(ui!.messages.some((m) => m.level === 'info'), 'a notification'), 10000);
      assert.equal(api.submissions.poller.polls, polls + 1);
      // Both environments have 1.0.2 in review: each notification says which one changed.
      await eventually(() => assert.equal(ui!.messages.filter((m) => m.level === 'info').length, 2));
      assert.deepEqual(ui.messages.filter((m) => m.level === 'info').map((m) => [m.message, m.items]).sort(), [
        ['Example Module 1.0.2 (Production): technical review is now awaiting manual QA (was in automation).', ['Show']],
        ['Example Module 1.0.2 (Sandbox): technical review is now awaiting manual QA (was in automation).', ['Show']],
      ]);
      await eventually(async () => {
        const row = await submissionRow('production', m102);
        assert.deepEqual([row.item.description, icon(row.item)], ['awaiting manual QA', 'eye']);
      });
      // Show (answered on the first notification only) brings that version's row into view, selected.
      const shown = ui.messages.find((m) => m.level === 'info')!.message.includes('(Sandbox)') ? 'sandbox' : 'production';
      const shownId = id(shown, MODULE, '1.0.2');
      await eventually(() => {
        const selected = api.submissions.view.selection[0];
        assert.ok(api.submissions.view.visible, 'the view is visible');
        assert.ok(selected?.kind === 'submission', `selected: ${selected?.kind}`);
        assert.deepEqual([selected.environment, selected.submission.submissionId], [shown, shownId]);
      }, 10000);
      // Only the submissions in review were read: 1.0.2 and theme 2.1.0, per environment.
      // (The poll may still be reading the last one when the second notification shows: wait for it to end.)
      await eventually(() => assert.ok(api.submissions.poller.nextPollInMs !== undefined, 'the poll finished'));
      const reads = packageRequests().filter((e) => /^\/rest\/v1\/products\/packages\/[0-9a-f]{10}$/.test(e.path)).map((e) => e.path.split('/').pop()).sort();
      assert.deepEqual(reads, [m102, id('production', THEME, '2.1.0'), id('sandbox', MODULE, '1.0.2'), id('sandbox', THEME, '2.1.0')].sort());
      // Back to one minute after a change.
      await eventually(() => assert.ok(aboutAMinute(api.submissions.poller.nextPollInMs), `next poll in ${api.submissions.poller.nextPollInMs} ms`));
    });

    it('view hidden with notify whenVisible: no request over an hour; with notify always it polls', async () => {
      api.clock.use(() => sandbox.clock.now());
      await run('workbench.action.closeSidebar');
      await settle();
      api.setWindowFocused(true);
      // The view's visibility event can come a moment after the side bar closed (later on VS Code 1.90): the poll a
      // visible view had planned is then dropped.
      // Nothing may still be under way from the test before: the view is hidden, no poll runs, none is planned, and
      // no read started earlier (Show expands the revealed version, which reads its test runs) is still arriving.
      await eventually(async () => {
        assert.equal(api.submissions.view.visible, false, 'the view is hidden');
        assert.equal(api.submissions.poller.polling, false, 'no poll running');
        assert.equal(api.submissions.poller.nextPollInMs, undefined, 'no poll planned');
        sandbox.clearLog();
        await sleep(300);
        assert.deepEqual(requestLines(), [], 'a request of the test before still arriving');
      }, 10000);
      sandbox.clearLog();
      const polls = api.submissions.poller.polls;
      for (let i = 0; i < 6; i++) {
        sandbox.clock.advance(10 * 60);
        api.clock.fireDue();
        await sleep(50);
      }
      assert.deepEqual(requestLines(), []);
      assert.equal(api.submissions.poller.polls, polls);
      await setting('submissions.notify', 'always');
      await eventually(() => assert.ok(api.submissions.poller.nextPollInMs !== undefined, 'planned with notify always'));
      sandbox.clock.advance(10 * 60);
      api.clock.fireDue();
      await eventually(() => assert.equal(api.submissions.poller.polls, polls + 1));
      // The poll read the four submissions in review and planned the next one; a changed one whose test runs an
      // earlier test had shown has them read again (a passed stage adds runs), nothing else.
      await eventually(() => assert.ok(api.submissions.poller.nextPollInMs !== undefined, 'the poll finished'));
      assert.equal(packageRequests().filter((e) => !e.path.endsWith('/status')).length, 4, requestLines().join('\n'));
    });

    it('notify never: no polling, even with the view visible and the window focused', async () => {
      api.clock.use(() => sandbox.clock.now());
      await setting('submissions.notify', 'never');
      await showView();
      api.setWindowFocused(true);
      await sleep(200);
      assert.equal(api.submissions.poller.nextPollInMs, undefined);
      sandbox.clearLog();
      ui = new ScriptedUi();
      for (let i = 0; i < 6; i++) {
        sandbox.clock.advance(10 * 60);
        api.clock.fireDue();
        await sleep(50);
      }
      assert.deepEqual(requestLines(), []);
      assert.deepEqual(ui.messages, []);
      await setting('submissions.notify', 'whenVisible');
      await eventually(() => assert.ok(api.submissions.poller.nextPollInMs !== undefined, 'planned once allowed'));
    });

    it('window not focused: no polling; focused again: the next poll is planned', async () => {
      api.clock.use(() => sandbox.clock.now());
      await showView();
      api.setWindowFocused(false);
      await sleep(200);
      assert.equal(api.submissions.poller.nextPollInMs, undefined);
      sandbox.clearLog();
      for (let i = 0; i < 6; i++) {
        sandbox.clock.advance(10 * 60);
        api.clock.fireDue();
        await sleep(50);
      }
      assert.deepEqual(requestLines(), []);
      api.setWindowFocused(true);
      await eventually(() => assert.ok(aboutAMinute(api.submissions.poller.nextPollInMs), `next poll in ${api.submissions.poller.nextPollInMs} ms`));
    });
  });
});
