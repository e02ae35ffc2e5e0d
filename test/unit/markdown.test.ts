// Text from the server in Markdown and notifications (src/util/markdown.ts): rendered by a CommonMark renderer
// (markdown-it, which @vscode/vsce brings in; VS Code's marked reads backslash escapes the same way), it must come
// out as exactly the text, with no link, image, HTML, emphasis, code or theme icon of its own.
import * as assert from 'node:assert/strict';
import { commandLink, escapeIcons, escapeMarkdown, markdownCode, unlinkText } from '../../src/util/markdown';
import { TOOLTIP_COMMANDS, formatToken, statusView } from '../../src/tokens/format';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (preset: string, options?: object) => { render(src: string): string };
/** As strict as can be: HTML on, bare URLs linked (VS Code renders neither in our tooltips, but a test should not rely on that). */
const md = new MarkdownIt('default', { html: true, linkify: true });

/**
 * Renders as a MarkdownString with supportThemeIcons does: the Markdown first, then `$(name)` becomes an icon and
 * `\$(name)` the text `$(name)` (VS Code's renderLabelWithIcons on the rendered HTML).
 */
function render(markdown: string): string {
  return md.render(markdown).replace(/(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z0-9-]+)?)\)/g, (_m, escaped: string | undefined, name: string) => (escaped ? `$(${name})` : `<icon ${name}>`));
}
const TAGS = /<(?!\/?p>)[^>]+>/g;
function textOf(html: string): string {
  return html.replace(/<\/?p>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();
}

const HOSTILE = [
  '`code` and ``more``',
  '[x](command:eqp.keys.delete)',
  '[x](command:eqp.keys.delete?%7B%7D "title")',
  '![img](https://example.com/x.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="command:eqp.keys.delete">x</a>',
  '**bold** __bold__ *em* _em_ ~~strike~~',
  'first\nsecond\r\nthird\u2028fourth',
  'line\n\n# heading\n- item\n> quote\n1. one\n    indented code',
  '\\[x\\](command:eqp.keys.delete)',
  '\\\\[x](command:eqp.keys.delete)',
  '$(zap) $(sync~spin) \\$(zap) $(not an icon) $5 (paren)',
  '&lt;img&gt; &amp; &#91;x&#93;(command:eqp.keys.delete) &copy;',
  'https://evil.example.com www.evil.example.com mail@evil.example.com command:eqp.keys.delete',
  '[x]: command:eqp.keys.delete\n\n[x]',
  '| a | b |\n|---|---|\n| c | d |',
  'tab\there\u0000nul\u001bescape\u007fdel',
  'Ünïcødé 名前 🔑 ＜full width＞',
  '',
];

describe('escaping server text (util/markdown.ts)', () => {
  describe('escapeMarkdown', () => {
    for (const text of HOSTILE) {
      it(`renders ${JSON.stringify(text)} as the text itself`, () => {
        const html = render(escapeMarkdown(text));
        assert.doesNotMatch(html, TAGS, `markup of its own: ${html}`);
        // eslint-disable-next-line no-control-regex
        const expected = text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').trim();
        assert.equal(textOf(html), expected);
      });
    }
    it('keeps one paragraph and one line, and leaves letters, digits and spaces alone', () => {
      assert.equal(escapeMarkdown('Jane Doe 42'), 'Jane Doe 42');
      assert.equal(escapeMarkdown('a\n\nb'), 'a b');
      assert.equal(escapeMarkdown('a.b'), 'a\\.b');
    });
    it('no escaped text contains an unescaped link, image, or HTML start', () => {
      for (const text of HOSTILE) {
        const e = escapeMarkdown(text);
        assert.doesNotMatch(e, /(^|[^\\])(\\\\)*[[<`!*_]/, `unescaped markup in ${e}`);
        assert.ok(!e.includes('](command:'), e);
      }
    });
  });

  describe('markdownCode', () => {
    it('a code span for plain identifiers, escaped text for anything else', () => {
      assert.equal(markdownCode('MAG123456789'), '`MAG123456789`');
      assert.equal(markdownCode('AQ17NZ49WC'), '`AQ17NZ49WC`');
      assert.equal(markdownCode('abc@AdobeOrg'), '`abc@AdobeOrg`');
      for (const text of ['a`b', '`[x](command:eqp.keys.delete)`', 'a b', '$(zap)', 'x'.repeat(200), '']) {
        const html = render(markdownCode(text));
        assert.doesNotMatch(html, TAGS, `markup of its own: ${html}`);
        assert.equal(textOf(html), text);
      }
    });
  });

  describe('commandLink', () => {
    it('encodes every character of the argument that could end the link, and round-trips the argument', () => {
      const args = { environment: 'sandbox', name: "a) [b](command:eqp.keys.delete) 'c' !*" };
      const link = commandLink('Regenerate…', 'eqp.keys.regenerate', args);
      const m = /^\[Regenerate…\]\(command:eqp\.keys\.regenerate\?([^()\s]+)\)$/.exec(link);
      assert.ok(m, link);
      assert.deepEqual(JSON.parse(decodeURIComponent(m[1]!)), args);
      const html = render(link);
      assert.equal((html.match(/<a /g) ?? []).length, 1, html);
      assert.equal(commandLink('$(add) Create', 'eqp.keys.create'), '[$(add) Create](command:eqp.keys.create)');
    });
  });

  describe('escapeIcons and unlinkText', () => {
    it('status bar text shows $(icon) in a name as written', () => {
      assert.equal(escapeIcons('CI $(zap) $(sync~spin) $5'), 'CI \\$(zap) \\$(sync~spin) $5');
    });
    it('a notification cannot turn server text into a link (VS Code links [title](command:…|https:…|file:…))', () => {
      const vsCodeLink = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
      for (const text of HOSTILE) assert.doesNotMatch(unlinkText(text), vsCodeLink, text);
      assert.equal(unlinkText('Jane (Doe) [team]'), 'Jane (Doe) [team]');
      assert.equal(unlinkText('[x](command:a)').replace(/\u200B/g, ''), '[x](command:a)', 'looks the same');
    });
  });

  describe('the status bar tooltip (trusted for TOOLTIP_COMMANDS) with hostile server text', () => {
    const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
    const evil = 'x`](command:eqp.keys.delete) [y](command:eqp.keys.delete)\n\n<img src=x> **b** $(zap)';
    it('links only to the trusted commands, and shows the text literally', () => {
      for (const v of [
        statusView({ environment: 'sandbox', key: { name: evil, applicationId: 'AQ17NZ49WC', state: 'rejected', stateDetail: evil }, busy: false, now: NOW }),
        statusView({ environment: 'sandbox', key: { name: 'CI', applicationId: 'AQ17NZ49WC', state: 'verified' }, token: { mageId: evil, applicationId: 'AQ17NZ49WC', expiresAt: NOW + 3_600_000 }, busy: false, now: NOW }),
        statusView({ environment: 'sandbox', key: { name: 'CI', applicationId: 'AQ17NZ49WC', state: 'unverified' }, busy: false, now: NOW, lastError: evil }),
      ]) {
        const html = render(v.tooltip);
        const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!.replace(/\?.*$/, ''));
        assert.ok(hrefs.length >= 3, html);
        for (const h of hrefs) assert.ok((TOOLTIP_COMMANDS as readonly string[]).includes(h.replace(/^command:/, '')), `link to ${h}`);
        assert.doesNotMatch(html, /<img|<strong>b<\/strong>|<icon zap>/, html);
        assert.ok(textOf(html.replace(/<[^>]+>/g, '')).includes('x`](command:eqp.keys.delete) [y](command:eqp.keys.delete) <img src=x> **b** $(zap)'));
        assert.ok(!v.text.includes('$(zap)') || v.text.includes('\\$(zap)'), 'the status bar text shows no icon from a name');
      }
    });
  });

  describe('formatToken refuses what the server should never send into a command line', () => {
    const vars = { token: 'TOK-123', mageId: 'MAG987654321', apiUrl: 'https://x', environment: 'sandbox' as const };
    it('a token or mage_id with a quote, a space or a line break', () => {
      for (const token of ["t'; rm -rf ~; '", 't\nX-Evil: 1', 't t', '$(id)', '']) {
        const r = formatToken('curl -H "Authorization: Bearer ${token}"', { ...vars, token });
        assert.equal(r.ok, false, JSON.stringify(token));
        assert.ok(!r.ok && (token === '' || !r.message.includes(token)), 'the message does not repeat it');
      }
      assert.equal(formatToken('bearer', { ...vars, mageId: 'MAG"1' }).ok, false);
      assert.equal(formatToken('bearer', { ...vars, token: 'aGVsbG8_d29ybGQ-.~+/==' }).ok, true, 'base64url and base64 tokens are fine');
    });
  });
});
