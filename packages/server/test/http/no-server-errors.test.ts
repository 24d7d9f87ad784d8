// Bad input gets a specific 4xx, never a 500: every endpoint is sent malformed, oversized, repeated,
// mistyped and hostile input, and every answer must be below 500 with a JSON or HTML body, not a stack trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { basic } from '../helpers/test-server.ts';

const HOSTILE_VALUES = [
  '', ' ', '%', '%zz', '%00', '\u0000', '\uFFFF', '\uD800', 'é'.repeat(3000), 'a'.repeat(20_000), '"><script>alert(1)</script>',
  '../../etc/passwd', 'null', '[]', '{}', 'Bearer', '1e309', '-1', 'javascript:alert(1)', 'http://evil.example/',
];

const PARAMS = ['grant_type', 'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'scope', 'client_id', 'client_secret', 'token',
  'token_type_hint', 'resource', 'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age',
  'id_token_hint', 'login_hint', 'request', 'request_uri', 'username', 'password', 'csrf', 'decision', 'access_token'];

describe('no input makes the server answer 5xx', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  const assertHandled = (res: { statusCode: number; body: string; headers: Record<string, unknown> }, what: string) => {
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    assert.ok(!/at .*\.ts:\d+|node_modules|stack/i.test(res.body), `${what}: internals leaked`);
  };

  test('form endpoints: every parameter with every hostile value, alone and repeated', async () => {
    const endpoints = ['/token', '/introspect', '/revoke', '/userinfo', '/authorize', '/account/login', '/account/revoke', '/account/sign-out',
      '/interaction/x/login', '/interaction/x/consent'];
    for (const url of endpoints) {
      for (const name of PARAMS) {
        for (const value of HOSTILE_VALUES) {
          const single = new URLSearchParams({ [name]: value }).toString();
          for (const payload of [single, `${single}&${single}`]) {
            const res = await f.server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(f.web.id, f.web.secret) }, payload });
            assertHandled(res, `POST ${url} ${name}=${value.slice(0, 20)}`);
          }
        }
      }
    }
  });

  test('query-string endpoints with hostile values', async () => {
    for (const url of ['/authorize', '/account', '/interaction/x', '/', '/jwks', '/.well-known/openid-configuration', '/userinfo']) {
      for (const name of PARAMS) {
        for (const value of HOSTILE_VALUES.slice(0, 12)) {
          const res = await f.server.app.inject({ method: 'GET', url: `${url}?${new URLSearchParams({ [name]: value })}` });
          assertHandled(res, `GET ${url} ${name}=${value.slice(0, 20)}`);
        }
      }
    }
    // A valid-looking authorization request whose other parameters are hostile.
    for (const value of HOSTILE_VALUES) {
      const query = new URLSearchParams({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', scope: value, state: value, nonce: value, max_age: value, prompt: value });
      assertHandled(await f.server.app.inject({ method: 'GET', url: `/authorize?${query}` }), `authorize with hostile ${value.slice(0, 20)}`);
    }
  });

  test('hostile headers, bodies and methods', async () => {
    const headerCases: Record<string, string>[] = [
      { authorization: 'Basic' }, { authorization: 'Basic %%%' }, { authorization: `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}` },
      { authorization: `Bearer ${'a'.repeat(10_000)}` }, { authorization: 'Bearer a b c' }, { authorization: 'Negotiate abc' },
      { cookie: 'latchkey_sso=' + 'x'.repeat(5000) }, { cookie: '=;=;;;' }, { cookie: `latchkey_interaction=${'%'.repeat(100)}` },
      { origin: 'null' }, { origin: 'https://evil.example' }, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' },
    ];
    for (const url of ['/token', '/introspect', '/revoke', '/userinfo', '/account', '/account/revoke']) {
      for (const headers of headerCases) {
        for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const) {
          const res = await f.server.app.inject({ method, url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: method === 'GET' || method === 'OPTIONS' ? undefined : 'token=x&grant_type=refresh_token' });
          assertHandled(res, `${method} ${url} ${JSON.stringify(headers).slice(0, 60)}`);
        }
      }
      for (const [type, payload] of [['application/json', '{"a":'], ['text/plain', 'hello'], ['multipart/form-data; boundary=x', '--x--'], ['application/x-www-form-urlencoded', '%'.repeat(1000)]]) {
        assertHandled(await f.server.app.inject({ method: 'POST', url, headers: { 'content-type': type! }, payload }), `POST ${url} as ${type}`);
      }
    }
  });

  test('the server is still ready after the barrage', async () => {
    assert.equal((await f.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});
