// CORS on the token endpoint only, and only for the origins of public clients' registered redirect URIs
// (OAuth 2.1 §7 browser-based apps; Fetch CORS protocol). Nothing else answers with CORS headers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SPA_ORIGIN, startFixture, type Fixture } from '../helpers/authorization-fixtures.ts';
import { FORM_HEADERS } from '../helpers/test-server.ts';

let f: Fixture;

before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.server.close();
});

const preflight = (origin: string, url = '/token') => f.server.app.inject({
  method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
});

describe('token endpoint CORS', () => {
  it('preflight from a public client redirect origin is allowed (POST, content-type)', async () => {
    const response = await preflight(SPA_ORIGIN);
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], SPA_ORIGIN);
    assert.equal(response.headers['access-control-allow-methods'], 'POST');
    assert.equal(response.headers['access-control-allow-headers'], 'content-type');
    assert.equal(response.headers['access-control-allow-credentials'], undefined);
    assert.match(String(response.headers.vary), /origin/i);
  });

  it("preflight from other origins gets no CORS headers (a confidential client's origin included)", async () => {
    for (const origin of ['https://evil.example', 'https://app.example', 'https://spa.example.evil.example', 'null']) {
      const response = await preflight(origin);
      assert.equal(response.headers['access-control-allow-origin'], undefined, origin);
    }
  });

  it('the token response, an error included, is readable by the public client origin', async () => {
    const error = await f.server.app.inject({
      method: 'POST', url: '/token', headers: { ...FORM_HEADERS, origin: SPA_ORIGIN },
      payload: new URLSearchParams({ grant_type: 'authorization_code', client_id: f.spa.id, code: 'x'.repeat(43), code_verifier: 'y'.repeat(43) }).toString(),
    });
    assert.equal(error.statusCode, 400);
    assert.equal(error.headers['access-control-allow-origin'], SPA_ORIGIN);
  });

  it('not for a confidential client, nor for a public client called from another origin', async () => {
    const confidential = await f.server.app.inject({
      method: 'POST', url: '/token', headers: { ...FORM_HEADERS, origin: 'https://app.example' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: f.web.id, client_secret: f.web.secret }).toString(),
    });
    assert.equal(confidential.headers['access-control-allow-origin'], undefined);
    const wrongOrigin = await f.server.app.inject({
      method: 'POST', url: '/token', headers: { ...FORM_HEADERS, origin: 'https://evil.example' },
      payload: new URLSearchParams({ grant_type: 'refresh_token', client_id: f.spa.id, refresh_token: 'x' }).toString(),
    });
    assert.equal(wrongOrigin.headers['access-control-allow-origin'], undefined);
  });

  it('no CORS anywhere else: authorize, userinfo, interaction pages', async () => {
    for (const url of ['/authorize', '/userinfo', '/interaction/abc']) {
      const response = await f.server.app.inject({ method: 'GET', url, headers: { origin: SPA_ORIGIN } });
      assert.equal(response.headers['access-control-allow-origin'], undefined, url);
      assert.equal((await preflight(SPA_ORIGIN, url)).headers['access-control-allow-origin'], undefined, url);
    }
  });
});
