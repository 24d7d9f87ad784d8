// private_key_jwt (RFC 7523 §2.2 and §3, OpenID Connect Core §9) at every endpoint where clients authenticate, from the
// attacker's side: a replayed assertion, a wrong aud, an expired or too long-lived one, alg none / HS256, another key,
// iss and sub that differ, a secret for a key client; keys inline or fetched from a jwks_uri with limits and caching.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { registerClient } from '../../src/clients/register-client.ts';
import { jwksUriProblem, parsePublicJwks } from '../../src/clients/client-keys.ts';
import { assertedClientId, MAX_ASSERTION_LIFETIME } from '../../src/oauth/client-assertion.ts';
import { pkcePair } from '../helpers/authorization-flow.ts';
import { startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { ASSERTION_TYPE, clientAssertion, clientKeyPair, type ClientKeyPair } from '../helpers/client-assertion.ts';
import { addClient, basic, FORM_HEADERS, form } from '../helpers/test-server.ts';

let f: Fixture;
let key: ClientKeyPair;
let client: { id: string };
let jwksServer: Server;
let jwksUrl: string;
let served: { body: string; status: number; location?: string; fetches: number };

before(async () => {
  f = await startFixture();
  key = await clientKeyPair('ES256');
  const registered = await addClient(f.server, { name: 'Key Client', grantTypes: ['client_credentials'], scope: 'contacts:read', authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
  assert.equal(registered.secret, undefined, 'a private_key_jwt client gets no secret');
  client = { id: registered.id };
  served = { body: '', status: 200, fetches: 0 };
  jwksServer = createServer((_request, response) => {
    served.fetches++;
    response.writeHead(served.status, { 'content-type': 'application/json', ...(served.location ? { location: served.location } : {}) }).end(served.body);
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});
after(async () => {
  await f.server.close();
  jwksServer.closeAllConnections();
  await new Promise((resolve) => jwksServer.close(resolve));
});

const assertion = (overrides: Partial<Parameters<typeof clientAssertion>[1]> = {}, k = key) =>
  clientAssertion(k, { clientId: client.id, aud: f.issuer, now: f.clock.now, ...overrides });

function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return f.server.app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...headers }, payload: form(fields) });
}

const withAssertion = (jwt: string, extra: Record<string, string> = {}) => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });
const tokenWith = (jwt: string) => post('/token', { grant_type: 'client_credentials', ...withAssertion(jwt) });

/** invalid_client, and (when given) the server-only reason in the log line of that request. */
function assertInvalidClient(response: LightMyRequestResponse, reason?: RegExp): void {
  assert.equal(response.statusCode, 401, response.body);
  assert.equal(response.json().error, 'invalid_client');
  if (reason) {
    const line = f.server.logs.map((l) => JSON.parse(l) as { reqId?: string; debug?: string }).findLast((l) => l.reqId === response.headers['x-request-id'] && l.debug !== undefined);
    assert.match(line?.debug ?? '', reason);
  }
}

describe('private_key_jwt at every client-authenticated endpoint', () => {
  it('the token endpoint accepts a valid assertion (aud the issuer)', async () => {
    const response = await tokenWith(await assertion());
    assert.equal(response.statusCode, 200, response.body);
  });

  it('introspection and revocation accept it', async () => {
    const accessToken = (await tokenWith(await assertion())).json().access_token as string;
    const introspected = await post('/introspect', withAssertion(await assertion(), { token: accessToken }));
    assert.equal(introspected.json().active, true, introspected.body);
    const revoked = await post('/revoke', withAssertion(await assertion(), { token: accessToken }));
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal((await post('/introspect', withAssertion(await assertion(), { token: accessToken }))).json().active, false);
  });

  it('the PAR endpoint accepts it', async () => {
    const web = await addClient(f.server, { name: 'Key Web', redirectUris: [WEB_CALLBACK], scope: 'openid', authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
    const jwt = await clientAssertion(key, { clientId: web.id, aud: f.issuer, now: f.clock.now });
    const response = await post('/par', withAssertion(jwt, {
      client_id: web.id, response_type: 'code', redirect_uri: WEB_CALLBACK, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    }));
    assert.equal(response.statusCode, 201, response.body);
  });

  it('discovery advertises private_key_jwt and its algorithms', async () => {
    const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    for (const endpoint of ['token', 'introspection', 'revocation']) {
      assert.ok(metadata[`${endpoint}_endpoint_auth_methods_supported`].includes('private_key_jwt'), endpoint);
      assert.deepEqual(metadata[`${endpoint}_endpoint_auth_signing_alg_values_supported`], ['PS256', 'ES256', 'EdDSA', 'RS256']);
    }
  });
});

describe('client assertions: the attacker side', () => {
  it('a replayed assertion is refused', async () => {
    const once = await assertion();
    assert.equal((await tokenWith(once)).statusCode, 200);
    assertInvalidClient(await tokenWith(once), /jti already used/);
    assertInvalidClient(await post('/introspect', withAssertion(once, { token: 'x' })));
  });

  it('a wrong aud is refused: another server, the PAR or introspection URL, an array with a second audience', async () => {
    for (const aud of ['https://evil.example', `${f.issuer}/par`, `${f.issuer}/introspect`, [f.issuer, 'https://evil.example']]) {
      assertInvalidClient(await tokenWith(await assertion({ aud })), /aud/);
    }
  });

  it('the token endpoint URL is accepted as aud for a client without the FAPI 2.0 profile', async () => {
    assert.equal((await tokenWith(await assertion({ aud: `${f.issuer}/token` }))).statusCode, 200);
  });

  it('an expired assertion, one without exp, one living more than 5 minutes, one made for later', async () => {
    assertInvalidClient(await tokenWith(await assertion({ claims: { iat: f.clock.now - 400, exp: f.clock.now - 100 } })), /exp/);
    assertInvalidClient(await tokenWith(await assertion({ claims: { exp: undefined } })), /exp/);
    assertInvalidClient(await tokenWith(await assertion({ claims: { exp: f.clock.now + 600 } })), /more than 300 seconds away/);
    assertInvalidClient(await tokenWith(await assertion({ claims: { iat: f.clock.now - 10, exp: f.clock.now + 295 } })), /longer than 300 seconds/);
    assertInvalidClient(await tokenWith(await assertion({ claims: { nbf: f.clock.now + 120 } })), /nbf/);
  });

  it('an assertion without jti, or whose iss is not the client', async () => {
    assertInvalidClient(await tokenWith(await assertion({ claims: { jti: undefined } })), /jti/);
    assertInvalidClient(await tokenWith(await assertion({ claims: { iss: 'someone-else' } })), /iss and sub/);
  });

  it('alg none and HS256 (signed with anything) are refused', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: client.id, sub: client.id, aud: f.issuer, jti: 'j-none', iat: f.clock.now, exp: f.clock.now + 60 };
    assertInvalidClient(await tokenWith(`${b64({ alg: 'none' })}.${b64(claims)}.`));
    const input = `${b64({ alg: 'HS256', kid: key.kid })}.${b64({ ...claims, jti: 'j-hs' })}`;
    assertInvalidClient(await tokenWith(`${input}.${createHmac('sha256', JSON.stringify(key.publicJwk)).update(input).digest('base64url')}`));
  });

  it('an assertion signed by a key the client did not register', async () => {
    const stranger = await clientKeyPair('ES256', key.kid);
    assertInvalidClient(await tokenWith(await assertion({}, stranger)), /signature/);
  });

  it('a secret, or another method beside the assertion, is refused', async () => {
    assertInvalidClient(await post('/token', { grant_type: 'client_credentials' }, { authorization: basic(client.id, 'guess') }));
    const both = await post('/token', { grant_type: 'client_credentials', ...withAssertion(await assertion()) }, { authorization: basic(client.id, 'guess') });
    assert.equal(both.json().error, 'invalid_request');
    assertInvalidClient(await post('/token', { grant_type: 'client_credentials', client_assertion_type: 'urn:example:other', client_assertion: await assertion() }));
    assertInvalidClient(await post('/token', { grant_type: 'client_credentials', client_id: f.web.id, ...withAssertion(await assertion()) }));
  });

  it("another client's assertion does not authenticate a secret client", async () => {
    const forged = await clientAssertion(key, { clientId: f.web.id, aud: f.issuer, now: f.clock.now });
    assertInvalidClient(await tokenWith(forged));
  });
});

describe('keys from a jwks_uri', () => {
  it('are fetched, cached, refetched for an unknown kid after 30 seconds; a redirect or an oversized document is refused', async () => {
    const first = await clientKeyPair('EdDSA');
    served.body = JSON.stringify({ keys: [first.publicJwk] });
    const uriClient = await addClient(f.server, { name: 'Uri Client', grantTypes: ['client_credentials'], scope: 'contacts:read', authMethod: 'private_key_jwt', jwksUri: jwksUrl });
    const send = async (k: ClientKeyPair) => tokenWith(await clientAssertion(k, { clientId: uriClient.id, aud: f.issuer, now: f.clock.now }));
    const before = served.fetches;
    assert.equal((await send(first)).statusCode, 200);
    assert.equal((await send(first)).statusCode, 200);
    assert.equal(served.fetches - before, 1, 'cached');

    const rotated = await clientKeyPair('EdDSA');
    served.body = JSON.stringify({ keys: [first.publicJwk, rotated.publicJwk] });
    assertInvalidClient(await send(rotated)); // the copy is younger than 30 s: no refetch on demand
    f.clock.now += 31;
    assert.equal((await send(rotated)).statusCode, 200, 'an unknown kid refetches an older copy');

    f.clock.now += 301;
    served.status = 302;
    served.location = 'https://evil.example/jwks';
    assertInvalidClient(await send(first), /302 \(redirects are not followed\)/);
    served.status = 200;
    delete served.location;
    served.body = JSON.stringify({ keys: [first.publicJwk], padding: 'x'.repeat(70 * 1024) });
    assertInvalidClient(await send(first), /too large/);
    served.body = JSON.stringify({ keys: [{ ...first.publicJwk, d: 'private' }] });
    assertInvalidClient(await send(first), /private key material/);
  });
});

describe('the rules on their own', () => {
  it('parsePublicJwks, jwksUriProblem and assertedClientId', async () => {
    assert.throws(() => parsePublicJwks({ keys: [{ kty: 'oct', k: 'abc' }] }), /RSA, EC or OKP/);
    assert.deepEqual(parsePublicJwks({ keys: [key.publicJwk] }), { keys: [key.publicJwk] });
    assert.equal(jwksUriProblem('https://keys.example/jwks'), undefined);
    assert.equal(jwksUriProblem('http://localhost:8080/jwks'), undefined);
    assert.match(jwksUriProblem('http://10.0.0.1/jwks') ?? '', /https/);
    assert.match(jwksUriProblem('https://user:pw@keys.example/jwks') ?? '', /credentials/);
    assert.equal(assertedClientId(await assertion()), client.id);
    assert.equal(assertedClientId('not-a-jwt'), undefined);
    assert.equal(MAX_ASSERTION_LIFETIME, 300);
  });
});

describe('registration of private_key_jwt clients', () => {
  const register = (input: Record<string, unknown>) => registerClient(f.server.store, { name: 'X', grantTypes: ['client_credentials'], scope: 'contacts:read', ...input }, f.clock.now);

  it('refuses private keys, missing or doubled key sources, http jwks_uri off loopback, and keys without private_key_jwt', async () => {
    const { privateKey } = await clientKeyPair();
    const { exportJWK } = await import('jose');
    await assert.rejects(register({ authMethod: 'private_key_jwt', jwks: { keys: [await exportJWK(privateKey)] } }), /private key material/);
    await assert.rejects(register({ authMethod: 'private_key_jwt' }), /exactly one of --jwks/);
    await assert.rejects(register({ authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, jwksUri: jwksUrl }), /exactly one of --jwks/);
    await assert.rejects(register({ authMethod: 'private_key_jwt', jwksUri: 'http://keys.example/jwks' }), /https/);
    await assert.rejects(register({ authMethod: 'private_key_jwt', jwks: { keys: [] } }), /non-empty/);
    await assert.rejects(register({ authMethod: 'client_secret_basic', jwks: { keys: [key.publicJwk] } }), /--auth private_key_jwt/);
    await assert.rejects(register({ authMethod: 'magic' }), /unknown authentication method/);
    await assert.rejects(register({ authMethod: 'private_key_jwt', jwksUri: 'http://127.0.0.1:9/jwks', registration: 'dynamic' }), /dynamically registered client's jwks_uri must use https/);
  });
});
