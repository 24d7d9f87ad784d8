// RFC 7591 dynamic client registration and RFC 7592 client configuration: off by default; redirect URI rules by
// application_type; hashed secrets and registration access tokens; the initial access token; per-address limits;
// attacker side: guessed and borrowed registration access tokens, floods, metadata the server does not allow.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import { validateRegistration } from '../../src/clients/dynamic-registration.ts';
import { authorizeUrl, InjectBrowser, location, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { ASSERTION_TYPE, clientAssertion, clientKeyPair } from '../helpers/client-assertion.ts';
import { addApi, addTestUser, basic, FORM_HEADERS, form, startTestServer, TEST_ISSUER, type TestServer } from '../helpers/test-server.ts';

const API = 'https://mcp.example/mcp';
const PASSWORD = 'a long enough password for alice';
const NATIVE_CALLBACK = 'http://127.0.0.1:7777/callback';
let server: TestServer;
let address = 0;

before(async () => {
  server = await startTestServer({ dynamicRegistration: true, registrationLimitPerAddress: 1000, operatorName: 'Example Corp' });
  await addApi(server, API, { 'tools:read': 'Use the read-only tools' });
  await addApi(server, 'https://admin.example', { admin: 'Administer everything' });
  await addTestUser(server, 'alice', PASSWORD);
});
after(async () => {
  await server.close();
});

/** Each call from a fresh address unless one is given (the per-address limit is tested on its own). */
function register(app: TestServer['app'], body: unknown, headers: Record<string, string> = {}, remoteAddress = `10.9.0.${++address % 250}`): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/register', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body), remoteAddress });
}

const configure = (method: 'GET' | 'PUT' | 'DELETE', uri: string, token: string, body?: unknown) => server.app.inject({
  method, url: new URL(uri).pathname, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
  ...(body ? { payload: JSON.stringify(body) } : {}), remoteAddress: `10.8.0.${++address % 250}`,
});

describe('registration (RFC 7591)', () => {
  it('discovery advertises registration_endpoint', async () => {
    const metadata = (await server.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    assert.equal(metadata.registration_endpoint, 'http://127.0.0.1:4000/register');
  });

  it('registers a public native client: 201, its metadata, a registration access token stored only as a hash', async () => {
    const response = await register(server.app, { client_name: 'Agent Desk', redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.equal(body.application_type, 'native', 'inferred from loopback redirect URIs');
    assert.equal(body.token_endpoint_auth_method, 'none');
    assert.equal(body.client_secret, undefined);
    assert.match(body.registration_access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.registration_client_uri, `http://127.0.0.1:4000/register/${body.client_id}`);
    const stored = await server.store.getClient(body.client_id);
    assert.equal(stored?.registration, 'dynamic');
    assert.notEqual(stored?.registrationTokenHash, body.registration_access_token);
    assert.ok(!JSON.stringify(stored).includes(body.registration_access_token), 'the raw token is not stored');
  });

  it('a registered client signs a user in (marked as not verified) and obtains tokens', async () => {
    const { client_id: clientId } = (await register(server.app, { client_name: 'Agent Desk', redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none' })).json();
    const pkce = pkcePair();
    const { response, html } = await runAuthorization(new InjectBrowser(server.app), authorizeUrl({
      response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:50123/callback', scope: 'tools:read', resource: API,
      code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    assert.match(html.at(-1)!, /not verified by Example Corp/);
    const code = new URL(location(response)).searchParams.get('code')!;
    const token = await tokenRequest(server.app, { id: clientId }, { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:50123/callback', code_verifier: pkce.verifier });
    assert.equal(token.statusCode, 200, token.body);
  });

  it('a confidential web client gets a secret (shown once, stored hashed) that authenticates at /token', async () => {
    const response = await register(server.app, { redirect_uris: ['https://agent.example/cb'], token_endpoint_auth_method: 'client_secret_post', client_uri: 'https://agent.example' });
    assert.equal(response.json().client_name, 'agent.example', 'without client_name, the redirect host names it');
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.equal(body.application_type, 'web');
    assert.equal(body.token_endpoint_auth_method, 'client_secret_post');
    assert.equal(body.client_secret_expires_at, 0);
    const stored = await server.store.getClient(body.client_id);
    assert.ok(stored?.secretHash && stored.secretHash !== body.client_secret);
    const wrong = await tokenRequest(server.app, { id: body.client_id, secret: 'not-the-secret' }, { grant_type: 'authorization_code', code: 'x' });
    assert.equal(wrong.statusCode, 401);
    const right = await tokenRequest(server.app, { id: body.client_id, secret: body.client_secret }, { grant_type: 'authorization_code', code: 'x' });
    assert.equal(right.json().error, 'invalid_grant', 'authenticated; only the code is wrong');
  });

  it('redirect URI rules by application_type', async () => {
    const refused = async (body: Record<string, unknown>, error: string, why: RegExp) => {
      const response = await register(server.app, { token_endpoint_auth_method: 'none', ...body });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error, error);
      assert.match(response.json().error_description, why);
    };
    await refused({ application_type: 'web', redirect_uris: ['http://agent.example/cb'] }, 'invalid_redirect_uri', /must use https/);
    await refused({ application_type: 'native', redirect_uris: ['https://agent.example/cb'] }, 'invalid_redirect_uri', /loopback http/);
    await refused({ application_type: 'native', redirect_uris: ['myapp:/cb'] }, 'invalid_redirect_uri', /reverse domain name/);
    await refused({ redirect_uris: ['https://agent.example/cb#frag'] }, 'invalid_redirect_uri', /fragment/);
    await refused({ redirect_uris: [] }, 'invalid_redirect_uri', /at least one/);
    await refused({ application_type: 'desktop', redirect_uris: [NATIVE_CALLBACK] }, 'invalid_client_metadata', /'web' or 'native'/);
    const native = await register(server.app, { application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['com.example.agent:/cb', 'http://[::1]/cb'] });
    assert.equal(native.statusCode, 201, native.body);
    const devWeb = await register(server.app, { application_type: 'web', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/cb'] });
    assert.equal(devWeb.statusCode, 201, 'http://localhost for a web client in dev mode');
  });

  it('application_type, when absent: native when every redirect URI is loopback or private-use, else web', () => {
    const type = (uris: string[]) => validateRegistration({ redirect_uris: uris, token_endpoint_auth_method: 'none' }, { dev: true, unvettedClientScopes: '' }, { get: () => undefined }).metadata.applicationType;
    assert.equal(type(['http://127.0.0.1/cb', 'com.example.app:/cb']), 'native');
    assert.equal(type(['http://localhost:8090/callback']), 'native');
    assert.equal(type(['https://agent.example/cb', 'http://127.0.0.1/cb']), 'web');
  });

  it('outside dev mode a web client cannot use http://localhost', async () => {
    const production = await startTestServer({ dev: false, dynamicRegistration: true });
    try {
      const response = await register(production.app, { application_type: 'web', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/cb'] });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error, 'invalid_redirect_uri');
    } finally {
      await production.close();
    }
  });

  it('metadata it does not allow: client_credentials, other response types, software statements, unknown scopes', async () => {
    const refused = async (body: Record<string, unknown>, why: RegExp) => {
      const response = await register(server.app, { redirect_uris: [NATIVE_CALLBACK], ...body });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error, 'invalid_client_metadata');
      assert.match(response.json().error_description, why);
    };
    await refused({ grant_types: ['client_credentials'] }, /not available to self-registered clients/);
    await refused({ response_types: ['token'] }, /response_types/);
    await refused({ software_statement: 'eyJ...' }, /software statements are not supported/);
    await refused({ scope: 'tools:read nope' }, /scope 'nope' is unknown/);
    await refused({ logo_uri: 'javascript:alert(1)' }, /logo_uri must be an https URL/);
    const notJson = await server.app.inject({ method: 'POST', url: '/register', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error, 'invalid_client_metadata');
    for (const payload of ['[]', '"text"']) {
      const notObject = await server.app.inject({ method: 'POST', url: '/register', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(notObject.json().error_description, 'the registration request must be a JSON object sent as application/json');
    }
    const form = await server.app.inject({ method: 'POST', url: '/register', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'redirect_uris=http://127.0.0.1/cb' });
    assert.equal(form.statusCode, 400);
    assert.equal(form.json().error_description, 'the registration request must be a JSON object sent as application/json');
  });

  it('unvetted clients limited to configured APIs: registration and /authorize refuse other scopes', async () => {
    const limited = await startTestServer({ dynamicRegistration: true, unvettedClientScopes: `openid ${API}` });
    try {
      await addApi(limited, API, { 'tools:read': 'Use the read-only tools' });
      await addApi(limited, 'https://admin.example', { admin: 'Administer everything' });
      const refused = await register(limited.app, { redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none', scope: 'admin' });
      assert.equal(refused.json().error_description, "scope 'admin' is not available to self-registered clients");
      const { client_id: clientId } = (await register(limited.app, { redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none' })).json();
      const pkce = pkcePair();
      const attempt = await new InjectBrowser(limited.app).get(authorizeUrl({
        response_type: 'code', client_id: clientId, redirect_uri: NATIVE_CALLBACK, scope: 'admin', code_challenge: pkce.challenge, code_challenge_method: 'S256',
      }));
      assert.equal(attempt.statusCode, 400, 'a page: no error redirect before sign-in for an unvetted client');
      assert.equal(attempt.headers.location, undefined);
      assert.match(attempt.body, /the client is not allowed to request scope &quot;admin&quot;/);
    } finally {
      await limited.close();
    }
  });
});

describe('private_key_jwt registrations (RFC 7591 §2 jwks / jwks_uri, RFC 7523 §2.2)', () => {
  const withAssertion = (jwt: string) => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: jwt });
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, ...headers }, payload: form(fields) });
  const assertInvalidClient = (response: LightMyRequestResponse) => {
    assert.equal(response.statusCode, 401, response.body);
    assert.equal(response.json().error, 'invalid_client');
  };

  it('with inline public keys: 201 without a client_secret; it signs a user in and obtains tokens with a signed assertion', async () => {
    const key = await clientKeyPair('ES256');
    const response = await register(server.app, { client_name: 'Key Agent', redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.equal(body.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(body.jwks, { keys: [key.publicJwk] });
    assert.equal(body.client_secret, undefined, 'no secret is issued');
    assert.equal(body.client_secret_expires_at, undefined);
    const stored = await server.store.getClient(body.client_id);
    assert.equal(stored?.secretHash, null);
    assert.equal(stored?.isPublic, false);
    const pkce = pkcePair();
    const { response: callback } = await runAuthorization(new InjectBrowser(server.app), authorizeUrl({
      response_type: 'code', client_id: body.client_id, redirect_uri: NATIVE_CALLBACK, scope: 'tools:read', resource: API, code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    const code = new URL(location(callback)).searchParams.get('code')!;
    const grant = { grant_type: 'authorization_code', code, redirect_uri: NATIVE_CALLBACK, code_verifier: pkce.verifier };
    const now = Math.floor(Date.now() / 1000);
    const guessed = await token({ ...grant }, { authorization: basic(body.client_id, 'a-guessed-secret') });
    assertInvalidClient(guessed);
    assert.match(guessed.json().error_description, /must authenticate with private_key_jwt/);
    const otherKey = await clientKeyPair('ES256');
    assertInvalidClient(await token({ ...grant, ...withAssertion(await clientAssertion(otherKey, { clientId: body.client_id, aud: TEST_ISSUER, now })) }));
    const jwt = await clientAssertion(key, { clientId: body.client_id, aud: TEST_ISSUER, now });
    const issued = await token({ ...grant, ...withAssertion(jwt) });
    assert.equal(issued.statusCode, 200, issued.body);
    const replayed = await token({ grant_type: 'refresh_token', refresh_token: issued.json().refresh_token ?? 'x', ...withAssertion(jwt) });
    assertInvalidClient(replayed);
  });

  it('with an https jwks_uri: registered (fetched only when used); the configuration endpoint reads it back', async () => {
    const response = await register(server.app, { redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.agent.example/jwks.json' });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.equal(body.jwks_uri, 'https://keys.agent.example/jwks.json');
    assert.equal(body.client_secret, undefined);
    const read = (await configure('GET', body.registration_client_uri, body.registration_access_token)).json();
    assert.equal(read.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(read.jwks_uri, 'https://keys.agent.example/jwks.json');
    const toSecret = await configure('PUT', body.registration_client_uri, body.registration_access_token,
      { client_id: body.client_id, redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'client_secret_basic' });
    assert.equal(toSecret.statusCode, 400, 'a key client cannot become a secret client without a secret');
    assert.match(toSecret.json().error_description, /cannot change between none, a client secret and private_key_jwt/);
    const rotated = await configure('PUT', body.registration_client_uri, body.registration_access_token,
      { client_id: body.client_id, redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.agent.example/jwks-2.json' });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.equal((await server.store.getClient(body.client_id))?.jwksUri, 'https://keys.agent.example/jwks-2.json');
  });

  it('whose jwks_uri name later resolves to a private address (DNS rebinding): nothing is fetched, the assertion is invalid_client', async () => {
    let hits = 0;
    const keysHost = createServer((_request, response) => {
      hits++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => keysHost.listen(0, '127.0.0.1', resolve));
    try {
      const key = await clientKeyPair('ES256');
      const { client_id: clientId } = (await register(server.app, { redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.agent.example/jwks.json' })).json();
      // What a rebinding DNS answer amounts to: the registered name now leads to this host's loopback.
      const stored = (await server.store.getClient(clientId))!;
      await server.store.updateClientRegistration({ ...stored, jwksUri: `https://localhost:${(keysHost.address() as AddressInfo).port}/jwks.json` });
      server.app.latchkeyServer.clients.invalidate();
      const jwt = await clientAssertion(key, { clientId, aud: TEST_ISSUER, now: Math.floor(Date.now() / 1000) });
      const response = await token({ grant_type: 'authorization_code', code: 'x', ...withAssertion(jwt) });
      assertInvalidClient(response);
      const logged = server.logs.map((l) => JSON.parse(l) as { reqId?: string; debug?: string }).findLast((l) => l.reqId === response.headers['x-request-id'] && l.debug !== undefined);
      assert.match(logged?.debug ?? '', /fetching the jwks_uri failed: localhost resolves to (127\.0\.0\.1|::1), which is not a public address/);
      assert.equal(hits, 0, 'the guard refused the loopback address before connecting');
    } finally {
      keysHost.closeAllConnections();
      await new Promise((resolve) => keysHost.close(resolve));
    }
  });

  it('keys it refuses: none, both, an http or private jwks_uri, private key material, keys with a secret method', async () => {
    const key = await clientKeyPair('ES256');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const refused = async (body: Record<string, unknown>, why: RegExp) => {
      const response = await register(server.app, { redirect_uris: [NATIVE_CALLBACK], ...body });
      assert.equal(response.statusCode, 400, response.body);
      const { request_id: requestId, ...error } = response.json();
      assert.equal(typeof requestId, 'string');
      assert.equal(error.error, 'invalid_client_metadata');
      assert.match(error.error_description, why);
    };
    const pkjwt = { token_endpoint_auth_method: 'private_key_jwt' };
    await refused(pkjwt, /exactly one of jwks_uri or jwks/);
    await refused({ ...pkjwt, jwks_uri: 'https://keys.agent.example/jwks.json', jwks: { keys: [key.publicJwk] } }, /exactly one of jwks_uri or jwks/);
    await refused({ ...pkjwt, jwks_uri: 'http://keys.agent.example/jwks.json' }, /jwks_uri must use https/);
    await refused({ ...pkjwt, jwks_uri: 'https://10.1.2.3/jwks.json' }, /is not on a public address/);
    await refused({ ...pkjwt, jwks_uri: 'https://169.254.169.254/latest/meta-data' }, /is not on a public address/);
    await refused({ ...pkjwt, jwks: { keys: [await exportJWK(privateKey)] } }, /private key material/);
    await refused({ ...pkjwt, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /RSA, EC or OKP public key/);
    await refused({ token_endpoint_auth_method: 'client_secret_basic', jwks: { keys: [key.publicJwk] } }, /jwks and jwks_uri go with token_endpoint_auth_method 'private_key_jwt'/);
    await refused({ token_endpoint_auth_method: 'tls_client_auth' }, /'tls_client_auth' is not supported/);
  });
});

describe('initial access token', () => {
  it('required when configured: none or a wrong one gets 401 with a Bearer challenge; the right one registers', async () => {
    const token = 'an-initial-access-token-of-enough-length-0123456789';
    const gated = await startTestServer({ dynamicRegistration: true, registrationInitialAccessToken: token });
    try {
      const body = { redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none' };
      const none = await register(gated.app, body);
      assert.equal(none.statusCode, 401);
      assert.match(String(none.headers['www-authenticate']), /^Bearer realm="latchkey"/);
      const wrong = await register(gated.app, body, { authorization: `Bearer ${token}x` });
      assert.equal(wrong.statusCode, 401);
      assert.match(String(wrong.headers['www-authenticate']), /error="invalid_token"/);
      assert.equal((await gated.store.listClients()).length, 0, 'nothing registered');
      assert.equal((await register(gated.app, body, { authorization: `Bearer ${token}` })).statusCode, 201);
    } finally {
      await gated.close();
    }
  });
});

describe('a registration flood', () => {
  it('is limited per address (429 with Retry-After), while another address still registers', async () => {
    const limited = await startTestServer({ dynamicRegistration: true, registrationLimitPerAddress: 3, registrationWindow: 3600 });
    try {
      const body = { redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none' };
      for (let i = 0; i < 3; i++) assert.equal((await register(limited.app, body, {}, '10.1.1.1')).statusCode, 201);
      const flood = await register(limited.app, body, {}, '10.1.1.1');
      assert.equal(flood.statusCode, 429);
      assert.ok(Number(flood.headers['retry-after']) > 0);
      assert.equal((await limited.store.listClients()).length, 3);
      assert.equal((await register(limited.app, body, {}, '10.1.1.2')).statusCode, 201);
    } finally {
      await limited.close();
    }
  });
});

describe('client configuration (RFC 7592)', () => {
  async function registered() {
    return (await register(server.app, { client_name: 'Mine', redirect_uris: [NATIVE_CALLBACK], token_endpoint_auth_method: 'none' })).json() as Record<string, string>;
  }

  it('reads, updates and deletes with the registration access token', async () => {
    const mine = await registered();
    const read = await configure('GET', mine.registration_client_uri!, mine.registration_access_token!);
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().client_name, 'Mine');
    const updated = await configure('PUT', mine.registration_client_uri!, mine.registration_access_token!, {
      client_id: mine.client_id, client_name: 'Renamed', redirect_uris: ['http://127.0.0.1:8888/new'], token_endpoint_auth_method: 'none',
    });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.deepEqual(updated.json().redirect_uris, ['http://127.0.0.1:8888/new']);
    assert.equal((await server.store.getClient(mine.client_id!))?.name, 'Renamed');
    const deleted = await configure('DELETE', mine.registration_client_uri!, mine.registration_access_token!);
    assert.equal(deleted.statusCode, 204);
    assert.equal(await server.store.getClient(mine.client_id!), undefined);
    assert.equal((await configure('GET', mine.registration_client_uri!, mine.registration_access_token!)).statusCode, 401);
  });

  it('a guessed token, another client\'s token and an unknown client all get the same 401', async () => {
    const mine = await registered();
    const theirs = await registered();
    const guessed = await configure('GET', mine.registration_client_uri!, 'guessed-token-guessed-token-guessed-token00');
    const borrowed = await configure('DELETE', mine.registration_client_uri!, theirs.registration_access_token!);
    const unknown = await configure('GET', mine.registration_client_uri!.replace(mine.client_id!, 'no-such-client'), mine.registration_access_token!);
    for (const response of [guessed, borrowed, unknown]) {
      assert.equal(response.statusCode, 401);
      const { request_id: requestId, ...body } = response.json<Record<string, unknown>>();
      assert.deepEqual(body, { error: 'invalid_token', error_description: 'the registration access token is not valid for this client' });
      assert.equal(typeof requestId, 'string');
      assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
    }
    assert.ok(await server.store.getClient(mine.client_id!), 'another client\'s token deleted nothing');
    const noToken = await server.app.inject({ method: 'GET', url: new URL(mine.registration_client_uri!).pathname });
    assert.equal(noToken.statusCode, 401);
  });

  it('an operator-registered client cannot be managed through it', async () => {
    const operatorClient = (await server.store.listClients()).find((c) => c.registration === 'operator');
    const response = await server.app.inject({ method: 'GET', url: `/register/${operatorClient?.id ?? 'none'}`, headers: { authorization: 'Bearer abc' } });
    assert.equal(response.statusCode, 401);
  });

  it('guesses are counted per address: past the failure limit the address gets 429', async () => {
    const limited = await startTestServer({ dynamicRegistration: true, failureLimitPerAddress: 3 });
    try {
      const guess = () => limited.app.inject({ method: 'GET', url: '/register/some-client', headers: { authorization: 'Bearer guess' }, remoteAddress: '10.7.7.7' });
      for (let i = 0; i < 3; i++) assert.equal((await guess()).statusCode, 401);
      assert.equal((await guess()).statusCode, 429);
    } finally {
      await limited.close();
    }
  });
});

describe('when not enabled (the default)', () => {
  it('there is no /register and discovery does not advertise one', async () => {
    const off = await startTestServer();
    try {
      const response = await register(off.app, { redirect_uris: [NATIVE_CALLBACK] });
      assert.equal(response.statusCode, 404);
      assert.equal((await off.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json().registration_endpoint, undefined);
    } finally {
      await off.close();
    }
  });
});
