import * as assert from 'node:assert/strict';
import { checkApplicationId, checkName, checkSecret, clean, parseIdOrPair } from '../../src/keys/credentials';

const ID = 'AQ17NZ49WC';
const SECRET = '0123456789abcdef0123456789abcdef01234567';

describe('credentials: what a person types for a key', () => {
  it('cleans white space, non-breaking spaces and invisible characters, nothing else', () => {
    assert.equal(clean(`\u200B ${ID}\uFEFF\u00A0\n`), ID);
    assert.equal(clean('a\u00ADb'), 'ab');
  });

  it('accepts an ID alone, or the pair as ID:secret, "ID secret" or on two lines', () => {
    assert.deepEqual(parseIdOrPair(ID), { ok: true, value: { applicationId: ID } });
    for (const text of [`${ID}:${SECRET}`, `${ID} ${SECRET}`, `${ID}\n${SECRET}\n`, ` ${ID} : ${SECRET} `, `${ID}\t${SECRET}`]) {
      assert.deepEqual(parseIdOrPair(text), { ok: true, value: { applicationId: ID, applicationSecret: SECRET } }, JSON.stringify(text));
    }
  });

  const bad: [string, unknown, RegExp][] = [
    ['empty', '', /Paste the application ID/],
    ['white space only', '   \n', /Paste the application ID/],
    ['a secret pasted into the ID box', SECRET, /looks like the application secret/],
    ['three parts', `${ID}:${SECRET}:extra`, /more than two parts/],
    ['JSON', `{"id":"${ID}"}`, /not an application ID/],
    ['emoji', 'AQ17🔑49WC', /not an application ID/],
    ['control character', 'AQ17\u0007NZ49', /not an application ID/],
    ['very long', 'Z'.repeat(500), /not an application ID/],
    ['too short', 'AQ1', /not an application ID/],
    ['a URL', 'https://commercedeveloper.adobe.com', /looks like a web address/],
    ['pair with a bad secret', `${ID}:short`, /second part is not a secret/],
    ['pair with a bad ID', `AQ!7:${SECRET}`, /not an application ID/],
    ['a number', 42, /must be text/],
    ['null', null, /must be text/],
  ];
  for (const [what, input, expected] of bad) {
    it(`refuses ${what} with a message saying what was expected`, () => {
      const r = parseIdOrPair(input);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.message, expected);
        if (typeof input === 'string' && input.includes(SECRET)) assert.ok(!r.message.includes(SECRET), 'the message repeats the secret');
      }
    });
  }

  it('checks secrets: visible ASCII, 16 to 256 characters, no spaces', () => {
    assert.deepEqual(checkSecret(` ${SECRET}\n`), { ok: true, value: SECRET });
    for (const s of ['', 'short', `${SECRET} x`, 'é'.repeat(40), 'x'.repeat(257), '🔑'.repeat(20)]) {
      const r = checkSecret(s);
      assert.equal(r.ok, false, JSON.stringify(s));
    }
    assert.equal(checkSecret(undefined).ok, false);
  });

  it('checks names: trimmed, non-empty, at most 64 characters, no control characters, unique per environment (any case)', () => {
    assert.deepEqual(checkName('  CI   runner '), { ok: true, value: 'CI runner' });
    assert.equal(checkName('Ünïcødé ✓').ok, true);
    assert.match((checkName('') as { message: string }).message, /Give the key a name/);
    assert.match((checkName('x'.repeat(65)) as { message: string }).message, /64 characters/);
    assert.match((checkName('a\u0000b') as { message: string }).message, /control characters/);
    assert.match((checkName('ci', ['CI']) as { message: string }).message, /already a key named "ci"/);
    assert.equal(checkName(['CI']).ok, false);
  });

  it('checkApplicationId refuses an ID with an inner space and says how to paste a pair', () => {
    const r = checkApplicationId('AQ17 NZ49WC');
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /no spaces/);
  });
});
