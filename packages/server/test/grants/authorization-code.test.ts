// The authorization code grant at the token endpoint (RFC 6749 §4.1.3-4.1.4, RFC 7636 §4.5-4.6, RFC 9700 §2.1.1 and
// §4.2.4, OpenID Connect Core §3.1.3): single-use hashed codes, PKCE, redirect_uri binding, client binding, expiry,
// the token response and the ID token's claims.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials,
} from '../helpers/authorization-flow.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient, verifyWithServerJwks, whileSigningFails } from '../helpers/test-server.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';

let f: Fixture;
let browser: InjectBrowser;
const SPA_CALLBACK = 'https://spa.example/callback';

before(async () => {
  f = await startFixture();
  browser = new InjectBrowser(f.server.app);
});
after(async () => {
  await f.server.close();
});

interface Issued {
  code: string;
  verifier: string;
}

/** Runs the browser part (signing in and consenting the first time) and returns a fresh code. */
async function obtainCode(overrides: Record<string, string | undefined> = {}): Promise<Issued> {
  const pkce = pkcePair();
  const url = authorizeUrl({
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid profile contacts:read', state: 's', nonce: 'nonce-1',
    code_challenge: pkce.challenge, code_challenge_method: 'S256', ...overrides,
  });
  const { response } = await runAuthorization(browser, url, { username: 'alice', password: PASSWORD });
  const code = callbackParams(response).get('code');
  assert.ok(code, `no code: ${response.headers.location}`);
  return { code, verifier: pkce.verifier };
}

function exchange(client: ClientCredentials, issued: Issued, overrides: Record<string, string | undefined> = {}): Promise<LightMyRequestResponse> {
  return tokenRequest(f.server.app, client, {
    grant_type: 'authorization_code', code: issued.code, redirect_uri: WEB_CALLBACK, code_verifier: issued.verifier, ...overrides,
  });
}

function assertTokenError(response: LightMyRequestResponse, error: string, status = 400): void {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.json().error, error, response.body);
  assert.equal(response.headers['cache-control'], 'no-store');
}

describe('a successful exchange', () => {
  it('returns a JWT access token for the API, a refresh token and an ID token with the OpenID Connect claims', async () => {
    const issued = await obtainCode();
    const authTime = f.clock.now;
    f.clock.now += 5;
    const response = await exchange(f.web, issued);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'openid profile contacts:read');
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);

    const access = decodeJwt(body.access_token);
    assert.equal(access.header.typ, 'at+jwt');
    assert.equal(access.payload.aud, API);
    assert.equal(access.payload.sub, f.userId);
    assert.equal(access.payload.client_id, f.web.id);
    assert.equal(access.payload.iss, f.issuer);
    assert.equal(typeof access.payload.gid, 'string');

    const { payload, header } = await verifyWithServerJwks(f.server.app, body.id_token, { audience: f.web.id });
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'JWT');
    assert.equal(payload.iss, f.issuer);
    assert.equal(payload.sub, f.userId);
    assert.equal(payload.aud, f.web.id);
    assert.equal(payload.azp, f.web.id);
    assert.equal(payload.nonce, 'nonce-1');
    assert.equal(payload.auth_time, authTime);
    assert.equal(payload.iat, f.clock.now);
    assert.equal(payload.exp, f.clock.now + 3600);
    const digest = createHash('sha256').update(body.access_token).digest();
    assert.equal(payload.at_hash, digest.subarray(0, 16).toString('base64url'));
  });

  it('codes are 256-bit random values stored only as hashes', async () => {
    const issued = await obtainCode();
    assert.match(issued.code, /^[A-Za-z0-9_-]{43}$/);
    const rows = await f.server.store.db.selectFrom('auth_codes').select('code_hash').execute();
    assert.ok(rows.every((r) => r.code_hash !== issued.code));
    assert.ok(rows.some((r) => r.code_hash === createHash('sha256').update(issued.code).digest('base64url')));
  });

  it('OpenID-only scopes: the access token names the UserInfo endpoint as audience; no nonce → no nonce claim', async () => {
    const issued = await obtainCode({ scope: 'openid email', nonce: undefined });
    const body = (await exchange(f.web, issued)).json();
    assert.equal(decodeJwt(body.access_token).payload.aud, `${f.issuer}/userinfo`);
    assert.equal(decodeJwt(body.id_token).payload.nonce, undefined);
  });

  it('without openid there is no ID token', async () => {
    const body = (await exchange(f.web, await obtainCode({ scope: 'contacts:read' }))).json();
    assert.equal(body.id_token, undefined);
    assert.equal(body.scope, 'contacts:read');
  });

  it('a public client authenticates with client_id alone (PKCE is its proof)', async () => {
    const issued = await obtainCode({ client_id: f.spa.id, redirect_uri: SPA_CALLBACK });
    const response = await exchange(f.spa, issued, { redirect_uri: SPA_CALLBACK });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(response.json().refresh_token);
  });

  it('a public client sending a secret is refused (invalid_client)', async () => {
    const issued = await obtainCode({ client_id: f.spa.id, redirect_uri: SPA_CALLBACK });
    assertTokenError(await exchange({ id: f.spa.id, secret: 'guess' }, issued, { redirect_uri: SPA_CALLBACK }), 'invalid_client', 401);
  });

  it('no refresh token for a client without the refresh_token grant', async () => {
    const issued = await obtainCode({ client_id: f.single.id, redirect_uri: undefined });
    const response = await exchange(f.single, issued, { redirect_uri: undefined });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().refresh_token, undefined);
  });

  it('the ID token uses the client algorithm (ES256, EdDSA), with keys that exist from the first start', async () => {
    const es = await addClient(f.server, { name: 'ES', redirectUris: ['https://es.example/cb'], scope: 'openid', idTokenAlg: 'ES256' });
    const ed = await addClient(f.server, { name: 'Ed', redirectUris: ['https://ed.example/cb'], scope: 'openid', idTokenAlg: 'EdDSA' });
    for (const [client, alg, uri] of [[es, 'ES256', 'https://es.example/cb'], [ed, 'EdDSA', 'https://ed.example/cb']] as const) {
      const issued = await obtainCode({ client_id: client.id, redirect_uri: uri, scope: 'openid' });
      const body = (await exchange({ id: client.id, secret: client.secret }, issued, { redirect_uri: uri })).json();
      const { header, payload } = await verifyWithServerJwks(f.server.app, body.id_token, { audience: client.id });
      assert.equal(header.alg, alg);
      const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(body.access_token).digest();
      assert.equal(payload.at_hash, digest.subarray(0, digest.length / 2).toString('base64url'));
    }
  });
});

describe('attacks on the code', () => {
  it('reuse: the second exchange fails and every token issued from the code is revoked', async () => {
    const issued = await obtainCode();
    const first = (await exchange(f.web, issued)).json();
    const userinfo = () => f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${first.access_token}` } });
    assert.equal((await userinfo()).statusCode, 200);

    assertTokenError(await exchange(f.web, issued), 'invalid_grant');
    assertTokenError(await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: first.refresh_token }), 'invalid_grant');
    assert.equal((await userinfo()).statusCode, 401, 'access token from the reused code is dead');
  });

  it('concurrent exchanges of one code: exactly one succeeds, and its tokens end up revoked too', async () => {
    for (let round = 0; round < 5; round++) {
      const issued = await obtainCode();
      const results = await Promise.all([exchange(f.web, issued), exchange(f.web, issued), exchange(f.web, issued)]);
      const ok = results.filter((r) => r.statusCode === 200);
      assert.equal(ok.length, 1);
      for (const r of results.filter((x) => x.statusCode !== 200)) assert.equal(r.json().error, 'invalid_grant');
      for (const r of ok) {
        assertTokenError(await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: r.json().refresh_token }), 'invalid_grant');
        const info = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${r.json().access_token}` } });
        assert.equal(info.statusCode, 401);
      }
    }
  });

  it('a replay racing the first exchange: whichever commits first gets the answer, the other revokes it', async () => {
    // The replay runs to completion while the first exchange is about to commit its redemption.
    const issued = await obtainCode();
    const store = f.server.store;
    const original = store.consumeCode.bind(store);
    let replayed: LightMyRequestResponse | undefined;
    store.consumeCode = async (...args) => {
      store.consumeCode = original;
      replayed = await exchange(f.web, issued);
      return original(...args);
    };
    let first: LightMyRequestResponse;
    try {
      first = await exchange(f.web, issued);
    } finally {
      store.consumeCode = original;
    }
    assert.ok(replayed);
    assert.equal(replayed.statusCode, 200, 'the replay committed first and got the answer');
    assertTokenError(first, 'invalid_grant');
    const tokens = replayed.json();
    assertTokenError(await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }), 'invalid_grant');
    const info = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(info.statusCode, 401, 'the access token is revoked');
    await assertStoreInvariants(store.db, { now: f.clock.now });
  });

  it('wrong code_verifier → invalid_grant, and the code is not consumed (the right verifier still redeems it)', async () => {
    const issued = await obtainCode();
    assertTokenError(await exchange(f.web, issued, { code_verifier: pkcePair().verifier }), 'invalid_grant');
    assert.equal((await exchange(f.web, issued)).statusCode, 200);
  });

  it('missing code_verifier → invalid_grant', async () => {
    assertTokenError(await exchange(f.web, await obtainCode(), { code_verifier: undefined }), 'invalid_grant');
  });

  it('malformed code_verifier → invalid_grant', async () => {
    assertTokenError(await exchange(f.web, await obtainCode(), { code_verifier: 'short' }), 'invalid_grant');
  });

  it('a code_verifier for a code issued without code_challenge → invalid_request (OAuth 2.1 §4.1.3, RFC 9700 §4.8.2)', async () => {
    const uri = 'https://legacy.example/cb';
    const issued = await obtainCode({ client_id: f.relaxed.id, redirect_uri: uri, code_challenge: undefined, code_challenge_method: undefined });
    assertTokenError(await exchange(f.relaxed, issued, { redirect_uri: uri }), 'invalid_request');
    assert.equal((await exchange(f.relaxed, issued, { redirect_uri: uri, code_verifier: undefined })).statusCode, 200, 'the refused request consumed nothing');
  });

  it('a different redirect_uri than the authorization request → invalid_grant; none at all → invalid_request', async () => {
    assertTokenError(await exchange(f.web, await obtainCode(), { redirect_uri: 'https://app.example/other' }), 'invalid_grant');
    assertTokenError(await exchange(f.web, await obtainCode(), { redirect_uri: undefined }), 'invalid_request');
  });

  it('loopback: the token request must repeat the port the authorization request used', async () => {
    const uri = 'http://127.0.0.1:51004/callback';
    const issued = await obtainCode({ client_id: f.spa.id, redirect_uri: uri });
    assertTokenError(await exchange(f.spa, issued, { redirect_uri: 'http://127.0.0.1/callback' }), 'invalid_grant');
    const second = await obtainCode({ client_id: f.spa.id, redirect_uri: uri });
    assert.equal((await exchange(f.spa, second, { redirect_uri: uri })).statusCode, 200);
  });

  it("client A's code presented by client B → invalid_grant; the code is neither burnt nor its grant revoked (issue 12)", async () => {
    const issued = await obtainCode();
    assertTokenError(await exchange(f.relaxed, issued), 'invalid_grant');
    const owner = await exchange(f.web, issued);
    assert.equal(owner.statusCode, 200, 'A redeems its code after the theft attempt');
    // Once used, B's replay still changes nothing: A's tokens stay alive.
    assertTokenError(await exchange(f.relaxed, issued), 'invalid_grant');
    assert.equal((await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${owner.json().access_token}` } })).statusCode, 200);
    assert.equal((await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: owner.json().refresh_token })).statusCode, 200);
    assertTokenError(await exchange({ id: f.web.id, secret: 'wrong' }, await obtainCode()), 'invalid_client', 401);
    assertTokenError(await exchange({ id: f.web.id }, await obtainCode()), 'invalid_client', 401);
  });

  it('an expired code → invalid_grant (60 s by default)', async () => {
    const issued = await obtainCode();
    f.clock.now += 61;
    assertTokenError(await exchange(f.web, issued), 'invalid_grant');
  });

  it('a made-up code → invalid_grant; no code → invalid_request', async () => {
    assertTokenError(await exchange(f.web, { code: 'A'.repeat(43), verifier: pkcePair().verifier }), 'invalid_grant');
    assertTokenError(await exchange(f.web, { code: '', verifier: pkcePair().verifier }), 'invalid_request');
  });

  it('a client not registered for the grant → unauthorized_client', async () => {
    const machine = await addClient(f.server, { name: 'M2M', grantTypes: ['client_credentials'], scope: 'contacts:read' });
    assertTokenError(await exchange({ id: machine.id, secret: machine.secret }, { code: 'x'.repeat(43), verifier: 'y'.repeat(43) }), 'unauthorized_client');
  });
});

describe('reuse revokes only when the replay proves it is the client (OAuth 2.1 §7.5.2; issue 10 item 3)', () => {
  const alive = async (tokens: { access_token: string; refresh_token: string }, client: ClientCredentials) => {
    const info = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    const refreshed = await tokenRequest(f.server.app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    return info.statusCode === 200 && refreshed.statusCode === 200;
  };

  it('a used public-client code replayed with a made-up code_verifier → invalid_grant, and the grant is left alone', async () => {
    const issued = await obtainCode({ client_id: f.spa.id, redirect_uri: SPA_CALLBACK });
    const first = await exchange(f.spa, issued, { redirect_uri: SPA_CALLBACK });
    assert.equal(first.statusCode, 200);
    const grants = await f.server.store.listActiveGrants(f.userId, f.clock.now);
    for (const verifier of [pkcePair().verifier, undefined, 'short']) {
      const replay = await exchange(f.spa, issued, { redirect_uri: SPA_CALLBACK, code_verifier: verifier });
      assertTokenError(replay, 'invalid_grant');
      assert.equal(replay.json().error_description, 'the authorization code is invalid', 'says nothing about revocation');
    }
    assert.deepEqual(await f.server.store.listActiveGrants(f.userId, f.clock.now), grants, 'no grant was revoked');
    assert.ok(await alive(first.json(), f.spa), 'the user is still signed in to the app');
  });

  it('the same replay with the right code_verifier proves possession: invalid_grant and everything from the code is revoked', async () => {
    const issued = await obtainCode({ client_id: f.spa.id, redirect_uri: SPA_CALLBACK });
    const first = await exchange(f.spa, issued, { redirect_uri: SPA_CALLBACK });
    assert.equal(first.statusCode, 200);
    const replay = await exchange(f.spa, issued, { redirect_uri: SPA_CALLBACK });
    assertTokenError(replay, 'invalid_grant');
    assert.match(replay.json().error_description, /revoked/);
    assert.equal(await alive(first.json(), f.spa), false);
  });

  it('a confidential client replaying its own code (authenticated, right verifier) revokes; with a wrong verifier it does not', async () => {
    const issued = await obtainCode();
    const first = (await exchange(f.web, issued)).json();
    assertTokenError(await exchange(f.web, issued, { code_verifier: pkcePair().verifier }), 'invalid_grant');
    assert.ok(await alive(first, f.web));
    const second = await obtainCode();
    const tokens = (await exchange(f.web, second)).json();
    assertTokenError(await exchange(f.web, second), 'invalid_grant');
    assert.equal(await alive(tokens, f.web), false);
  });
});

describe('all or nothing: nothing is consumed unless the answer is delivered to the server (issue 11)', () => {
  const connectionLost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });

  it('signing fails → 500 server_error, and the code is still unused: the same request then succeeds', async () => {
    const issued = await obtainCode();
    assertTokenError(await whileSigningFails(f.server.app, () => exchange(f.web, issued)), 'server_error', 500);
    assert.equal((await f.server.store.getCode(createHash('sha256').update(issued.code).digest('base64url')))?.consumedAt, null);
    assert.equal((await exchange(f.web, issued)).statusCode, 200);
    await assertStoreInvariants(f.server.store.db, { now: f.clock.now });
  });

  it('the database fails before the redemption commits → 503, nothing written; the retry with the same input succeeds', async () => {
    const issued = await obtainCode();
    const store = f.server.store;
    const original = store.consumeCode.bind(store);
    store.consumeCode = async () => {
      store.consumeCode = original;
      throw connectionLost();
    };
    assertTokenError(await exchange(f.web, issued), 'temporarily_unavailable', 503);
    const retried = await exchange(f.web, issued);
    assert.equal(retried.statusCode, 200, retried.body);
    await assertStoreInvariants(store.db, { now: f.clock.now });
  });

  it('the redemption commits but the answer is lost (503) → the retry is refused as reuse, and a new sign-in needs no password', async () => {
    const issued = await obtainCode();
    const store = f.server.store;
    const original = store.consumeCode.bind(store);
    store.consumeCode = async (...args) => {
      store.consumeCode = original;
      await original(...args);
      throw connectionLost();
    };
    assertTokenError(await exchange(f.web, issued), 'temporarily_unavailable', 503);
    // RFC 6749 §4.1.2: a code is used once, so the retry is denied, and the grant nobody received is revoked.
    assertTokenError(await exchange(f.web, issued), 'invalid_grant');
    await assertStoreInvariants(store.db, { now: f.clock.now });
    // The client starts over; the browser's session at the server makes it a redirect, not a login.
    const pkce = pkcePair();
    const { response, pages } = await runAuthorization(browser, authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid profile contacts:read', state: 's', nonce: 'nonce-1',
      code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    assert.deepEqual(pages, []);
    const again = await exchange(f.web, { code: callbackParams(response).get('code')!, verifier: pkce.verifier });
    assert.equal(again.statusCode, 200, again.body);
  });
});
