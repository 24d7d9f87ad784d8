// Done-when of issue 17, end to end over HTTP: a FAPI 2.0 client built on oauth4webapi (an independent, certified
// client library) signs in through the real login page with PAR + PKCE + private_key_jwt + DPoP (server nonces on),
// refreshes, calls UserInfo and an API protected by this kit with DPoP required; a stolen access token is useless
// without the key, at the API and at UserInfo, and a stolen refresh token is useless without the client's key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { addUser, createServer, openStore, registerApi, registerClient, resolveConfig } from '@latchkey/server/internal';
import { FetchBrowser } from '../../server/test/helpers/fetch-browser.ts';
import { createVerifier } from '../src/index.ts';
import { fastifyBearer } from '../src/fastify.ts';

const API = 'https://contacts.example';
const CALLBACK = 'https://bank-app.example/callback';
const PASSWORD = 'correct horse battery staple';
const insecure = { [oauth.allowInsecureRequests]: true };

let server: FastifyInstance;
let closeServer: () => Promise<void>;
let api: FastifyInstance;
let apiUrl: string;
let issuer: string;
let as: oauth.AuthorizationServer;
let client: oauth.Client;
let clientAuth: oauth.ClientAuth;
let dpop: oauth.DPoPHandle;
let userId: string;

async function freePort(): Promise<number> {
  const probe = Fastify();
  await probe.listen({ port: 0, host: '127.0.0.1' });
  const { port } = probe.server.address() as AddressInfo;
  await probe.close();
  return port;
}

/** oauth4webapi leaves the use_dpop_nonce retry to the caller (RFC 9449 §8): the handle has kept the nonce, try once more. */
let nonceRetries = 0;
async function withNonceRetry<T>(request: () => Promise<Response>, process: (response: Response) => Promise<T>): Promise<T> {
  try {
    return await process(await request());
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    nonceRetries++;
    return process(await request());
  }
}

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const config = resolveConfig({ dev: true, secret: 'fapi2-end-to-end-secret-0123456789-abcdef', issuer, port, databaseUrl: 'sqlite::memory:', logLevel: 'silent', dpopNonceRequired: true });
  const store = openStore(config.databaseUrl);
  server = await createServer(config, { store, cacheSyncIntervalMs: 50 });
  await server.listen({ port, host: '127.0.0.1' });
  closeServer = async () => { await server.close(); await store.close(); };
  const ctx = server.latchkeyServer;
  await registerApi(ctx.store, { identifier: API, scopes: ['contacts:read=Read your contacts'] }, ctx.now());
  await ctx.scopes.load();
  userId = (await addUser(ctx.store, { username: 'alice', password: PASSWORD }, ctx.now())).id;

  // The client's signing key (PS256, as FAPI 2.0 §5.4.1 allows) and its DPoP key: the server knows only the public halves.
  const signing = await generateKeyPair('PS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: 'bank-1', alg: 'PS256' };
  const { client: registered } = await registerClient(ctx.store, {
    name: 'Bank App', redirectUris: [CALLBACK], scope: 'openid contacts:read', profile: 'fapi2', authMethod: 'private_key_jwt', jwks: { keys: [publicJwk] },
  }, ctx.now());
  ctx.clients.invalidate();
  client = { client_id: registered.id, id_token_signed_response_alg: 'ES256' };
  clientAuth = oauth.PrivateKeyJwt({ key: signing.privateKey, kid: 'bank-1' });
  dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));

  // The API: this kit, DPoP required, htu checked against its configured public URL.
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  api = Fastify();
  await api.register(fastifyBearer(createVerifier({ issuer, audience: API, dpop: { publicBaseUrl: apiUrl, requireDpop: true } })));
  api.get('/contacts', async (request) => ({ owner: request.auth?.sub, contacts: ['Bob'] }));
  await api.listen({ port: apiPort, host: '127.0.0.1' });

  as = await oauth.processDiscoveryResponse(new URL(issuer), await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oidc', ...insecure }));
});

after(async () => {
  await api?.close();
  await closeServer?.();
});

async function signIn(): Promise<oauth.TokenEndpointResponse> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const parameters = {
    response_type: 'code', redirect_uri: CALLBACK, scope: 'openid contacts:read', state, nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  };
  const pushed = await withNonceRetry(
    () => oauth.pushedAuthorizationRequest(as, client, clientAuth, parameters, { DPoP: dpop, ...insecure }),
    (response) => oauth.processPushedAuthorizationResponse(as, client, response));
  const authorization = new URL(as.authorization_endpoint!);
  authorization.search = new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri }).toString();
  const browser = new FetchBrowser();
  const callback = await browser.authorize(authorization.toString(), CALLBACK, { username: 'alice', password: PASSWORD });
  assert.deepEqual(browser.pages, ['login', 'consent']);
  // Checks state and iss (RFC 9207), which the server sends in every authorization response.
  const params = oauth.validateAuthResponse(as, client, new URL(callback), state);
  return withNonceRetry(
    () => oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, CALLBACK, verifier, { DPoP: dpop, ...insecure }),
    (response) => oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true }));
}

const callApi = (accessToken: string, handle: oauth.DPoPHandle) =>
  oauth.protectedResourceRequest(accessToken, 'GET', new URL(`${apiUrl}/contacts`), undefined, undefined, { DPoP: handle, ...insecure });

describe('a FAPI 2.0 client on oauth4webapi against Latchkey and @latchkey/resource', () => {
  let tokens: oauth.TokenEndpointResponse;

  before(async () => {
    tokens = await signIn();
  });

  test('sign-in: PAR, the login page, private_key_jwt and DPoP give a DPoP-bound token and a valid ID token', () => {
    assert.equal(tokens.token_type, 'dpop');
    assert.equal(oauth.getValidatedIdTokenClaims(tokens)!.sub, userId);
    assert.ok(tokens.refresh_token);
    assert.ok(nonceRetries >= 1, 'the server asked for a DPoP nonce and the retry with it succeeded');
  });

  test('the API that requires DPoP answers the call made with the key; UserInfo too', async () => {
    const response = await callApi(tokens.access_token, dpop);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { owner: userId, contacts: ['Bob'] });
    const info = await oauth.processUserInfoResponse(as, client, userId, await oauth.userInfoRequest(as, client, tokens.access_token, { DPoP: dpop, ...insecure }));
    assert.equal(info.sub, userId);
  });

  test('refresh: a new DPoP-bound token that the API accepts', async () => {
    const refreshed = await withNonceRetry(
      () => oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, { DPoP: dpop, ...insecure }),
      (response) => oauth.processRefreshTokenResponse(as, client, response));
    assert.equal(refreshed.token_type, 'dpop');
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.equal((await callApi(refreshed.access_token, dpop)).status, 200);
    tokens = refreshed;
  });

  test('a stolen access token is useless: as a Bearer token, or with a proof of the thief\'s own key, at the API and at UserInfo', async () => {
    const asBearer = await fetch(`${apiUrl}/contacts`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(asBearer.status, 401);
    const thief = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    // oauth4webapi reads a 401's challenges itself: here a DPoP challenge saying the token is not this key's.
    const refusedAsNotThisKey = (error: unknown) => error instanceof oauth.WWWAuthenticateChallengeError
      && error.cause.some((c) => c.scheme === 'dpop' && c.parameters.error === 'invalid_token');
    await assert.rejects(callApi(tokens.access_token, thief), refusedAsNotThisKey);
    const userinfoAsBearer = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(userinfoAsBearer.status, 401);
    const userinfoWithThiefKey = await oauth.userInfoRequest(as, client, tokens.access_token, { DPoP: thief, ...insecure });
    assert.equal(userinfoWithThiefKey.status, 401);
    await assert.rejects(oauth.processUserInfoResponse(as, client, userId, userinfoWithThiefKey), refusedAsNotThisKey);
  });

  test('a stolen refresh token is useless without the client\'s private key', async () => {
    const other = await generateKeyPair('PS256', { extractable: true });
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.PrivateKeyJwt({ key: other.privateKey, kid: 'bank-1' }), tokens.refresh_token!, { DPoP: dpop, ...insecure });
    const body = await response.json() as { error: string };
    assert.equal(response.status, 401);
    assert.equal(body.error, 'invalid_client');
  });
});
