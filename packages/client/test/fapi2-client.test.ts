// The kit as a FAPI 2.0 client of the real Latchkey server (issue 17): private_key_jwt instead of a secret, pushed
// authorization requests, and DPoP with a key per session kept encrypted in the store; the proxy calls the API with
// `Authorization: DPoP` and a proof for that call; a refresh keeps the binding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { createDpopKey, dpopThumbprint, upstreamProof } from '../src/dpop-key.ts';
import type { KyselyLatchkeyStore } from '../src/store/kysely-store.ts';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { APP_SCOPES, authorizeAtLatchkey, ORDERS_API, startLatchkeyServer, type LatchkeyProvider, type LatchkeyTestServer } from './support/latchkey-server.ts';
import { startHarness, type Harness } from './support/test-harness.ts';

let latchkey: LatchkeyTestServer;

before(async () => {
  latchkey = await startLatchkeyServer();
});
after(async () => {
  await latchkey.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('the kit as a FAPI 2.0 client (PAR, private_key_jwt, DPoP)', () => {
  let harness: Harness;
  let provider: LatchkeyProvider;

  before(async () => {
    const signing = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: 'app-1', alg: 'ES256' };
    harness = await startHarness({
      provider: async ({ redirectUri }) => (provider = await latchkey.registerApp('Bank Portal', redirectUri, {
        profile: 'fapi2', authMethod: 'private_key_jwt', jwks: { keys: [publicJwk] }, idTokenAlg: 'ES256',
      })),
      clientOptions: {
        scopes: APP_SCOPES, clientSecret: undefined, clientPrivateKey: { key: signing.privateKey, kid: 'app-1' },
        pushedAuthorizationRequests: true, dpop: true,
      },
    });
  });
  after(async () => {
    await harness.close();
  });

  test('signs in: the authorization URL carries only client_id and request_uri; the tokens are bound to the session key, kept encrypted', async () => {
    const browser = createBrowser();
    await latchkey.addUser('fapi-ann');
    const start = await browser.request(`${harness.appOrigin}/login`);
    assert.equal(start.status, 302);
    const authorizationUrl = new URL(start.headers.get('location')!);
    assert.deepEqual([...authorizationUrl.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const { callbackUrl } = await authorizeAtLatchkey(browser, authorizationUrl, harness.appOrigin, 'fapi-ann');
    const callback = await browser.request(callbackUrl);
    assert.equal(callback.status, 200, await callback.text());
    const codeResponse = harness.tokenResponses.at(-1)!;
    assert.equal(codeResponse.token_type, 'DPoP');
    const jkt = (decodeJwt(String(codeResponse.access_token)).cnf as { jkt: string }).jkt;

    // The stored key is encrypted, and it is the key the token is bound to.
    const sessionId = harness.sessionIdOf(browser)!;
    const row = await (harness.store as KyselyLatchkeyStore).db.selectFrom('latchkey_sessions').select('dpop_key').where('id', '=', sessionId).executeTakeFirstOrThrow();
    assert.ok(row.dpop_key && !row.dpop_key.includes('"d"'), 'the private key is not stored in clear');

    // The proxy calls the API with Authorization: DPoP and a proof of the session key for exactly this call.
    const api = await browser.request(`${harness.appOrigin}/api/orders/orders/7?expand=lines`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 200, await api.text());
    const call = harness.upstream.calls.at(-1)!;
    assert.equal(call.authorization, `DPoP ${String(codeResponse.access_token)}`);
    const { payload, protectedHeader } = await jwtVerify(call.dpop!, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    assert.equal(await calculateJwkThumbprint(protectedHeader.jwk as JWK), jkt);
    assert.deepEqual([payload.htm, payload.htu, payload.ath], ['GET', `${harness.upstream.origin}/v1/orders/7`, sha256(String(codeResponse.access_token))]);

    // A refresh with the session's key keeps the binding (an audience token for the API is a refresh-token grant).
    const audienceToken = await harness.client.getAccessToken(sessionId, { audience: ORDERS_API });
    assert.deepEqual(decodeJwt(audienceToken).cnf, { jkt });
    assert.equal(provider.tokenRequests('refresh_token').at(-1)?.status, 200);
    const session = await harness.client.getAccessToken(sessionId);
    assert.deepEqual(decodeJwt(session).cnf, { jkt });
  });
});

describe('DPoP proofs for upstream calls (RFC 9449 §4.2, §7.1)', () => {
  test('htm, htu without the query, ath of the token, a fresh jti, signed by the session key', async () => {
    const key = await createDpopKey();
    const target = new URL('https://api.example/v1/orders?page=2');
    const proof = await upstreamProof(key, 'post', target, 'the-access-token');
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    assert.equal(payload.htm, 'POST');
    assert.equal(payload.htu, 'https://api.example/v1/orders');
    assert.equal(payload.ath, sha256('the-access-token'));
    assert.equal(await calculateJwkThumbprint(protectedHeader.jwk as JWK), await dpopThumbprint(key));
    assert.equal((protectedHeader.jwk as JWK).d, undefined, 'only the public key travels');
    assert.notEqual((decodeJwt(await upstreamProof(key, 'POST', target, 'x')).jti), payload.jti);
  });
});
