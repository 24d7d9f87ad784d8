// RFC 9449 DPoP at this server, from both sides: proofs at the token endpoint (typ, alg, jwk, htm, htu, iat, jti
// replay, server nonces), DPoP-bound access tokens (cnf.jkt, token_type DPoP), public clients' refresh tokens bound to
// the key, dpop_jkt at /authorize and PAR, UserInfo with Authorization: DPoP, introspection, "DPoP required".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { generateKeyPair, exportJWK } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization } from '../helpers/authorization-flow.ts';
import { PASSWORD, SPA_ORIGIN, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { dpopKey, dpopProof, type DpopKey } from '../helpers/dpop.ts';
import { addClient, basic, FORM_HEADERS, form } from '../helpers/test-server.ts';

let f: Fixture;
let key: DpopKey;
let otherKey: DpopKey;
let strict: { id: string; secret: string };
const SPA_CALLBACK = `${SPA_ORIGIN}/callback`;

before(async () => {
  f = await startFixture();
  key = await dpopKey('ES256');
  otherKey = await dpopKey('EdDSA');
  strict = (await addClient(f.server, { name: 'Bound', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read', requireDpop: true })) as { id: string; secret: string };
});
after(async () => {
  await f.server.close();
});

const TOKEN_URL = () => `${f.issuer}/token`;
const proof = (k: DpopKey, overrides: Partial<Parameters<typeof dpopProof>[1]> = {}) => dpopProof(k, { htu: TOKEN_URL(), iat: f.clock.now, ...overrides });

interface Client { id: string; secret?: string | undefined }

function token(client: Client, fields: Record<string, string>, dpop?: string | string[]): Promise<LightMyRequestResponse> {
  const headers: Record<string, string | string[]> = { ...FORM_HEADERS };
  const body = { ...fields };
  if (client.secret !== undefined) headers.authorization = basic(client.id, client.secret);
  else body.client_id = client.id;
  if (dpop !== undefined) headers.dpop = dpop;
  return f.server.app.inject({ method: 'POST', url: '/token', headers, payload: form(body) });
}

/** Signs in and returns a fresh code with its PKCE verifier. */
async function code(client: Client, redirectUri: string, extra: Record<string, string> = {}): Promise<{ code: string; verifier: string }> {
  const pkce = pkcePair();
  const url = authorizeUrl({ response_type: 'code', client_id: client.id, redirect_uri: redirectUri, scope: 'openid contacts:read', code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra });
  const { response } = await runAuthorization(new InjectBrowser(f.server.app), url, { username: 'alice', password: PASSWORD });
  const value = callbackParams(response).get('code');
  assert.ok(value, String(response.headers.location));
  return { code: value, verifier: pkce.verifier };
}

async function codeGrant(client: Client, redirectUri: string, dpop?: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const c = await code(client, redirectUri, extra);
  return token(client, { grant_type: 'authorization_code', code: c.code, redirect_uri: redirectUri, code_verifier: c.verifier }, dpop);
}

function assertError(response: LightMyRequestResponse, status: number, error: string, description?: RegExp): void {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.json().error, error);
  if (description) assert.match(response.json().error_description, description);
}

describe('DPoP-bound tokens from the token endpoint (RFC 9449 §5)', () => {
  it('a proof binds the access token: token_type DPoP and cnf.jkt the key thumbprint', async () => {
    const response = await codeGrant(f.web, WEB_CALLBACK, await proof(key));
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(body.access_token).payload.cnf, { jkt: key.jkt });
  });

  it('without a proof the token is a Bearer token without cnf', async () => {
    const body = (await codeGrant(f.web, WEB_CALLBACK)).json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(decodeJwt(body.access_token).payload.cnf, undefined);
  });

  it('client credentials tokens are bound too', async () => {
    const sync = await addClient(f.server, { name: 'Sync', grantTypes: ['client_credentials'], scope: 'contacts:read' });
    const response = await token(sync, { grant_type: 'client_credentials' }, await proof(key));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().token_type, 'DPoP');
    assert.deepEqual(decodeJwt(response.json().access_token).payload.cnf, { jkt: key.jkt });
  });

  it("a public client's refresh token is bound to the key: refused without a proof or with another key, accepted with the key", async () => {
    const first = (await codeGrant(f.spa, SPA_CALLBACK, await proof(key))).json();
    assertError(await token(f.spa, { grant_type: 'refresh_token', refresh_token: first.refresh_token }), 400, 'invalid_grant', /bound to a DPoP key/);
    assertError(await token(f.spa, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, await proof(otherKey)), 400, 'invalid_grant', /not the key/);
    const refreshed = await token(f.spa, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, await proof(key));
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.deepEqual(decodeJwt(refreshed.json().access_token).payload.cnf, { jkt: key.jkt });
  });

  it("a confidential client's refresh token is not bound (RFC 9449 §5): a new proof key binds the new access token", async () => {
    const first = (await codeGrant(f.web, WEB_CALLBACK, await proof(key))).json();
    const refreshed = await token(f.web, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, await proof(otherKey));
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.deepEqual(decodeJwt(refreshed.json().access_token).payload.cnf, { jkt: otherKey.jkt });
  });

  it('a client registered with requireDpop gets no token without a proof', async () => {
    assertError(await codeGrant(strict, WEB_CALLBACK), 400, 'invalid_dpop_proof', /must send a DPoP proof/);
    assert.equal((await codeGrant(strict, WEB_CALLBACK, await proof(key))).json().token_type, 'DPoP');
  });

  it('discovery lists the proof algorithms', async () => {
    const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'PS256']);
  });
});

describe('DPoP proofs at the token endpoint: the attacker side (RFC 9449 §4.3)', () => {
  const refused = async (dpop: string | string[], description: RegExp) => {
    // A client credentials request: nothing is consumed by a refused proof.
    const sync = await addClient(f.server, { name: 'Sync', grantTypes: ['client_credentials'], scope: 'contacts:read' });
    assertError(await token(sync, { grant_type: 'client_credentials' }, dpop), 400, 'invalid_dpop_proof', description);
  };

  it('a proof made for another URL', async () => refused(await proof(key, { htu: `${f.issuer}/userinfo` }), /another URL/));
  it('a proof made for another host (Host headers are never trusted)', async () => refused(await proof(key, { htu: 'https://evil.example/token' }), /another URL/));
  it('a proof made for another method', async () => refused(await proof(key, { htm: 'GET' }), /another HTTP method/));
  it('a replayed proof', async () => {
    const once = await proof(key);
    const sync = await addClient(f.server, { name: 'Sync', grantTypes: ['client_credentials'], scope: 'contacts:read' });
    assert.equal((await token(sync, { grant_type: 'client_credentials' }, once)).statusCode, 200);
    assertError(await token(sync, { grant_type: 'client_credentials' }, once), 400, 'invalid_dpop_proof', /already used/);
  });
  it('a proof whose jwk is a private key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    await refused(await proof({ ...key, privateKey }, { jwk: privateJwk }), /private key/);
  });
  it('a proof signed by another key than its jwk', async () => refused(await proof({ ...key, privateKey: otherKey.privateKey, alg: 'EdDSA' }), /signature|malformed/));
  it('typ JWT instead of dpop+jwt', async () => refused(await proof(key, { typ: 'JWT' }), /typ/));
  it('RS256, HS256 and none are not accepted', async () => {
    const rsa = await dpopKey('RS256');
    await refused(await proof(rsa), /algorithm/);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const hsInput = `${b64({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } })}.${b64({ htm: 'POST', htu: TOKEN_URL(), jti: 'x1', iat: f.clock.now })}`;
    const hs = `${hsInput}.${createHmac('sha256', 'secret').update(hsInput).digest('base64url')}`;
    await refused(hs, /private key|algorithm/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })).toString('base64url')}.${Buffer.from(JSON.stringify({ htm: 'POST', htu: TOKEN_URL(), jti: 'n', iat: f.clock.now })).toString('base64url')}.`;
    await refused(none, /malformed|algorithm/);
  });
  it('iat outside the 60-second window, in the past or the future', async () => {
    await refused(await proof(key, { iat: f.clock.now - 120 }), /iat/);
    await refused(await proof(key, { iat: f.clock.now + 120 }), /iat/);
  });
  it('a proof without jti, and two DPoP headers', async () => {
    await refused(await proof(key, { claims: { jti: undefined } }), /jti|required claim/);
    await refused([await proof(key), await proof(key)], /exactly one/);
  });
});

describe('dpop_jkt binds the code to a key (RFC 9449 §10)', () => {
  it('the code is redeemed only with a proof of that key', async () => {
    const c = await code(f.web, WEB_CALLBACK, { dpop_jkt: key.jkt });
    const fields = { grant_type: 'authorization_code', code: c.code, redirect_uri: WEB_CALLBACK, code_verifier: c.verifier };
    assertError(await token(f.web, fields), 400, 'invalid_grant', /bound to a DPoP key/);
    assertError(await token(f.web, fields, await proof(otherKey)), 400, 'invalid_grant', /dpop_jkt/);
    const ok = await token(f.web, fields, await proof(key));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().token_type, 'DPoP');
  });

  it('a malformed dpop_jkt is refused at /authorize', async () => {
    const response = await new InjectBrowser(f.server.app).get(authorizeUrl({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256', dpop_jkt: 'short' }));
    assert.equal(callbackParams(response).get('error'), 'invalid_request');
  });

  it('a DPoP proof at the PAR endpoint binds the code like dpop_jkt; a dpop_jkt of another key is refused', async () => {
    const pkce = pkcePair();
    const fields = { response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256' };
    const par = (extra: Record<string, string>, dpop: string) => f.server.app.inject({ method: 'POST', url: '/par', headers: { ...FORM_HEADERS, authorization: basic(f.web.id, f.web.secret), dpop }, payload: form({ ...fields, ...extra }) });
    assertError(await par({ dpop_jkt: otherKey.jkt }, await proof(key, { htu: `${f.issuer}/par` })), 400, 'invalid_dpop_proof', /dpop_jkt/);
    assertError(await par({}, await proof(key)), 400, 'invalid_dpop_proof', /another URL/);
    const pushed = await par({}, await proof(key, { htu: `${f.issuer}/par` }));
    assert.equal(pushed.statusCode, 201, pushed.body);
    const { response } = await runAuthorization(new InjectBrowser(f.server.app), authorizeUrl({ client_id: f.web.id, request_uri: pushed.json().request_uri }), { username: 'alice', password: PASSWORD });
    const redeem = { grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier };
    assertError(await token(f.web, redeem, await proof(otherKey)), 400, 'invalid_grant');
    assert.equal((await token(f.web, redeem, await proof(key))).statusCode, 200);
  });
});

describe('server nonces (RFC 9449 §8), stateless across instances', () => {
  it('a proof without the nonce gets use_dpop_nonce and a DPoP-Nonce; the retry with it succeeds; an old nonce is refused', async () => {
    const g = await startFixture({ dpopNonceRequired: true });
    try {
      const sync = await addClient(g.server, { name: 'Sync', grantTypes: ['client_credentials'], scope: 'contacts:read' });
      const send = (dpop: string) => g.server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(sync.id, sync.secret!), dpop }, payload: form({ grant_type: 'client_credentials' }) });
      const at = (nonce?: string) => dpopProof(key, { htu: `${g.issuer}/token`, iat: g.clock.now, ...(nonce === undefined ? {} : { nonce }) });
      const first = await send(await at());
      assert.equal(first.statusCode, 400);
      assert.equal(first.json().error, 'use_dpop_nonce');
      const nonce = String(first.headers['dpop-nonce']);
      assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
      const retry = await send(await at(nonce));
      assert.equal(retry.statusCode, 200, retry.body);
      assert.ok(retry.headers['dpop-nonce'], 'a fresh nonce with every answer');
      assertError(await send(await at('A'.repeat(32))), 400, 'use_dpop_nonce', /invalid or has expired/);
      g.clock.now += 180;
      assertError(await send(await at(nonce)), 400, 'use_dpop_nonce', /invalid or has expired/);
    } finally {
      await g.server.close();
    }
  });
});

describe('UserInfo and introspection honour the binding (RFC 9449 §7.1, §6.2)', () => {
  let bound: string;
  before(async () => {
    bound = (await codeGrant(f.web, WEB_CALLBACK, await proof(key))).json().access_token;
  });
  const USERINFO = () => `${f.issuer}/userinfo`;
  const userinfo = (headers: Record<string, string>) => f.server.app.inject({ method: 'GET', url: '/userinfo', headers });

  it('Authorization: DPoP with a proof of the key (ath) is served', async () => {
    const response = await userinfo({ authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'GET', htu: USERINFO(), accessToken: bound }) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().sub, f.userId);
  });

  it('a stolen DPoP-bound token presented as Bearer is refused', async () => {
    const response = await userinfo({ authorization: `Bearer ${bound}` });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_token');
    assert.match(String(response.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
  });

  it('a stolen token with a proof of the thief\'s own key is refused', async () => {
    const response = await userinfo({ authorization: `DPoP ${bound}`, dpop: await proof(otherKey, { htm: 'GET', htu: USERINFO(), accessToken: bound }) });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_token');
  });

  it('without a proof, with a proof for another token, URL or method: invalid_dpop_proof with a DPoP challenge', async () => {
    const cases: Record<string, string>[] = [
      { authorization: `DPoP ${bound}` },
      { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'GET', htu: USERINFO(), accessToken: 'another-token' }) },
      { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'GET', htu: TOKEN_URL(), accessToken: bound }) },
      { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'POST', htu: USERINFO(), accessToken: bound }) },
    ];
    for (const headers of cases) {
      const response = await userinfo(headers);
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().error, 'invalid_dpop_proof');
      assert.match(String(response.headers['www-authenticate']), /^DPoP realm="latchkey", algs="ES256 EdDSA PS256", error="invalid_dpop_proof"/);
    }
  });

  it('a replayed UserInfo proof is refused', async () => {
    const headers = { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'GET', htu: USERINFO(), accessToken: bound }) };
    assert.equal((await userinfo(headers)).statusCode, 200);
    assert.equal((await userinfo(headers)).json().error, 'invalid_dpop_proof');
  });

  it('a Bearer token presented with the DPoP scheme is refused', async () => {
    const plain = (await codeGrant(f.web, WEB_CALLBACK)).json().access_token;
    const response = await userinfo({ authorization: `DPoP ${plain}`, dpop: await proof(key, { htm: 'GET', htu: USERINFO(), accessToken: plain }) });
    assert.equal(response.json().error, 'invalid_token');
  });

  it('introspection returns cnf and token_type DPoP', async () => {
    const response = await f.server.app.inject({ method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(f.web.id, f.web.secret) }, payload: form({ token: bound }) });
    const body = response.json();
    assert.equal(body.active, true);
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(body.cnf, { jkt: key.jkt });
  });
});
