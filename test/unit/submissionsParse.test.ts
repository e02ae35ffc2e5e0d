// The pure submission parsers (src/eqp/submissions.ts): the docs' examples (packages.md, test-results.md), the shapes
// real servers send instead, and junk.
import * as assert from 'node:assert/strict';
import {
  parseEqpDate,
  parseSubmission,
  parseToolReport,
  parseToolRuns,
  phpcsSummary,
  reviewDecision,
  varnishCombinations,
  type ToolReport,
} from '../../src/eqp';

const PREFIX = '/eqp-automation/temp/acme/one-click-checkout/acme-one-click-checkout-1.1.5';

// packages.md "Get package details" (trimmed to the fields read, plus the artifact to show extras are ignored).
const DOCS_PACKAGE = {
  submission_id: 'f4eacd72be',
  type: 'extension',
  platform: 'M2',
  version_compatibility: [{ edition: 'CE', versions: ['2.3', '2.4'] }],
  name: 'One Click Checkout',
  short_description: '',
  long_description: '<Long description here>',
  sku: 'acme/one-click-checkout',
  version: '1.1.5',
  release_notes: '<Release notes here>',
  artifact: { file_upload_id: '5c11e656057b42.97931218.5', filename: 'acme_one-click-checkout.zip', size: 182934, malware_status: 'pass' },
  license_type: 'bsd',
  eqp_status: { overall: 'in_progress', technical: 'rejected', marketing: 'approved' },
  created_at: '2020-04-17 16:00:00',
  modified_at: '2020-04-17 22:00:00',
};

// test-results.md
const DOCS_RUNS = [
  { tool_run_id: '5', name: 'phpcpd', status: 'pass', date: '2020-01-07 18:43:32' },
  { tool_run_id: '5', name: 'phpcs', status: 'pass', date: '2020-01-07 18:52:25' },
  { tool_run_id: '5', name: 'varnish', status: 'pass', date: '2020-01-07 18:45:03' },
  { tool_run_id: '6', name: 'marketing', status: 'fail', date: '2020-01-08 16:57:55' },
];

const DOCS_MARKETING = {
  tool: 'marketing',
  status: 'FAIL',
  reports: {
    tool: 'marketing',
    vendor: 'acme',
    extension: 'one-click-checkout',
    version: '1.1.5',
    status: 'FAIL',
    date: '2020-01-08 16:57:55',
    details: {
      reasons: ['Long Description: Your extension long description contains several errors. View marketing review guidelines...'],
      message: 'Please correct grammar and spelling issues. See attached screenshots for more information.',
      attachment: 'https://mp-stg-static.magento.com/user/attachments/ha/8d/spelling.zip',
    },
  },
};

const DOCS_PHPCS = {
  tool: 'phpcs',
  status: 'FAIL',
  reports: [
    {
      tool: 'phpcs',
      vendor: 'acme',
      extension: 'one-click-checkout',
      version: '1.1.5',
      php_version: '7.1.16',
      status: 'FAIL',
      date: '2020-01-07 18:52:25',
      details: {
        totals: { errors: 1, warnings: 0, fixable: 0 },
        files: {
          [`${PREFIX}/registration.php`]: {
            errors: 1,
            warnings: 0,
            messages: [
              {
                message: '"resource" is a reserved word in PHP 7',
                source: 'MEQP2.NamingConventions.ReservedWords.FoundReservedWord',
                severity: 10,
                type: 'ERROR',
                line: 3,
                column: 36,
                fixable: false,
              },
            ],
          },
        },
      },
    },
    {
      tool: 'phpcs',
      vendor: 'acme',
      extension: 'one-click-checkout',
      version: '1.1.5',
      php_version: '5.6.38',
      status: 'PASS',
      date: '2020-01-07 18:52:25',
      details: { totals: { errors: 0, warnings: 0, fixable: 0 }, files: { [`${PREFIX}/registration.php`]: { errors: 0, warnings: 0, messages: [] } } },
    },
  ],
};

const DOCS_VARNISH = {
  tool: 'varnish',
  status: 'FAIL',
  reports: [
    {
      tool: 'varnish',
      vendor: 'acme',
      extension: 'one-click-checkout',
      version: '1.1.5',
      magento_platform: 'M2',
      magento_edition: 'CE',
      magento_version: '2.2.3',
      php_version: '7.1.16',
      status: 'FAIL',
      date: '2020-01-07 19:45:42',
      details: [
        { command: 'composer require acme/one-click-checkout:1.1.5 2>&1', output: '<string output of composer require command goes here>' },
        { command: 'php bin/magento setup:upgrade', output: '<string output of setup:upgrade command goes here>' },
      ],
    },
  ],
};

const DOCS_MANUAL_QA = {
  tool: 'manual_qa',
  status: 'FAIL',
  reports: {
    tool: 'manual_qa',
    vendor: 'acme',
    extension: 'one-click-checkout',
    version: '1.1.5',
    status: 'FAIL',
    date: '2020-01-14 07:21:57',
    details: {
      reasons: ['Tech: Your extension does not function as described in the user guide.'],
      message: 'Missing feature - your extension was missing a feature when tested on Magento 2.2.3.',
      attachment: 'https://mp-stg-static.magento.com/user/attachments/ha/8d/missing_feature.zip',
    },
  },
};

describe('submission parsers', () => {
  describe('parseEqpDate', () => {
    it('the API format is UTC', () => {
      assert.equal(parseEqpDate('2020-04-17 16:00:00'), Date.UTC(2020, 3, 17, 16, 0, 0));
    });

    it('ISO 8601 too: Z, an offset, fractions, no zone (UTC), date only', () => {
      assert.equal(parseEqpDate('2020-04-17T16:00:00Z'), Date.UTC(2020, 3, 17, 16));
      assert.equal(parseEqpDate('2020-04-17T18:00:00+02:00'), Date.UTC(2020, 3, 17, 16));
      assert.equal(parseEqpDate('2020-04-17T11:30:00-0430'), Date.UTC(2020, 3, 17, 16));
      assert.equal(parseEqpDate('2020-04-17T16:00:00.250Z'), Date.UTC(2020, 3, 17, 16, 0, 0, 250));
      assert.equal(parseEqpDate('2020-04-17T16:00'), Date.UTC(2020, 3, 17, 16));
      assert.equal(parseEqpDate(' 2020-04-17 '), Date.UTC(2020, 3, 17));
    });

    it('unreadable: undefined', () => {
      for (const value of ['', 'yesterday', '0000-00-00 00:00:00', '2020-02-30 10:00:00', '2020-13-01 00:00:00', '2020-01-01 24:00:00', '17/04/2020', 1587139200, null, undefined, {}, '2020-04-17 16:00:00 PST']) {
        assert.equal(parseEqpDate(value), undefined, String(value));
      }
    });
  });

  describe('parseSubmission', () => {
    it('the docs example', () => {
      assert.deepEqual(parseSubmission(DOCS_PACKAGE), {
        submissionId: 'f4eacd72be',
        sku: 'acme/one-click-checkout',
        name: 'One Click Checkout',
        version: '1.1.5',
        type: 'extension',
        platform: 'M2',
        status: { overall: 'in_progress', technical: 'rejected', marketing: 'approved' },
        actionsNowAvailable: {},
        createdAt: Date.UTC(2020, 3, 17, 16),
        modifiedAt: Date.UTC(2020, 3, 17, 22),
        releaseNotes: '<Release notes here>',
      });
    });

    it('not an object, or no usable submission_id: undefined', () => {
      for (const raw of [null, undefined, 'f4eacd72be', 42, [DOCS_PACKAGE], {}, { submission_id: '' }, { submission_id: '  ' }, { submission_id: null }, { submission_id: { id: 1 } }, { submission_id: 'a\nb' }, { submission_id: Number.NaN }]) {
        assert.equal(parseSubmission(raw), undefined, JSON.stringify(raw));
      }
    });

    it('a numeric submission_id (and item_id, version) is turned into text', () => {
      const s = parseSubmission({ submission_id: 12345, item_id: 77, version: 2 });
      assert.equal(s?.submissionId, '12345');
      assert.equal(s?.itemId, '77');
      assert.equal(s?.version, '2');
    });

    it('fields of the wrong type are left out, not fatal; unknown statuses pass through (lower-cased)', () => {
      const s = parseSubmission({
        submission_id: 'abc',
        sku: ['acme/x'],
        name: 12,
        type: null,
        created_at: 'soon',
        modified_at: 1587139200,
        release_notes: { text: 'x' },
        eqp_status: { overall: 'Waiting_For_Godot', technical: 3, marketing: '' },
        url_key: 'x',
        submission_counts: { total: 4 },
      });
      assert.deepEqual(s, { submissionId: 'abc', status: { overall: 'waiting_for_godot' }, actionsNowAvailable: {} });
      assert.deepEqual(parseSubmission({ submission_id: 'abc', eqp_status: 'approved' })?.status, {});
    });

    it('text stays as it came: no Markdown escaping here', () => {
      const s = parseSubmission({ submission_id: 'abc', name: '**Bold** [x](command:evil)', release_notes: 'line 1\nline 2 <b>' });
      assert.equal(s?.name, '**Bold** [x](command:evil)');
      assert.equal(s?.releaseNotes, 'line 1\nline 2 <b>');
    });

    describe('actions_now_available', () => {
      const actions = (value: unknown) => parseSubmission({ submission_id: 'abc', actions_now_available: value })?.actionsNowAvailable;

      it('an object of lists (real answers)', () => {
        assert.deepEqual(actions({ technical: ['recall'], marketing: ['recall'], overall: ['cancel'] }), {
          technical: ['recall'],
          marketing: ['recall'],
          overall: ['cancel'],
        });
      });

      it('an object of comma strings', () => {
        assert.deepEqual(actions({ technical: 'submit, draft', overall: 'cancel' }), { technical: ['submit', 'draft'], overall: ['cancel'] });
      });

      it('a comma string (the docs) or a list: scope `any`', () => {
        assert.deepEqual(actions('submit,cancel'), { any: ['submit', 'cancel'] });
        assert.deepEqual(actions(['submit', 'cancel, remove', 7]), { any: ['submit', 'cancel', 'remove'] });
      });

      it('empty, duplicated, junk', () => {
        assert.deepEqual(actions(''), {});
        assert.deepEqual(actions(' , ,'), {});
        assert.deepEqual(actions([]), {});
        assert.deepEqual(actions(null), {});
        assert.deepEqual(actions(5), {});
        assert.deepEqual(actions({ technical: [], marketing: null, overall: ['cancel', 'cancel', ''] }), { overall: ['cancel'] });
      });

      it('a scope named __proto__ stays data', () => {
        const result = actions(JSON.parse('{"__proto__": ["submit"], "technical": ["recall"]}'));
        assert.ok(result);
        assert.equal(Object.getPrototypeOf(result), Object.prototype);
        assert.deepEqual(Object.keys(result).sort(), ['__proto__', 'technical']);
      });
    });
  });

  describe('parseToolRuns', () => {
    it('the docs example', () => {
      assert.deepEqual(parseToolRuns(DOCS_RUNS), [
        { toolRunId: '5', name: 'phpcpd', status: 'pass', date: Date.UTC(2020, 0, 7, 18, 43, 32) },
        { toolRunId: '5', name: 'phpcs', status: 'pass', date: Date.UTC(2020, 0, 7, 18, 52, 25) },
        { toolRunId: '5', name: 'varnish', status: 'pass', date: Date.UTC(2020, 0, 7, 18, 45, 3) },
        { toolRunId: '6', name: 'marketing', status: 'fail', date: Date.UTC(2020, 0, 8, 16, 57, 55) },
      ]);
    });

    it('numeric run ids, unknown tools and statuses, odd entries', () => {
      assert.deepEqual(
        parseToolRuns([
          { tool_run_id: 9, name: 'security_scan', status: 'NEEDS_REVIEW', date: 'never' },
          { tool_run_id: '10', name: 'phpcs' },
          { tool_run_id: '11', status: 'pass' },
          { name: 'phpcs', status: 'pass' },
          { tool_run_id: '12', name: '' },
          'phpcs',
          null,
          [1, 2],
        ]),
        [
          { toolRunId: '9', name: 'security_scan', status: 'needs_review' },
          { toolRunId: '10', name: 'phpcs', status: '' },
        ],
      );
      assert.deepEqual(parseToolRuns({ runs: DOCS_RUNS }), []);
      assert.deepEqual(parseToolRuns(undefined), []);
    });
  });

  describe('parseToolReport', () => {
    it('marketing (the docs): one object becomes a list of one', () => {
      const report = parseToolReport(DOCS_MARKETING);
      assert.equal(report.tool, 'marketing');
      assert.equal(report.status, 'fail');
      assert.equal(report.reports.length, 1);
      const [entry] = report.reports;
      assert.equal(entry?.vendor, 'acme');
      assert.equal(entry?.extension, 'one-click-checkout');
      assert.equal(entry?.version, '1.1.5');
      assert.equal(entry?.status, 'fail');
      assert.equal(entry?.date, Date.UTC(2020, 0, 8, 16, 57, 55));
      assert.deepEqual(entry?.details, DOCS_MARKETING.reports.details);
    });

    it('varnish (the docs): the environment fields', () => {
      const [entry] = parseToolReport(DOCS_VARNISH).reports;
      assert.equal(entry?.magentoPlatform, 'M2');
      assert.equal(entry?.magentoEdition, 'CE');
      assert.equal(entry?.magentoVersion, '2.2.3');
      assert.equal(entry?.phpVersion, '7.1.16');
    });

    it('unknown tools pass through; phpcpd with no reports; junk', () => {
      assert.deepEqual(parseToolReport({ tool: 'security_scan', status: 'Needs_Review', reports: [{ status: 'WARN', details: 'text' }, 'x', null] }), {
        tool: 'security_scan',
        status: 'needs_review',
        reports: [{ status: 'warn', details: 'text' }],
      });
      assert.deepEqual(parseToolReport({ tool: 'phpcpd', status: 'PASS', reports: [] }), { tool: 'phpcpd', status: 'pass', reports: [] });
      assert.deepEqual(parseToolReport({ tool: 'phpcpd', status: 'PASS' }), { tool: 'phpcpd', status: 'pass', reports: [] });
      assert.deepEqual(parseToolReport(null), { tool: '', status: '', reports: [] });
      assert.deepEqual(parseToolReport({ tool: 5, status: ['FAIL'], reports: 'none' }), { tool: '', status: '', reports: [] });
    });

    it('numeric versions become text', () => {
      const [entry] = parseToolReport({ tool: 'varnish', reports: [{ php_version: 8.3, magento_version: 2.4, version: 1 }] }).reports;
      assert.equal(entry?.phpVersion, '8.3');
      assert.equal(entry?.magentoVersion, '2.4');
      assert.equal(entry?.version, '1');
    });
  });

  describe('phpcsSummary', () => {
    it('the docs example: one finding, totals per PHP version', () => {
      const summary = phpcsSummary(parseToolReport(DOCS_PHPCS));
      assert.deepEqual(summary.findings, [
        {
          file: `${PREFIX}/registration.php`,
          phpVersion: '7.1.16',
          message: '"resource" is a reserved word in PHP 7',
          source: 'MEQP2.NamingConventions.ReservedWords.FoundReservedWord',
          type: 'ERROR',
          severity: 10,
          line: 3,
          column: 36,
          fixable: false,
        },
      ]);
      assert.deepEqual(summary.totals, [
        { phpVersion: '7.1.16', status: 'fail', errors: 1, warnings: 0, fixable: 0 },
        { phpVersion: '5.6.38', status: 'pass', errors: 0, warnings: 0, fixable: 0 },
      ]);
    });

    it('files as a list of {filename|path, messages}; numeric strings; odd messages', () => {
      const report = parseToolReport({
        tool: 'phpcs',
        reports: [
          {
            php_version: '8.3',
            details: {
              totals: { errors: '2', warnings: 'some' },
              files: [
                { filename: 'Model/A.php', messages: [{ message: 'a', type: 'warning', line: '12', column: '7', severity: '5' }, 'junk', null] },
                { path: 'Model/B.php', messages: [{ message: 'b', line: 0, column: -1 }, { line: 'x', type: '' }] },
                { messages: [{ message: 'c' }] },
                'junk',
                { filename: 'Model/C.php', messages: 'none' },
              ],
            },
          },
        ],
      });
      const summary = phpcsSummary(report);
      assert.deepEqual(summary.findings, [
        { file: 'Model/A.php', phpVersion: '8.3', message: 'a', type: 'WARNING', severity: 5, line: 12, column: 7 },
        { file: 'Model/B.php', phpVersion: '8.3', message: 'b', type: 'ERROR' },
        { file: 'Model/B.php', phpVersion: '8.3', message: '', type: 'ERROR' },
        { file: '', phpVersion: '8.3', message: 'c', type: 'ERROR' },
      ]);
      assert.deepEqual(summary.totals, [{ phpVersion: '8.3', errors: 2 }]);
    });

    it('a report without details, or of another tool: nothing, and no throw', () => {
      assert.deepEqual(phpcsSummary(parseToolReport({ tool: 'phpcs', reports: [{ status: 'PASS' }] })), { findings: [], totals: [{ status: 'pass' }] });
      assert.deepEqual(phpcsSummary(parseToolReport(DOCS_VARNISH)).findings, []);
      assert.deepEqual(phpcsSummary(parseToolReport(DOCS_MARKETING)).findings, []);
    });

    it('10,000 findings over 2 PHP versions: all of them, quickly', () => {
      const files: Record<string, { messages: unknown[] }> = {};
      for (let f = 0; f < 100; f++) {
        files[`${PREFIX}/Model/File${f}.php`] = {
          messages: Array.from({ length: 50 }, (_, i) => ({ message: `m${i}`, source: 'Magento2.Files.LineLength.MaxExceeded', severity: 5, type: 'WARNING', line: i + 1, column: 1, fixable: false })),
        };
      }
      const raw = {
        tool: 'phpcs',
        status: 'FAIL',
        reports: ['8.2', '8.3'].map((php) => ({ php_version: php, status: 'FAIL', details: { totals: { errors: 0, warnings: 5000, fixable: 0 }, files } })),
      };
      const started = performance.now();
      const summary = phpcsSummary(parseToolReport(raw));
      const elapsed = performance.now() - started;
      assert.equal(summary.findings.length, 10_000);
      assert.equal(summary.findings.filter((f) => f.phpVersion === '8.3').length, 5000);
      assert.ok(elapsed < 500, `${elapsed.toFixed(0)} ms`);
    });
  });

  describe('varnishCombinations', () => {
    it('the docs example: the environment and the steps in order', () => {
      assert.deepEqual(varnishCombinations(parseToolReport(DOCS_VARNISH)), [
        {
          magentoPlatform: 'M2',
          magentoEdition: 'CE',
          magentoVersion: '2.2.3',
          phpVersion: '7.1.16',
          status: 'fail',
          steps: [
            { command: 'composer require acme/one-click-checkout:1.1.5 2>&1', output: '<string output of composer require command goes here>' },
            { command: 'php bin/magento setup:upgrade', output: '<string output of setup:upgrade command goes here>' },
          ],
        },
      ]);
    });

    it('odd steps: non-objects skipped, missing text empty, lines joined', () => {
      const [combination] = varnishCombinations(
        parseToolReport({ tool: 'varnish', reports: [{ status: 'PASS', details: [{ command: 'a' }, 'junk', { output: ['l1', 'l2', 3] }, { command: 7, output: null }] }] }),
      );
      assert.deepEqual(combination, {
        status: 'pass',
        steps: [
          { command: 'a', output: '' },
          { command: '', output: 'l1\nl2' },
          { command: '7', output: '' },
        ],
      });
      assert.deepEqual(varnishCombinations(parseToolReport({ tool: 'varnish', reports: [{ details: { not: 'a list' } }] })), [{ steps: [] }]);
    });
  });

  describe('reviewDecision', () => {
    it('marketing and manual QA (the docs)', () => {
      assert.deepEqual(reviewDecision(parseToolReport(DOCS_MARKETING)), {
        status: 'fail',
        reasons: DOCS_MARKETING.reports.details.reasons,
        message: DOCS_MARKETING.reports.details.message,
        attachment: DOCS_MARKETING.reports.details.attachment,
      });
      assert.deepEqual(reviewDecision(parseToolReport(DOCS_MANUAL_QA)), {
        status: 'fail',
        reasons: DOCS_MANUAL_QA.reports.details.reasons,
        message: DOCS_MANUAL_QA.reports.details.message,
        attachment: DOCS_MANUAL_QA.reports.details.attachment,
      });
    });

    it('reasons as one string; junk reasons; the attachment only when https', () => {
      const decide = (details: unknown): ReturnType<typeof reviewDecision> =>
        reviewDecision(parseToolReport({ tool: 'marketing', status: 'FAIL', reports: { status: 'FAIL', details } }));
      assert.deepEqual(decide({ reasons: 'Grammar' }).reasons, ['Grammar']);
      assert.deepEqual(decide({ reasons: ['a', 3, null, '', 'b'] }).reasons, ['a', 'b']);
      assert.deepEqual(decide({ reasons: { a: 1 } }).reasons, []);
      for (const bad of ['http://example.com/a.zip', 'javascript:alert(1)', 'command:eqp.keys.delete', 'file:///etc/passwd', 'not a url', '', 42]) {
        assert.equal(decide({ attachment: bad }).attachment, undefined, String(bad));
      }
      assert.equal(decide({ attachment: ' https://example.com/a b.zip ' }).attachment, 'https://example.com/a b.zip');
      assert.equal(decide({ message: '   ' }).message, undefined);
    });

    it('no entries: the report status, nothing else', () => {
      const empty: ToolReport = { tool: 'marketing', status: 'pass', reports: [] };
      assert.deepEqual(reviewDecision(empty), { status: 'pass', reasons: [] });
      assert.deepEqual(reviewDecision({ tool: 'marketing', status: '', reports: [] }), { reasons: [] });
    });
  });
});
