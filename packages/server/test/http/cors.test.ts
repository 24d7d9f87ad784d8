// CORS on /token, /revoke and /userinfo only, and only for the origins of public clients' registered redirect URIs
// (OAuth 2.1 §7 browser-based apps; Fetch CORS protocol). No browser-facing page answers with CORS headers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { PASSWORD, SPA_ORIGIN, startFixture, type Fixture } from '../helpers/authorization-fixtures.ts';
import { FORM_HEADERS } from '../helpers/test-server.ts';

let f: Fixture;

before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.server.close();
});

const preflight = (origin: string, url = '/token', method = 'POST', headers = 'content-type') => f.server.app.inject({
  method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

/** A signed-in SPA's tokens (public client, PKCE, its own origin). */
async function spaTokens(): Promise<Record<string, string>> {
  const pkce = pkcePair();
  const redirectUri = `${SPA_ORIGIN}/callback`;
  const { response } = await runAuthorization(new InjectBrowser(f.server.app), authorizeUrl({
    response_type: 'code', client_id: f.spa.id, redirect_uri: redirectUri, scope: 'openid profile', code_challenge: pkce.challenge, code_challenge_method: 'S256',
  }), { username: 'alice', password: PASSWORD });
  const token = await tokenRequest(f.server.app, f.spa, { grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: redirectUri, code_verifier: pkce.verifier });
  assert.equal(token.statusCode, 200, token.body);
  return token.json();
}

describe('token endpoint CORS', () => {
  it('preflight from a public client redirect origin is allowed (POST, content-type)', async () => {
    const response = await preflight(SPA_ORIGIN);
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], SPA_ORIGIN);
    assert.equal(response.headers['access-control-allow-methods'], 'POST');
    assert.equal(response.headers['access-control-allow-headers'], 'content-type, dpop');
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

  it('no CORS on browser-facing pages: authorize, interaction, account, the start page; nor on introspection', async () => {
    for (const url of ['/authorize', '/interaction/abc', '/account', '/', '/introspect']) {
      const response = await f.server.app.inject({ method: 'GET', url, headers: { origin: SPA_ORIGIN } });
      assert.equal(response.headers['access-control-allow-origin'], undefined, url);
      assert.equal((await preflight(SPA_ORIGIN, url)).headers['access-control-allow-origin'], undefined, url);
    }
  });
});

describe('userinfo CORS', () => {
  it('preflight from a public client origin allows GET and POST with the Authorization header', async () => {
    const response = await preflight(SPA_ORIGIN, '/userinfo', 'GET', 'authorization');
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], SPA_ORIGIN);
    assert.equal(response.headers['access-control-allow-methods'], 'GET, POST');
    assert.equal(response.headers['access-control-allow-headers'], 'authorization, content-type, dpop');
    assert.equal(response.headers['access-control-allow-credentials'], undefined);
  });

  it('preflight from another origin (a confidential client\'s included) gets no CORS headers', async () => {
    for (const origin of ['https://evil.example', 'https://app.example', 'null']) {
      const response = await preflight(origin, '/userinfo', 'GET', 'authorization');
      assert.equal(response.headers['access-control-allow-origin'], undefined, origin);
      assert.equal(response.headers['access-control-allow-methods'], undefined, origin);
    }
  });

  it('the actual response, a 401 included, is readable by a public client origin and by no other', async () => {
    const tokens = await spaTokens();
    const ok = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { origin: SPA_ORIGIN, authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.headers['access-control-allow-origin'], SPA_ORIGIN);
    assert.match(String(ok.headers['access-control-expose-headers']), /www-authenticate/);
    const denied = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { origin: SPA_ORIGIN, authorization: 'Bearer not-a-token' } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], SPA_ORIGIN);
    const evil = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { origin: 'https://evil.example', authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(evil.statusCode, 200);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    assert.match(String(evil.headers.vary), /origin/i);
  });
});

describe('revocation CORS', () => {
  it('preflight from a public client origin allows POST; from another origin no CORS headers', async () => {
    const allowed = await preflight(SPA_ORIGIN, '/revoke');
    assert.equal(allowed.headers['access-control-allow-origin'], SPA_ORIGIN);
    assert.equal(allowed.headers['access-control-allow-methods'], 'POST');
    assert.equal((await preflight('https://evil.example', '/revoke')).headers['access-control-allow-origin'], undefined);
  });

  it('the public client revokes its refresh token from its origin and may read the answer; another origin may not read', async () => {
    const tokens = await spaTokens();
    const evil = await f.server.app.inject({
      method: 'POST', url: '/revoke', headers: { ...FORM_HEADERS, origin: 'https://evil.example' },
      payload: new URLSearchParams({ client_id: f.spa.id, token: 'unknown-token' }).toString(),
    });
    assert.equal(evil.statusCode, 200);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    const confidential = await f.server.app.inject({
      method: 'POST', url: '/revoke', headers: { ...FORM_HEADERS, origin: 'https://app.example' },
      payload: new URLSearchParams({ client_id: f.web.id, client_secret: f.web.secret, token: 'unknown-token' }).toString(),
    });
    assert.equal(confidential.headers['access-control-allow-origin'], undefined);
    const revoked = await f.server.app.inject({
      method: 'POST', url: '/revoke', headers: { ...FORM_HEADERS, origin: SPA_ORIGIN },
      payload: new URLSearchParams({ client_id: f.spa.id, token: tokens.refresh_token!, token_type_hint: 'refresh_token' }).toString(),
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.headers['access-control-allow-origin'], SPA_ORIGIN);
    const refresh = await tokenRequest(f.server.app, f.spa, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refresh.json().error, 'invalid_grant');
  });
});
