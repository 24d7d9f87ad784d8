// RFC 8693 token exchange (issue 15): a service that received a user's access token gets a token for another API on
// the user's behalf, with `act` naming it. Every refusal from the attacker's side: wider scope, another audience, a
// revoked, expired, forged or foreign subject token, an ID token or a refresh token as subject_token, a client not
// allowed to exchange. Errors per RFC 8693 §2.2.2 (an unacceptable subject or actor token is invalid_request).
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as signWith } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { addApiExchanger } from '../../src/apis/api-exchangers.ts';
import { TOKEN_EXCHANGE } from '../../src/store/records.ts';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from '../helpers/authorization-flow.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addApi, addClient, addIntrospector, basic, FORM_HEADERS, verifyWithServerJwks } from '../helpers/test-server.ts';

const CALENDAR = 'https://calendar.example';
const BILLING = 'https://billing.example';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

let f: Fixture;
let browser: InjectBrowser;
let planner: { id: string; secret: string };
let contactsService: { id: string; secret: string };
let calendarService: { id: string; secret: string };
let stranger: { id: string; secret: string };

interface Tokens { access_token: string; refresh_token: string; id_token?: string; scope: string; expires_in: number }

before(async () => {
  f = await startFixture();
  browser = new InjectBrowser(f.server.app);
  await addApi(f.server, CALENDAR, { 'calendar:read': 'See your calendar', 'calendar:write': 'Change your calendar' });
  await addApi(f.server, BILLING, { 'billing:read': 'See your invoices' });
  // The app the user signs in to, with consent to contacts and to reading the calendar.
  const app = await addClient(f.server, { name: 'Planner', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read contacts:write calendar:read calendar:write' });
  planner = { id: app.id, secret: app.secret! };
  const service = (name: string, scope: string) => addClient(f.server, { name, grantTypes: [TOKEN_EXCHANGE, 'client_credentials'], scope })
    .then((c) => ({ id: c.id, secret: c.secret! }));
  // The Contacts API's own client: it receives the user's contacts tokens and calls the calendar on the user's behalf.
  contactsService = await service('Contacts API', 'calendar:read calendar:write billing:read');
  calendarService = await service('Calendar API', 'contacts:read');
  stranger = await service('Stranger', 'calendar:read');
  await addIntrospector(f.server, API, contactsService.id);
  await addIntrospector(f.server, CALENDAR, calendarService.id);
  for (const [api, client] of [[CALENDAR, contactsService.id], [API, calendarService.id], [CALENDAR, stranger.id]] as const) {
    await addApiExchanger(f.server.store, api, client);
  }
  await f.server.app.latchkeyServer.scopes.load();
});
after(async () => {
  await f.server.close();
});

async function signIn(scope: string, client: ClientCredentials = planner): Promise<Tokens> {
  const pkce = pkcePair();
  const { response } = await runAuthorization(browser, authorizeUrl({
    response_type: 'code', client_id: client.id, redirect_uri: WEB_CALLBACK, scope, code_challenge: pkce.challenge, code_challenge_method: 'S256', nonce: 'n',
  }), { username: 'alice', password: PASSWORD });
  const r = await tokenRequest(f.server.app, client, { grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

/** A user signed in to the Planner for calendar reading once, and now holds a contacts token. */
async function contactsToken(): Promise<Tokens> {
  await signIn('openid calendar:read');
  return signIn('openid contacts:read');
}

const exchange = (client: ClientCredentials, fields: Record<string, string | undefined>) =>
  tokenRequest(f.server.app, client, { grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS_TOKEN_TYPE, ...fields });

function assertError(response: LightMyRequestResponse, error: string, description?: RegExp): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(response.json().error, error, response.body);
  if (description) assert.match(response.json().error_description, description);
}

describe('token exchange: what the service gets', () => {
  it('a token for the other API: new audience, the user as subject, act naming the exchanging client, no wider than the user allowed', async () => {
    const user = await contactsToken();
    const r = await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.issued_token_type, ACCESS_TOKEN_TYPE);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.refresh_token, undefined);
    assert.equal(body.scope, 'calendar:read', 'calendar:write was never consented by the user');
    const { payload, header } = await verifyWithServerJwks(f.server.app, body.access_token, { typ: 'at+jwt', audience: CALENDAR });
    const subject = decodeJwt(user.access_token).payload;
    assert.equal(header.typ, 'at+jwt');
    assert.equal(payload.sub, subject.sub);
    assert.equal(payload.client_id, contactsService.id);
    assert.deepEqual(payload.act, { sub: contactsService.id });
    assert.equal(payload.gid, subject.gid, 'the same grant: revoking it ends this token too');
    assert.ok((payload.exp as number) <= (subject.exp as number), 'never outlives the subject token');
    assert.equal(body.expires_in, (payload.exp as number) - (payload.iat as number));
    // RFC 8693 §4.1: introspection by the calendar's own client shows the act claim too.
    const introspected = await f.server.app.inject({ method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(calendarService.id, calendarService.secret) },
      payload: new URLSearchParams({ token: body.access_token }).toString() });
    assert.deepEqual([introspected.json().active, introspected.json().act, introspected.json().aud], [true, { sub: contactsService.id }, CALENDAR]);
  });

  it('audience works like resource; requested_token_type access_token is accepted; scope may narrow', async () => {
    const user = await contactsToken();
    const r = await exchange(contactsService, { subject_token: user.access_token, audience: CALENDAR, resource: CALENDAR, requested_token_type: ACCESS_TOKEN_TYPE, scope: 'calendar:read' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(decodeJwt(r.json().access_token).payload.aud, CALENDAR);
  });

  it('an exchanged token exchanged again carries the nested act chain (RFC 8693 §4.1)', async () => {
    const user = await contactsToken();
    const first = (await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR })).json();
    const second = await exchange(calendarService, { subject_token: first.access_token, resource: API });
    assert.equal(second.statusCode, 200, second.body);
    const payload = decodeJwt(second.json().access_token).payload;
    assert.equal(payload.aud, API);
    assert.equal(payload.scope, 'contacts:read');
    assert.deepEqual(payload.act, { sub: calendarService.id, act: { sub: contactsService.id } });
  });

  it('an actor token of the exchanging client names the actor; one issued to another client is refused', async () => {
    const user = await contactsToken();
    // The service's own client-credentials token as the actor token: its subject (the service) is the actor.
    const own = await tokenRequest(f.server.app, contactsService, { grant_type: 'client_credentials', scope: 'billing:read' });
    assert.equal(own.statusCode, 200, own.body);
    const withActor = await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, actor_token: own.json().access_token, actor_token_type: ACCESS_TOKEN_TYPE });
    assert.equal(withActor.statusCode, 200, withActor.body);
    assert.deepEqual(decodeJwt(withActor.json().access_token).payload.act, { sub: contactsService.id });
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, actor_token: user.access_token, actor_token_type: ACCESS_TOKEN_TYPE }),
      'invalid_request', /actor_token was not issued to this client/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, actor_token: own.json().access_token }), 'invalid_request', /actor_token_type is required/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, actor_token_type: ACCESS_TOKEN_TYPE }), 'invalid_request', /without actor_token/);
  });

  it('discovery advertises the grant type', async () => {
    const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.ok(metadata.grant_types_supported.includes(TOKEN_EXCHANGE));
  });
});

describe('token exchange: refusals (attacker side)', () => {
  it('widening scope: a scope the user never allowed, or the client is not registered for → invalid_scope', async () => {
    const user = await contactsToken();
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, scope: 'calendar:read calendar:write' }), 'invalid_scope', /calendar:write/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, scope: 'contacts:read' }), 'invalid_scope');
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, scope: 'openid' }), 'invalid_scope');
    // The user never let the Planner see invoices, although the service is registered for billing:read.
    await addApiExchanger(f.server.store, BILLING, contactsService.id);
    await f.server.app.latchkeyServer.scopes.load();
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: BILLING }), 'invalid_scope', /no scope of this API/);
  });

  it('widening audience: an API that does not list the client, an unknown one, or two different ones → invalid_target; none → invalid_request', async () => {
    const user = await contactsToken();
    assertError(await exchange(calendarService, { subject_token: user.access_token, resource: CALENDAR }), 'invalid_request', /not issued to this client or to its API/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: API }), 'invalid_target', /may not exchange tokens for this API/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: 'https://unknown.example' }), 'invalid_target', /not a registered API/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR, audience: API }), 'invalid_target', /different APIs/);
    assertError(await exchange(contactsService, { subject_token: user.access_token }), 'invalid_request', /resource or audience is required/);
  });

  it('a foreign subject token: one addressed to an API the client does not serve, or signed by another key → invalid_request', async () => {
    const user = await contactsToken();
    // The stranger may exchange towards the calendar, but the contacts token was neither sent to its API nor issued to it.
    assertError(await exchange(stranger, { subject_token: user.access_token, resource: CALENDAR }), 'invalid_request', /not issued to this client or to its API/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const [h, p] = user.access_token.split('.');
    const forged = `${h}.${p}.${signWith('sha256', Buffer.from(`${h}.${p}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    assertError(await exchange(contactsService, { subject_token: forged, resource: CALENDAR }), 'invalid_request', /not a valid access token/);
  });

  it('a revoked subject token (the user revoked the app) → invalid_request, and tokens already exchanged from it die with it', async () => {
    const user = await contactsToken();
    const exchanged = (await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR })).json();
    const revoked = await f.server.app.inject({ method: 'POST', url: '/revoke', headers: { ...FORM_HEADERS, authorization: basic(planner.id, planner.secret) },
      payload: new URLSearchParams({ token: user.refresh_token, token_type_hint: 'refresh_token' }).toString() });
    assert.equal(revoked.statusCode, 200);
    assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR }), 'invalid_request', /revoked/);
    const introspected = await f.server.app.inject({ method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(contactsService.id, contactsService.secret) },
      payload: new URLSearchParams({ token: exchanged.access_token }).toString() });
    assert.equal(introspected.json().active, false);
  });

  it('an expired subject token → invalid_request', async () => {
    const user = await contactsToken();
    const start = f.clock.now;
    f.clock.now = start + user.expires_in + 1;
    try {
      assertError(await exchange(contactsService, { subject_token: user.access_token, resource: CALENDAR }), 'invalid_request', /expired, or not an access token/);
    } finally {
      f.clock.now = start;
    }
  });

  it('an ID token or a refresh token as subject_token → invalid_request, and the refresh token is untouched', async () => {
    const user = await contactsToken();
    assertError(await exchange(contactsService, { subject_token: user.id_token, resource: CALENDAR }), 'invalid_request', /not a valid access token/);
    assertError(await exchange(contactsService, { subject_token: user.refresh_token, resource: CALENDAR }), 'invalid_request', /not a valid access token/);
    assertError(await exchange(contactsService, { subject_token: user.id_token, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', resource: CALENDAR }),
      'invalid_request', /subject_token_type must be/);
    assertError(await exchange(contactsService, { subject_token: user.access_token, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token', resource: CALENDAR }),
      'invalid_request', /requested_token_type must be/);
    assertError(await exchange(contactsService, { subject_token: undefined, resource: CALENDAR }), 'invalid_request');
    assertError(await exchange(contactsService, { subject_token: user.access_token, subject_token_type: undefined, resource: CALENDAR }), 'invalid_request', /subject_token_type is required/);
    const refreshed = await tokenRequest(f.server.app, planner, { grant_type: 'refresh_token', refresh_token: user.refresh_token });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
  });

  it('a client not registered for token exchange → unauthorized_client; a wrong secret → invalid_client', async () => {
    const user = await contactsToken();
    assertError(await exchange(planner, { subject_token: user.access_token, resource: CALENDAR }), 'unauthorized_client');
    const wrong = await exchange({ id: contactsService.id, secret: 'wrong' }, { subject_token: user.access_token, resource: CALENDAR });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error, 'invalid_client');
  });

  it('subject_token in another grant, or in the URL query, is refused', async () => {
    const user = await contactsToken();
    assertError(await tokenRequest(f.server.app, planner, { grant_type: 'refresh_token', refresh_token: user.refresh_token, subject_token: user.access_token }), 'invalid_request', /another grant's credential/);
    const inQuery = await f.server.app.inject({ method: 'POST', url: `/token?subject_token=${user.access_token}`, headers: { ...FORM_HEADERS, authorization: basic(contactsService.id, contactsService.secret) },
      payload: new URLSearchParams({ grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS_TOKEN_TYPE, subject_token: user.access_token, resource: CALENDAR }).toString() });
    assertError(inQuery, 'invalid_request', /URL query/);
  });
});
