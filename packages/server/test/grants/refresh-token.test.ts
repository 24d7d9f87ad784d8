// The refresh token grant (RFC 6749 §6, RFC 9700 §4.14.2, OAuth 2.1 §4.3, OpenID Connect Core §12): rotation on
// every use, reuse revoking the whole family, narrower-but-never-wider scope, idle and absolute lifetimes, client
// binding, and a refreshed ID token that keeps iss, sub, aud and auth_time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from '../helpers/authorization-flow.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';
import { whileSigningFails } from '../helpers/test-server.ts';
import { hashSecret } from '../../src/crypto/random.ts';

let f: Fixture;
let browser: InjectBrowser;
const IDLE = 3600;
const ABSOLUTE = 7200;

before(async () => {
  f = await startFixture({ refreshIdleTtl: IDLE, refreshAbsoluteTtl: ABSOLUTE });
  browser = new InjectBrowser(f.server.app);
});
after(async () => {
  await f.server.close();
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope: string;
}

async function initialTokens(client: ClientCredentials & { redirectUri: string } = { ...f.web, redirectUri: WEB_CALLBACK }, scope = 'openid profile contacts:read contacts:write'): Promise<Tokens> {
  const pkce = pkcePair();
  const { response } = await runAuthorization(browser, authorizeUrl({
    response_type: 'code', client_id: client.id, redirect_uri: client.redirectUri, scope, nonce: 'n-0', code_challenge: pkce.challenge, code_challenge_method: 'S256',
  }), { username: 'alice', password: PASSWORD });
  const exchanged = await tokenRequest(f.server.app, client, { grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: client.redirectUri, code_verifier: pkce.verifier });
  assert.equal(exchanged.statusCode, 200, exchanged.body);
  return exchanged.json();
}

const refresh = (refreshToken: string, extra: Record<string, string> = {}, client: ClientCredentials = f.web) =>
  tokenRequest(f.server.app, client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });

function assertTokenError(response: LightMyRequestResponse, error: string): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(response.json().error, error);
}

const userinfoStatus = async (accessToken: string) =>
  (await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } })).statusCode;

describe('rotation and reuse detection', () => {
  it('every use returns a new refresh token; the used one stops working', async () => {
    const first = await initialTokens();
    const second = await refresh(first.refresh_token);
    assert.equal(second.statusCode, 200, second.body);
    const body = second.json() as Tokens;
    assert.notEqual(body.refresh_token, first.refresh_token);
    assert.equal(body.scope, first.scope);
    assert.equal(decodeJwt(body.access_token).payload.gid, decodeJwt(first.access_token).payload.gid, 'same family');
    assert.equal((await refresh(body.refresh_token)).statusCode, 200);
  });

  it('replaying a rotated token → invalid_grant, and the whole family dies (the newest refresh token and the access tokens)', async () => {
    const first = await initialTokens();
    const second = (await refresh(first.refresh_token)).json() as Tokens;
    const third = (await refresh(second.refresh_token)).json() as Tokens;
    assert.equal(await userinfoStatus(third.access_token), 200);

    assertTokenError(await refresh(first.refresh_token), 'invalid_grant');
    assertTokenError(await refresh(third.refresh_token), 'invalid_grant');
    assert.equal(await userinfoStatus(third.access_token), 401);
    assert.equal(await userinfoStatus(first.access_token), 401);
  });

  it('two concurrent uses of one token (within the retry window): both answered, one refresh token stays live, the other is reuse', async () => {
    const first = await initialTokens();
    const results = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    assert.deepEqual(results.map((r) => r.statusCode), [200, 200]);
    const tokens = results.map((r) => (r.json() as Tokens).refresh_token);
    const active = await Promise.all(tokens.map(async (token) => (await f.server.app.inject({
      method: 'POST', url: '/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${f.web.id}:${f.web.secret}`).toString('base64')}` },
      payload: new URLSearchParams({ token }).toString(),
    })).json().active as boolean));
    assert.deepEqual(active.sort(), [false, true], 'the family has exactly one live refresh token');
    const superseded = tokens[active.indexOf(false)]!;
    assertTokenError(await refresh(superseded), 'invalid_grant');
    assertTokenError(await refresh(tokens[1 - active.indexOf(false)]!), 'invalid_grant');
    await assertStoreInvariants(f.server.store.db, { now: f.clock.now });
  });

  it("another client's refresh token → invalid_grant, and the owner's token keeps working", async () => {
    const first = await initialTokens();
    assertTokenError(await refresh(first.refresh_token, {}, f.relaxed), 'invalid_grant');
    assert.equal((await refresh(first.refresh_token)).statusCode, 200);
  });

  it('unknown or missing refresh token → invalid_grant / invalid_request', async () => {
    assertTokenError(await refresh('A'.repeat(43)), 'invalid_grant');
    assertTokenError(await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token' }), 'invalid_request');
  });

  it('a client without the refresh_token grant → unauthorized_client', async () => {
    assertTokenError(await refresh('A'.repeat(43), {}, f.single), 'unauthorized_client');
  });
});

describe('scope', () => {
  it('narrower scope is allowed (and keeps the original grant for later refreshes)', async () => {
    const first = await initialTokens();
    const narrow = await refresh(first.refresh_token, { scope: 'openid contacts:read' });
    assert.equal(narrow.statusCode, 200, narrow.body);
    const body = narrow.json() as Tokens;
    assert.equal(body.scope, 'openid contacts:read');
    assert.equal(decodeJwt(body.access_token).payload.scope, 'openid contacts:read');
    assert.equal(decodeJwt(body.access_token).payload.aud, API);
    const full = (await refresh(body.refresh_token)).json() as Tokens;
    assert.equal(full.scope, first.scope);
  });

  it('narrowing to OpenID scopes only gives a UserInfo-audience token; without openid no ID token', async () => {
    const first = await initialTokens();
    const oidc = (await refresh(first.refresh_token, { scope: 'openid profile' })).json() as Tokens;
    assert.equal(decodeJwt(oidc.access_token).payload.aud, `${f.issuer}/userinfo`);
    const api = (await refresh(oidc.refresh_token, { scope: 'contacts:read' })).json() as Tokens;
    assert.equal(api.id_token, undefined);
  });

  it('wider scope → invalid_scope, and the token is not burnt', async () => {
    const first = await initialTokens({ ...f.web, redirectUri: WEB_CALLBACK }, 'openid contacts:read');
    assertTokenError(await refresh(first.refresh_token, { scope: 'openid contacts:read contacts:write' }), 'invalid_scope');
    assertTokenError(await refresh(first.refresh_token, { scope: 'email' }), 'invalid_scope');
    assert.equal((await refresh(first.refresh_token)).statusCode, 200);
  });
});

describe('lifetimes', () => {
  it('idle: a token unused for longer than the idle lifetime → invalid_grant', async () => {
    const first = await initialTokens();
    f.clock.now += IDLE + 1;
    assertTokenError(await refresh(first.refresh_token), 'invalid_grant');
  });

  it('absolute: regular use cannot extend the family beyond its absolute lifetime', async () => {
    let tokens = await initialTokens();
    for (const step of [3000, 3000]) {
      f.clock.now += step;
      const response = await refresh(tokens.refresh_token);
      assert.equal(response.statusCode, 200, response.body);
      tokens = response.json();
    }
    f.clock.now += ABSOLUTE - 6000 + 1;
    assertTokenError(await refresh(tokens.refresh_token), 'invalid_grant');
  });
});

describe('the refreshed ID token', () => {
  it('keeps iss, sub, aud and auth_time; has a new iat, an at_hash for the new access token, and no nonce', async () => {
    const first = await initialTokens();
    const original = decodeJwt(first.id_token!).payload;
    assert.equal(original.nonce, 'n-0');
    f.clock.now += 600;
    const body = (await refresh(first.refresh_token)).json() as Tokens;
    const refreshed = decodeJwt(body.id_token!).payload;
    for (const claim of ['iss', 'sub', 'aud', 'auth_time', 'azp']) assert.deepEqual(refreshed[claim], original[claim], claim);
    assert.equal(refreshed.iat, f.clock.now);
    assert.equal(refreshed.nonce, undefined);
    assert.notEqual(refreshed.at_hash, original.at_hash);
  });

  it('a public client refreshes with client_id alone', async () => {
    const first = await initialTokens({ id: f.spa.id, redirectUri: 'https://spa.example/callback' });
    assert.equal((await refresh(first.refresh_token, {}, f.spa)).statusCode, 200);
  });
});

describe('who may trigger reuse revocation (OAuth 2.1 §7.5.2; issue 10 item 3)', () => {
  it('a rotated token replayed with a wrong or missing client secret → invalid_client, and nothing is revoked', async () => {
    const first = await initialTokens();
    const second = (await refresh(first.refresh_token)).json() as Tokens;
    f.clock.now += 60; // past the retry window: a replay by the client itself would be reuse
    for (const client of [{ id: f.web.id, secret: 'wrong' }, { id: f.web.id }]) {
      const replay = await refresh(first.refresh_token, {}, client);
      assert.equal(replay.statusCode, 401, replay.body);
      assert.equal(replay.json().error, 'invalid_client');
    }
    assertTokenError(await refresh(first.refresh_token, {}, f.relaxed), 'invalid_grant');
    assert.equal((await refresh(second.refresh_token)).statusCode, 200, 'the family is alive');
  });

  it("a public client's rotated token is its own proof: replaying it after the window revokes the family", async () => {
    const first = await initialTokens({ ...f.spa, redirectUri: 'http://127.0.0.1/callback' }, 'openid contacts:read');
    const second = (await refresh(first.refresh_token, {}, f.spa)).json() as Tokens;
    f.clock.now += 60;
    assertTokenError(await refresh(first.refresh_token, {}, f.spa), 'invalid_grant');
    assertTokenError(await refresh(second.refresh_token, {}, f.spa), 'invalid_grant');
  });
});

describe('all or nothing, and safe to retry (issue 11)', () => {
  const connectionLost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });

  it('signing fails → 500, and the refresh token was not rotated', async () => {
    const first = await initialTokens();
    assert.equal((await whileSigningFails(f.server.app, () => refresh(first.refresh_token))).statusCode, 500);
    assert.equal((await f.server.store.getRefreshToken(hashSecret(first.refresh_token)))?.rotatedAt, null);
    assert.equal((await refresh(first.refresh_token)).statusCode, 200);
  });

  it('the rotation commits but the answer is lost (503) → the retry with the same token gets a complete new answer; the lost successor is dead', async () => {
    const first = await initialTokens();
    const store = f.server.store;
    const original = store.rotateRefreshToken.bind(store);
    let lostSuccessor = '';
    store.rotateRefreshToken = async (oldHash, next, ...rest) => {
      store.rotateRefreshToken = original;
      lostSuccessor = next.tokenHash;
      await original(oldHash, next, ...rest);
      throw connectionLost();
    };
    const failed = await refresh(first.refresh_token);
    assert.equal(failed.statusCode, 503, failed.body);
    assert.equal(failed.json().error, 'temporarily_unavailable');
    f.clock.now += 5;
    const retried = await refresh(first.refresh_token);
    assert.equal(retried.statusCode, 200, retried.body);
    const tokens = retried.json() as Tokens;
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    assert.equal(await userinfoStatus(tokens.access_token), 200);
    assert.notEqual((await store.getRefreshToken(lostSuccessor))?.rotatedAt, null, 'the successor nobody received no longer works');
    await assertStoreInvariants(store.db, { now: f.clock.now });
    assert.equal((await refresh(tokens.refresh_token)).statusCode, 200, 'the chain goes on');
  });

  it('the database fails before the rotation commits → 503; the retry is an ordinary first rotation', async () => {
    const first = await initialTokens();
    const store = f.server.store;
    const original = store.rotateRefreshToken.bind(store);
    store.rotateRefreshToken = async () => {
      store.rotateRefreshToken = original;
      throw connectionLost();
    };
    assert.equal((await refresh(first.refresh_token)).statusCode, 503);
    assert.equal((await store.getRefreshToken(hashSecret(first.refresh_token)))?.rotatedAt, null);
    assert.equal((await refresh(first.refresh_token)).statusCode, 200);
  });
});
