// RFC 9449 §4.3 / §7 at a resource server, from the attacker's side over real HTTP, run against every adapter:
// bent proofs, replays, stolen tokens without the key, DPoP tokens as Bearer, bearer tokens where DPoP is required.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, type Verifier } from '../../src/index.ts';
import { assertRejected, callApi, REALM } from './bearer-api-suite.ts';
import { accessTokenHash, createDpopKey, signProof, type DpopKey, type ProofOptions } from './dpop-keys.ts';
import { startFakeIssuer, type FakeIssuer } from './fake-issuer.ts';
import type { ApiStarter, RunningApi } from './protected-apis.ts';

/** What clients call: deliberately not the address the test server listens on (htu comes from configuration). */
const PUBLIC_BASE_URL = 'https://api.example';
const ALGS = 'algs="ES256 EdDSA PS256"';
const BEARER = `Bearer realm="${REALM}"`;
const DPOP = `DPoP realm="${REALM}"`;

function proofError(description: string): string {
  return `${BEARER}, ${DPOP}, error="invalid_dpop_proof", error_description="${description}", ${ALGS}`;
}

function dpopTokenError(description: string): string {
  return `${BEARER}, ${DPOP}, error="invalid_token", error_description="${description}", ${ALGS}`;
}

export function dpopApiSuite(name: string, startApi: ApiStarter): void {
  describe(`${name}: DPoP-bound tokens (RFC 9449)`, () => {
    let issuer: FakeIssuer;
    let key: DpopKey;
    let verifier: Verifier;
    let api: RunningApi;
    let strictApi: RunningApi;

    before(async () => {
      issuer = await startFakeIssuer();
      key = await createDpopKey();
      verifier = createVerifier({ issuer: issuer.issuer, audience: 'https://api.example', realm: REALM, dpop: { publicBaseUrl: PUBLIC_BASE_URL } });
      api = await startApi(verifier);
      strictApi = await startApi(createVerifier({
        issuer: issuer.issuer, audience: 'https://api.example', realm: REALM, dpop: { publicBaseUrl: PUBLIC_BASE_URL, requireDpop: true },
      }));
    });
    after(async () => {
      await api.close();
      await strictApi.close();
      await issuer.close();
    });

    const boundToken = (scope = 'read:items') => issuer.signToken({ claims: { scope, cnf: { jkt: key.jkt } } });

    /** A DPoP call to `path` (GET /items by default) with a proof bent by `bend`. */
    async function callWithProof(token: string, bend: Partial<ProofOptions> = {}, options: { path?: string; method?: string; signer?: DpopKey; target?: RunningApi; headers?: Record<string, string> } = {}) {
      const path = options.path ?? '/items';
      const method = options.method ?? 'GET';
      const proof = await signProof(options.signer ?? key, { htm: method, htu: `${PUBLIC_BASE_URL}${path.split('?')[0]}`, token, ...bend });
      return callApi(options.target ?? api, { path, method, authorization: `DPoP ${token}`, headers: { dpop: proof, ...options.headers } });
    }

    test('a DPoP-bound token with a valid proof reaches the handler', async () => {
      const response = await callWithProof(await boundToken());
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { sub: 'user-1', client_id: 'client-1', scopes: ['read:items'] });
    });

    test('htu ignores the query string (RFC 9449 §4.3 step 9)', async () => {
      const response = await callWithProof(await boundToken(), {}, { path: '/items?page=2' });
      assert.equal(response.status, 200);
    });

    test('a plain bearer token still passes where DPoP is accepted but not required', async () => {
      assert.equal((await callApi(api, { token: await issuer.signToken() })).status, 200);
    });

    test('no credentials: both schemes are offered, DPoP with its algs', async () => {
      await assertRejected(await callApi(api), 401, `${BEARER}, ${DPOP}, ${ALGS}`);
    });

    test('attack: a proof made for another URL: 401 invalid_dpop_proof', async () => {
      const response = await callWithProof(await boundToken(), { htu: `${PUBLIC_BASE_URL}/admin` });
      await assertRejected(response, 401, proofError('the DPoP proof was made for another URL'), 'invalid_dpop_proof');
    });

    test('attack: htu of the address actually reached, with forged X-Forwarded-Host/Proto: refused (htu comes from configuration)', async () => {
      const token = await boundToken();
      for (const htu of [`${api.url}/items`, 'https://evil.example/items']) {
        const response = await callWithProof(token, { htu }, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
        await assertRejected(response, 401, proofError('the DPoP proof was made for another URL'), 'invalid_dpop_proof');
      }
    });

    test('attack: a proof made for another method: 401 invalid_dpop_proof', async () => {
      const response = await callWithProof(await boundToken(), { htm: 'POST' });
      await assertRejected(response, 401, proofError('the DPoP proof was made for another HTTP method'), 'invalid_dpop_proof');
    });

    test('attack: a replayed proof: the first use passes, the second is refused', async () => {
      const token = await boundToken();
      const proof = await signProof(key, { htm: 'GET', htu: `${PUBLIC_BASE_URL}/items`, token });
      const send = () => callApi(api, { authorization: `DPoP ${token}`, headers: { dpop: proof } });
      assert.equal((await send()).status, 200);
      await assertRejected(await send(), 401, proofError('the DPoP proof was already used'), 'invalid_dpop_proof');
    });

    test('attack: a stale proof (iat 2 minutes old) and one from the future: refused', async () => {
      const token = await boundToken();
      const now = Math.floor(Date.now() / 1000);
      for (const iat of [now - 120, now + 120]) {
        const response = await callWithProof(token, { iat });
        await assertRejected(response, 401, proofError('the DPoP proof iat is outside the accepted window'), 'invalid_dpop_proof');
      }
    });

    test('attack: a proof whose ath is another token\'s hash: refused', async () => {
      const response = await callWithProof(await boundToken(), { ath: accessTokenHash(await boundToken()) });
      await assertRejected(response, 401, proofError('the DPoP proof ath does not match the access token'), 'invalid_dpop_proof');
    });

    test('attack: a stolen DPoP token with a proof signed by the thief\'s own key: 401 invalid_token', async () => {
      const thief = await createDpopKey();
      const response = await callWithProof(await boundToken(), {}, { signer: thief });
      await assertRejected(response, 401, dpopTokenError('the access token is bound to another key than the DPoP proof'), 'invalid_token');
    });

    test('attack: the thief signs with his key but names the victim\'s public key in jwk: signature invalid', async () => {
      const thief = await createDpopKey();
      const response = await callWithProof(await boundToken(), { jwk: key.publicJwk }, { signer: thief });
      await assertRejected(response, 401, proofError('the DPoP proof signature is invalid'), 'invalid_dpop_proof');
    });

    test('attack: a DPoP-bound token sent as Bearer: 401 invalid_token on the Bearer challenge', async () => {
      const response = await callApi(api, { token: await boundToken() });
      const challenge = `${BEARER}, error="invalid_token", error_description="a DPoP-bound access token must be sent with the DPoP scheme and a proof", ${DPOP}, ${ALGS}`;
      await assertRejected(response, 401, challenge, 'invalid_token');
    });

    test('a DPoP-bound token at verify() (bearer semantics) is refused with ERR_TOKEN_BINDING', async () => {
      await assert.rejects(verifier.verify(await boundToken()), { code: 'ERR_TOKEN_BINDING' });
    });

    test('the DPoP scheme without a DPoP header: invalid_dpop_proof', async () => {
      const response = await callApi(api, { authorization: `DPoP ${await boundToken()}` });
      await assertRejected(response, 401, proofError('a DPoP proof (DPoP header) is required'), 'invalid_dpop_proof');
    });

    test('an unbound token sent with the DPoP scheme and a proof: invalid_token', async () => {
      const response = await callWithProof(await issuer.signToken());
      await assertRejected(response, 401, dpopTokenError('the access token is not DPoP-bound'), 'invalid_token');
    });

    test('a proof with typ JWT, an RS256 proof (not allowed), a private key in jwk: invalid_dpop_proof', async () => {
      const token = await boundToken();
      await assertRejected(await callWithProof(token, { typ: 'JWT' }), 401, proofError('the DPoP proof is not typ dpop+jwt'), 'invalid_dpop_proof');
      const rsa = await createDpopKey('RS256');
      const rsaToken = await issuer.signToken({ claims: { cnf: { jkt: rsa.jkt } } });
      await assertRejected(await callWithProof(rsaToken, {}, { signer: rsa }), 401, proofError('the DPoP proof algorithm is not allowed'), 'invalid_dpop_proof');
      const { exportJWK } = await import('jose');
      const privateJwk = await exportJWK(key.privateKey);
      await assertRejected(await callWithProof(token, { jwk: privateJwk }), 401, proofError('the DPoP proof jwk header holds a private key'), 'invalid_dpop_proof');
    });

    test('a DPoP-bound token lacking a scope: 403 insufficient_scope on the DPoP challenge', async () => {
      const response = await callWithProof(await boundToken(), {}, { path: '/admin' });
      await assertRejected(response, 403, `${BEARER}, ${DPOP}, error="insufficient_scope", scope="admin read:items", ${ALGS}`, 'insufficient_scope');
    });

    test('requireDpop: a plain bearer token is refused, only the DPoP challenge is offered', async () => {
      const response = await callApi(strictApi, { token: await issuer.signToken() });
      await assertRejected(response, 401, `${DPOP}, error="invalid_token", error_description="this resource accepts only DPoP-bound access tokens", ${ALGS}`, 'invalid_token');
      await assertRejected(await callApi(strictApi), 401, `${DPOP}, ${ALGS}`);
    });

    test('requireDpop: a DPoP-bound token with its proof passes', async () => {
      assert.equal((await callWithProof(await boundToken(), {}, { target: strictApi })).status, 200);
    });
  });
}
