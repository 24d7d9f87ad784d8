// The attacker's-side RFC 6750 / RFC 9068 matrix, run unchanged against every adapter over real HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, type Verifier } from '../../src/index.ts';
import { AUDIENCE, startFakeIssuer, type FakeIssuer } from './fake-issuer.ts';
import { hs256WithPublicKey, tamperPayload, unsecuredCopy } from './forged-tokens.ts';
import type { ApiStarter, RunningApi } from './protected-apis.ts';

export const REALM = 'items-api';
const NO_CREDENTIALS_CHALLENGE = `Bearer realm="${REALM}"`;

export function invalidTokenChallenge(description: string): string {
  return `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`;
}

function invalidRequestChallenge(description: string): string {
  return `Bearer realm="${REALM}", error="invalid_request", error_description="${description}"`;
}

export interface CallOptions {
  path?: string;
  method?: string;
  token?: string;
  /** Sent verbatim as the Authorization header (overrides token). */
  authorization?: string;
  /** Sent as an application/x-www-form-urlencoded body. */
  form?: Record<string, string | string[]>;
  /** Extra request headers (e.g. DPoP). */
  headers?: Record<string, string>;
}

export async function callApi(api: RunningApi, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  else if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
    }
    body = params.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  return fetch(`${api.url}${options.path ?? '/items'}`, { method: options.method ?? 'GET', headers, body });
}

/** Asserts an RFC 6750 §3 rejection: status, exact challenge, no-store, and the JSON error body when there is one. */
export async function assertRejected(response: Response, status: number, challenge: string, error?: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get('www-authenticate'), challenge);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  if (error === undefined) {
    assert.equal(text, '');
    return;
  }
  const body = JSON.parse(text) as { error: string; error_description: string };
  assert.equal(body.error, error);
  assert.equal(typeof body.error_description, 'string');
}

/** The token must fail the same way without HTTP in between, with the stable code. */
async function assertVerifyFails(verifier: Verifier, token: string, code: string): Promise<void> {
  await assert.rejects(verifier.verify(token), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    return true;
  });
}

export function bearerApiSuite(name: string, startApi: ApiStarter): void {
  describe(`${name}: bearer-protected API`, () => {
    let issuer: FakeIssuer;
    let verifier: Verifier;
    let api: RunningApi;

    before(async () => {
      issuer = await startFakeIssuer();
      verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, realm: REALM });
      api = await startApi(verifier);
    });
    after(async () => {
      await api.close();
      await issuer.close();
    });

    const nowSeconds = () => Math.floor(Date.now() / 1000);

    async function assertTokenRejected(token: string, code: string, description: string): Promise<void> {
      await assertRejected(await callApi(api, { token }), 401, invalidTokenChallenge(description), 'invalid_token');
      await assertVerifyFails(verifier, token, code);
    }

    test('a valid ES256 token reaches the handler with its verified claims', async () => {
      const response = await callApi(api, { token: await issuer.signToken() });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { sub: 'user-1', client_id: 'client-1', scopes: ['read:items'] });
    });

    test('a valid RS256 token is accepted', async () => {
      const response = await callApi(api, { token: await issuer.signToken({ alg: 'RS256' }) });
      assert.equal(response.status, 200);
    });

    test('typ application/at+jwt is accepted (RFC 9068 §4)', async () => {
      const response = await callApi(api, { token: await issuer.signToken({ typ: 'application/at+jwt' }) });
      assert.equal(response.status, 200);
    });

    test('the scheme is case-insensitive: "bearer" works', async () => {
      const response = await callApi(api, { authorization: `bearer ${await issuer.signToken()}` });
      assert.equal(response.status, 200);
    });

    test('an aud array containing the audience is accepted', async () => {
      const token = await issuer.signToken({ claims: { aud: ['https://other.example', AUDIENCE] } });
      assert.equal((await callApi(api, { token })).status, 200);
    });

    test('a token expired 2 s ago passes inside the default 5 s leeway', async () => {
      const token = await issuer.signToken({ claims: { exp: nowSeconds() - 2 } });
      assert.equal((await callApi(api, { token })).status, 200);
    });

    test('a public route outside the protected scope needs no token', async () => {
      const response = await callApi(api, { path: '/public' });
      assert.equal(response.status, 200);
    });

    test('no credentials: 401 with a bare challenge, no error attribute', async () => {
      await assertRejected(await callApi(api), 401, NO_CREDENTIALS_CHALLENGE);
    });

    test('another scheme (Basic) counts as no credentials', async () => {
      await assertRejected(await callApi(api, { authorization: 'Basic dXNlcjpwYXNz' }), 401, NO_CREDENTIALS_CHALLENGE);
    });

    test('a token in the URL query is ignored (RFC 6750 §2.3): treated as no credentials', async () => {
      const token = await issuer.signToken();
      await assertRejected(await callApi(api, { path: `/items?access_token=${token}` }), 401, NO_CREDENTIALS_CHALLENGE);
    });

    test('expired token: 401 invalid_token, ERR_TOKEN_EXPIRED', async () => {
      const token = await issuer.signToken({ claims: { exp: nowSeconds() - 60 } });
      await assertTokenRejected(token, 'ERR_TOKEN_EXPIRED', 'the access token expired');
    });

    test('not-yet-valid token: 401 invalid_token, ERR_TOKEN_NOT_YET_VALID', async () => {
      const token = await issuer.signToken({ claims: { nbf: nowSeconds() + 60 } });
      await assertTokenRejected(token, 'ERR_TOKEN_NOT_YET_VALID', 'the access token is not yet valid');
    });

    test('token for another audience: 401 invalid_token, ERR_AUDIENCE_MISMATCH', async () => {
      const token = await issuer.signToken({ claims: { aud: 'https://other-api.example' } });
      await assertTokenRejected(token, 'ERR_AUDIENCE_MISMATCH', 'the access token is not intended for this resource');
    });

    test('token naming another issuer (signed with the real key): ERR_ISSUER_MISMATCH', async () => {
      const token = await issuer.signToken({ claims: { iss: 'https://evil.example' } });
      await assertTokenRejected(token, 'ERR_ISSUER_MISMATCH', 'the access token was not issued by the trusted issuer');
    });

    test('tampered payload (scope escalated, signature kept): ERR_SIGNATURE_INVALID', async () => {
      const token = tamperPayload(await issuer.signToken(), { scope: 'read:items admin' });
      await assertTokenRejected(token, 'ERR_SIGNATURE_INVALID', 'the access token signature is invalid');
    });

    test('alg none: ERR_TOKEN_INVALID', async () => {
      const token = unsecuredCopy(await issuer.signToken());
      await assertTokenRejected(token, 'ERR_TOKEN_INVALID', 'the access token signing algorithm is not allowed');
    });

    test('HS256 signed with the issuer public key bytes (key confusion): ERR_TOKEN_INVALID', async () => {
      const token = await hs256WithPublicKey(await issuer.signToken({ alg: 'RS256' }), await issuer.rsaPublicKeyPem());
      await assertTokenRejected(token, 'ERR_TOKEN_INVALID', 'the access token signing algorithm is not allowed');
    });

    test('missing typ: ERR_TOKEN_INVALID', async () => {
      const token = await issuer.signToken({ typ: null });
      await assertTokenRejected(token, 'ERR_TOKEN_INVALID', 'the token is not a JWT access token (typ at+jwt)');
    });

    test('typ JWT (an ID token shape): ERR_TOKEN_INVALID', async () => {
      const token = await issuer.signToken({ typ: 'JWT' });
      await assertTokenRejected(token, 'ERR_TOKEN_INVALID', 'the token is not a JWT access token (typ at+jwt)');
    });

    test('token without client_id (RFC 9068 §2.2 claim): ERR_TOKEN_INVALID', async () => {
      const token = await issuer.signToken({ claims: { client_id: undefined } });
      await assertTokenRejected(token, 'ERR_TOKEN_INVALID', 'the access token lacks a required claim or has a malformed one');
    });

    test('a random string is not a token: ERR_TOKEN_INVALID', async () => {
      await assertTokenRejected('not-a-jwt', 'ERR_TOKEN_INVALID', 'the access token is malformed');
    });

    test('token content never reaches the response headers', async () => {
      const token = tamperPayload(await issuer.signToken(), { sub: 'x", error="none' });
      const response = await callApi(api, { token });
      await assertRejected(response, 401, invalidTokenChallenge('the access token signature is invalid'), 'invalid_token');
    });

    test('missing scope: 403 insufficient_scope naming every required scope', async () => {
      const response = await callApi(api, { path: '/admin', token: await issuer.signToken() });
      await assertRejected(response, 403, `Bearer realm="${REALM}", error="insufficient_scope", scope="admin read:items"`, 'insufficient_scope');
    });

    test('all required scopes present: 200', async () => {
      const token = await issuer.signToken({ claims: { scope: 'read:items admin' } });
      assert.equal((await callApi(api, { path: '/admin', token })).status, 200);
    });

    test('token in a form body is accepted (RFC 6750 §2.2)', async () => {
      const token = await issuer.signToken({ claims: { scope: 'write:items' } });
      const response = await callApi(api, { method: 'POST', form: { access_token: token } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { sub: 'user-1', client_id: 'client-1', scopes: ['write:items'] });
    });

    test('token in header and body: 400 invalid_request', async () => {
      const token = await issuer.signToken({ claims: { scope: 'write:items' } });
      const response = await callApi(api, { method: 'POST', token, form: { access_token: token } });
      await assertRejected(response, 400, invalidRequestChallenge('the access token was sent by more than one method'), 'invalid_request');
    });

    test('access_token repeated in the body: 400 invalid_request', async () => {
      const token = await issuer.signToken({ claims: { scope: 'write:items' } });
      const response = await callApi(api, { method: 'POST', form: { access_token: [token, token] } });
      await assertRejected(response, 400, invalidRequestChallenge('the access_token parameter is repeated'), 'invalid_request');
    });

    test('"Bearer" without a token: 400 invalid_request', async () => {
      const response = await callApi(api, { authorization: 'Bearer' });
      await assertRejected(response, 400, invalidRequestChallenge('the Authorization header has no bearer token'), 'invalid_request');
    });

    test('two tokens in the header: 400 invalid_request', async () => {
      const token = await issuer.signToken();
      const response = await callApi(api, { authorization: `Bearer ${token} ${token}` });
      await assertRejected(response, 400, invalidRequestChallenge('the Authorization header carries more than one value'), 'invalid_request');
    });

    test('characters outside b64token in the header: 400 invalid_request', async () => {
      const response = await callApi(api, { authorization: 'Bearer abc"def,realm=x' });
      await assertRejected(
        response,
        400,
        invalidRequestChallenge('the bearer token contains characters RFC 6750 does not allow'),
        'invalid_request',
      );
    });
  });
}
