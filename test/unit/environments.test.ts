import * as assert from 'node:assert/strict';
import {
  ENVIRONMENT_IDS,
  EqpError,
  environmentInfo,
  isEnvironmentId,
  legacyHostHint,
  otherEnvironment,
  validateServiceUrl,
} from '../../src/eqp';

describe('environments', () => {
  it('knows production and sandbox, with their Adobe hosts', () => {
    assert.deepEqual([...ENVIRONMENT_IDS], ['production', 'sandbox']);
    assert.deepEqual(environmentInfo('production'), {
      id: 'production',
      label: 'Production',
      defaultApiUrl: 'https://commercedeveloper-api.adobe.com',
      defaultPortalUrl: 'https://commercedeveloper.adobe.com',
    });
    assert.deepEqual(environmentInfo('sandbox'), {
      id: 'sandbox',
      label: 'Sandbox',
      defaultApiUrl: 'https://commercedeveloper-sandbox-api.adobe.com',
      defaultPortalUrl: 'https://commercedeveloper-sandbox.adobe.com',
    });
  });

  it('hands out copies: a caller cannot change the defaults', () => {
    const info = environmentInfo('sandbox');
    info.defaultApiUrl = 'https://evil.example';
    assert.equal(environmentInfo('sandbox').defaultApiUrl, 'https://commercedeveloper-sandbox-api.adobe.com');
  });

  it('isEnvironmentId accepts only the two ids', () => {
    assert.equal(isEnvironmentId('production'), true);
    assert.equal(isEnvironmentId('sandbox'), true);
    for (const x of ['Production', 'staging', '', undefined, null, 1, {}]) {
      assert.equal(isEnvironmentId(x), false, String(x));
    }
  });

  it('otherEnvironment swaps them', () => {
    assert.equal(otherEnvironment('production'), 'sandbox');
    assert.equal(otherEnvironment('sandbox'), 'production');
  });

  describe('validateServiceUrl', () => {
    const ok = (raw: string) => validateServiceUrl(raw, 'eqp.sandbox.apiUrl');
    const refused = (raw: string, pattern: RegExp): void => {
      assert.throws(
        () => ok(raw),
        (e: unknown) => {
          assert.ok(e instanceof EqpError);
          assert.equal(e.kind, 'config');
          assert.match(e.message, /^The eqp\.sandbox\.apiUrl setting /, 'names the setting');
          assert.match(e.message, pattern);
          assert.ok(e.hint.length > 0);
          return true;
        },
        raw,
      );
    };

    it('accepts https anywhere, without a trailing slash', () => {
      assert.equal(ok('https://commercedeveloper-api.adobe.com'), 'https://commercedeveloper-api.adobe.com');
      assert.equal(ok('https://commercedeveloper-api.adobe.com/'), 'https://commercedeveloper-api.adobe.com');
      assert.equal(ok('  https://proxy.example.com:8443/eqp//  '), 'https://proxy.example.com:8443/eqp');
      assert.equal(ok('HTTPS://Example.COM'), 'https://example.com');
    });

    it('accepts plain http only to loopback', () => {
      assert.equal(ok('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
      assert.equal(ok('http://127.5.6.7/'), 'http://127.5.6.7');
      assert.equal(ok('http://localhost:3000/'), 'http://localhost:3000');
      assert.equal(ok('http://[::1]:9000'), 'http://[::1]:9000');
    });

    it('refuses plain http elsewhere, naming the rule', () => {
      refused('http://example.com', /plain http:\/\/.*https:\/\/ is required \(http:\/\/ only to 127\.0\.0\.1, localhost or \[::1\]\)/);
      refused('http://10.0.0.1', /plain http/);
      refused('http://localhost.example.com', /plain http/);
      refused('http://128.0.0.1', /plain http/);
      refused('http://[::2]', /plain http/);
    });

    it('refuses other schemes', () => {
      refused('ftp://example.com', /uses ftp:\/\/ but https:\/\/ is required/);
      refused('file:///etc/passwd', /uses file:\/\//);
      refused('javascript:alert(1)', /uses javascript:/);
    });

    it('refuses user info without echoing the password', () => {
      for (const raw of ['https://user:hunter2pass@example.com', 'https://user@example.com', 'http://a:hunter2pass@127.0.0.1']) {
        assert.throws(
          () => ok(raw),
          (e: unknown) => {
            assert.ok(e instanceof EqpError);
            assert.match(e.message, /must not contain a user name or password/);
            assert.ok(!e.message.includes('hunter2pass') && !e.hint.includes('hunter2pass'));
            return true;
          },
        );
      }
    });

    it('refuses a query or a fragment, even an empty one', () => {
      refused('https://example.com/?a=1', /query/);
      refused('https://example.com/?', /query/);
      refused('https://example.com/#top', /fragment/);
      refused('https://example.com#', /fragment/);
    });

    it('refuses a URL that already ends in /rest/v1', () => {
      refused('https://commercedeveloper-api.adobe.com/rest/v1/', /\/rest\/v1/);
    });

    it('refuses garbage and empty values', () => {
      refused('', /is empty/);
      refused('   ', /is empty/);
      refused('not a url', /is not a valid URL/);
      refused('commercedeveloper-api.adobe.com', /(not a valid URL|uses)/);
      refused('https://', /is not a valid URL/);
    });
  });

  describe('legacyHostHint', () => {
    it('names the new host for each old Magento host', () => {
      assert.match(legacyHostHint('https://developer-api.magento.com') ?? '', /https:\/\/commercedeveloper-api\.adobe\.com/);
      assert.match(legacyHostHint('https://developer-stg-api.magento.com/rest/v1') ?? '', /https:\/\/commercedeveloper-sandbox-api\.adobe\.com/);
      assert.match(legacyHostHint('https://developer.magento.com/') ?? '', /https:\/\/commercedeveloper\.adobe\.com/);
      assert.match(legacyHostHint('developer-stg.magento.com') ?? '', /https:\/\/commercedeveloper-sandbox\.adobe\.com/);
      assert.match(legacyHostHint('HTTPS://DEVELOPER-API.MAGENTO.COM') ?? '', /old Magento host of the EQP Production API/);
    });

    it('is undefined for other hosts and garbage', () => {
      assert.equal(legacyHostHint('https://commercedeveloper-api.adobe.com'), undefined);
      assert.equal(legacyHostHint('https://magento.com'), undefined);
      assert.equal(legacyHostHint('https://developer-api.magento.com.evil.example'), undefined);
      assert.equal(legacyHostHint('::::'), undefined);
      assert.equal(legacyHostHint(''), undefined);
    });
  });
});
