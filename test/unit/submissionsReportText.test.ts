// Report documents (src/submissions/reportText.ts), rendered with a CommonMark renderer (markdown-it, HTML and
// linkify on): server text shows as written, command output stays inside its fence whatever backticks it holds,
// and the only link is an https attachment.
import * as assert from 'node:assert/strict';
import type { PhpcsFinding, PhpcsSummary, ToolReport, VarnishCombination } from '../../src/eqp/submissions';
import {
  escapeMarkdown,
  escapeParagraphs,
  fencedBlock,
  formatUtc,
  httpsLinkTarget,
  phpcpdReportText,
  phpcsReportText,
  reportHeader,
  reviewReportText,
  unknownToolReportText,
  varnishReportText,
  type ReportHeader,
} from '../../src/submissions/reportText';
import { renderReport } from '../../src/submissions/reportDocument';
import { parseToolReport } from '../../src/eqp/submissions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (preset: string, options?: object) => { render(src: string): string };
const md = new MarkdownIt('default', { html: true, linkify: true });

const HOSTILE = [
  '[x](command:eqp.keys.delete)',
  '![img](https://evil.example.com/x.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="command:eqp.keys.delete">x</a>',
  'https://evil.example.com and www.evil.example.com',
  '```\n# heading\n```',
  '**bold** $(zap)',
];
const ANY_HOSTILE = HOSTILE.join(' | ');

/** Every tag the renderer made, other than plain structure. */
function markupOf(html: string): string[] {
  return (html.match(/<[a-z][^>]*>/g) ?? []).filter((t) => !/^<(p|ul|ol|li|h[1-6]|table|thead|tbody|tr|th|td|th style="[^"]*"|td style="[^"]*"|blockquote|code|pre|pre><code|code class="language-(text|sh|json)"|br|strong|em|hr)>$/.test(t));
}
function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
/** The texts of the code blocks, in order. */
function codeBlocks(html: string): string[] {
  return [...html.matchAll(/<pre><code[^>]*>([\s\S]*?)<\/code><\/pre>/g)].map((m) => decode(m[1] ?? '').replace(/\n$/, ''));
}

const HEADER: ReportHeader = {
  tool: 'phpcs',
  status: 'fail',
  productName: 'Example Module',
  sku: 'acme/module-example',
  version: '1.0.1',
  submissionId: '0a1b2c3d4e',
  environmentLabel: 'Sandbox',
  toolRunId: '5',
  date: Date.UTC(2026, 4, 1, 12, 0, 0),
};
const BASE = '/eqp-automation/temp/acme/module-example/acme-module-example-1.0.1';

function f(extra: Partial<PhpcsFinding>): PhpcsFinding {
  return { file: `${BASE}/Model/Greeting.php`, message: 'Missing PHP DocBlock', type: 'ERROR', source: 'Magento2.Commenting.ClassAndInterfacePHPDocFormatting', line: 7, column: 1, phpVersion: '8.3', ...extra };
}

describe('submissions: report documents', () => {
  it('the header: product, SKU, version, submission, environment, run and date, and the result', () => {
    const text = reportHeader(HEADER);
    assert.match(text, /^# Code sniffer \\\(phpcs\\\): Example Module 1\\\.0\\\.1$/m);
    assert.match(text, /^- SKU: acme\\\/module\\-example$/m);
    assert.match(text, /^- Version: `1\.0\.1`$/m);
    assert.match(text, /^- Submission: `0a1b2c3d4e`$/m);
    assert.match(text, /^- Environment: Sandbox$/m);
    assert.match(text, /^- Tool run: `5`, 2026-05-01 12:00 UTC$/m);
    assert.match(text, /^- Result: failed$/m);
    assert.equal(formatUtc(0), '1970-01-01 00:00 UTC');
  });

  it('a hostile header renders as text, with no markup of its own', () => {
    const html = md.render(reportHeader({ ...HEADER, productName: ANY_HOSTILE, sku: ANY_HOSTILE, version: '`1`', submissionId: '[x](command:y)', environmentLabel: '<b>x</b>', toolRunId: '`5`', tool: '<script>' }));
    assert.deepEqual(markupOf(html), []);
    assert.ok(decode(html).includes('[x](command:eqp.keys.delete)'));
  });

  describe('fences', () => {
    for (const text of ['plain', 'a ``` b', '```\nbreak out?\n```\n# heading', '````````', '`', 'ends with `', '~~~\nx\n~~~', 'a\r\nb\rc', '<img src=x>\n[x](command:y)']) {
      it(`${JSON.stringify(text)} stays inside one code block`, () => {
        const html = md.render(`${fencedBlock(text)}\n\nafter`);
        assert.deepEqual(codeBlocks(html), [text.replace(/\r\n?/g, '\n')]);
        assert.deepEqual(markupOf(html), []);
        assert.match(html, /<p>after<\/p>\n$/);
      });
    }
  });

  it('escapeParagraphs keeps line breaks and paragraphs, and nothing else', () => {
    const html = md.render(escapeParagraphs('first line\nsecond [x](command:y)\n\n# not a heading\n- not a list\n1. nor this\n    nor code'));
    assert.deepEqual(markupOf(html), []);
    assert.equal((html.match(/<p>/g) ?? []).length, 2);
    assert.equal((html.match(/<br>/g) ?? []).length, 4);
  });

  describe('phpcs', () => {
    const summary: PhpcsSummary = {
      findings: [
        f({}),
        f({ phpVersion: '8.2' }),
        f({ type: 'WARNING', line: 12, message: 'Line exceeds 120 characters' }),
        f({ file: `${BASE}/Test/Unit/GreetingTest.php`, line: 20, column: 9, message: ANY_HOSTILE, source: 'Magento2.Security.XssTemplate' }),
        f({ file: `${BASE}/Test/Unit/GreetingTest.php`, line: 20, column: 9, message: ANY_HOSTILE, source: 'Magento2.Security.XssTemplate', phpVersion: '8.2' }),
        f({ file: '[x](command:eqp.keys.delete)/A.php', line: undefined, column: undefined }),
      ],
      totals: [
        { phpVersion: '8.2', status: 'fail', errors: 3, warnings: 0, fixable: 0 },
        { phpVersion: '8.3', status: 'fail', errors: 3, warnings: 1, fixable: 1 },
      ],
    };
    const unmatched = summary.findings.slice(3);

    it('summary per PHP version, totals, the Problems count, the moved-lines note and the unmatched findings', () => {
      const text = phpcsReportText(HEADER, summary, {
        unmatched,
        problems: 2,
        problemFiles: 1,
        linesMayHaveMoved: "The report is for version 1.0.1 and the workspace's composer.json says 1.0.2: lines may have moved.",
      });
      assert.match(text, /^\| 8\\\.2 \| failed \| 3 \| 0 \| 0 \|$/m);
      assert.match(text, /^\| 8\\\.3 \| failed \| 3 \| 1 \| 1 \|$/m);
      assert.match(text, /^6 findings over all PHP versions: 5 errors, 1 warning\.$/m);
      assert.match(text, /^2 problems in 1 file of the workspace/m);
      assert.match(text, /^> The report is for version 1\\\.0\\\.1 .*lines may have moved\\\.$/m);
      assert.match(text, /^## Not found in the workspace \(2\)$/m);
      assert.ok(text.includes(`### ${BASE.replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`)}\\/Test\\/Unit\\/GreetingTest\\.php`));
      assert.match(text, /^- Line 20, column 9 · error · `Magento2\.Security\.XssTemplate`: .* \(PHP 8\\\.2\\, 8\\\.3\)$/m);
      assert.match(text, /^- No line given · error/m);
      const html = md.render(text);
      assert.deepEqual(markupOf(html), [], 'no link, image or HTML from the server');
      for (const h of HOSTILE) assert.ok(decode(html).includes(h.replace(/\n/g, ' ')), h);
    });

    it('when nothing could be placed, says so and why', () => {
      const text = phpcsReportText(HEADER, summary, { unmatched: summary.findings, problems: 0, problemFiles: 0, notPlacedReason: 'No workspace folder has a composer.json named acme/module-example.' });
      assert.match(text, /None of the findings could be placed on a workspace file\./);
      assert.match(text, /No workspace folder has a composer\\\.json named acme\\\/module\\-example\\\./);
      assert.match(text, /^## Not found in the workspace \(4\)$/m);
    });

    it('10,000 unmatched findings: lists 2,000 and says how many more', () => {
      const many: PhpcsFinding[] = [];
      for (let i = 0; i < 10_000; i++) many.push(f({ file: `${BASE}/F${i % 300}.php`, line: i + 1 }));
      const text = phpcsReportText(HEADER, { findings: many, totals: [] }, { unmatched: many, problems: 0, problemFiles: 0 });
      assert.equal((text.match(/^- Line /gm) ?? []).length, 2_000);
      assert.match(text, /^8000 more not listed here/m);
      assert.match(text, /The report lists no PHP versions\./);
    });
  });

  describe('varnish', () => {
    const output = 'Compilation was started.\n```\n</pre><img src=x onerror=alert(1)>\n[x](command:eqp.keys.delete)\n`````\nIn Greeting.php line 7: Class "Foo" does not exist';
    const combos: VarnishCombination[] = [
      { magentoPlatform: 'M2', magentoEdition: 'CE', magentoVersion: '2.4.6', phpVersion: '8.2', status: 'pass', steps: [{ command: 'php bin/magento setup:install', output: 'ok' }] },
      { magentoPlatform: 'M2', magentoEdition: 'CE', magentoVersion: '2.4.7', phpVersion: '8.3', status: 'pass', steps: [] },
      {
        magentoPlatform: 'M2',
        magentoEdition: 'EE',
        magentoVersion: '2.4.7',
        phpVersion: '8.3',
        status: 'fail',
        steps: [
          { command: 'composer require acme/module-example', output: 'ok' },
          { command: 'php bin/magento setup:di:compile', output },
        ],
      },
    ];

    it('every combination, and for the failing one its command and output, each in an unbreakable fence', () => {
      const text = varnishReportText({ ...HEADER, tool: 'varnish' }, combos);
      assert.match(text, /^\| 2\\\.4\\\.6 \| CE \| 8\\\.2 \| passed \|$/m);
      assert.match(text, /^\| 2\\\.4\\\.7 \| EE \| 8\\\.3 \| failed \|$/m);
      assert.match(text, /^## Magento 2\\\.4\\\.7 EE · PHP 8\\\.3: failed$/m);
      assert.doesNotMatch(text, /setup:install/, 'a passing combination shows no output');
      const html = md.render(text);
      assert.deepEqual(codeBlocks(html), ['php bin/magento setup:di:compile', output]);
      assert.deepEqual(markupOf(html), []);
      assert.match(text, /1 earlier command ran first\./);
    });

    it('a failing combination without steps, and a very long output keeps its end', () => {
      const long = Array.from({ length: 5_000 }, (_, i) => `line ${i}`).join('\n');
      const text = varnishReportText({ ...HEADER, tool: 'varnish' }, [
        { magentoVersion: '2.4.7', status: 'error', steps: [] },
        { magentoVersion: '2.4.8', status: 'fail', steps: [{ command: 'x', output: long }] },
      ]);
      assert.match(text, /No command was reported\./);
      assert.match(text, /The first 4000 lines are left out/);
      const blocks = codeBlocks(md.render(text));
      assert.ok(blocks[1]?.endsWith('line 4999'));
      assert.ok(!blocks[1]?.includes('line 3999\n'));
      assert.match(varnishReportText({ ...HEADER, tool: 'varnish' }, []), /lists no Magento versions/);
    });
  });

  describe('marketing and manual QA', () => {
    it('status, reasons as a list, the message, and an https attachment as the only link', () => {
      const text = reviewReportText(
        { ...HEADER, tool: 'marketing' },
        { status: 'fail', reasons: ['Screenshots missing', ANY_HOSTILE], message: `Please fix:\n${ANY_HOSTILE}\n\nThanks`, attachment: 'https://files.example.com/report (1).pdf?a=<b>' },
      );
      const html = md.render(text);
      const links = html.match(/<a [^>]*>/g) ?? [];
      assert.deepEqual(links, ['<a href="https://files.example.com/report%20%281%29.pdf?a=%3Cb%3E">']);
      assert.deepEqual(markupOf(html).filter((t) => !t.startsWith('<a ')), []);
      assert.match(html, /<li>Screenshots missing<\/li>/);
      assert.match(html, />Open the attachment on files\.example\.com</);
      assert.match(text, /^## Message\n\nPlease fix\\: {2}\n/m);
    });

    it('no link for an attachment that is not https; "None given." for what is missing', () => {
      for (const attachment of ['javascript:alert(1)', 'command:eqp.keys.delete', 'http://example.com/x.pdf', 'file:///etc/passwd', 'not a url']) {
        const text = reviewReportText({ ...HEADER, tool: 'manual_qa' }, { status: 'fail', reasons: [], attachment });
        assert.doesNotMatch(md.render(text), /<a /, attachment);
        assert.match(text, /not an https link/);
      }
      const empty = reviewReportText({ ...HEADER, tool: 'manual_qa' }, { reasons: [] });
      assert.equal((empty.match(/None given\./g) ?? []).length, 2);
      assert.doesNotMatch(empty, /Attachment/);
      assert.equal(httpsLinkTarget('https://x.example.com/a\\b'), 'https://x.example.com/a/b');
      assert.equal(httpsLinkTarget('https://x.example.com/?q=a\\b)'), 'https://x.example.com/?q=a%5Cb%29');
    });
  });

  it('phpcpd: the summary only, and says the API gives no more', () => {
    const text = phpcpdReportText({ ...HEADER, tool: 'phpcpd', status: 'pass' });
    assert.match(text, /^# Copy\\-paste detector \\\(phpcpd\\\)/);
    assert.match(text, /Result: passed/);
    assert.match(text, /The API gives only the summary/);
  });

  it('an unknown tool: its status and its details as JSON in a fence nothing breaks out of', () => {
    const report: ToolReport = { tool: 'security_scan', status: 'needs_review', reports: [{ status: 'fail', details: { note: '```\n[x](command:eqp.keys.delete)\n<img src=x>', n: 1 } }] };
    const text = unknownToolReportText({ ...HEADER, tool: 'security_scan', status: undefined }, report);
    assert.match(text, /^# security scan: Example Module 1\\\.0\\\.1$/m);
    assert.match(text, /Result: needs review/);
    const html = md.render(text);
    assert.deepEqual(markupOf(html), []);
    const blocks = codeBlocks(html);
    assert.equal(blocks.length, 1);
    assert.deepEqual(JSON.parse(blocks[0] ?? ''), report.reports);
  });
});

describe('submissions: renderReport', () => {
  it('an unknown tool is shown from the answer as sent: fields the known tools do not have are kept', () => {
    const raw = JSON.stringify({ tool: 'sonar_scan', status: 'WEIRD', reports: { score: 42, notes: ['unusual'] } });
    const report = parseToolReport(JSON.parse(raw));
    const submission = { submissionId: 'abc', name: 'Example Module', version: '1.0.1', status: {}, actionsNowAvailable: {} };
    const text = renderReport({ environment: 'sandbox', submission, run: { name: 'sonar_scan', toolRunId: '9', status: 'weird' }, report, raw });
    const blocks = codeBlocks(md.render(text));
    assert.equal(blocks.length, 1);
    assert.deepEqual(JSON.parse(blocks[0] ?? ''), { score: 42, notes: ['unusual'] });
    // Without the answer's text: the parsed entries, as before.
    const parsed = renderReport({ environment: 'sandbox', submission, run: { name: 'sonar_scan', toolRunId: '9', status: 'weird' }, report });
    assert.deepEqual(JSON.parse(codeBlocks(md.render(parsed))[0] ?? ''), JSON.parse(JSON.stringify(report.reports)));
  });
});

describe('submissions: report escaping', () => {
  it('theme icon text shows as written in a Markdown document (no stray backslash), other backslashes kept', () => {
    for (const text of ['$(zap)', '\\$(zap)', '\\\\$(zap)', '\\$(foo bar)', '$(sync~spin) x', 'a\\b']) {
      assert.equal(decode(md.render(escapeMarkdown(text))).replace(/<\/?p>|\n/g, ''), text, text);
    }
  });
});
