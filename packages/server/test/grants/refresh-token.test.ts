// The refresh token grant (RFC 6749 §6, RFC 9700 §4.14.2, OAuth 2.1 §4.3, OpenID Connect Core §12): rotation on
// every use, reuse revoking the whole family, narrower-but-never-wider scope, idle and absolute lifetimes, client
// binding, and a refreshed ID token that keeps iss, sub, aud and auth_time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from '../helpers/authorization-flow.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';
import { addClient, whileSigningFails } from '../helpers/test-server.ts';
import { MAX_ANSWERS_PER_REFRESH_TOKEN } from '../../src/store/grant-store.ts';
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

const introspectActive = async (token: string): Promise<boolean> => (await f.server.app.inject({
  method: 'POST', url: '/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${f.web.id}:${f.web.secret}`).toString('base64')}` },
  payload: new URLSearchParams({ token }).toString(),
})).json().active as boolean;

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

  it('two concurrent uses of one token (inside the grace window): both answered, both answers live until one is used', async () => {
    const first = await initialTokens();
    const results = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    assert.deepEqual(results.map((r) => r.statusCode), [200, 200]);
    const tokens = results.map((r) => (r.json() as Tokens).refresh_token);
    assert.deepEqual(await Promise.all(tokens.map(introspectActive)), [true, true]);
    await assertStoreInvariants(f.server.store.db, { now: f.clock.now });
    // The client keeps one answer (whichever): it refreshes; the other retires, and presenting it later is reuse.
    const kept = await refresh(tokens[1]!);
    assert.equal(kept.statusCode, 200, kept.body);
    assert.equal(await introspectActive(tokens[0]!), false);
    assertTokenError(await refresh(tokens[0]!), 'invalid_grant');
    assertTokenError(await refresh((kept.json() as Tokens).refresh_token), 'invalid_grant');
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

  it('the rotation commits but the answer is lost (503) → the retry with the same token gets a complete new answer; the lost successor retires when it is used', async () => {
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
    await assertStoreInvariants(store.db, { now: f.clock.now });
    assert.equal((await refresh(tokens.refresh_token)).statusCode, 200, 'the chain goes on');
    assert.notEqual((await store.getRefreshToken(lostSuccessor))?.rotatedAt, null, 'the successor nobody received no longer works');
    await assertStoreInvariants(store.db, { now: f.clock.now });
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

describe('the grace window (issue 15; docs/refresh-tokens.md)', () => {
  const GRACE = 10; // the server's default

  it("the same client inside the window: a complete answer, the family stays alive, and whichever answer it keeps goes on refreshing", async () => {
    for (const keep of [0, 1]) {
      const first = await initialTokens();
      const answers = [await refresh(first.refresh_token)];
      f.clock.now += GRACE - 1;
      answers.push(await refresh(first.refresh_token));
      for (const a of answers) assert.equal(a.statusCode, 200, a.body);
      const bodies = answers.map((a) => a.json() as Tokens);
      assert.ok(bodies[1]!.access_token && bodies[1]!.id_token, 'a complete answer');
      assert.equal(await userinfoStatus(bodies[0]!.access_token), 200, 'the first answer\'s access token still works');
      const next = await refresh(bodies[keep]!.refresh_token);
      assert.equal(next.statusCode, 200, `keeping answer ${keep}: ${next.body}`);
      assert.equal((await refresh((next.json() as Tokens).refresh_token)).statusCode, 200);
      await assertStoreInvariants(f.server.store.db, { now: f.clock.now });
    }
  });

  it('outside the window, presenting the rotated token is reuse: invalid_grant and the whole family is revoked', async () => {
    const first = await initialTokens();
    const second = (await refresh(first.refresh_token)).json() as Tokens;
    f.clock.now += GRACE;
    const replay = await refresh(first.refresh_token);
    assertTokenError(replay, 'invalid_grant');
    assert.equal(replay.json().error_description, 'the refresh token was already used; every token of this grant has been revoked');
    assertTokenError(await refresh(second.refresh_token), 'invalid_grant');
    assert.equal(await userinfoStatus(second.access_token), 401);
  });

  it('once an answer was used, the old token is reuse even inside the window', async () => {
    const first = await initialTokens();
    const second = (await refresh(first.refresh_token)).json() as Tokens;
    const third = (await refresh(second.refresh_token)).json() as Tokens;
    assertTokenError(await refresh(first.refresh_token), 'invalid_grant');
    assertTokenError(await refresh(third.refresh_token), 'invalid_grant');
  });

  it("another client presenting a just-rotated token inside the window: invalid_grant, no answer, and the family is untouched", async () => {
    const first = await initialTokens();
    const second = (await refresh(first.refresh_token)).json() as Tokens;
    for (const other of [f.relaxed, f.spa]) {
      const stolen = await refresh(first.refresh_token, {}, other);
      assertTokenError(stolen, 'invalid_grant');
      assert.equal(stolen.json().error_description, 'the refresh token is invalid');
    }
    assert.equal(await introspectActive(second.refresh_token), true);
    assert.equal((await refresh(first.refresh_token)).statusCode, 200, 'the owner still gets its grace answer');
    assert.equal((await refresh(second.refresh_token)).statusCode, 200, 'and its first answer goes on');
  });

  it(`at most ${MAX_ANSWERS_PER_REFRESH_TOKEN} answers per token: the next presentation inside the window is refused, the family keeps its live answers`, async () => {
    const first = await initialTokens();
    const answers: string[] = [];
    for (let i = 0; i < MAX_ANSWERS_PER_REFRESH_TOKEN; i++) {
      const r = await refresh(first.refresh_token);
      assert.equal(r.statusCode, 200, r.body);
      answers.push((r.json() as Tokens).refresh_token);
    }
    const extra = await refresh(first.refresh_token);
    assertTokenError(extra, 'invalid_grant');
    assert.equal(extra.json().error_description, 'the refresh token was already used; its grace window allows no more answers');
    assert.deepEqual(await Promise.all(answers.map(introspectActive)), answers.map(() => true));
    await assertStoreInvariants(f.server.store.db, { now: f.clock.now });
    assert.equal((await refresh(answers[2]!)).statusCode, 200);
    assert.deepEqual((await Promise.all(answers.map(introspectActive))).filter(Boolean), [], 'the unused answers retired');
  });

  it('a client with --refresh-grace 0 has no window: the first repeat revokes; one with 60 s is answered after 30 s', async () => {
    const strict = await addClient(f.server, { name: 'Strict', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read', lifetimes: { refreshGrace: 0 } });
    const lenient = await addClient(f.server, { name: 'Lenient', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read', lifetimes: { refreshGrace: 60 } });
    const strictClient = { id: strict.id, secret: strict.secret! };
    const first = await initialTokens({ ...strictClient, redirectUri: WEB_CALLBACK }, 'openid contacts:read');
    const second = (await refresh(first.refresh_token, {}, strictClient)).json() as Tokens;
    assertTokenError(await refresh(first.refresh_token, {}, strictClient), 'invalid_grant');
    assertTokenError(await refresh(second.refresh_token, {}, strictClient), 'invalid_grant');

    const lenientClient = { id: lenient.id, secret: lenient.secret! };
    const mine = await initialTokens({ ...lenientClient, redirectUri: WEB_CALLBACK }, 'openid contacts:read');
    assert.equal((await refresh(mine.refresh_token, {}, lenientClient)).statusCode, 200);
    f.clock.now += 30;
    assert.equal((await refresh(mine.refresh_token, {}, lenientClient)).statusCode, 200);
    f.clock.now += 31;
    assertTokenError(await refresh(mine.refresh_token, {}, lenientClient), 'invalid_grant');
  });
});

describe('per-client lifetimes (issue 15)', () => {
  it("a client's access token, ID token, refresh idle and absolute lifetimes replace the server's", async () => {
    const own = await addClient(f.server, {
      name: 'Short-lived', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read',
      lifetimes: { accessTokenTtl: 120, idTokenTtl: 300, refreshIdleTtl: 600, refreshAbsoluteTtl: 1000 },
    });
    const client = { id: own.id, secret: own.secret! };
    const start = f.clock.now;
    const first = await initialTokens({ ...client, redirectUri: WEB_CALLBACK }, 'openid contacts:read');
    const tokens = first as Tokens & { expires_in: number };
    assert.equal(tokens.expires_in, 120);
    assert.equal(decodeJwt(first.access_token).payload.exp, start + 120);
    assert.equal(decodeJwt(first.id_token!).payload.exp, start + 300);
    f.clock.now += 601;
    assertTokenError(await refresh(first.refresh_token, {}, client), 'invalid_grant');

    const again = await initialTokens({ ...client, redirectUri: WEB_CALLBACK }, 'openid contacts:read');
    let current = again.refresh_token;
    for (let i = 0; i < 2; i++) {
      f.clock.now += 450;
      const r = await refresh(current, {}, client);
      assert.equal(r.statusCode, 200, r.body);
      current = (r.json() as Tokens).refresh_token;
    }
    f.clock.now += 101; // 1001 s after sign-in: past the absolute lifetime though used within the idle one
    assertTokenError(await refresh(current, {}, client), 'invalid_grant');
  });

  it("access and ID tokens never outlive the server's setting (the signing keys are kept for that long)", async () => {
    const own = await addClient(f.server, { name: 'Greedy', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read', lifetimes: { accessTokenTtl: 86400, idTokenTtl: 86400 } });
    const start = f.clock.now;
    const tokens = await initialTokens({ id: own.id, secret: own.secret!, redirectUri: WEB_CALLBACK }, 'openid contacts:read');
    const server = f.server.app.latchkeyServer.config;
    assert.equal(decodeJwt(tokens.access_token).payload.exp, start + server.accessTokenTtl);
    assert.equal(decodeJwt(tokens.id_token!).payload.exp, start + server.idTokenTtl);
  });
});
