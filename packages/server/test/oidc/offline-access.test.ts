// OpenID Connect Core §11 offline_access: a known scope with its own consent line, accepted from any client that may
// refresh, ignored for one that may not; refresh tokens follow the client's grant types (docs/decisions.md 2026-11-29).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { applyOfflineAccess } from '../../src/oauth/scope.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.server.close();
});

async function signIn(client: ClientCredentials, redirectUri: string, scope: string) {
  const browser = new InjectBrowser(f.server.app);
  const pkce = pkcePair();
  const url = authorizeUrl({ response_type: 'code', client_id: client.id, redirect_uri: redirectUri, scope, state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256' });
  const { response, html } = await runAuthorization(browser, url, { username: 'alice', password: PASSWORD });
  const code = callbackParams(response).get('code');
  assert.ok(code, `no code: ${response.headers.location}`);
  const token = await tokenRequest(f.server.app, client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier });
  assert.equal(token.statusCode, 200, token.body);
  return { html: html.join('\n'), token: token.json() as Record<string, unknown> };
}

describe('offline_access', () => {
  it('is listed in scopes_supported', async () => {
    const metadata = (await f.server.app.inject({ url: '/.well-known/openid-configuration' })).json();
    assert.ok(metadata.scopes_supported.includes('offline_access'));
  });

  it('is accepted from a client with the refresh_token grant that did not list it, shown on the consent page, and granted', async () => {
    const { html, token } = await signIn(f.web, WEB_CALLBACK, 'openid offline_access');
    assert.match(html, /keep access when you are not using the app/);
    assert.equal(typeof token.refresh_token, 'string');
    assert.deepEqual(String(token.scope).split(' ').sort(), ['offline_access', 'openid']);
  });

  it('without it, a client with the refresh_token grant still gets a refresh token (OAuth 2.1: the server decides)', async () => {
    const { html, token } = await signIn(f.web, WEB_CALLBACK, 'openid profile');
    assert.doesNotMatch(html, /keep access when you are not using the app/);
    assert.equal(typeof token.refresh_token, 'string');
  });

  it('is ignored, not refused, for a client without the refresh_token grant: no refresh token, not in the granted scope', async () => {
    const { html, token } = await signIn(f.single, 'https://single.example/cb', 'openid offline_access');
    assert.doesNotMatch(html, /keep access when you are not using the app/);
    assert.equal(token.refresh_token, undefined);
    assert.equal(token.scope, 'openid');
  });

  it('applyOfflineAccess: allows only offline_access, and only for a client that may refresh', () => {
    const refreshable = applyOfflineAccess(['openid', 'offline_access'], ['authorization_code', 'refresh_token']);
    assert.deepEqual(refreshable.scopes, ['openid', 'offline_access']);
    assert.equal(refreshable.allowed('offline_access'), true);
    assert.equal(refreshable.allowed('contacts:write'), false);
    const codeOnly = applyOfflineAccess(['openid', 'offline_access'], ['authorization_code']);
    assert.deepEqual(codeOnly.scopes, ['openid']);
    assert.equal(codeOnly.allowed('offline_access'), false);
  });
});
