// RFC 7662 introspection mode over HTTP: active/inactive answers, opaque tokens, and caching counted at the fake issuer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, type Verifier } from '../src/index.ts';
import { assertRejected, callApi, invalidTokenChallenge, REALM } from './helpers/bearer-api-suite.ts';
import { AUDIENCE, INTROSPECTION_CLIENT, startFakeIssuer, type FakeIssuer } from './helpers/fake-issuer.ts';
import { startExpressApi, startFastifyApi, type RunningApi } from './helpers/protected-apis.ts';

const INACTIVE = invalidTokenChallenge('the access token is not active');

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    return true;
  });
}

describe('introspection mode', () => {
  let issuer: FakeIssuer;
  let verifier: Verifier;
  let fastifyApi: RunningApi;
  let expressApi: RunningApi;
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const hits = () => issuer.hits.introspection;

  before(async () => {
    issuer = await startFakeIssuer();
    verifier = createVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      realm: REALM,
      introspection: { ...INTROSPECTION_CLIENT, cacheTtlSeconds: 60 },
    });
    fastifyApi = await startFastifyApi(verifier);
    expressApi = await startExpressApi(verifier);
  });
  after(async () => {
    await fastifyApi.close();
    await expressApi.close();
    await issuer.close();
  });

  test('an active JWT is accepted and the answer is cached: one introspection call for repeated use', async () => {
    const token = await issuer.signToken();
    const start = hits();
    assert.equal((await callApi(fastifyApi, { token })).status, 200);
    assert.equal((await callApi(expressApi, { token })).status, 200);
    assert.equal((await callApi(fastifyApi, { token })).status, 200);
    assert.equal(hits() - start, 1);
  });

  test('a revoked JWT with a valid signature is rejected as inactive (ERR_TOKEN_INACTIVE), and that is cached too', async () => {
    const token = await issuer.signToken();
    issuer.revokedTokens.add(token);
    const start = hits();
    await assertRejected(await callApi(fastifyApi, { token }), 401, INACTIVE, 'invalid_token');
    await assertRejected(await callApi(expressApi, { token }), 401, INACTIVE, 'invalid_token');
    await assertCode(verifier.verify(token), 'ERR_TOKEN_INACTIVE');
    assert.equal(hits() - start, 1);
  });

  test('a JWT that fails local checks never costs an introspection call', async () => {
    const token = await issuer.signToken({ claims: { exp: nowSeconds() - 60 } });
    const start = hits();
    await assertRejected(await callApi(fastifyApi, { token }), 401, invalidTokenChallenge('the access token expired'), 'invalid_token');
    assert.equal(hits() - start, 0);
  });

  test('an active opaque token is accepted with the claims the issuer reports', async () => {
    const token = 'opaque-active-token';
    issuer.opaqueTokens.set(token, {
      iss: issuer.issuer, aud: AUDIENCE, sub: 'user-9', client_id: 'client-9', scope: 'read:items', exp: nowSeconds() + 300,
    });
    const start = hits();
    const response = await callApi(fastifyApi, { token });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'user-9', client_id: 'client-9', scopes: ['read:items'] });
    assert.equal((await callApi(expressApi, { token })).status, 200);
    assert.equal(hits() - start, 1);
  });

  test('an unknown opaque token is inactive: 401 invalid_token', async () => {
    await assertRejected(await callApi(expressApi, { token: 'opaque-unknown-token' }), 401, INACTIVE, 'invalid_token');
  });

  test('an active opaque token for another audience, or with none, is refused (ERR_AUDIENCE_MISMATCH)', async () => {
    const base = { iss: issuer.issuer, sub: 'user-9', client_id: 'client-9', scope: 'read:items', exp: nowSeconds() + 300 };
    issuer.opaqueTokens.set('opaque-foreign', { ...base, aud: 'https://other-api.example' });
    issuer.opaqueTokens.set('opaque-no-aud', base);
    const challenge = invalidTokenChallenge('the access token is not intended for this resource');
    await assertRejected(await callApi(fastifyApi, { token: 'opaque-foreign' }), 401, challenge, 'invalid_token');
    await assertCode(verifier.verify('opaque-no-aud'), 'ERR_AUDIENCE_MISMATCH');
  });

  test('an active opaque token from another issuer is refused (ERR_ISSUER_MISMATCH)', async () => {
    issuer.opaqueTokens.set('opaque-other-iss', {
      iss: 'https://evil.example', aud: AUDIENCE, sub: 'user-9', client_id: 'client-9', exp: nowSeconds() + 300,
    });
    await assertCode(verifier.verify('opaque-other-iss'), 'ERR_ISSUER_MISMATCH');
  });

  test('wrong client credentials make introspection fail closed: 503, no challenge (ERR_INTROSPECTION)', async () => {
    const misconfigured = createVerifier({
      issuer: issuer.issuer, audience: AUDIENCE, realm: REALM,
      introspection: { clientId: INTROSPECTION_CLIENT.clientId, clientSecret: 'wrong' },
    });
    const api = await startFastifyApi(misconfigured);
    try {
      const token = await issuer.signToken();
      const response = await callApi(api, { token });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.deepEqual(await response.json(), {
        error: 'temporarily_unavailable',
        error_description: 'the introspection endpoint refused the request',
      });
      await assertCode(misconfigured.verify(token), 'ERR_INTROSPECTION');
    } finally {
      await api.close();
    }
  });
});
