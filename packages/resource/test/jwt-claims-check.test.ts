// RFC 9068 §4 checks after the signature, from the attacker's side: typ, each required claim, iss, aud, exp, nbf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccessTokenClaims, checkAccessTokenTyp } from '../src/jwt-claims-check.ts';

const NOW = 1_800_000_000;
const EXPECTED = { issuer: 'https://as.example', audience: 'https://api.example', clockToleranceSeconds: 5 };
const valid = (): Record<string, unknown> => ({
  iss: EXPECTED.issuer, aud: EXPECTED.audience, sub: 'user-1', client_id: 'client-1', iat: NOW - 10, exp: NOW + 300, jti: 'j-1',
});

function assertFails(run: () => unknown, code: string, description?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    if (description !== undefined) assert.equal((error as { description?: unknown }).description, description);
    return true;
  });
}

const LACKS = 'the access token lacks a required claim or has a malformed one';
const NOT_AT_JWT = 'the token is not a JWT access token (typ at+jwt)';

test('typ at+jwt passes case-insensitively and with the application/ prefix (RFC 9068 §4)', () => {
  for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt']) checkAccessTokenTyp({ typ });
});

test('typ JWT, another media type, a missing or non-string typ are refused', () => {
  for (const typ of ['JWT', 'jwt', 'dpop+jwt', 'text/at+jwt', 'at+jwt ', 'application/application/at+jwt', undefined, null, ['at+jwt'], 1]) {
    assertFails(() => checkAccessTokenTyp({ typ }), 'ERR_TOKEN_INVALID', NOT_AT_JWT);
  }
});

test('a complete, current token for this issuer and audience passes', () => {
  checkAccessTokenClaims(valid(), EXPECTED, NOW);
  checkAccessTokenClaims({ ...valid(), aud: ['https://other.example', EXPECTED.audience] }, EXPECTED, NOW);
  checkAccessTokenClaims({ ...valid(), nbf: NOW + 5, exp: NOW - 4 }, EXPECTED, NOW);
});

for (const claim of ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'client_id']) {
  test(`a token without ${claim} (RFC 9068 §2.2) is refused`, () => {
    const claims = valid();
    delete claims[claim];
    assertFails(() => checkAccessTokenClaims(claims, EXPECTED, NOW), 'ERR_TOKEN_INVALID', LACKS);
  });
}

test('another issuer, even one differing by a trailing slash or case, is refused', () => {
  for (const iss of ['https://evil.example', `${EXPECTED.issuer}/`, 'https://AS.example', null, [EXPECTED.issuer]]) {
    assertFails(() => checkAccessTokenClaims({ ...valid(), iss }, EXPECTED, NOW), 'ERR_ISSUER_MISMATCH');
  }
});

test('another audience, an array without this one, or a non-string aud is refused', () => {
  for (const aud of ['https://other.example', `${EXPECTED.audience}/`, ['https://other.example'], [], null, 42, { [EXPECTED.audience]: true }]) {
    assertFails(() => checkAccessTokenClaims({ ...valid(), aud }, EXPECTED, NOW), 'ERR_AUDIENCE_MISMATCH');
  }
});

test('expired beyond the clock tolerance is refused; exp exactly at now - tolerance is expired', () => {
  assertFails(() => checkAccessTokenClaims({ ...valid(), exp: NOW - 5 }, EXPECTED, NOW), 'ERR_TOKEN_EXPIRED', 'the access token expired');
  assertFails(() => checkAccessTokenClaims({ ...valid(), exp: NOW - 3600 }, EXPECTED, NOW), 'ERR_TOKEN_EXPIRED');
  assertFails(() => checkAccessTokenClaims({ ...valid(), exp: NOW - 1 }, { ...EXPECTED, clockToleranceSeconds: 0 }, NOW), 'ERR_TOKEN_EXPIRED');
});

test('nbf beyond the clock tolerance in the future is refused', () => {
  assertFails(() => checkAccessTokenClaims({ ...valid(), nbf: NOW + 6 }, EXPECTED, NOW), 'ERR_TOKEN_NOT_YET_VALID', 'the access token is not yet valid');
});

test('iat, nbf and exp must be numbers (RFC 7519 §2 NumericDate)', () => {
  for (const claim of ['iat', 'nbf', 'exp']) {
    for (const value of ['1800000000', null, [NOW], true]) {
      assertFails(() => checkAccessTokenClaims({ ...valid(), [claim]: value }, EXPECTED, NOW), 'ERR_TOKEN_INVALID', LACKS);
    }
  }
});

test('a claim inherited from the prototype does not count as present', () => {
  const claims = Object.assign(Object.create({ client_id: 'client-1' }) as Record<string, unknown>, valid());
  delete claims['client_id'];
  assertFails(() => checkAccessTokenClaims(claims, EXPECTED, NOW), 'ERR_TOKEN_INVALID', LACKS);
});
