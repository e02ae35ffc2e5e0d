// The token features' pure presentation: insertFormat, time left, the status bar's text/tooltip/label per state.
import * as assert from 'node:assert/strict';
import { TOOLTIP_COMMANDS, formatToken, nextChangeIn, statusView, timeLeft, timeLeftSpoken } from '../../src/tokens/format';

const vars = { token: 'TOK-123', mageId: 'MAG987654321', apiUrl: 'https://commercedeveloper-sandbox-api.adobe.com', environment: 'sandbox' as const };
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const key = { name: 'CI', applicationId: 'AQ17NZ49WC', state: 'verified' as const };
const live = { mageId: 'MAG987654321', applicationId: 'AQ17NZ49WC', expiresAt: NOW + (52 * 60 + 60 * 60) * 1000 + 30_000 };

describe('token presentation (format.ts)', () => {
  describe('formatToken (eqp.token.insertFormat)', () => {
    it('token, bearer, empty = token', () => {
      assert.deepEqual(formatToken('token', vars), { ok: true, text: 'TOK-123' });
      assert.deepEqual(formatToken('bearer', vars), { ok: true, text: 'Authorization: Bearer TOK-123' });
      assert.deepEqual(formatToken('  ', vars), { ok: true, text: 'TOK-123' });
      assert.deepEqual(formatToken(undefined, vars), { ok: true, text: 'TOK-123' });
    });
    it('a template replaces the four placeholders, every time, and keeps anything else', () => {
      const r = formatToken('curl -H "Authorization: Bearer ${token}" ${apiUrl}/rest/v1/users/${mageId} # ${environment} ${token} ${other} $token', vars);
      assert.deepEqual(r, { ok: true, text: 'curl -H "Authorization: Bearer TOK-123" https://commercedeveloper-sandbox-api.adobe.com/rest/v1/users/MAG987654321 # sandbox TOK-123 ${other} $token' });
    });
    it('a template without ${token} is refused with a message that names the setting and holds no token', () => {
      const r = formatToken('Bearer', vars);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.message : '', /eqp\.token\.insertFormat/);
      assert.ok(!(!r.ok && r.message.includes('TOK-123')));
    });
  });

  describe('time left', () => {
    it('whole minutes rounded down, "<1m" in the last minute', () => {
      assert.equal(timeLeft(112 * 60_000 + 59_000), '1h 52m');
      assert.equal(timeLeft(120 * 60_000), '2h 0m');
      assert.equal(timeLeft(3 * 60_000), '3m');
      assert.equal(timeLeft(59_999), '<1m');
      assert.equal(timeLeftSpoken(112 * 60_000), '1 hour 52 minutes');
      assert.equal(timeLeftSpoken(60 * 60_000), '1 hour');
      assert.equal(timeLeftSpoken(61_000), '1 minute');
      assert.equal(timeLeftSpoken(5_000), 'less than a minute');
    });
    it('the next change comes when the minute shown changes, at most a minute away; none once expired', () => {
      assert.equal(nextChangeIn(112 * 60_000 + 59_000), 59_000);
      assert.equal(nextChangeIn(112 * 60_000), 60_000);
      assert.equal(nextChangeIn(30_000), 30_000);
      assert.equal(nextChangeIn(0), undefined);
      assert.equal(nextChangeIn(-5), undefined);
    });
  });

  describe('statusView', () => {
    it('live token: "$(key) Sandbox · CI · 1h 52m", expiry and account in the tooltip, links, a timer', () => {
      const v = statusView({ environment: 'sandbox', key, token: live, busy: false, now: NOW });
      assert.equal(v.text, '$(key) Sandbox · CI · 1h 52m');
      assert.equal(v.warning, false);
      assert.equal(v.liveUntil, live.expiresAt);
      assert.equal(v.accessibilityLabel, 'EQP session token for Sandbox, key CI, expires in 1 hour 52 minutes');
      assert.match(v.tooltip, /MAG987654321/);
      assert.match(v.tooltip, /valid until .* \(1h 52m left\)/);
      for (const c of ['eqp.token.insert', 'eqp.token.copy', 'eqp.token.refresh', 'eqp.environment.switch', 'eqp.keys.use']) assert.ok(v.tooltip.includes(`(command:${c})`), c);
      for (const m of v.tooltip.matchAll(/\(command:([\w.]+)/g)) assert.ok((TOOLTIP_COMMANDS as readonly string[]).includes(m[1]!), `${m[1]} is trusted`);
    });
    it('no token, expired token, regenerated pair, busy', () => {
      assert.equal(statusView({ environment: 'sandbox', key, busy: false, now: NOW }).text, '$(key) Sandbox · CI · no token', 'environment and key stay, with no token');
      const expired = statusView({ environment: 'sandbox', key, token: { ...live, expiresAt: NOW - 1 }, busy: false, now: NOW });
      assert.equal(expired.text, '$(key) Sandbox · CI · no token');
      assert.equal(expired.liveUntil, undefined, 'no timer');
      assert.match(expired.tooltip, /expired at/);
      assert.match(statusView({ environment: 'sandbox', key, token: { ...live, applicationId: 'OLDID1234' }, busy: false, now: NOW }).tooltip, /before the key was regenerated/);
      assert.equal(statusView({ environment: 'sandbox', key, token: live, busy: true, now: NOW }).text, '$(sync~spin) Sandbox · CI · 1h 52m');
    });
    it('the last failed attempt is in the tooltip, escaped, while there is no live token and nothing runs', () => {
      const failed = statusView({ environment: 'sandbox', key, busy: false, now: NOW, lastError: 'Could not reach [the API] (timeout).' });
      assert.match(failed.tooltip, /⚠ The last attempt failed: Could not reach \\\[the API\\\] \\\(timeout\\\)\\\./);
      assert.doesNotMatch(statusView({ environment: 'sandbox', key, token: live, busy: false, now: NOW, lastError: 'x' }).tooltip, /last attempt failed/, 'a live token: the failure does not matter now');
      assert.doesNotMatch(statusView({ environment: 'sandbox', key, busy: true, now: NOW, lastError: 'x' }).tooltip, /last attempt failed/, 'trying again: the tooltip says so instead');
    });
    it('no key and rejected key: warning look, with the action that fixes it', () => {
      const none = statusView({ environment: 'production', busy: false, now: NOW });
      assert.equal(none.text, '$(key) Production · no key');
      assert.equal(none.warning, true);
      assert.match(none.tooltip, /\[\$\(add\) Create API Access Key…\]\(command:eqp\.keys\.create\)/);
      const rejected = statusView({ environment: 'sandbox', key: { ...key, state: 'rejected', stateDetail: 'Invalid *credentials*' }, busy: false, now: NOW });
      assert.equal(rejected.text, '$(key) Sandbox · CI · rejected');
      assert.equal(rejected.warning, true);
      assert.match(rejected.tooltip, /Invalid \\\*credentials\\\*/, 'server text is escaped');
      const link = /\(command:eqp\.keys\.regenerate\?([^)]+)\)/.exec(rejected.tooltip)?.[1];
      assert.deepEqual(JSON.parse(decodeURIComponent(link ?? '')), { environment: 'sandbox', name: 'CI' });
      assert.equal(statusView({ environment: 'sandbox', key: { ...key, state: 'rejected' }, token: live, busy: false, now: NOW }).warning, true, 'a live token of a refused key still warns');
    });
    it('the tooltip says what a click does, per eqp.statusBar.clickAction', () => {
      assert.match(statusView({ environment: 'sandbox', key, token: live, busy: false, now: NOW }).tooltip, /Click: insert the session token at the cursor/);
      assert.match(statusView({ environment: 'sandbox', key, token: live, busy: false, now: NOW, clickAction: 'copy' }).tooltip, /Click: copy the session token/);
      assert.match(statusView({ environment: 'sandbox', key, busy: false, now: NOW, clickAction: 'menu' }).tooltip, /Click: session token actions/);
      assert.match(statusView({ environment: 'sandbox', busy: false, now: NOW }).tooltip, /Click: create an API access key/);
    });
    it('a key name with Markdown is escaped in the tooltip', () => {
      const v = statusView({ environment: 'sandbox', key: { ...key, name: '[x](command:evil)' }, token: live, busy: false, now: NOW });
      assert.ok(!v.tooltip.includes('(command:evil)'));
    });
  });
});
