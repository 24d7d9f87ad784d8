// RFC 6749 §4.4 client credentials and §5.2 errors, through app.inject, from the client's and the attacker's side.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addApi, addClient, basic, form, FORM_HEADERS, startTestServer, verifyWithServerJwks, type TestServer } from '../helpers/test-server.ts';

const API = 'https://contacts.example';
const OTHER_API = 'https://billing.example';

describe('token endpoint: client credentials', () => {
  let server: TestServer;
  let svc: { id: string; secret: string };
  let twoApis: { id: string; secret: string };
  let webApp: { id: string; secret: string };
  let spa: { id: string };

  before(async () => {
    server = await startTestServer();
    await addApi(server, API, { 'contacts:read': 'read your contacts', 'contacts:write': 'change your contacts' });
    await addApi(server, OTHER_API, { 'billing:read': 'read invoices' });
    const s = await addClient(server, { name: 'sync job', scope: 'contacts:read contacts:write' });
    svc = { id: s.id, secret: s.secret! };
    const t = await addClient(server, { name: 'two apis', scope: 'contacts:read billing:read' });
    twoApis = { id: t.id, secret: t.secret! };
    const w = await addClient(server, { name: 'web app', redirectUris: ['https://app.example/cb'], scope: 'contacts:read' });
    webApp = { id: w.id, secret: w.secret! };
    spa = { id: (await addClient(server, { name: 'spa', redirectUris: ['https://spa.example/cb'], isPublic: true, scope: 'contacts:read' })).id };
  });
  after(() => server.close());

  const token = (body: Record<string, string>, headers: Record<string, string> = {}, url = '/token') =>
    server.app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...headers }, payload: form(body) });

  const assertError = (res: Awaited<ReturnType<typeof token>>, status: number, error: string) => {
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().error, error, res.body);
    assert.equal(typeof res.json().error_description, 'string');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  };

  test('client_secret_basic returns an RFC 9068 JWT access token and no refresh token', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: 'contacts:read' }, { authorization: basic(svc.id, svc.secret) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers.pragma, 'no-cache');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'contacts:read');
    const { payload, header } = await verifyWithServerJwks(server.app, body.access_token, { typ: 'at+jwt', audience: API });
    assert.equal(header.alg, 'ES256');
    assert.equal(payload.sub, svc.id);
    assert.equal(payload.client_id, svc.id);
    assert.equal(payload.scope, 'contacts:read');
    assert.equal(payload.exp! - payload.iat!, 900);
    assert.match(String(payload.jti), /^[A-Za-z0-9_-]{22}$/);
  });

  test('client_secret_post works and each token has a distinct jti', async () => {
    const a = await token({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.secret });
    const b = await token({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.secret });
    assert.equal(a.statusCode, 200, a.body);
    const ja = (await verifyWithServerJwks(server.app, a.json().access_token)).payload.jti;
    const jb = (await verifyWithServerJwks(server.app, b.json().access_token)).payload.jti;
    assert.notEqual(ja, jb);
  });

  test('no scope requested means the client default set', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(svc.id, svc.secret) });
    assert.equal(res.json().scope, 'contacts:read contacts:write');
  });

  test('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1)', async () => {
    const encoded = `Basic ${Buffer.from(`${encodeURIComponent(svc.id)}:${encodeURIComponent(svc.secret)}`).toString('base64')}`;
    assert.equal((await token({ grant_type: 'client_credentials' }, { authorization: encoded })).statusCode, 200);
  });

  test('wrong secret over Basic: 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(svc.id, `${svc.secret}x`) });
    assertError(res, 401, 'invalid_client');
    assert.match(String(res.headers['www-authenticate']), /^Basic realm="latchkey"/);
  });

  test('wrong secret in the body: 401 invalid_client', async () => {
    assertError(await token({ grant_type: 'client_credentials', client_id: svc.id, client_secret: 'nope' }), 401, 'invalid_client');
  });

  test('unknown client and wrong secret look the same', async () => {
    const unknown = await token({ grant_type: 'client_credentials' }, { authorization: basic('no-such-client', 'whatever') });
    const wrong = await token({ grant_type: 'client_credentials' }, { authorization: basic(svc.id, 'whatever') });
    assert.equal(unknown.statusCode, wrong.statusCode);
    const withoutId = ({ request_id: _, ...body }: Record<string, string>) => body;
    assert.deepEqual(withoutId(unknown.json()), withoutId(wrong.json()));
  });

  test('malformed Basic header: 401 invalid_client', async () => {
    for (const header of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from('%zz:x').toString('base64')}`]) {
      assertError(await token({ grant_type: 'client_credentials' }, { authorization: header }), 401, 'invalid_client');
    }
  });

  test('both Basic and client_secret_post at once: invalid_request', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.secret }, { authorization: basic(svc.id, svc.secret) });
    assertError(res, 400, 'invalid_request');
  });

  test('a client_id in the body that differs from the Basic one: invalid_request', async () => {
    assertError(await token({ grant_type: 'client_credentials', client_id: webApp.id }, { authorization: basic(svc.id, svc.secret) }), 400, 'invalid_request');
  });

  test('a secret in the query string is refused even when the body is right', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(svc.id, svc.secret) }, `/token?client_secret=${svc.secret}`);
    assertError(res, 400, 'invalid_request');
    assert.match(res.json().error_description, /URL query/);
    assert.ok(!server.logs.join('').includes(svc.secret), 'the secret from the query string must not be logged');
  });

  test('no client authentication at all: 401 invalid_client', async () => {
    assertError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  test('a public client gets unauthorized_client', async () => {
    assertError(await token({ grant_type: 'client_credentials', client_id: spa.id }), 400, 'unauthorized_client');
  });

  test('a confidential client not registered for client_credentials gets unauthorized_client', async () => {
    assertError(await token({ grant_type: 'client_credentials' }, { authorization: basic(webApp.id, webApp.secret) }), 400, 'unauthorized_client');
  });

  test('a scope the client may not request: invalid_scope, never silently narrowed', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: 'contacts:read billing:read' }, { authorization: basic(svc.id, svc.secret) });
    assertError(res, 400, 'invalid_scope');
  });

  test('unknown, OpenID and malformed scopes: invalid_scope', async () => {
    for (const scope of ['nope', 'openid', 'contacts:read "quoted"']) {
      assertError(await token({ grant_type: 'client_credentials', scope }, { authorization: basic(svc.id, svc.secret) }), 400, 'invalid_scope');
    }
  });

  test('scopes of two APIs in one token: invalid_scope; the resource parameter picks one API', async () => {
    assertError(await token({ grant_type: 'client_credentials' }, { authorization: basic(twoApis.id, twoApis.secret) }), 400, 'invalid_scope');
    const res = await token({ grant_type: 'client_credentials', resource: OTHER_API }, { authorization: basic(twoApis.id, twoApis.secret) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().scope, 'billing:read');
    await verifyWithServerJwks(server.app, res.json().access_token, { audience: OTHER_API });
  });

  test('an unregistered or malformed resource: invalid_target (RFC 8707)', async () => {
    for (const resource of ['https://unknown.example', 'not a uri', `${API}#frag`]) {
      assertError(await token({ grant_type: 'client_credentials', resource }, { authorization: basic(svc.id, svc.secret) }), 400, 'invalid_target');
    }
  });

  test('repeated parameters: invalid_request (RFC 6749 §3.2)', async () => {
    const res = await server.app.inject({
      method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(svc.id, svc.secret) },
      payload: 'grant_type=client_credentials&scope=contacts:read&scope=contacts:write',
    });
    assertError(res, 400, 'invalid_request');
    assert.match(res.json().error_description, /'scope' is included more than once/);
  });

  test('empty parameters count as omitted; unknown parameters are ignored', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: '', foo: 'bar' }, { authorization: basic(svc.id, svc.secret) });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('grant_type=password: unsupported_grant_type, by design', async () => {
    const res = await token({ grant_type: 'password', username: 'alice', password: 'secret-password' }, { authorization: basic(svc.id, svc.secret) });
    assertError(res, 400, 'unsupported_grant_type');
    assert.match(res.json().error_description, /not supported by design/);
    assert.ok(!server.logs.join('').includes('secret-password'));
  });

  test('error_description keeps to RFC 6749 §5.2 characters even when it names attacker input', async () => {
    const res = await token({ grant_type: 'urn:"x"\\y\u00e9\u2028' }, { authorization: basic(svc.id, svc.secret) });
    assertError(res, 400, 'unsupported_grant_type');
    assert.match(res.json().error_description, /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    assert.match(res.json().error_description, /grant_type 'urn:'x'\/y\?\?' is not supported/);
  });

  test('unknown and missing grant_type', async () => {
    assertError(await token({ grant_type: 'urn:example:magic' }, { authorization: basic(svc.id, svc.secret) }), 400, 'unsupported_grant_type');
    assertError(await token({}, { authorization: basic(svc.id, svc.secret) }), 400, 'invalid_request');
  });

  test('GET on the token endpoint is 405 with Allow: POST', async () => {
    const res = await server.app.inject({ method: 'GET', url: `/token?grant_type=client_credentials` });
    assertError(res, 405, 'invalid_request');
    assert.equal(res.headers.allow, 'POST');
  });

  test('JSON and missing bodies are refused with invalid_request, not 500', async () => {
    const json = await server.app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/json', authorization: basic(svc.id, svc.secret) }, payload: '{"grant_type":"client_credentials"}' });
    assertError(json, 400, 'invalid_request');
    const none = await server.app.inject({ method: 'POST', url: '/token', headers: { authorization: basic(svc.id, svc.secret) } });
    assertError(none, 400, 'invalid_request');
    const huge = await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS }, payload: `grant_type=client_credentials&x=${'a'.repeat(70_000)}` });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error, 'invalid_request');
  });

  test('a rotated secret works at once and the old one stops working', async () => {
    const { rotateClientSecret } = await import('../../src/clients/register-client.ts');
    const c = await addClient(server, { name: 'rotating', scope: 'contacts:read' });
    const fresh = await rotateClientSecret(server.store, c.id, server.app.latchkeyServer.now());
    const deadline = Date.now() + 2000;
    let oldStatus = 200;
    while (oldStatus === 200 && Date.now() < deadline) {
      oldStatus = (await token({ grant_type: 'client_credentials' }, { authorization: basic(c.id, c.secret!) })).statusCode;
      if (oldStatus === 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(oldStatus, 401, 'the old secret must stop working within the cache-sync interval');
    assert.equal((await token({ grant_type: 'client_credentials' }, { authorization: basic(c.id, fresh) })).statusCode, 200);
  });

  test('client secrets are stored only as hashes', async () => {
    const rows = await server.store.db.selectFrom('clients').select(['id', 'secret_hash']).execute();
    const row = rows.find((r) => r.id === svc.id);
    assert.ok(row?.secret_hash);
    assert.notEqual(row.secret_hash, svc.secret);
    assert.ok(!rows.some((r) => r.secret_hash === svc.secret));
  });

  test('no access token, secret or Authorization header appears in any log line', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(svc.id, svc.secret) });
    const logs = server.logs.join('');
    assert.ok(logs.includes('"statusCode":200'), 'requests are logged');
    assert.ok(!logs.includes(res.json().access_token));
    assert.ok(!logs.includes(svc.secret));
    assert.ok(!logs.includes(basic(svc.id, svc.secret).slice(6)));
  });

  test('every response carries a request id that the log line carries too', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(svc.id, 'bad') });
    const id = String(res.headers['x-request-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.ok(server.logs.some((line) => line.includes(id) && line.includes('invalid_client')));
  });

  test("a client's own access token lifetime (issue 15): expires_in and exp follow it", async () => {
    const short = await addClient(server, { name: 'short-lived job', scope: 'contacts:read', lifetimes: { accessTokenTtl: 60 } });
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(short.id, short.secret!) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().expires_in, 60);
    const { payload } = await verifyWithServerJwks(server.app, res.json().access_token, { audience: API });
    assert.equal((payload.exp as number) - (payload.iat as number), 60);
  });
});
