// RFC 6750 §3 challenge formatting: nothing a realm, description or scope holds can break out of its quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBearerChallenge } from '../src/bearer-challenge.ts';

test('realm quotes and backslashes are escaped and control characters dropped: nothing escapes the header', () => {
  assert.equal(formatBearerChallenge({ realm: 'a"b\\c\r\nSet-Cookie: x=1' }), 'Bearer realm="a\\"b\\\\cSet-Cookie: x=1"');
});

test('error_description and scope lose characters RFC 6750 §3 forbids', () => {
  assert.equal(
    formatBearerChallenge({ realm: 'api', error: 'invalid_token', errorDescription: 'bad "x"\\\r\n' }),
    'Bearer realm="api", error="invalid_token", error_description="bad x"',
  );
  assert.equal(formatBearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: 'a "b"' }), 'Bearer realm="api", error="insufficient_scope", scope="a b"');
});
