// RFC 6750 §2 token extraction on the server: the same answers as @latchkey/resource for one shared table of headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presentedBearerToken } from '../../src/oauth/bearer-token.ts';
import { BEARER_HEADER_CASES } from '../../../../test/support/bearer-header-cases.ts';

describe('bearer token extraction', () => {
  it('answers the shared Authorization header table as the resource kit does', () => {
    for (const [header, outcome] of BEARER_HEADER_CASES) {
      if (outcome === 'invalid_request') assert.throws(() => presentedBearerToken(header, undefined), { code: 'invalid_request' }, header);
      else assert.equal(presentedBearerToken(header, undefined), outcome === 'none' ? undefined : outcome.token, header);
    }
  });

  it('reads a body token, refuses a malformed one, and refuses a token in both places', () => {
    assert.equal(presentedBearerToken(undefined, 'abc'), 'abc');
    assert.equal(presentedBearerToken('Basic dXNlcjpwYXNz', 'abc'), 'abc', 'another scheme is no credential, so the body token is the only one');
    assert.throws(() => presentedBearerToken(undefined, 'a b'), { code: 'invalid_request' });
    assert.throws(() => presentedBearerToken('Bearer abc', 'abc'), { code: 'invalid_request' });
  });
});
