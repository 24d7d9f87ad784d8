// End to end with an independent, certified relying-party library (openid-client 6) against a listening server:
// discovery, authorization URL, callback validation (state, iss per RFC 9207, PKCE), code exchange, ID token
// validation (signature, iss, aud, nonce, exp), UserInfo with the sub check, refresh, silent SSO, and RP-initiated
// logout through the advertised end_session_endpoint (after which signing in asks for the password again).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { PASSWORD } from '../helpers/authorization-fixtures.ts';
import { FetchBrowser } from '../helpers/fetch-browser.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addApi, addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';

const RP_CALLBACK = 'https://rp.example/callback';
const RP_LOGGED_OUT = 'https://rp.example/logged-out';
const NATIVE_CALLBACK = 'http://127.0.0.1/callback';
let server: TestServer;
let issuer: string;
let userId: string;
let confidential: { id: string; secret: string };
let publicClient: { id: string };

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  server = await startTestServer({ issuer, port });
  await server.app.listen({ port, host: '127.0.0.1' });
  await addApi(server, 'https://contacts.example', { 'contacts:read': 'Read your contacts' });
  const web = await addClient(server, { name: 'RP Web', redirectUris: [RP_CALLBACK], scope: 'openid profile email contacts:read', postLogoutRedirectUris: [RP_LOGGED_OUT] });
  confidential = { id: web.id, secret: web.secret! };
  publicClient = await addClient(server, { name: 'RP Native', isPublic: true, redirectUris: [NATIVE_CALLBACK], scope: 'openid profile contacts:read' });
  userId = (await addTestUser(server, 'alice', PASSWORD, { email: 'alice@example.com', name: 'Alice' })).id;
});
after(async () => {
  await server.close();
});

const insecure = { execute: [oidc.allowInsecureRequests] };

async function authorizationRequest(config: oidc.Configuration, redirectUri: string, scope: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url: url.toString(), verifier, state, nonce };
}

describe('openid-client as the relying party', () => {
  it('confidential client (client_secret_basic): code + PKCE, ID token, UserInfo, refresh, then silent SSO with prompt=none', async () => {
    const config = await oidc.discovery(new URL(issuer), confidential.id, undefined, oidc.ClientSecretBasic(confidential.secret), insecure);
    const browser = new FetchBrowser();
    const request = await authorizationRequest(config, RP_CALLBACK, 'openid profile email contacts:read');
    const callback = await browser.authorize(request.url, RP_CALLBACK, { username: 'alice', password: PASSWORD });
    assert.deepEqual(browser.pages, ['login', 'consent']);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, userId);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, confidential.id);
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.refresh_token);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, 'alice@example.com');
    assert.equal(info.name, 'Alice');
    assert.equal(info.preferred_username, 'alice');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()!.sub, claims.sub);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    // Once the successor is in use, the spent token is reuse (before that, within the retry window, a retry).
    await oidc.refreshTokenGrant(config, refreshed.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: unknown) => (e as { error?: string }).error === 'invalid_grant');

    const silent = await authorizationRequest(config, RP_CALLBACK, 'openid profile', { prompt: 'none' });
    const before = browser.pages.length;
    const silentCallback = await browser.authorize(silent.url, RP_CALLBACK, { username: 'alice', password: PASSWORD });
    assert.equal(browser.pages.length, before, 'no page shown');
    const again = await oidc.authorizationCodeGrant(config, new URL(silentCallback), { pkceCodeVerifier: silent.verifier, expectedState: silent.state, expectedNonce: silent.nonce });
    assert.equal(again.claims()!.sub, userId);
  });

  it('signs in, uses UserInfo, signs out through end_session_endpoint (buildEndSessionUrl), and the next sign-in asks for the password', async () => {
    const config = await oidc.discovery(new URL(issuer), confidential.id, undefined, oidc.ClientSecretBasic(confidential.secret), insecure);
    assert.equal(config.serverMetadata().end_session_endpoint, `${issuer}/session/end`);
    const browser = new FetchBrowser();
    const request = await authorizationRequest(config, RP_CALLBACK, 'openid profile');
    const callback = await browser.authorize(request.url, RP_CALLBACK, { username: 'alice', password: PASSWORD });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true });
    assert.equal(typeof tokens.claims()!.sid, 'string', 'the ID token names the session');
    assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, userId)).name, 'Alice');

    const state = oidc.randomState();
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: RP_LOGGED_OUT, state });
    const out = await browser.request(endSession.toString());
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), `${RP_LOGGED_OUT}?state=${state}`);

    const silent = await authorizationRequest(config, RP_CALLBACK, 'openid', { prompt: 'none' });
    const silentCallback = await browser.authorize(silent.url, RP_CALLBACK, { username: 'alice', password: PASSWORD });
    await assert.rejects(oidc.authorizationCodeGrant(config, new URL(silentCallback), { pkceCodeVerifier: silent.verifier, expectedState: silent.state }),
      (e: unknown) => (e as { error?: string }).error === 'login_required');
    const pagesBefore = browser.pages.length;
    const again = await authorizationRequest(config, RP_CALLBACK, 'openid profile');
    const againCallback = await browser.authorize(again.url, RP_CALLBACK, { username: 'alice', password: PASSWORD });
    assert.deepEqual(browser.pages.slice(pagesBefore), ['login'], 'the password is asked again (consent is remembered)');
    const second = await oidc.authorizationCodeGrant(config, new URL(againCallback), { pkceCodeVerifier: again.verifier, expectedState: again.state, expectedNonce: again.nonce });
    assert.notEqual(second.claims()!.sid, tokens.claims()!.sid, 'a new session');
  });

  it('public native client (PKCE only, loopback redirect with an ephemeral port)', async () => {
    const config = await oidc.discovery(new URL(issuer), publicClient.id, undefined, oidc.None(), insecure);
    const redirectUri = 'http://127.0.0.1:53123/callback';
    const request = await authorizationRequest(config, redirectUri, 'openid contacts:read');
    const callback = await new FetchBrowser().authorize(request.url, redirectUri, { username: 'alice', password: PASSWORD });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true,
    });
    assert.equal(tokens.claims()!.sub, userId);
    assert.equal(tokens.scope, 'openid contacts:read');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    assert.deepEqual(info, { sub: userId });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
  });

  it('the RP rejects a callback whose state was forged, and a wrong PKCE verifier is refused by the server', async () => {
    const config = await oidc.discovery(new URL(issuer), confidential.id, undefined, oidc.ClientSecretBasic(confidential.secret), insecure);
    const request = await authorizationRequest(config, RP_CALLBACK, 'openid');
    const callback = await new FetchBrowser().authorize(request.url, RP_CALLBACK, { username: 'alice', password: PASSWORD });
    await assert.rejects(oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: 'forged' }));
    await assert.rejects(
      oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: request.state, expectedNonce: request.nonce }),
      (e: unknown) => (e as { error?: string }).error === 'invalid_grant',
    );
  });

  it('prompt=none without a session comes back as login_required, which openid-client reports', async () => {
    const config = await oidc.discovery(new URL(issuer), confidential.id, undefined, oidc.ClientSecretBasic(confidential.secret), insecure);
    const request = await authorizationRequest(config, RP_CALLBACK, 'openid', { prompt: 'none' });
    const callback = await new FetchBrowser().authorize(request.url, RP_CALLBACK, { username: 'x', password: 'y' });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state }),
      (e: unknown) => (e as { error?: string }).error === 'login_required',
    );
  });
});
