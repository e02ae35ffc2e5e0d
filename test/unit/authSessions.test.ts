// The rules of the `eqp` authentication provider's sessions (src/auth/sessions.ts): ids, account labels VS Code
// remembers consent by, what a request's scopes mean, and how a change is reported.
import * as assert from 'node:assert/strict';
import { accountLabel, diffSessions, parseSessionId, scopedEnvironment, sessionId, toSession } from '../../src/auth/sessions';

const sandbox = { environment: 'sandbox' as const, keyId: 'k1', keyName: 'CI', mageId: 'MAG123456', token: 't-1' };

describe('authentication provider sessions', () => {
  it('a session per environment and key: stable id, scope = the environment, account = the mage_id', () => {
    const s = toSession(sandbox);
    assert.equal(s.id, 'eqp.sandbox.k1');
    assert.deepEqual(s.scopes, ['sandbox']);
    assert.deepEqual(s.account, { id: 'MAG123456', label: 'EQP Sandbox (MAG123456)' });
    assert.equal(s.accessToken, 't-1');
    assert.equal(toSession({ ...sandbox, token: 't-2' }).id, s.id, 'a new token keeps the id');
    assert.deepEqual(parseSessionId(s.id), { environment: 'sandbox', keyId: 'k1' });
    assert.equal(parseSessionId(sessionId('production', 'a.b'))?.keyId, 'a.b');
    assert.equal(parseSessionId('github.123'), undefined);
    assert.equal(parseSessionId('eqp.staging.k1'), undefined);
  });

  it('the account label names the environment and account, never the profile name; the key name only while no mage_id is known', () => {
    assert.equal(accountLabel('production', 'MAG9', 'Laptop'), 'EQP Production (MAG9)');
    assert.equal(accountLabel('sandbox', undefined, 'Laptop'), 'EQP Sandbox (Laptop)');
  });

  it('scopes: none is the workbench listing; [] the active environment; one environment; anything else is refused', () => {
    assert.equal(scopedEnvironment(undefined, 'production'), undefined);
    assert.equal(scopedEnvironment([], 'production'), 'production');
    assert.equal(scopedEnvironment(['sandbox'], 'production'), 'sandbox');
    assert.equal(scopedEnvironment(['sandbox', 'sandbox'], 'production'), 'sandbox');
    assert.throws(() => scopedEnvironment(['staging'], 'production'), /unknown scope "staging".*\["production"\] or \["sandbox"\]/);
    assert.throws(() => scopedEnvironment(['sandbox', 'production'], 'production'), /one environment at a time/);
  });

  it('a change is reported once, as added, removed or changed; the same picture twice reports nothing', () => {
    const a = toSession(sandbox);
    const b = toSession({ ...sandbox, environment: 'production', keyId: 'k2' });
    assert.equal(diffSessions([a], [a]), undefined);
    assert.deepEqual(diffSessions([], [a]), { added: [a], removed: [], changed: [] });
    assert.deepEqual(diffSessions([a, b], [b]), { added: [], removed: [a], changed: [] });
    const renewed = toSession({ ...sandbox, token: 't-2' });
    assert.deepEqual(diffSessions([a], [renewed]), { added: [], removed: [], changed: [renewed] });
    // Another key made active in the environment: the old key's session ends, the new one's begins.
    const other = toSession({ ...sandbox, keyId: 'k3' });
    assert.deepEqual(diffSessions([a], [other]), { added: [other], removed: [a], changed: [] });
  });
});
