// The error-to-response mapping of RFC 6750 §3.1: status, challenge, body and no-store for each kind of failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerErrorResponse } from '../src/bearer-error-response.ts';
import {
  InsufficientScopeError,
  InvalidRequestError,
  MetadataError,
  TokenExpiredError,
  TokenMissingError,
} from '../src/errors.ts';

test('no credentials: 401, bare challenge, no body', () => {
  assert.deepEqual(bearerErrorResponse(new TokenMissingError(), { realm: 'api' }), {
    status: 401,
    headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer realm="api"' },
    body: undefined,
  });
});

test('invalid token: 401 with error and description, JSON body', () => {
  assert.deepEqual(bearerErrorResponse(new TokenExpiredError(), { realm: 'api' }), {
    status: 401,
    headers: {
      'cache-control': 'no-store',
      'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="the access token expired"',
    },
    body: { error: 'invalid_token', error_description: 'the access token expired' },
  });
});

test('insufficient scope: 403 with the space-separated scope attribute', () => {
  const response = bearerErrorResponse(new InsufficientScopeError(['read', 'write']), { realm: 'api' });
  assert.equal(response.status, 403);
  assert.equal(response.headers['www-authenticate'], 'Bearer realm="api", error="insufficient_scope", scope="read write"');
  assert.equal(response.body?.error, 'insufficient_scope');
});

test('invalid request: 400', () => {
  const response = bearerErrorResponse(new InvalidRequestError('the access token was sent by more than one method'), { realm: 'api' });
  assert.equal(response.status, 400);
  assert.equal(
    response.headers['www-authenticate'],
    'Bearer realm="api", error="invalid_request", error_description="the access token was sent by more than one method"',
  );
});

test('our own failures are 503 without a challenge (the client cannot fix them with another token)', () => {
  const response = bearerErrorResponse(new MetadataError('issuer metadata could not be fetched'), { realm: 'api' });
  assert.equal(response.status, 503);
  assert.equal(response.headers['www-authenticate'], undefined);
  assert.deepEqual(response.body, { error: 'temporarily_unavailable', error_description: 'issuer metadata could not be fetched' });
});
