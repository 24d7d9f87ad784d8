// An operator blocks a client: it cannot start an authorization or authenticate at /token any more, its grants are
// revoked (refresh tokens stop, introspection says inactive); unblocking lets it ask users again, restoring nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blockClient, unblockClient } from '../../src/clients/block-client.ts';
import { authorizeUrl, InjectBrowser, location, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { addApi, addClient, addIntrospector, addTestUser, basic, form, FORM_HEADERS, startTestServer, type TestServer } from '../helpers/test-server.ts';

const API = 'https://mcp.example/mcp';
const PASSWORD = 'a long enough password for alice';
const CALLBACK = 'http://127.0.0.1:7777/callback';
let server: TestServer;

before(async () => {
  server = await startTestServer({ dynamicRegistration: true });
  await addApi(server, API, { 'tools:read': 'Use the read-only tools' });
  await addTestUser(server, 'alice', PASSWORD);
});
after(async () => {
  await server.close();
});

const request = (clientId: string, pkce: { challenge: string }) => authorizeUrl({
  response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, scope: 'tools:read', resource: API, code_challenge: pkce.challenge, code_challenge_method: 'S256',
});

describe('blocking a client', () => {
  it('stops its sign-ins, its token requests, its refresh tokens and (through introspection) its access tokens', async () => {
    const registration = await server.app.inject({
      method: 'POST', url: '/register', headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_name: 'Agent Desk', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
    });
    const clientId = registration.json().client_id as string;
    const pkce = pkcePair();
    const browser = new InjectBrowser(server.app);
    const { response } = await runAuthorization(browser, request(clientId, pkce), { username: 'alice', password: PASSWORD });
    const code = new URL(location(response)).searchParams.get('code')!;
    const tokens = (await tokenRequest(server.app, { id: clientId }, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier })).json();
    assert.ok(tokens.refresh_token);

    const introspector = await addClient(server, { name: 'MCP server', grantTypes: ['client_credentials'] });
    await addIntrospector(server, API, introspector.id);
    const introspect = async () => (await server.app.inject({
      method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(introspector.id, introspector.secret!) }, payload: form({ token: tokens.access_token }),
    })).json().active;
    assert.equal(await introspect(), true);

    assert.equal(await blockClient(server.store, clientId, server.app.latchkeyServer.now()), 1, 'its one grant revoked');
    server.app.latchkeyServer.clients.invalidate();

    const refresh = await tokenRequest(server.app, { id: clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refresh.statusCode, 401);
    const { request_id: requestId, ...body } = refresh.json<Record<string, unknown>>();
    assert.deepEqual(body, { error: 'invalid_client', error_description: 'this client has been blocked by the operator of this server' });
    assert.equal(typeof requestId, 'string', 'every JSON error names its request');
    assert.equal(await introspect(), false, 'its access token is inactive at introspection');
    const again = await browser.get(request(clientId, pkcePair()));
    assert.equal(again.statusCode, 400);
    assert.equal(again.headers.location, undefined, 'a page, never a redirect');
    assert.match(again.body, /this application has been blocked by the operator of this server/);

    await unblockClient(server.store, clientId, server.app.latchkeyServer.now());
    server.app.latchkeyServer.clients.invalidate();
    const after = await runAuthorization(browser, request(clientId, pkcePair()), { username: 'alice', password: PASSWORD });
    assert.deepEqual(after.pages, ['consent'], 'asked again; nothing was restored');
    const stillRevoked = await tokenRequest(server.app, { id: clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(stillRevoked.json().error, 'invalid_grant');
  });
});
