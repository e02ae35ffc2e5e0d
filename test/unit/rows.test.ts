// What each row of the API Keys view says (src/keys/rows.ts): short enough for a 300 px side bar, honest about a
// rejected key, and spoken in full to a screen reader.
import * as assert from 'node:assert/strict';
import { environmentRow, keyRow } from '../../src/keys/rows';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const IN_1H59 = NOW + (119 * 60 + 30) * 1000;

describe('API Keys view rows', () => {
  it('the active verified key with a live token: "★ verified · 1h 59m", spoken with its state and time left', () => {
    const r = keyRow({ name: 'CI', environment: 'sandbox', state: 'verified', active: true, tokenExpiresAt: IN_1H59, now: NOW });
    assert.equal(r.description, '★ verified · 1h 59m');
    assert.equal(r.accessibilityLabel, 'Key CI, Sandbox, active key, verified, session token expires in 1 hour 59 minutes');
    assert.equal(r.contextValue, 'eqp:key+active+token');
  });

  it('an inactive key without a token: the state alone; an expired token shows no time', () => {
    assert.equal(keyRow({ name: 'B', environment: 'production', state: 'unverified', active: false, now: NOW }).description, 'not verified');
    const expired = keyRow({ name: 'B', environment: 'production', state: 'verified', active: false, tokenExpiresAt: NOW - 1, now: NOW });
    assert.equal(expired.description, 'verified');
    assert.equal(expired.contextValue, 'eqp:key+token', 'a cached (expired) token can still be forgotten');
  });

  it('a rejected key promises no time left, even with a live cached token', () => {
    const r = keyRow({ name: 'CI', environment: 'sandbox', state: 'rejected', active: true, tokenExpiresAt: IN_1H59, now: NOW });
    assert.equal(r.description, '★ rejected');
    assert.equal(r.accessibilityLabel, 'Key CI, Sandbox, active key, rejected by the server');
    assert.equal(r.contextValue, 'eqp:key+active+rejected+token');
  });

  it('every key row stays within 24 characters, which fits beside the name at 300 px', () => {
    for (const state of ['verified', 'unverified', 'rejected', 'unreachable'] as const) {
      const d = keyRow({ name: 'X', environment: 'sandbox', state, active: true, tokenExpiresAt: NOW + 23 * 3600_000, now: NOW }).description;
      assert.ok(d.length <= 24, `${state}: "${d}" is ${d.length} characters`);
    }
  });

  it('environment rows: n/3, full, rejected keys and active, in that order', () => {
    assert.equal(environmentRow({ environment: 'production', keyCount: 2, active: false, rejected: 0 }).description, '2/3');
    const full = environmentRow({ environment: 'sandbox', keyCount: 3, active: true, rejected: 1 });
    assert.equal(full.description, '3/3 · full · 1 rejected · active');
    assert.equal(full.contextValue, 'eqp:environment+active+full');
    assert.equal(full.accessibilityLabel, 'Sandbox environment, 3 of 3 keys, full, 1 key rejected by the server, active environment');
  });
});
