// Tests of the sandbox's package submissions (test/sandbox/submissions.ts) over real HTTP on 127.0.0.1, with
// global fetch (not the extension's client, so the two cannot share a mistake).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EqpSandbox, SandboxRuleError, type SandboxEnv } from '../sandbox/server';
import { SEEDED_PHPCS_FINDINGS } from '../sandbox/submissions';
import { assertSandboxError, mintSandboxToken } from './sandboxHelpers';

const ROOT = path.resolve(__dirname, '../../..');
const DEMO_MODULE = path.join(ROOT, 'test', 'fixtures', 'demo-module');
const PACKAGES = '/rest/v1/products/packages';
const MODULE = 'acme/module-example';
const THEME = 'acme/theme-frontend-example';
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

type Pkg = Record<string, unknown> & { submission_id: string; sku: string; version: string; eqp_status: { overall: string; technical: string; marketing: string } };
type Run = { tool_run_id: string; name: string; status: string; date: string };
type Report = { tool: string; status: string; reports: unknown };
type PhpcsEntry = {
  tool: string; vendor: string; extension: string; version: string; php_version: string; status: string; date: string;
  details: { totals: { errors: number; warnings: number; fixable: number }; files: Record<string, { errors: number; warnings: number; messages: { message: string; source: string; severity: number; type: string; line: number; column: number; fixable: boolean }[] }> };
};

describe('EQP sandbox: package submissions', () => {
  let sb: EqpSandbox;
  const tokens: Partial<Record<SandboxEnv, string>> = {};

  before(async () => {
    sb = await EqpSandbox.start();
  });

  after(async () => {
    await sb.close();
  });

  beforeEach(async () => {
    sb.resetSubmissions();
    sb.clearFaults();
    sb.setEligible('production', true);
    sb.setEligible('sandbox', true);
    for (const env of ['production', 'sandbox'] as const) {
      // The longest lifetime: the pipeline test moves the clock 70 minutes.
      tokens[env] = await mint(env, 7200);
    }
  });

  const mint = (env: SandboxEnv, expiresIn?: number): Promise<string> => mintSandboxToken(sb, env, expiresIn);

  async function get(env: SandboxEnv, pathAndQuery: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
    const res = await fetch(sb.apiUrl(env) + pathAndQuery, { ...init, headers: { Authorization: `Bearer ${tokens[env] ?? ''}`, ...(init.headers as Record<string, string> | undefined) } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) as unknown };
  }

  async function ok<T>(env: SandboxEnv, pathAndQuery: string): Promise<T> {
    const res = await get(env, pathAndQuery);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as T;
  }

  async function control(env: SandboxEnv, method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${sb.apiUrl(env)}/__sandbox/submissions${route}`, {
      method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) as unknown };
  }

  const assertError = assertSandboxError;

  const id = (sku: string, version: string, env: SandboxEnv = 'production'): string => sb.submissionId(env, sku, version);

  describe('seed', () => {
    it('holds the same seven submissions in both environments, under different 10-hex ids, newest first', () => {
      const prod = sb.submissions('production');
      const sand = sb.submissions('sandbox');
      const versions = (list: typeof prod): string[] => list.map((s) => `${s.sku}@${s.version}`);
      assert.deepEqual(versions(prod), [
        `${MODULE}@1.1.0`, `${MODULE}@1.0.2`, `${THEME}@2.1.0`, `${MODULE}@1.0.1`, `${THEME}@2.0.1`, `${THEME}@2.0.0`, `${MODULE}@1.0.0`,
      ]);
      assert.deepEqual(versions(sand), versions(prod));
      for (const s of [...prod, ...sand]) {
        assert.match(s.id, /^[0-9a-f]{10}$/);
      }
      assert.equal(new Set([...prod, ...sand].map((s) => s.id)).size, 14);
      const created = prod.map((s) => s.createdAt);
      assert.deepEqual(created, [...created].sort((a, b) => b - a));
    });

    it('keeps ids stable across resets', () => {
      const before = id(MODULE, '1.0.1');
      sb.resetSubmissions();
      assert.equal(id(MODULE, '1.0.1'), before);
      assert.throws(() => id(MODULE, '9.9.9'), (e: unknown) => e instanceof SandboxRuleError && e.status === 404);
    });

    it('has the statuses and runs of the contract', () => {
      const byVersion = new Map(sb.submissions('production').map((s) => [`${s.sku}@${s.version}`, s]));
      const summary = (key: string): string => {
        const s = byVersion.get(key);
        assert.ok(s, key);
        return `${s.status.overall}/${s.status.technical}/${s.status.marketing} ${s.runs.map((r) => `${r.name}:${r.status}`).sort().join(',')}`;
      };
      assert.equal(summary(`${MODULE}@1.0.0`), 'released_to_store/approved/approved manual_qa:pass,marketing:pass,phpcpd:pass,phpcs:pass,varnish:pass');
      assert.equal(summary(`${MODULE}@1.0.1`), 'in_progress/rejected/approved marketing:pass,phpcpd:pass,phpcs:fail,varnish:fail');
      assert.equal(summary(`${MODULE}@1.0.2`), 'in_progress/in_automation/awaiting_marketing_review ');
      assert.equal(summary(`${MODULE}@1.1.0`), 'draft/draft/draft ');
      assert.equal(summary(`${THEME}@2.0.0`), 'approved/approved/approved manual_qa:pass,marketing:pass,phpcpd:pass,phpcs:pass,varnish:pass');
      assert.equal(summary(`${THEME}@2.1.0`), 'in_progress/awaiting_manual_qa/rejected marketing:fail,phpcs:pass,varnish:pass');
      assert.equal(summary(`${THEME}@2.0.1`), 'in_progress/rejected/approved manual_qa:fail,marketing:pass,phpcs:pass,varnish:pass');
    });
  });

  describe('list', () => {
    it('answers 20 by default with X-Total-Count, and all with limit=-1', async () => {
      sb.addSubmissions('production', 30);
      const first = await get('production', PACKAGES);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-total-count'), '37');
      assert.equal((first.body as Pkg[]).length, 20);
      const all = await ok<Pkg[]>('production', `${PACKAGES}?limit=-1`);
      assert.equal(all.length, 37);
      const rest = await ok<Pkg[]>('production', `${PACKAGES}?offset=20&limit=-1`);
      assert.equal(rest.length, 17);
      assert.deepEqual([...(first.body as Pkg[]), ...rest].map((p) => p.submission_id), all.map((p) => p.submission_id));
    });

    it('pages 500 synthetic submissions over 25 pages of 20 (plus the seed)', async () => {
      const ids = sb.addSubmissions('production', 500);
      assert.equal(ids.length, 500);
      const seen = new Set<string>();
      for (let page = 0; page < 26; page++) {
        const res = await get('production', `${PACKAGES}?offset=${page * 20}&limit=20&sort=-created_at`);
        assert.equal(res.headers.get('x-total-count'), '507');
        for (const p of res.body as Pkg[]) {
          seen.add(p.submission_id);
        }
      }
      assert.equal(seen.size, 507);
      assert.ok(ids.every((i) => seen.has(i)));
      assert.equal(sb.submissions('sandbox').length, 7, 'the other environment is untouched');
    });

    it('sorts by +/- fields, several at once', async () => {
      const byCreated = await ok<Pkg[]>('production', `${PACKAGES}?sort=%2Bcreated_at`);
      assert.deepEqual(byCreated.map((p) => p.created_at), [...byCreated.map((p) => p.created_at as string)].sort());
      const bySkuVersion = await ok<Pkg[]>('production', `${PACKAGES}?sort=${encodeURIComponent('+sku,-version')}`);
      assert.deepEqual(bySkuVersion.map((p) => `${p.sku}@${p.version}`), [
        `${MODULE}@1.1.0`, `${MODULE}@1.0.2`, `${MODULE}@1.0.1`, `${MODULE}@1.0.0`, `${THEME}@2.1.0`, `${THEME}@2.0.1`, `${THEME}@2.0.0`,
      ]);
      const modified = await ok<Pkg[]>('production', `${PACKAGES}?sort=-modified_at`);
      assert.deepEqual(modified.map((p) => p.modified_at), [...modified.map((p) => p.modified_at as string)].sort().reverse());
      assertError(await get('production', `${PACKAGES}?sort=-secret_field`), 400);
    });

    it('filters by sku (substring) and type (exact; all = no filter)', async () => {
      const modules = await get('production', `${PACKAGES}?sku=${encodeURIComponent(MODULE)}`);
      assert.equal(modules.headers.get('x-total-count'), '4');
      assert.ok((modules.body as Pkg[]).every((p) => p.sku === MODULE));
      const themes = await ok<Pkg[]>('production', `${PACKAGES}?type=theme`);
      assert.deepEqual(themes.map((p) => p.version), ['2.1.0', '2.0.1', '2.0.0']);
      assert.equal((await ok<Pkg[]>('production', `${PACKAGES}?type=all`)).length, 7);
      assert.equal((await ok<Pkg[]>('production', `${PACKAGES}?sku=theme&type=extension`)).length, 0);
      const bySkuPath = await ok<Pkg[]>('production', `${PACKAGES}/skus/${encodeURIComponent(THEME)}`);
      assert.equal(bySkuPath.length, 3);
    });

    it('refuses a non-numeric offset or limit', async () => {
      assertError(await get('production', `${PACKAGES}?limit=ten`), 400);
      assertError(await get('production', `${PACKAGES}?offset=-3`), 400);
    });
  });

  describe('one submission', () => {
    it('answers one package object with the wire fields', async () => {
      const sid = id(MODULE, '1.1.0');
      const pkg = await ok<Pkg>('production', `${PACKAGES}/${sid}`);
      assert.ok(!Array.isArray(pkg));
      assert.equal(pkg.submission_id, sid);
      assert.equal(pkg.sku, MODULE);
      assert.equal(pkg.name, 'Example Module');
      assert.equal(pkg.type, 'extension');
      assert.equal(pkg.platform, 'M2');
      assert.deepEqual(pkg.eqp_status, { overall: 'draft', technical: 'draft', marketing: 'draft' });
      assert.deepEqual(pkg.actions_now_available, { technical: ['submit'], marketing: ['submit'], overall: ['cancel'] });
      assert.match(pkg.created_at as string, DATE);
      assert.match(pkg.modified_at as string, DATE);
      assert.equal(typeof pkg.url_key, 'string');
      const released = await ok<Pkg>('production', `${PACKAGES}/${id(MODULE, '1.0.0')}/`);
      assert.match(released.latest_launch_date as string, DATE);
    });

    it('answers 404 JSON for an unknown id, and after removeSubmission', async () => {
      assertError(await get('production', `${PACKAGES}/0123456789`), 404);
      const sid = id(THEME, '2.0.1');
      const runs = await ok<Run[]>('production', `${PACKAGES}/${sid}/status`);
      const qa = runs.find((r) => r.name === 'manual_qa') as Run;
      sb.removeSubmission('production', sid);
      assertError(await get('production', `${PACKAGES}/${sid}`), 404, new RegExp(sid));
      assertError(await get('production', `${PACKAGES}/${sid}/status`), 404);
      assertError(await get('production', `${PACKAGES}/${sid}/status/manual_qa/${qa.tool_run_id}`), 404);
      assert.equal(sb.submissions('production').length, 6);
      assert.equal((await ok<Pkg[]>('production', PACKAGES)).length, 6);
      // The other environment's copy (another id) is still there.
      await ok<Pkg>('sandbox', `${PACKAGES}/${id(THEME, '2.0.1', 'sandbox')}`);
    });

    it("does not serve one environment's ids on the other", async () => {
      assertError(await get('sandbox', `${PACKAGES}/${id(MODULE, '1.0.1')}`), 404);
    });
  });

  describe('tool runs and reports', () => {
    it('lists runs with tool_run_id, name, status and date', async () => {
      const runs = await ok<Run[]>('production', `${PACKAGES}/${id(MODULE, '1.0.1')}/status`);
      assert.deepEqual(runs.map((r) => `${r.name}:${r.status}`).sort(), ['marketing:pass', 'phpcpd:pass', 'phpcs:fail', 'varnish:fail']);
      for (const r of runs) {
        assert.match(r.tool_run_id, /^\d+$/);
        assert.match(r.date, DATE);
      }
    });

    it('serves the latest version\'s runs by SKU, under /sku/ and /skus/', async () => {
      const bySid = await ok<Run[]>('production', `${PACKAGES}/${id(THEME, '2.1.0')}/status`);
      const sku = await ok<Run[]>('production', `${PACKAGES}/sku/${encodeURIComponent(THEME)}/status`);
      const skus = await ok<Run[]>('production', `${PACKAGES}/skus/${encodeURIComponent(THEME)}/status`);
      assert.deepEqual(sku, bySid);
      assert.deepEqual(skus, bySid);
      assertError(await get('production', `${PACKAGES}/sku/${encodeURIComponent('acme/nothing')}/status`), 404);
    });

    async function report(version: string, tool: string, sku = MODULE): Promise<Report> {
      const sid = id(sku, version);
      const runs = await ok<Run[]>('production', `${PACKAGES}/${sid}/status`);
      const run = runs.find((r) => r.name === tool);
      assert.ok(run, `${tool} run of ${sku} ${version}`);
      const long = await ok<Report>('production', `${PACKAGES}/${sid}/status/${tool}/${run.tool_run_id}`);
      const short = await ok<Report>('production', `/rest/v1/${sid}/status/${tool}/${run.tool_run_id}`);
      assert.deepEqual(short, long, 'the docs\' short path answers the same');
      assert.equal(long.tool, tool);
      return long;
    }

    it('phpcs: one FAIL report per PHP version with the same findings under /eqp-automation/temp/…', async () => {
      const body = await report('1.0.1', 'phpcs');
      assert.equal(body.status, 'FAIL');
      const entries = body.reports as PhpcsEntry[];
      assert.ok(Array.isArray(entries));
      assert.deepEqual(entries.map((e) => e.php_version), ['8.2.20', '8.3.8']);
      assert.deepEqual(entries[0]?.details, entries[1]?.details);
      const entry = entries[0] as PhpcsEntry;
      assert.equal(entry.tool, 'phpcs');
      assert.equal(entry.vendor, 'acme');
      assert.equal(entry.extension, 'module-example');
      assert.equal(entry.version, '1.0.1');
      assert.equal(entry.status, 'FAIL');
      assert.match(entry.date, DATE);
      const messages = Object.values(entry.details.files).flatMap((f) => f.messages);
      assert.ok(messages.length >= 6 && messages.length <= 12, `${messages.length} findings`);
      assert.equal(entry.details.totals.errors, messages.filter((m) => m.type === 'ERROR').length);
      assert.equal(entry.details.totals.warnings, messages.filter((m) => m.type === 'WARNING').length);
      assert.ok(entry.details.totals.errors > 0 && entry.details.totals.warnings > 0);
      for (const [file, f] of Object.entries(entry.details.files)) {
        assert.ok(file.startsWith('/eqp-automation/temp/acme/module-example/acme-module-example-1.0.1/'), file);
        assert.equal(f.errors, f.messages.filter((m) => m.type === 'ERROR').length);
      }
      assert.ok(messages.some((m) => m.source === 'Magento2.Security.XssTemplate.FoundUnescaped'));
      assert.ok(Object.keys(entry.details.files).some((f) => f.endsWith('/Test/Unit/GreetingTest.php')));
    });

    it('phpcpd: summary only (empty reports)', async () => {
      assert.deepEqual(await report('1.0.1', 'phpcpd'), { tool: 'phpcpd', status: 'PASS', reports: [] });
    });

    it('varnish: one report per combination, the failing one ending with the failed command', async () => {
      const body = await report('1.0.1', 'varnish');
      assert.equal(body.status, 'FAIL');
      const entries = body.reports as { status: string; magento_platform: string; magento_edition: string; magento_version: string; php_version: string; details: { command: string; output: string }[] }[];
      assert.deepEqual(entries.map((e) => `${e.magento_edition} ${e.magento_version} ${e.php_version} ${e.status}`), [
        'CE 2.4.6-p8 8.2.20 PASS', 'CE 2.4.7-p3 8.3.8 PASS', 'EE 2.4.7-p3 8.3.8 FAIL',
      ]);
      assert.ok(entries.every((e) => e.magento_platform === 'M2' && e.details.length > 1));
      const failed = entries[2]?.details ?? [];
      assert.equal(failed.at(-1)?.command, 'php bin/magento setup:di:compile');
      assert.match(failed.at(-1)?.output ?? '', /Impossible to process constructor argument/);
      assert.ok(failed.every((d) => typeof d.command === 'string' && typeof d.output === 'string'));
    });

    it('marketing and manual_qa: one object with reasons, message and an https attachment', async () => {
      const marketing = await report('2.1.0', 'marketing', THEME);
      assert.equal(marketing.status, 'FAIL');
      const entry = marketing.reports as { tool: string; status: string; details: { reasons: string[]; message: string; attachment: string } };
      assert.ok(!Array.isArray(entry));
      assert.equal(entry.tool, 'marketing');
      assert.ok(entry.details.reasons.length > 0);
      assert.equal(typeof entry.details.message, 'string');
      assert.match(entry.details.attachment, /^https:\/\//);
      const qa = await report('2.0.1', 'manual_qa', THEME);
      assert.equal(qa.status, 'FAIL');
      assert.match((qa.reports as { details: { attachment: string } }).details.attachment, /^https:\/\//);
      const passed = await report('1.0.1', 'marketing');
      assert.equal(passed.status, 'PASS');
      assert.deepEqual((passed.reports as { details: { reasons: string[] } }).details.reasons, []);
    });

    it('answers 404 for an unknown run or the wrong tool', async () => {
      const sid = id(MODULE, '1.0.1');
      assertError(await get('production', `${PACKAGES}/${sid}/status/phpcs/999`), 404);
      assertError(await get('production', `${PACKAGES}/${sid}/status/manual_qa/1`), 404);
      assertError(await get('production', `/rest/v1/${sid}/status/phpcs/999`), 404);
    });
  });

  describe('pipeline', () => {
    it('moves 1.0.2 through the review on the sandbox clock, runs appearing as it goes', async () => {
      const sid = id(MODULE, '1.0.2');
      const state = async (): Promise<string> => {
        const pkg = await ok<Pkg>('production', `${PACKAGES}/${sid}`);
        const runs = await ok<Run[]>('production', `${PACKAGES}/${sid}/status`);
        return `${pkg.eqp_status.overall}/${pkg.eqp_status.technical}/${pkg.eqp_status.marketing} ${runs.map((r) => `${r.name}:${r.status}`).join(',')}`;
      };
      assert.equal(await state(), 'in_progress/in_automation/awaiting_marketing_review ');
      sb.clock.advance(10 * 60);
      assert.equal(await state(), 'in_progress/awaiting_manual_qa/awaiting_marketing_review phpcs:pass,phpcpd:pass,varnish:pass');
      sb.clock.advance(10 * 60);
      assert.equal(await state(), 'in_progress/awaiting_manual_qa/in_marketing_review phpcs:pass,phpcpd:pass,varnish:pass');
      sb.clock.advance(20 * 60);
      assert.equal(await state(), 'in_progress/in_manual_qa/approved phpcs:pass,phpcpd:pass,varnish:pass,marketing:pass');
      sb.clock.advance(29 * 60);
      assert.match(await state(), /^in_progress\/in_manual_qa\//);
      sb.clock.advance(60);
      assert.equal(await state(), 'approved/approved/approved phpcs:pass,phpcpd:pass,varnish:pass,marketing:pass,manual_qa:pass');
      // Runs are dated when the stage was passed, and their reports exist.
      const runs = await ok<Run[]>('production', `${PACKAGES}/${sid}/status`);
      for (const r of runs) {
        const rep = await ok<Report>('production', `${PACKAGES}/${sid}/status/${r.name}/${r.tool_run_id}`);
        assert.equal(rep.status, 'PASS');
      }
      const qa = runs.find((r) => r.name === 'manual_qa') as Run;
      const pkg = await ok<Pkg>('production', `${PACKAGES}/${sid}`);
      assert.equal(pkg.modified_at, qa.date);
    });

    it('advanceSubmission steps to the next stage, or to exactly the statuses given', () => {
      const sid = id(MODULE, '1.0.2');
      assert.equal(sb.advanceSubmission('production', sid).status.technical, 'awaiting_manual_qa');
      assert.equal(sb.advanceSubmission('production', sid).status.marketing, 'in_marketing_review');
      const moved = sb.advanceSubmission('production', sid, { technical: 'rejected' });
      assert.deepEqual(moved.status, { overall: 'in_progress', technical: 'rejected', marketing: 'in_marketing_review' });
      sb.clock.advance(3 * 3600);
      assert.equal(sb.submissions('production').find((s) => s.id === sid)?.status.technical, 'rejected', 'the pipeline stopped');
      assert.throws(() => sb.advanceSubmission('production', sid), (e: unknown) => e instanceof SandboxRuleError && e.status === 409);
      // A draft is submitted; approved is released.
      const draft = id(MODULE, '1.1.0');
      assert.deepEqual(sb.advanceSubmission('production', draft).status, { overall: 'in_progress', technical: 'in_automation', marketing: 'awaiting_marketing_review' });
      const approved = id(THEME, '2.0.0');
      assert.equal(sb.advanceSubmission('production', approved).status.overall, 'released_to_store');
    });

    it('answers the control routes: advance, patch, runs, report, phpcs, bulk, delete, reset', async () => {
      const sid = id(MODULE, '1.0.2');
      const adv = await control('production', 'POST', `/${sid}/advance`);
      assert.equal(adv.status, 200);
      assert.equal((adv.body as { status: { technical: string } }).status.technical, 'awaiting_manual_qa');
      const to = await control('production', 'POST', `/${sid}/advance`, { marketing: 'rejected' });
      assert.equal((to.body as { status: { marketing: string } }).status.marketing, 'rejected');
      const patched = await control('production', 'PATCH', `/${sid}`, { eqp_status: { overall: 'on_hold' }, surprise: [1, 2] });
      assert.equal(patched.status, 200);
      const pkg = await ok<Pkg>('production', `${PACKAGES}/${sid}`);
      assert.deepEqual(pkg.eqp_status, { overall: 'on_hold' });
      assert.deepEqual(pkg.surprise, [1, 2]);
      assert.equal((await control('production', 'PUT', `/${sid}/runs`, [{ tool_run_id: 7, name: 'newtool' }])).status, 204);
      assert.deepEqual(await ok('production', `${PACKAGES}/${sid}/status`), [{ tool_run_id: 7, name: 'newtool' }]);
      assert.equal((await control('production', 'PUT', `/${sid}/reports/newtool/7`, { odd: true })).status, 204);
      assert.deepEqual(await ok('production', `${PACKAGES}/${sid}/status/newtool/7`), { odd: true });
      const phpcs = await control('production', 'POST', `/${sid}/phpcs`, { count: 12 });
      assert.equal(phpcs.status, 200);
      const runId = (phpcs.body as { toolRunId: string }).toolRunId;
      const rep = await ok<Report>('production', `${PACKAGES}/${sid}/status/phpcs/${runId}`);
      assert.equal((rep.reports as PhpcsEntry[])[0]?.details.totals.errors !== undefined, true);
      const bulk = await control('production', 'POST', '/bulk', { count: 3 });
      assert.equal(bulk.status, 201);
      assert.equal((bulk.body as { ids: string[] }).ids.length, 3);
      const lookup = await fetch(`${sb.apiUrl('production')}/__sandbox/submissions/id?sku=${encodeURIComponent(MODULE)}&version=1.0.1`);
      assert.deepEqual(await lookup.json(), { id: id(MODULE, '1.0.1') });
      assert.equal((await control('production', 'DELETE', `/${sid}`)).status, 204);
      assertError(await control('production', 'DELETE', `/${sid}`), 404);
      assertError(await control('production', 'POST', `/${sid}`), 405);
      const list = await control('production', 'GET', '');
      assert.equal((list.body as unknown[]).length, 9);
      assert.equal((await control('production', 'POST', '/reset')).status, 200);
      assert.equal(sb.submissions('production').length, 7);
    });
  });

  describe('test methods', () => {
    it('patchSubmission merges raw fields into the object as served, also in the list', async () => {
      const sid = id(MODULE, '1.0.1');
      sb.patchSubmission('production', sid, { actions_now_available: 'submit,cancel', eqp_status: { overall: 'weird_new_status', technical: 'rejected', marketing: 'approved' }, extra: { a: 1 } });
      const pkg = await ok<Pkg>('production', `${PACKAGES}/${sid}`);
      assert.equal(pkg.actions_now_available, 'submit,cancel');
      assert.equal(pkg.eqp_status.overall, 'weird_new_status');
      assert.deepEqual(pkg.extra, { a: 1 });
      const listed = (await ok<Pkg[]>('production', PACKAGES)).find((p) => p.submission_id === sid);
      assert.deepEqual(listed, pkg);
    });

    it('setToolRuns and setToolReport serve raw JSON of any shape', async () => {
      const sid = id(MODULE, '1.0.1');
      sb.setToolRuns('production', sid, { not: 'a list' });
      assert.deepEqual(await ok('production', `${PACKAGES}/${sid}/status`), { not: 'a list' });
      assert.deepEqual(await ok('production', `${PACKAGES}/sku/${encodeURIComponent(MODULE)}/status`), [], 'the latest version (the 1.1.0 draft) has no runs');
      sb.setToolReport('production', sid, 'phpcs', '1', { tool: 'phpcs', status: 'FAIL', reports: 'garbage' });
      assert.deepEqual(await ok('production', `/rest/v1/${sid}/status/phpcs/1`), { tool: 'phpcs', status: 'FAIL', reports: 'garbage' });
    });

    it('setPhpcsFindings(10000) answers 10,000 findings per PHP version, all inside the demo module', async () => {
      const sid = id(MODULE, '1.0.1');
      const runId = sb.setPhpcsFindings('production', sid, 10_000);
      const body = await ok<Report>('production', `${PACKAGES}/${sid}/status/phpcs/${runId}`);
      assert.equal(body.status, 'FAIL');
      const entries = body.reports as PhpcsEntry[];
      assert.equal(entries.length, 2);
      for (const entry of entries) {
        const messages = Object.values(entry.details.files).flatMap((f) => f.messages);
        assert.equal(messages.length, 10_000);
        assert.equal(entry.details.totals.errors + entry.details.totals.warnings, 10_000);
      }
      for (const [file, f] of Object.entries((entries[0] as PhpcsEntry).details.files)) {
        const rel = file.replace('/eqp-automation/temp/acme/module-example/acme-module-example-1.0.1/', '');
        const lines = fs.readFileSync(path.join(DEMO_MODULE, rel), 'utf8').split('\n');
        assert.ok(f.messages.every((m) => m.line >= 1 && m.line <= lines.length), rel);
      }
      const runs = await ok<Run[]>('production', `${PACKAGES}/${sid}/status`);
      assert.equal(runs.find((r) => r.tool_run_id === runId && r.name === 'phpcs')?.status, 'fail');
      // A submission without a phpcs run gets one.
      const draft = id(MODULE, '1.1.0');
      const newRun = sb.setPhpcsFindings('production', draft, 3, ['8.3.8']);
      const fresh = await ok<Report>('production', `${PACKAGES}/${draft}/status/phpcs/${newRun}`);
      assert.deepEqual((fresh.reports as PhpcsEntry[]).map((e) => e.php_version), ['8.3.8']);
    });

    it('methods refuse unknown ids and environments', () => {
      assert.throws(() => sb.patchSubmission('production', 'ffffffffff', {}), SandboxRuleError);
      assert.throws(() => sb.removeSubmission('production', 'ffffffffff'), SandboxRuleError);
      assert.throws(() => sb.submissions('staging' as SandboxEnv), RangeError);
      assert.throws(() => sb.addSubmissions('production', 0), SandboxRuleError);
    });
  });

  describe('access', () => {
    it('answers 401 without a token, with an unknown one, with the other environment\'s, and once expired', async () => {
      const url = `${sb.apiUrl('production')}${PACKAGES}`;
      assertError(await toJson(fetch(url)), 401);
      assertError(await toJson(fetch(url, { headers: { Authorization: 'Bearer nope' } })), 401);
      assertError(await toJson(fetch(url, { headers: { Authorization: `Bearer ${tokens.sandbox ?? ''}` } })), 401);
      const short = await mint('production', 60);
      sb.clock.advance(61);
      const expired = await toJson(fetch(`${sb.apiUrl('production')}${PACKAGES}/${id(MODULE, '1.0.1')}/status`, { headers: { Authorization: `Bearer ${short}` } }));
      assertError(expired, 401, /expired/);
      assertError(await toJson(fetch(`${sb.apiUrl('production')}/rest/v1/${id(MODULE, '1.0.1')}/status/phpcs/1`)), 401);
    });

    it('answers 401 before 404: an unknown id does not tell without a token', async () => {
      assertError(await toJson(fetch(`${sb.apiUrl('production')}${PACKAGES}/0000000000`)), 401);
    });

    it('answers 403 when the environment is not eligible', async () => {
      sb.setEligible('sandbox', false);
      assertError(await get('sandbox', PACKAGES), 403, /not eligible/);
      assertError(await get('sandbox', `${PACKAGES}/${id(MODULE, '1.0.1', 'sandbox')}`), 403);
      assert.equal((await get('production', PACKAGES)).status, 200);
    });

    it('answers 405 for other methods', async () => {
      // POST creates packages (sandboxUploads.test.ts); PUT (updates) is not served.
      const res = await get('production', PACKAGES, { method: 'PUT', body: '[]', headers: { 'Content-Type': 'application/json' } });
      assertError(res, 405);
      assert.equal(res.headers.get('allow'), 'GET, POST');
      assertError(await get('production', `${PACKAGES}/${id(MODULE, '1.0.1')}`, { method: 'DELETE' }), 405);
    });

    it('still applies injected faults and logs the requests', async () => {
      sb.clearLog();
      sb.injectFault('production', { kind: 'status', status: 503 });
      assertError(await get('production', PACKAGES), 503);
      sb.injectFault('production', { kind: 'malformed', body: '[{"submission_id": "ab', status: 200 });
      const res = await fetch(`${sb.apiUrl('production')}${PACKAGES}/${id(MODULE, '1.0.1')}/status`, { headers: { Authorization: `Bearer ${tokens.production ?? ''}` } });
      assert.equal(await res.text(), '[{"submission_id": "ab');
      sb.injectFault('production', { kind: 'reset' });
      await assert.rejects(fetch(`${sb.apiUrl('production')}${PACKAGES}`, { headers: { Authorization: `Bearer ${tokens.production ?? ''}` } }));
      assert.equal((await get('production', PACKAGES)).status, 200);
      const log = sb.requestLog('production').filter((e) => e.path.startsWith(PACKAGES));
      assert.deepEqual(log.map((e) => `${e.status}${e.fault ? ` ${e.fault}` : ''}`), ['503 status', '200 malformed', '0 reset', '200']);
      assert.ok(log.every((e) => e.headers.authorization === 'Bearer ‹redacted›'));
    });
  });

  describe('demo module', () => {
    const sourceAt: Record<string, RegExp> = {
      'Magento2.Security.Superglobal.SuperglobalUsageError': /^\$_GET\b/,
      'Magento2.Security.Superglobal.SuperglobalUsageWarning': /^\$_SERVER\b/,
      'Magento2.Security.XssTemplate.FoundUnescaped': /^get\w+\(\)/,
      'Magento2.Templates.ThisInTemplate.FoundThis': /^\$this->/,
      'Magento2.Exceptions.DirectThrow.FoundDirectThrow': /^throw new \\Exception\(/,
      'Magento2.Commenting.ClassPropertyPHPDocFormatting.Missing': /^\$\w+;/,
      'Magento2.Annotation.MethodAnnotationStructure.NoCommentBlock': /^function \w+\(/,
    };

    it('has every seeded phpcs finding at a real line and column of the file it names', () => {
      let checked = 0;
      for (const [rel, messages] of Object.entries(SEEDED_PHPCS_FINDINGS)) {
        const file = path.join(DEMO_MODULE, rel);
        if (rel === 'Test/Unit/GreetingTest.php') {
          assert.ok(!fs.existsSync(file), 'this finding names a file the workspace does not have');
          continue;
        }
        const lines = fs.readFileSync(file, 'utf8').split('\n');
        for (const m of messages) {
          const line = lines[m.line - 1];
          assert.ok(line !== undefined, `${rel}:${m.line} exists`);
          assert.ok(m.column >= 1 && m.column <= line.length + 1, `${rel}:${m.line}:${m.column} within the line`);
          const expected = sourceAt[m.source];
          if (expected) {
            assert.match(line.slice(m.column - 1), expected, `${m.source} at ${rel}:${m.line}:${m.column}`);
          } else if (m.source === 'Generic.Files.LineLength.TooLong') {
            assert.ok(line.length > 120, `${rel}:${m.line} is too long`);
            assert.equal(m.column, line.length + 1);
            assert.equal(m.message, `Line exceeds 120 characters; contains ${line.length} characters`);
          } else {
            assert.fail(`no position check for ${m.source}`);
          }
          checked++;
        }
      }
      assert.ok(checked >= 6, `${checked} findings checked`);
    });

    it('is a Magento 2 module acme/module-example 1.0.1', () => {
      const composer = JSON.parse(fs.readFileSync(path.join(DEMO_MODULE, 'composer.json'), 'utf8')) as { name: string; type: string; version: string; require: Record<string, string> };
      assert.equal(composer.name, MODULE);
      assert.equal(composer.type, 'magento2-module');
      assert.equal(composer.version, '1.0.1');
      assert.match(composer.require['magento/framework'] ?? '', /^\^\d+\.\d+/);
      for (const rel of ['registration.php', 'etc/module.xml', 'Model/Greeting.php', 'Controller/Index/Index.php', 'view/frontend/templates/greeting.phtml']) {
        assert.ok(fs.existsSync(path.join(DEMO_MODULE, rel)), rel);
      }
    });
  });
});

async function toJson(response: Promise<Response>): Promise<{ status: number; body: unknown }> {
  const res = await response;
  return { status: res.status, body: JSON.parse(await res.text()) as unknown };
}
