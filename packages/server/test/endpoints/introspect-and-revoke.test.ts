// RFC 7662 introspection and RFC 7009 revocation, including the attacker's side:
// no authentication, another client's token (introspected or revoked), bad hints, random and tampered tokens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret, randomId, randomSecret } from '../../src/crypto/random.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';
import { addApi, addClient, addIntrospector, addTestUser, basic, form, FORM_HEADERS, startTestServer, type TestServer } from '../helpers/test-server.ts';

const API = 'https://contacts.example';

describe('introspection and revocation', () => {
  let server: TestServer;
  let clock = 1_800_000_000;
  let rs: { id: string; secret: string };
  let appA: { id: string; secret: string };
  let appB: { id: string; secret: string };
  let spa: { id: string };
  let userId: string;

  before(async () => {
    server = await startTestServer({}, { now: () => clock });
    await addApi(server, API, { 'contacts:read': 'read your contacts' });
    rs = (await addClient(server, { name: 'contacts api', scope: 'contacts:read' })) as { id: string; secret: string };
    appA = (await addClient(server, { name: 'app A', scope: 'contacts:read' })) as { id: string; secret: string };
    appB = (await addClient(server, { name: 'app B', scope: 'contacts:read' })) as { id: string; secret: string };
    spa = await addClient(server, { name: 'spa', isPublic: true, redirectUris: ['https://spa.example/cb'], scope: 'contacts:read' });
    userId = (await addTestUser(server, 'alice', 'alice-password')).id;
    await addIntrospector(server, API, rs.id);
  });
  after(() => server.close());

  const post = (url: string, body: Record<string, string>, authorization?: string) =>
    server.app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...(authorization ? { authorization } : {}) }, payload: form(body) });
  /** Introspection as the contacts API's registered introspector, or as `as`. */
  const introspect = (token: string, extra: Record<string, string> = {}, as: { id: string; secret: string } = rs) =>
    post('/introspect', { token, ...extra }, basic(as.id, as.secret));
  const introspectAsA = (token: string, extra: Record<string, string> = {}) => introspect(token, extra, appA);
  const clientToken = async (c: { id: string; secret: string }) =>
    (await post('/token', { grant_type: 'client_credentials' }, basic(c.id, c.secret))).json().access_token as string;

  /** A user grant with one live refresh token and an access token from it, as the code flow creates them. */
  async function userGrant(clientId: string) {
    const grantId = randomId();
    const refresh = randomSecret();
    await server.store.createGrant(
      { id: grantId, clientId, userId, scopes: ['contacts:read'], audience: API, authTime: clock, amr: ['pwd'], createdAt: clock, lastUsedAt: clock, expiresAt: clock + 86400, revokedAt: null, sid: null, claims: null, dpopJkt: null },
      { tokenHash: hashSecret(refresh), grantId, createdAt: clock, expiresAt: clock + 3600, rotatedAt: null },
    );
    const ctx = server.app.latchkeyServer;
    const access = issueAccessToken(ctx.keys.signer('ES256'), { issuer: ctx.config.issuer, audience: API, subject: userId, clientId, scopes: ['contacts:read'], ttl: 900, now: clock, authTime: clock, grantId });
    return { grantId, refresh, access: access.token };
  }

  test('an active access token returns its claims (and no internal grant id)', async () => {
    const token = await clientToken(appA);
    const res = await introspect(token);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.equal(body.active, true);
    assert.equal(body.client_id, appA.id);
    assert.equal(body.sub, appA.id);
    assert.equal(body.scope, 'contacts:read');
    assert.equal(body.aud, API);
    assert.equal(body.iss, 'http://127.0.0.1:4000');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.exp, 'number');
    assert.equal((await introspect((await userGrant(appA.id)).access)).json().gid, undefined);
  });

  test('unknown, random, malformed and tampered tokens are exactly {"active":false}', async () => {
    const token = await clientToken(appA);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'contacts:read contacts:admin' })).toString('base64url')}.${s}`;
    const noneAlg = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${p}.`;
    for (const bad of [randomSecret(), 'x', 'a.b.c', forged, noneAlg, `${token}x`, 'é'.repeat(10_000)]) {
      const res = await introspect(bad);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { active: false }, bad.slice(0, 40));
    }
  });

  test("RFC 7662 §2.2: another API's introspector (the audit's billing client) learns nothing about an orders token", async () => {
    await addApi(server, 'https://billing.example', { 'billing:read': 'read your invoices' });
    const billing = (await addClient(server, { name: 'billing api', scope: 'billing:read' })) as { id: string; secret: string };
    await addIntrospector(server, 'https://billing.example', billing.id);
    const { refresh, access } = await userGrant(appA.id);
    const clientCredentials = await clientToken(appA);
    for (const [token, caller] of [[access, billing], [clientCredentials, billing], [refresh, billing], [access, appB], [refresh, appB], [refresh, rs]] as const) {
      const res = await introspect(token, {}, caller);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '{"active":false}', `${caller === rs ? 'rs' : caller === appB ? 'appB' : 'billing'} must see exactly {"active":false}`);
    }
    // The token's own client and the contacts API's introspector still see it (refresh tokens: only their own client).
    assert.equal((await introspect(access)).json().sub, userId);
    assert.equal((await introspectAsA(access)).json().active, true);
    assert.equal((await introspectAsA(refresh)).json().client_id, appA.id);
  });

  test('an expired access token is inactive', async () => {
    const token = await clientToken(appA);
    clock += 901;
    try {
      assert.deepEqual((await introspect(token)).json(), { active: false });
    } finally {
      clock -= 901;
    }
  });

  test('introspection requires a confidential client: none, wrong secret and public clients are invalid_client', async () => {
    const token = await clientToken(appA);
    const none = await post('/introspect', { token });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, 'invalid_client');
    const wrong = await post('/introspect', { token }, basic(rs.id, 'wrong'));
    assert.equal(wrong.statusCode, 401);
    assert.match(String(wrong.headers['www-authenticate']), /^Basic/);
    const pub = await post('/introspect', { token, client_id: spa.id });
    assert.equal(pub.statusCode, 401);
    assert.equal(pub.json().error, 'invalid_client');
    assert.equal((await post('/introspect', {}, basic(rs.id, rs.secret))).json().error, 'invalid_request');
  });

  test('a wrong or unknown token_type_hint widens the search instead of failing', async () => {
    const { refresh, access } = await userGrant(appA.id);
    assert.equal((await introspect(access, { token_type_hint: 'refresh_token' })).json().active, true);
    assert.equal((await introspectAsA(refresh, { token_type_hint: 'access_token' })).json().active, true);
    assert.equal((await introspectAsA(refresh, { token_type_hint: 'banana' })).json().token_type, 'refresh_token');
  });

  test('revoking an own access token: 200, then inactive; the id is remembered until the token would expire', async () => {
    const token = await clientToken(appA);
    const res = await post('/revoke', { token, token_type_hint: 'access_token' }, basic(appA.id, appA.secret));
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '');
    assert.deepEqual((await introspect(token)).json(), { active: false });
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    const row = await server.store.db.selectFrom('revoked_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();
    assert.equal(Number(row?.expires_at), clock + 900);
  });

  test("another client's access token is answered like an unknown one (200, empty) and stays active", async () => {
    const token = await clientToken(appA);
    const res = await post('/revoke', { token }, basic(appB.id, appB.secret));
    const unknown = await post('/revoke', { token: `${token.slice(0, -4)}AAAA` }, basic(appB.id, appB.secret));
    assert.deepEqual([res.statusCode, res.body], [200, '']);
    assert.deepEqual([res.statusCode, res.body], [unknown.statusCode, unknown.body], 'the caller cannot tell it from an unknown token');
    assert.equal((await introspect(token)).json().active, true);
  });

  test('bad client credentials are invalid_client and revoke nothing', async () => {
    const token = await clientToken(appA);
    const res = await post('/revoke', { token }, basic(appA.id, 'not-the-secret'));
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'invalid_client');
    assert.equal((await introspect(token)).json().active, true);
    const anonymous = await post('/revoke', { token });
    assert.equal(anonymous.statusCode, 401);
    assert.equal((await introspect(token)).json().active, true);
  });

  test('unknown and malformed tokens answer 200 (RFC 7009 §2.2)', async () => {
    for (const token of [randomSecret(), 'garbage', 'a.b.c']) {
      assert.equal((await post('/revoke', { token }, basic(appA.id, appA.secret))).statusCode, 200);
    }
    assert.equal((await post('/revoke', {}, basic(appA.id, appA.secret))).json().error, 'invalid_request');
  });

  test('revoking a refresh token ends the whole grant: its access tokens become inactive', async () => {
    const { refresh, access, grantId } = await userGrant(appA.id);
    assert.equal((await introspectAsA(refresh)).json().active, true);
    assert.equal((await post('/revoke', { token: refresh }, basic(appA.id, appA.secret))).statusCode, 200);
    assert.deepEqual((await introspectAsA(refresh)).json(), { active: false });
    assert.deepEqual((await introspect(access)).json(), { active: false });
    assert.ok((await server.store.getGrant(grantId))?.revokedAt);
  });

  test('a token introspected before (its verification remembered) is inactive at once when revoked, when its grant ends and when it expires; a forged twin is not', async () => {
    const own = await clientToken(appA);
    assert.equal((await introspect(own)).json().active, true);
    assert.equal((await introspect(own)).json().active, true, 'asked again: still active');
    const [h, p, s] = own.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'contacts:read contacts:admin' })).toString('base64url')}.${s}`;
    assert.deepEqual((await introspect(forged)).json(), { active: false }, 'the remembered signature does not cover another payload');
    assert.equal((await post('/revoke', { token: own }, basic(appA.id, appA.secret))).statusCode, 200);
    assert.deepEqual((await introspect(own)).json(), { active: false }, 'revoked: inactive at once');

    const { refresh, access } = await userGrant(appA.id);
    assert.equal((await introspect(access)).json().active, true);
    assert.equal((await post('/revoke', { token: refresh }, basic(appA.id, appA.secret))).statusCode, 200);
    assert.deepEqual((await introspect(access)).json(), { active: false }, 'the grant ended: inactive at once');

    const expiring = await clientToken(appA);
    assert.equal((await introspect(expiring)).json().active, true);
    const start = clock;
    try {
      clock = start + 899;
      assert.equal((await introspect(expiring)).json().active, true, 'one second before exp');
      clock = start + 900;
      assert.deepEqual((await introspect(expiring)).json(), { active: false }, 'at exp (RFC 7519 §4.1.4)');
    } finally {
      clock = start;
    }
  });

  test("another client's refresh token (confidential or public caller) is answered like an unknown one and stays valid", async () => {
    const { refresh, access, grantId } = await userGrant(appA.id);
    for (const res of [await post('/revoke', { token: refresh }, basic(appB.id, appB.secret)), await post('/revoke', { token: refresh, client_id: spa.id })]) {
      assert.deepEqual([res.statusCode, res.body], [200, '']);
    }
    assert.equal((await introspectAsA(refresh)).json().active, true);
    assert.equal((await introspect(access)).json().active, true);
    assert.equal((await server.store.getGrant(grantId))?.revokedAt, null);
  });

  test('a public client revokes its own refresh token with client_id only', async () => {
    const { refresh, grantId } = await userGrant(spa.id);
    assert.equal((await post('/revoke', { token: refresh, client_id: spa.id })).statusCode, 200);
    assert.ok((await server.store.getGrant(grantId))?.revokedAt);
  });

  test('a rotated refresh token is inactive at introspection', async () => {
    const { refresh, grantId } = await userGrant(appA.id);
    const next = randomSecret();
    const rotated = await server.store.rotateRefreshToken(hashSecret(refresh), { tokenHash: hashSecret(next), grantId, createdAt: clock, expiresAt: clock + 3600, rotatedAt: null }, clock);
    assert.equal(rotated.status, 'ok');
    assert.deepEqual((await introspectAsA(refresh)).json(), { active: false });
    assert.equal((await introspectAsA(next)).json().active, true);
  });

  test('discovery advertises both endpoints', async () => {
    const metadata = (await server.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    assert.equal(metadata.introspection_endpoint, 'http://127.0.0.1:4000/introspect');
    assert.equal(metadata.revocation_endpoint, 'http://127.0.0.1:4000/revoke');
  });
});
