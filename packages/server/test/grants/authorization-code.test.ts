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
import { addClient, basic, form, FORM_HEADERS, verifyWithServerJwks } from '../helpers/test-server.ts';

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

  it('a replay racing the first exchange: the first still gets its answer, but its tokens are born revoked', async () => {
    // Simulate the window between consumeCode and createGrant: the replay arrives first.
    const issued = await obtainCode();
    const store = f.server.store;
    const original = store.createGrant.bind(store);
    let replayed: LightMyRequestResponse | undefined;
    store.createGrant = async (grant, first) => {
      store.createGrant = original;
      replayed = await exchange(f.web, issued);
      return original(grant, first);
    };
    let first: LightMyRequestResponse;
    try {
      first = await exchange(f.web, issued);
    } finally {
      store.createGrant = original;
    }
    assert.ok(replayed);
    assertTokenError(replayed, 'invalid_grant');
    assert.equal(first.statusCode, 200, 'exactly one exchange, the one that consumed the code, succeeds');
    const tokens = first.json();
    const refreshed = await f.server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(f.web.id, f.web.secret) }, payload: form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }) });
    assertTokenError(refreshed, 'invalid_grant');
    const info = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(info.statusCode, 401, 'the access token is revoked');
  });

  it('wrong code_verifier → invalid_grant, and the code is burnt', async () => {
    const issued = await obtainCode();
    assertTokenError(await exchange(f.web, issued, { code_verifier: pkcePair().verifier }), 'invalid_grant');
    assertTokenError(await exchange(f.web, issued), 'invalid_grant');
  });

  it('missing code_verifier → invalid_grant', async () => {
    assertTokenError(await exchange(f.web, await obtainCode(), { code_verifier: undefined }), 'invalid_grant');
  });

  it('malformed code_verifier → invalid_grant', async () => {
    assertTokenError(await exchange(f.web, await obtainCode(), { code_verifier: 'short' }), 'invalid_grant');
  });

  it('a code_verifier for a code issued without code_challenge → invalid_grant (PKCE downgrade)', async () => {
    const uri = 'https://legacy.example/cb';
    const issued = await obtainCode({ client_id: f.relaxed.id, redirect_uri: uri, code_challenge: undefined, code_challenge_method: undefined });
    assertTokenError(await exchange(f.relaxed, issued, { redirect_uri: uri }), 'invalid_grant');
    const again = await obtainCode({ client_id: f.relaxed.id, redirect_uri: uri, code_challenge: undefined, code_challenge_method: undefined });
    assert.equal((await exchange(f.relaxed, again, { redirect_uri: uri, code_verifier: undefined })).statusCode, 200);
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

  it("client A's code redeemed by client B → invalid_grant (and B's credentials are checked first)", async () => {
    const issued = await obtainCode();
    assertTokenError(await exchange(f.relaxed, issued), 'invalid_grant');
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
