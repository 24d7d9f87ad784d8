// The UserInfo endpoint (OpenID Connect Core §5.3, RFC 6750 §2-3): GET and POST, claims by scope, sub equal to the
// ID token's, and from the attacker's side: no token, malformed, forged, expired, revoked, client-credentials tokens.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient, FORM_HEADERS } from '../helpers/test-server.ts';

let f: Fixture;
let browser: InjectBrowser;

before(async () => {
  f = await startFixture();
  browser = new InjectBrowser(f.server.app);
});
after(async () => {
  await f.server.close();
});

async function tokensFor(scope: string): Promise<{ access_token: string; id_token?: string; refresh_token: string }> {
  const pkce = pkcePair();
  const { response } = await runAuthorization(browser, authorizeUrl({
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  }), { username: 'alice', password: PASSWORD });
  const exchanged = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
  return exchanged.json();
}

const getInfo = (headers: Record<string, string> = {}) => f.server.app.inject({ method: 'GET', url: '/userinfo', headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function assertBearerError(response: LightMyRequestResponse, status: number, error: string): void {
  assert.equal(response.statusCode, status, response.body);
  const challenge = String(response.headers['www-authenticate']);
  assert.match(challenge, /^Bearer realm="latchkey", /);
  assert.match(challenge, new RegExp(`error="${error}"`));
  assert.equal(response.json().error, error);
  assert.equal(response.headers['access-control-allow-origin'], undefined);
}

describe('claims', () => {
  it('GET with openid profile email: sub equals the ID token sub, plus profile and email claims', async () => {
    const tokens = await tokensFor('openid profile email');
    const response = await getInfo(bearer(tokens.access_token));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const claims = response.json();
    assert.equal(claims.sub, decodeJwt(tokens.id_token!).payload.sub);
    assert.equal(claims.sub, f.userId);
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.name, 'Alice Liddell');
    assert.equal(claims.email, 'alice@example.com');
    assert.equal(typeof claims.updated_at, 'number');
  });

  it('openid alone: only sub', async () => {
    const tokens = await tokensFor('openid');
    assert.deepEqual((await getInfo(bearer(tokens.access_token))).json(), { sub: f.userId });
  });

  it('POST with the token in the header or in the form body (RFC 6750 §2.2)', async () => {
    const tokens = await tokensFor('openid email');
    const header = await f.server.app.inject({ method: 'POST', url: '/userinfo', headers: bearer(tokens.access_token) });
    assert.equal(header.statusCode, 200);
    const body = await f.server.app.inject({ method: 'POST', url: '/userinfo', headers: FORM_HEADERS, payload: `access_token=${tokens.access_token}` });
    assert.equal(body.statusCode, 200);
    assert.equal(body.json().email, 'alice@example.com');
  });

  it('an access token for an API works when it also carries openid', async () => {
    const tokens = await tokensFor('openid contacts:read');
    assert.equal(decodeJwt(tokens.access_token).payload.aud, API);
    assert.equal((await getInfo(bearer(tokens.access_token))).statusCode, 200);
  });
});

describe('refusals', () => {
  it('no credentials → 401 with a bare Bearer challenge (RFC 6750 §3.1: no error code)', async () => {
    const response = await getInfo();
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="latchkey"');
  });

  it('another scheme (Basic) is no credentials → 401 with a bare Bearer challenge, as in the resource kit (RFC 6750 §3.1)', async () => {
    const response = await getInfo({ authorization: 'Basic YTpi' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="latchkey"');
  });

  it('a malformed Bearer header → 400 invalid_request; a well-formed token that is not ours → 401 invalid_token', async () => {
    assertBearerError(await getInfo({ authorization: 'Bearer a b' }), 400, 'invalid_request');
    assertBearerError(await getInfo({ authorization: 'Bearer a"b' }), 400, 'invalid_request');
    assertBearerError(await getInfo(bearer('not-a-jwt')), 401, 'invalid_token');
  });

  it('a token in both the header and the body → 400 invalid_request', async () => {
    const tokens = await tokensFor('openid');
    const response = await f.server.app.inject({ method: 'POST', url: '/userinfo', headers: { ...FORM_HEADERS, ...bearer(tokens.access_token) }, payload: `access_token=${tokens.access_token}` });
    assertBearerError(response, 400, 'invalid_request');
  });

  it('a token signed by someone else (same header, other key) → 401 invalid_token', async () => {
    const tokens = await tokensFor('openid');
    const { header, payload } = decodeJwt(tokens.access_token);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}`;
    const forged = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    assertBearerError(await getInfo(bearer(forged)), 401, 'invalid_token');
  });

  it('an ID token used as an access token → 401 invalid_token (typ must be at+jwt)', async () => {
    const tokens = await tokensFor('openid');
    assertBearerError(await getInfo(bearer(tokens.id_token!)), 401, 'invalid_token');
  });

  it('an expired token → 401 invalid_token', async () => {
    const tokens = await tokensFor('openid');
    f.clock.now += 901;
    assertBearerError(await getInfo(bearer(tokens.access_token)), 401, 'invalid_token');
  });

  it('a token whose grant was revoked → 401 invalid_token', async () => {
    const tokens = await tokensFor('openid');
    await f.server.store.revokeGrant(String(decodeJwt(tokens.access_token).payload.gid), f.clock.now);
    assertBearerError(await getInfo(bearer(tokens.access_token)), 401, 'invalid_token');
  });

  it('a token without the openid scope → 403 insufficient_scope', async () => {
    const tokens = await tokensFor('contacts:read');
    const response = await getInfo(bearer(tokens.access_token));
    assertBearerError(response, 403, 'insufficient_scope');
    assert.match(String(response.headers['www-authenticate']), /scope="openid"/);
  });

  it("a client-credentials token gets an error, never a user's or another client's identity", async () => {
    const machine = await addClient(f.server, { name: 'Machine', grantTypes: ['client_credentials'], scope: 'contacts:read' });
    const issued = await tokenRequest(f.server.app, { id: machine.id, secret: machine.secret }, { grant_type: 'client_credentials', scope: 'contacts:read' });
    assert.equal(issued.statusCode, 200, issued.body);
    const response = await getInfo(bearer(issued.json().access_token));
    assertBearerError(response, 401, 'invalid_token');
    assert.equal(response.json().sub, undefined);
  });
});
