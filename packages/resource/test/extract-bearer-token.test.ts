// RFC 6750 §2 token extraction without HTTP: header grammar, form-body rules, ignored query tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractBearerToken, isB64Token, type BearerRequest } from '../src/extract-bearer-token.ts';
import { BEARER_HEADER_CASES } from '../../../test/support/bearer-header-cases.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

function assertInvalidRequest(request: BearerRequest, description: string): void {
  assert.throws(() => extractBearerToken(request), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'ERR_INVALID_REQUEST');
    assert.equal((error as { description?: unknown }).description, description);
    return true;
  });
}

test('reads the token after the Bearer scheme, any letter case, any number of spaces', () => {
  assert.equal(extractBearerToken({ headers: { authorization: 'Bearer abc.def-ghi_~+/==' } }), 'abc.def-ghi_~+/==');
  assert.equal(extractBearerToken({ headers: { authorization: 'bEaReR   abc' } }), 'abc');
  assert.equal(extractBearerToken({ headers: { Authorization: 'Bearer abc' } }), 'abc');
});

test('no header, an empty header or another scheme means no credentials', () => {
  assert.equal(extractBearerToken({ headers: {} }), undefined);
  assert.equal(extractBearerToken({ headers: { authorization: '' } }), undefined);
  assert.equal(extractBearerToken({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }), undefined);
  assert.equal(extractBearerToken({ headers: { authorization: 'DPoP abc' } }), undefined);
});

test('malformed bearer headers are invalid_request', () => {
  assertInvalidRequest({ headers: { authorization: 'Bearer' } }, 'the Authorization header has no bearer token');
  assertInvalidRequest({ headers: { authorization: 'Bearer   ' } }, 'the Authorization header has no bearer token');
  assertInvalidRequest({ headers: { authorization: 'Bearer a b' } }, 'the Authorization header carries more than one value');
  assertInvalidRequest({ headers: { authorization: 'Bearer a=b' } }, 'the bearer token contains characters RFC 6750 does not allow');
  assertInvalidRequest({ headers: { authorization: 'Bearer a,b' } }, 'the bearer token contains characters RFC 6750 does not allow');
  assertInvalidRequest({ headers: { authorization: ['Bearer a', 'Bearer b'] } }, 'more than one Authorization header');
});

test('a form body token is read only from application/x-www-form-urlencoded requests with a body method', () => {
  assert.equal(extractBearerToken({ method: 'POST', headers: FORM, body: { access_token: 'abc' } }), 'abc');
  assert.equal(extractBearerToken({ method: 'POST', headers: FORM, body: 'x=1&access_token=abc' }), 'abc');
  assert.equal(extractBearerToken({ method: 'POST', headers: { 'content-type': 'application/json' }, body: { access_token: 'abc' } }), undefined);
  assert.equal(extractBearerToken({ method: 'GET', headers: FORM, body: { access_token: 'abc' } }), undefined);
  assert.equal(extractBearerToken({ method: 'POST', headers: FORM, body: { other: 'x' } }), undefined);
});

test('an inherited access_token property is not a body parameter', () => {
  const body = Object.create({ access_token: 'abc' }) as object;
  assert.equal(extractBearerToken({ method: 'POST', headers: FORM, body }), undefined);
});

test('repeated, empty or non-string body tokens are invalid_request', () => {
  assertInvalidRequest({ method: 'POST', headers: FORM, body: { access_token: ['a', 'b'] } }, 'the access_token parameter is repeated');
  assertInvalidRequest({ method: 'POST', headers: FORM, body: 'access_token=a&access_token=b' }, 'the access_token parameter is repeated');
  assertInvalidRequest({ method: 'POST', headers: FORM, body: { access_token: '' } }, 'the access_token parameter is malformed');
  assertInvalidRequest({ method: 'POST', headers: FORM, body: { access_token: { nested: 'x' } } }, 'the access_token parameter is malformed');
});

test('header and body together are invalid_request (RFC 6750 §2: one method per request)', () => {
  assertInvalidRequest(
    { method: 'POST', headers: { ...FORM, authorization: 'Bearer abc' }, body: { access_token: 'abc' } },
    'the access token was sent by more than one method',
  );
});

test('a query token is never read, alone or next to a header token', () => {
  assert.equal(extractBearerToken({ headers: {}, query: { access_token: 'abc' } }), undefined);
  assert.equal(extractBearerToken({ headers: { authorization: 'Bearer xyz' }, query: { access_token: 'abc' } }), 'xyz');
});

test('one b64token rule (RFC 6750 §2.1) for headers, bodies and verify()', () => {
  for (const token of ['abc', 'a.b.c', 'A-_~+/9==']) assert.equal(isB64Token(token), true, token);
  for (const token of ['', '=abc', 'a=b', 'a b', 'a,b', 'a"b', 'é', 42, undefined]) assert.equal(isB64Token(token), false, String(token));
});

test('the Authorization header table shared with the server (test/support/bearer-header-cases.ts)', () => {
  for (const [header, outcome] of BEARER_HEADER_CASES) {
    const request = { headers: { authorization: header } };
    if (outcome === 'invalid_request') assert.throws(() => extractBearerToken(request), { code: 'ERR_INVALID_REQUEST' }, header);
    else assert.equal(extractBearerToken(request), outcome === 'none' ? undefined : outcome.token, header);
  }
});
