import * as assert from 'node:assert/strict';
import { REDACTED, RedactionList, redact } from '../../src/eqp';

describe('redact', () => {
  const secret = '0123456789abcdef0123456789abcdef01234567';

  it('replaces every occurrence of each given secret', () => {
    assert.equal(redact(`a ${secret} b ${secret}`, [secret]), 'a ‹redacted› b ‹redacted›');
  });

  it('replaces the URL-encoded form of a secret too', () => {
    const odd = 'se cr/et+1';
    assert.equal(redact(`q=${encodeURIComponent(odd)}`, [odd]), 'q=‹redacted›');
  });

  it('treats secrets literally, not as patterns', () => {
    assert.equal(redact('x a.b*c(d x', ['a.b*c(d']), 'x ‹redacted› x');
    assert.equal(redact('aXbXc', ['a.b.c']), 'aXbXc');
  });

  it('removes the longer of two overlapping secrets whole', () => {
    assert.equal(redact('abcdefgh', ['abcd', 'abcdefgh']), '‹redacted›');
  });

  it('ignores secrets shorter than 4 characters', () => {
    assert.equal(redact('the cat sat', ['at', 'cat']), 'the cat sat');
  });

  it('accepts any iterable, and no secrets at all', () => {
    assert.equal(redact(`x ${secret}`, new Set([secret])), 'x ‹redacted›');
    assert.equal(redact('plain text'), 'plain text');
  });

  it('catches Basic and Bearer credentials it was not told about', () => {
    assert.equal(redact('sent Basic QVExN05aNDlXQzpzM2NyZXQ= ok'), 'sent Basic ‹redacted› ok');
    assert.equal(redact('bearer eyJhbGciOi.J9-x_y~z'), 'bearer ‹redacted›');
  });

  it('leaves ordinary words after "Basic"/"Bearer" alone', () => {
    assert.equal(redact('Basic authentication failed'), 'Basic authentication failed');
    assert.equal(redact('Bearer Token required'), 'Bearer Token required');
  });

  it('catches Authorization header values, as a header line and as JSON', () => {
    assert.equal(redact('Authorization: Basic QVExN05aNDlXQzpzM2NyZXQ=\r\nHost: x'), 'Authorization: ‹redacted›\r\nHost: x');
    assert.equal(redact('{"Authorization":"Bearer abc.def","x":1}'), '{"Authorization":"‹redacted›","x":1}');
    assert.equal(redact("headers: { authorization: 'Custom thing' }"), "headers: { authorization: '‹redacted›' }");
  });

  it('catches "ust" fields and ust= parameters', () => {
    assert.equal(
      redact('{"mage_id":"MAG1","ust":"tok\\"en-123","expires_in":7200}'),
      '{"mage_id":"MAG1","ust":"‹redacted›","expires_in":7200}',
    );
    assert.equal(redact('{ "ust" : "abc" }'), '{ "ust" : "‹redacted›" }');
    assert.equal(redact('GET /x?a=1&ust=abc123&b=2'), 'GET /x?a=1&ust=‹redacted›&b=2');
    assert.equal(redact('{"password_key":"p4ss","user_key":"u"}'), '{"password_key":"‹redacted›","user_key":"u"}');
  });

  it('leaves text without credentials untouched', () => {
    const text = 'The EQP API refused the application ID AQ17NZ49WC (HTTP 401: Invalid application ID or secret.)';
    assert.equal(redact(text, []), text);
  });
});

describe('RedactionList', () => {
  it('keeps every value of 4 characters or more, once, and redact() scrubs text against it', () => {
    const list = new RedactionList(['abc', 'token-1234']);
    list.add('token-1234');
    list.add(undefined);
    list.add('s3cr3t-value');
    assert.deepEqual([...list.values()], ['token-1234', 's3cr3t-value']);
    assert.equal(redact('t=token-1234 s=s3cr3t-value abc', list.values()), `t=${REDACTED} s=${REDACTED} abc`);
  });
});
