// EqpClient's submission calls against the real EQP sandbox server on 127.0.0.1 (no stubbed axios). Every answer
// is delivered through the sandbox's fault injection, so these tests do not depend on its seeded submissions.
import * as assert from 'node:assert/strict';
import { EqpClient, MAX_TOOL_REPORT_BYTES, type EnvironmentId, type ListSubmissionsOptions, type SessionToken } from '../../src/eqp';
import { EqpSandbox, type SandboxKey } from '../sandbox/server';
import { rejectsWith } from './eqpErrors';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function pkg(id: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    submission_id: id,
    sku: 'acme/module-example',
    name: 'Example Module',
    version,
    type: 'extension',
    platform: 'M2',
    eqp_status: { overall: 'in_progress', technical: 'rejected', marketing: 'approved' },
    actions_now_available: { technical: ['recall'], overall: ['cancel'] },
    created_at: '2024-03-01 10:00:00',
    modified_at: '2024-03-02 11:30:00',
    url_key: 'example-module',
    ...extra,
  };
}

describe('EqpClient submissions (against the EQP sandbox server)', () => {
  let sandbox: EqpSandbox;
  let client: EqpClient;
  let key: SandboxKey;
  let token: SessionToken;

  /** Every secret of the test: no error may carry one. */
  const secrets = (): string[] => [key.applicationSecret, token.token];

  async function settled(env: EnvironmentId, count: number): Promise<void> {
    for (let i = 0; i < 100 && sandbox.requestLog(env).length < count; i++) {
      await sleep(20);
    }
  }

  before(async () => {
    sandbox = await EqpSandbox.start();
    client = new EqpClient((env) => sandbox.apiUrl(env));
  });

  beforeEach(async () => {
    key = sandbox.createKey('sandbox', 'submission tests');
    token = await client.getSessionToken('sandbox', key.applicationId, key.applicationSecret);
    sandbox.clearLog();
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.deleteAllKeys();
    sandbox.clearLog();
  });

  after(async () => {
    await sandbox.close();
  });

  describe('listSubmissions', () => {
    it('a page with X-Total-Count: items parsed, total read, the default query sent', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'status',
        status: 200,
        body: [pkg('a1b2c3d4e5', '1.0.1'), pkg('0f0f0f0f0f', '1.0.0')],
        headers: { 'X-Total-Count': '45' },
      });
      const page = await client.listSubmissions('sandbox', token.token);
      assert.equal(page.total, 45);
      assert.equal(page.offset, 0);
      assert.equal(page.limit, 20);
      assert.equal(page.skipped, 0);
      assert.deepEqual(page.items.map((s) => [s.submissionId, s.version]), [['a1b2c3d4e5', '1.0.1'], ['0f0f0f0f0f', '1.0.0']]);
      const first = page.items[0];
      assert.ok(first);
      assert.deepEqual(first.status, { overall: 'in_progress', technical: 'rejected', marketing: 'approved' });
      assert.deepEqual(first.actionsNowAvailable, { technical: ['recall'], overall: ['cancel'] });
      assert.equal(first.createdAt, Date.UTC(2024, 2, 1, 10, 0, 0));
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.equal(entry?.method, 'GET');
      assert.equal(entry?.path, '/rest/v1/products/packages');
      assert.deepEqual(entry?.query, { offset: '0', limit: '20', sort: '-created_at' });
      assert.equal(entry?.headers['authorization'], 'Bearer ‹redacted›');
    });

    it('sends offset, limit, sort and filters as asked (+ survives as a plus, not a space)', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [], headers: { 'X-Total-Count': '0' } });
      const page = await client.listSubmissions('sandbox', token.token, {
        offset: 40,
        limit: -1,
        sort: '+platform,-modified_at',
        filters: { sku: 'acme/module-example', type: 'extension' },
      });
      assert.deepEqual(page, { items: [], total: 0, skipped: 0, offset: 40, limit: -1 });
      assert.deepEqual(sandbox.requestLog('sandbox').at(-1)?.query, {
        offset: '40',
        limit: '-1',
        sort: '+platform,-modified_at',
        sku: 'acme/module-example',
        type: 'extension',
      });
    });

    it('no X-Total-Count, or one that is not a whole number: total undefined', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [pkg('a1b2c3d4e5', '1.0.1')] });
      assert.equal((await client.listSubmissions('sandbox', token.token)).total, undefined);
      for (const bad of ['-1', 'many', '4.5', '']) {
        sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [], headers: { 'X-Total-Count': bad } });
        assert.equal((await client.listSubmissions('sandbox', token.token)).total, undefined, bad);
      }
    });

    it('a page that disagrees with the total is returned as is; entries that are not submissions are counted', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'status',
        status: 200,
        body: [pkg('a1b2c3d4e5', '1.0.1'), 'junk', { sku: 'no/id' }, null, pkg('0f0f0f0f0f', '1.0.0', { submission_id: 12345 })],
        headers: { 'X-Total-Count': '1' },
      });
      const page = await client.listSubmissions('sandbox', token.token, { limit: 2 });
      assert.equal(page.total, 1);
      assert.equal(page.limit, 2);
      assert.equal(page.skipped, 3);
      assert.deepEqual(page.items.map((s) => s.submissionId), ['a1b2c3d4e5', '12345']);
    });

    it('a body that is not a list, or not JSON, or empty: malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: { items: [] } });
      let err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'malformed', secrets());
      assert.match(err.message, /EQP Sandbox API answered with something that is not a valid submission list: the body is JSON but not a list\./);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '[{"submission_id": "a1b2', contentType: 'application/json' });
      err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'malformed', secrets());
      assert.match(err.message, /not a valid submission list: the body is not JSON/);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '' });
      err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'malformed', secrets());
      assert.match(err.message, /the body is empty/);
    });

    it('refuses options it cannot send, before sending anything', async () => {
      const refused: ListSubmissionsOptions[] = [{ offset: -1 }, { offset: 1.5 }, { limit: 0 }, { limit: -2 }, { sort: 'created at' }, { sort: '' }, { filters: { offset: '3' } }, { filters: { sku: 'a\nb' } }];
      for (const opts of refused) {
        await rejectsWith(client.listSubmissions('sandbox', token.token, opts), 'config', secrets());
      }
      await rejectsWith(client.listSubmissions('sandbox', ''), 'config', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });
  });

  describe('getSubmission', () => {
    it('one package object, from the path of its id', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: pkg('a1b2c3d4e5', '1.0.1') });
      const submission = await client.getSubmission('sandbox', token.token, 'a1b2c3d4e5');
      assert.equal(submission.submissionId, 'a1b2c3d4e5');
      assert.equal(submission.sku, 'acme/module-example');
      assert.equal(sandbox.requestLog('sandbox').at(-1)?.path, '/rest/v1/products/packages/a1b2c3d4e5');
    });

    it('a one-item list is read as that item; a list of two is malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [pkg('a1b2c3d4e5', '1.0.1')] });
      assert.equal((await client.getSubmission('sandbox', token.token, 'a1b2c3d4e5')).version, '1.0.1');
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [pkg('a1b2c3d4e5', '1.0.1'), pkg('b', '1')] });
      const err = await rejectsWith(client.getSubmission('sandbox', token.token, 'a1b2c3d4e5'), 'malformed', secrets());
      assert.match(err.message, /not a valid submission: the body is a list of 2 items, not one submission\./);
    });

    it('an object without a usable submission_id is malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: { sku: 'acme/module-example' } });
      const err = await rejectsWith(client.getSubmission('sandbox', token.token, 'a1b2c3d4e5'), 'malformed', secrets());
      assert.match(err.message, /"submission_id" is missing or not usable/);
    });

    it('an id with special characters is percent-encoded into one path segment', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: pkg('a/b?c#d e', '1.0.0') });
      await client.getSubmission('sandbox', token.token, 'a/b?c#d e');
      const entry = sandbox.requestLog('sandbox').at(-1);
      assert.equal(entry?.path, '/rest/v1/products/packages/a%2Fb%3Fc%23d%20e');
      assert.deepEqual(entry?.query, {});
    });

    it('an empty id, dots only, or one with control characters: config, nothing sent', async () => {
      for (const id of ['', '   ', '.', '..', 'a\nb', 'a\u0000', 'x'.repeat(201)]) {
        const err = await rejectsWith(client.getSubmission('sandbox', token.token, id), 'config', secrets());
        assert.match(err.message, /submission ID must be a non-empty text/);
      }
      await rejectsWith(client.listToolRuns('sandbox', token.token, '..'), 'config', secrets());
      await rejectsWith(client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', '', '5'), 'config', secrets());
      await rejectsWith(client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcs', '5\r\n'), 'config', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });
  });

  describe('error answers', () => {
    it('401: the session token was refused, as for every other call', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 401, body: { code: 401, message: 'The session token has expired.' } });
      const err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'http', secrets());
      assert.equal(err.status, 401);
      assert.equal(err.isAuthFailure, true);
      assert.equal(err.message, 'The EQP Sandbox API refused the session token (HTTP 401: The session token has expired).');
      assert.match(err.hint, /get a new session token/);
    });

    it('403 on the Sandbox: the account may not be eligible (only some partner tiers are)', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 403, body: { code: 403, message: 'You are not eligible to use the Marketplace EQP API in this environment.' } });
      const err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'http', secrets());
      assert.equal(err.status, 403);
      assert.equal(
        err.message,
        'The EQP Sandbox API refused access to package submissions (HTTP 403: You are not eligible to use the Marketplace EQP API in this environment): ' +
          'this account may not be eligible for the Sandbox (only some partner tiers are).',
      );
      assert.match(err.hint, /some Adobe partner tiers only/);
      assert.match(err.hint, /Production environment/);
    });

    it('403 on Production: the session token was refused (no Sandbox wording)', async () => {
      const productionKey = sandbox.createKey('production', 'submission tests');
      const productionToken = await client.getSessionToken('production', productionKey.applicationId, productionKey.applicationSecret);
      sandbox.injectFault('production', { kind: 'status', status: 403, body: { code: 403, message: 'Forbidden' } });
      const err = await rejectsWith(client.getSubmission('production', productionToken.token, 'a1b2c3d4e5'), 'http', [productionToken.token]);
      assert.match(err.message, /^The EQP Production API refused the session token \(HTTP 403: Forbidden\)\.$/);
      assert.doesNotMatch(err.message + err.hint, /partner tiers/);
    });

    it('404 for a submission names it', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 404, body: { code: 404, message: 'Not found' } }, 2);
      let err = await rejectsWith(client.getSubmission('sandbox', token.token, 'dead00beef'), 'http', secrets());
      assert.equal(err.status, 404);
      assert.equal(err.message, 'The EQP Sandbox API has no submission dead00beef (it may have been removed or cancelled).');
      assert.match(err.hint, /List the submissions again/);
      err = await rejectsWith(client.listToolRuns('sandbox', token.token, 'dead00beef'), 'http', secrets());
      assert.equal(err.message, 'The EQP Sandbox API has no submission dead00beef (it may have been removed or cancelled).');
    });

    it('404 for a report names the tool, the run and the submission', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 404, body: { code: 404, message: 'Not found' } });
      const err = await rejectsWith(client.getToolReport('sandbox', token.token, 'dead00beef', 'phpcs', '8'), 'http', secrets());
      assert.equal(err.message, 'The EQP Sandbox API has no phpcs report 8 for submission dead00beef (the submission may have been removed or cancelled).');
    });

    it('a 404 naming a hostile id: the id forms no link in the message', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 404 });
      const err = await rejectsWith(client.getSubmission('sandbox', token.token, '[x](command:eqp.keys.delete)'), 'http', secrets());
      assert.doesNotMatch(err.message, /\]\(command:/);
    });

    it('429 with Retry-After: retryAfterSeconds, and a hint to wait that long', async () => {
      sandbox.injectFault('sandbox', { kind: 'retry-after', seconds: 30 });
      const err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'http', secrets());
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterSeconds, 30);
      assert.match(err.hint, /Wait 30 s/);
    });

    it('500: server trouble, with its message', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: 'Database unavailable' } });
      const err = await rejectsWith(client.listToolRuns('sandbox', token.token, 'a1b2c3d4e5'), 'http', secrets());
      assert.equal(err.status, 500);
      assert.equal(err.isAuthFailure, false);
      assert.match(err.message, /had trouble on its side \(HTTP 500: Database unavailable\)/);
    });

    it('a server message echoing the token is scrubbed', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 400, body: { code: 400, message: `Bad token ${token.token}` } });
      const err = await rejectsWith(client.listSubmissions('sandbox', token.token), 'http', secrets());
      assert.match(err.message, /rejected the submission list request \(HTTP 400: Bad token ‹redacted›\)/);
    });

    it('an answer slower than the client timeout: kind timeout', async () => {
      const impatient = new EqpClient((env) => sandbox.apiUrl(env), { timeoutMs: 300 });
      sandbox.injectFault('sandbox', { kind: 'delay', ms: 1500 });
      const started = Date.now();
      const err = await rejectsWith(impatient.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcs', '5'), 'timeout', secrets());
      assert.ok(Date.now() - started < 1200, 'gave up at the timeout');
      assert.match(err.message, /did not answer within 0\.3 s/);
      await settled('sandbox', 1);
    });

    it('a truncated answer: malformed, cut off', async () => {
      sandbox.injectFault('sandbox', { kind: 'truncated' });
      const err = await rejectsWith(client.getSubmission('sandbox', token.token, 'a1b2c3d4e5'), 'malformed', secrets());
      assert.match(err.message, /not a valid submission: the answer was cut off before its end/);
    });

    it('an aborted signal: cancelled, nothing sent', async () => {
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(client.listSubmissions('sandbox', token.token, {}, controller.signal), 'cancelled', secrets());
      assert.equal(sandbox.requestLog('sandbox').length, 0);
    });
  });

  describe('listToolRuns', () => {
    it('the runs, from …/:id/status; odd entries left out', async () => {
      sandbox.injectFault('sandbox', {
        kind: 'status',
        status: 200,
        body: [
          { tool_run_id: '5', name: 'phpcs', status: 'FAIL', date: '2024-03-01 10:05:00' },
          { tool_run_id: 6, name: 'varnish', status: 'pass' },
          { name: 'no-id', status: 'pass' },
          'junk',
        ],
      });
      const runs = await client.listToolRuns('sandbox', token.token, 'a1b2c3d4e5');
      assert.deepEqual(runs, [
        { toolRunId: '5', name: 'phpcs', status: 'fail', date: Date.UTC(2024, 2, 1, 10, 5, 0) },
        { toolRunId: '6', name: 'varnish', status: 'pass' },
      ]);
      assert.equal(sandbox.requestLog('sandbox').at(-1)?.path, '/rest/v1/products/packages/a1b2c3d4e5/status');
    });

    it('a run list over 1 MB is refused: only reports and submission lists get a larger limit', async () => {
      const runs = Array.from({ length: 20_000 }, (_, i) => ({ tool_run_id: String(i), name: 'phpcs', status: 'pass', date: '2024-03-01 10:05:00' }));
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: runs });
      const err = await rejectsWith(client.listToolRuns('sandbox', token.token, 'a1b2c3d4e5'), 'malformed', secrets());
      assert.match(err.message, /not a valid test run list: the answer is larger than 1000000 bytes\./);
    });

    it('a body that is not a list is malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: { runs: [] } });
      const err = await rejectsWith(client.listToolRuns('sandbox', token.token, 'a1b2c3d4e5'), 'malformed', secrets());
      assert.match(err.message, /not a valid test run list: the body is JSON but not a list/);
    });
  });

  describe('getToolReport', () => {
    it('a report object and its exact text, from …/:id/status/:tool/:run', async () => {
      const raw = '{ "tool" : "marketing", "status": "FAIL",\n  "reports": {"status": "FAIL", "details": {"reasons": "Grammar"}} }\n';
      sandbox.injectFault('sandbox', { kind: 'malformed', body: raw, contentType: 'application/json' });
      const answer = await client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'marketing', '6');
      assert.equal(answer.raw, raw);
      assert.equal(answer.report.tool, 'marketing');
      assert.equal(answer.report.status, 'fail');
      assert.equal(answer.report.reports.length, 1);
      assert.equal(sandbox.requestLog('sandbox').at(-1)?.path, '/rest/v1/products/packages/a1b2c3d4e5/status/marketing/6');
    });

    it('a 404 at packages.md\'s path: asked once more at the path of test-results.md\'s examples, whose answer counts', async () => {
      const raw = '{"tool":"phpcpd","status":"PASS","reports":[]}';
      sandbox.injectFault('sandbox', { kind: 'status', status: 404, body: { code: 404, message: 'No route' } });
      sandbox.injectFault('sandbox', { kind: 'malformed', body: raw, contentType: 'application/json' });
      const answer = await client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcpd', '5');
      assert.equal(answer.raw, raw);
      assert.deepEqual(sandbox.requestLog('sandbox').map((e) => e.path), ['/rest/v1/products/packages/a1b2c3d4e5/status/phpcpd/5', '/rest/v1/a1b2c3d4e5/status/phpcpd/5']);
    });

    it('a 500 at the other path after a 404: the 500 is told (the server has trouble, not no report)', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 404, body: { code: 404, message: 'No route' } });
      sandbox.injectFault('sandbox', { kind: 'status', status: 500, body: { code: 500, message: 'Database unavailable' } });
      const err = await rejectsWith(client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcpd', '5'), 'http', secrets());
      assert.equal(err.status, 500);
    });

    it('a 2 MB report (over the 1 MB limit of other answers): parsed, raw identical to the bytes sent', async function () {
      this.timeout(20_000);
      const findings = Array.from({ length: 9000 }, (_, i) => ({
        message: `Finding ${i} – “quoted” ✓`,
        source: 'Magento2.Security.XssTemplate.FoundUnescaped',
        severity: 10,
        type: i % 3 === 0 ? 'WARNING' : 'ERROR',
        line: i + 1,
        column: 5,
        fixable: false,
      }));
      const body = {
        tool: 'phpcs',
        status: 'FAIL',
        reports: [{ tool: 'phpcs', php_version: '8.3', status: 'FAIL', details: { totals: { errors: 6000, warnings: 3000, fixable: 0 }, files: { '/eqp-automation/temp/acme/x/Model/A.php': { messages: findings } } } }],
      };
      const raw = JSON.stringify(body, null, 1);
      const bytes = Buffer.byteLength(raw);
      assert.ok(bytes > 2_000_000 && bytes < MAX_TOOL_REPORT_BYTES, `${bytes} bytes`);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: raw, contentType: 'application/json' });
      const answer = await client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcs', '5');
      assert.equal(answer.raw, raw);
      assert.equal(Buffer.byteLength(answer.raw), bytes);
      assert.equal(answer.report.reports.length, 1);
    });

    it('a report that is not an object, or not JSON: malformed', async () => {
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: [{ tool: 'phpcs' }] });
      let err = await rejectsWith(client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcs', '5'), 'malformed', secrets());
      assert.match(err.message, /not a valid test report: the body is JSON but not an object\./);
      sandbox.injectFault('sandbox', { kind: 'malformed', body: '<html>Login</html>', contentType: 'text/html' });
      err = await rejectsWith(client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcs', '5'), 'malformed', secrets());
      assert.match(err.message, /not a valid test report: the body is not JSON \(an HTML page\)\./);
      assert.ok(!err.message.includes('Login'));
    });

    it('a truncated report: malformed, cut off', async () => {
      sandbox.injectFault('sandbox', { kind: 'truncated' });
      const err = await rejectsWith(client.getToolReport('sandbox', token.token, 'a1b2c3d4e5', 'phpcs', '5'), 'malformed', secrets());
      assert.match(err.message, /cut off/);
    });

    it('a submission list larger than 1 MB (limit -1, long descriptions) is accepted', async () => {
      const items = Array.from({ length: 600 }, (_, i) => pkg(`id${i}`, `1.0.${i}`, { long_description: 'x'.repeat(4000) }));
      sandbox.injectFault('sandbox', { kind: 'status', status: 200, body: items, headers: { 'X-Total-Count': '600' } });
      const page = await client.listSubmissions('sandbox', token.token, { limit: -1 });
      assert.equal(page.items.length, 600);
    });
  });
});
