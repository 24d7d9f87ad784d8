// How the kit answers errors: JSON for API calls, a page for navigations, and nothing internal for unknown errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse } from '../src/error-response.ts';
import { CallbackError, InsufficientScopeError, ReauthenticationRequiredError } from '../src/errors.ts';

test('API calls get the error as JSON with the wire error value, the login path, and no-store', async () => {
  const response = errorResponse(new ReauthenticationRequiredError(), { html: false, loginPath: '/login' });
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await response.json(), { error: 'reauthentication_required', message: 'The session must be re-authenticated.', login: '/login' });
});

test('missing scopes: 403 with a Bearer insufficient_scope challenge naming them', async () => {
  const response = errorResponse(new InsufficientScopeError(['orders:write']), { html: false, loginPath: '/login' });
  assert.equal(response.status, 403);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer error="insufficient_scope", scope="orders:write"');
  assert.deepEqual((await response.json() as { missing_scopes: string[] }).missing_scopes, ['orders:write']);
});

test('an unknown error says nothing about itself', async () => {
  const response = errorResponse(new Error('SELECT * FROM secrets failed'), { html: false, loginPath: '/login' });
  assert.equal(response.status, 500);
  assert.deepEqual(await response.json(), { error: 'internal_error', message: 'Something went wrong.' });
});

test('a page shows the escaped user message, under a CSP that allows nothing', async () => {
  const response = errorResponse(new CallbackError('provider_error', { providerError: 'access_denied' }), { html: true, loginPath: '/login?x="<a>' });
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const page = await response.text();
  assert.match(page, /Sign-in was cancelled or access was denied\./);
  assert.match(page, /href="\/login\?x=&quot;&lt;a&gt;"/);
});
