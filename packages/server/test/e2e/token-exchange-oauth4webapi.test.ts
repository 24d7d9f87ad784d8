// End to end (issue 15): token exchange driven by an independent client, oauth4webapi, over real HTTP. It discovers
// the server (the grant type is advertised), exchanges a user's contacts token for a calendar token as the Contacts
// API's own client, and the calendar API, on @latchkey/resource, verifies it and sees who acted (`claims.actors`).
// A refusal comes back as the RFC 8693 §2.2.2 error oauth4webapi reports. The resource kit's own exchangeToken does the
// same from the API's side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { createVerifier, TokenExchangeError } from '@latchkey/resource';
import { addApiExchanger } from '../../src/apis/api-exchangers.ts';
import { TOKEN_EXCHANGE } from '../../src/store/records.ts';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addApi, addClient, addIntrospector, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';

const CONTACTS = 'https://contacts.example';
const CALENDAR = 'https://calendar.example';
const CALLBACK = 'https://planner.example/cb';
const PASSWORD = 'correct horse battery staple';

describe('token exchange with oauth4webapi as the exchanging client', () => {
  let server: TestServer;
  let issuer: string;
  let service: { id: string; secret: string };
  let subjectToken: string;
  let userId: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await startTestServer({ issuer });
    await server.app.listen({ host: '127.0.0.1', port });
    await addApi(server, CONTACTS, { 'contacts:read': 'Read your contacts' });
    await addApi(server, CALENDAR, { 'calendar:read': 'See your calendar' });
    const planner = await addClient(server, { name: 'Planner', redirectUris: [CALLBACK], scope: 'openid contacts:read calendar:read' });
    const created = await addClient(server, { name: 'Contacts API', grantTypes: [TOKEN_EXCHANGE], scope: 'calendar:read' });
    service = { id: created.id, secret: created.secret! };
    await addIntrospector(server, CONTACTS, service.id);
    await addApiExchanger(server.store, CALENDAR, service.id);
    await server.app.latchkeyServer.scopes.load();
    userId = (await addTestUser(server, 'alice', PASSWORD)).id;

    // Alice lets the Planner read her calendar, then signs in for contacts: the Planner holds a contacts token.
    const browser = new InjectBrowser(server.app);
    for (const scope of ['openid calendar:read', 'openid contacts:read']) {
      const pkce = pkcePair();
      const { response } = await runAuthorization(browser, authorizeUrl({
        response_type: 'code', client_id: planner.id, redirect_uri: CALLBACK, scope, code_challenge: pkce.challenge, code_challenge_method: 'S256',
      }), { username: 'alice', password: PASSWORD });
      const tokens = await tokenRequest(server.app, { id: planner.id, secret: planner.secret }, {
        grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: CALLBACK, code_verifier: pkce.verifier,
      });
      assert.equal(tokens.statusCode, 200, tokens.body);
      subjectToken = tokens.json().access_token;
    }
  });
  after(async () => {
    await server?.close();
  });

  async function discover(): Promise<oauth.AuthorizationServer> {
    const url = new URL(issuer);
    return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', [oauth.allowInsecureRequests]: true }));
  }

  const exchange = async (as: oauth.AuthorizationServer, parameters: Record<string, string>) => oauth.processGenericTokenEndpointResponse(as, { client_id: service.id },
    await oauth.genericTokenEndpointRequest(as, { client_id: service.id }, oauth.ClientSecretBasic(service.secret), TOKEN_EXCHANGE, {
      subject_token: subjectToken, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', ...parameters,
    }, { [oauth.allowInsecureRequests]: true }));

  it('discovers the grant, exchanges the token, and the calendar API verifies it and sees the acting service', async () => {
    const as = await discover();
    assert.ok(as.grant_types_supported?.includes(TOKEN_EXCHANGE), 'grant_types_supported lists token exchange');
    const result = await exchange(as, { resource: CALENDAR, scope: 'calendar:read' });
    assert.equal(result.token_type, 'bearer');
    assert.equal(result.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(result.scope, 'calendar:read');
    assert.equal(result.refresh_token, undefined);

    const calendarApi = createVerifier({ issuer, audience: CALENDAR });
    const claims = await calendarApi.verify(result.access_token);
    assert.equal(claims.sub, userId);
    assert.equal(claims.client_id, service.id);
    assert.deepEqual(claims.scopes, ['calendar:read']);
    assert.deepEqual(claims.actors, [{ sub: service.id }]);
    // The original token is for contacts: the calendar API refuses it.
    await assert.rejects(calendarApi.verify(subjectToken), { code: 'ERR_AUDIENCE_MISMATCH' });
  });

  it('a refusal reaches oauth4webapi as the RFC 8693 error: another audience is invalid_target, a wider scope invalid_scope', async () => {
    const as = await discover();
    await assert.rejects(exchange(as, { resource: CONTACTS }), (error: unknown) => {
      assert.ok(error instanceof oauth.ResponseBodyError, String(error));
      assert.equal(error.error, 'invalid_target');
      return true;
    });
    await assert.rejects(exchange(as, { resource: CALENDAR, scope: 'calendar:read contacts:read' }), (error: unknown) => {
      assert.ok(error instanceof oauth.ResponseBodyError, String(error));
      assert.equal(error.error, 'invalid_scope');
      return true;
    });
  });

  it('from the resource kit: the Contacts API verifies the token it received, exchanges it with verifier.exchangeToken, and the calendar accepts the result', async () => {
    const contactsApi = createVerifier({ issuer, audience: CONTACTS, tokenExchange: { clientId: service.id, clientSecret: service.secret } });
    const received = await contactsApi.verify(subjectToken);
    assert.equal(received.sub, userId);
    const exchanged = await contactsApi.exchangeToken(subjectToken, { audience: CALENDAR });
    assert.deepEqual(exchanged.scopes, ['calendar:read']);
    assert.equal(exchanged.issuedTokenType, 'urn:ietf:params:oauth:token-type:access_token');
    const claims = await createVerifier({ issuer, audience: CALENDAR }).verify(exchanged.accessToken);
    assert.deepEqual([claims.sub, claims.client_id, claims.actors], [userId, service.id, [{ sub: service.id }]]);
    await assert.rejects(contactsApi.exchangeToken(subjectToken, { audience: CONTACTS }), (error: unknown) => {
      assert.ok(error instanceof TokenExchangeError);
      assert.equal(error.error, 'invalid_target');
      return true;
    });
  });
});
