// RFC 9126 pushed authorization requests from both sides: a client pushes, then signs in with client_id and
// request_uri alone; the request_uri is single use, short lived and bound to its client; the pushed parameters are
// validated as /authorize validates them (errors as JSON); "PAR required" per client and server-wide (§6).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { API, PASSWORD, SPA_ORIGIN, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient, basic, FORM_HEADERS, form } from '../helpers/test-server.ts';

let f: Fixture;
let strict: { id: string; secret: string };
const pkce = pkcePair();

before(async () => {
  f = await startFixture();
  strict = (await addClient(f.server, { name: 'Bank App', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read', requirePar: true })) as { id: string; secret: string };
});
after(async () => {
  await f.server.close();
});

const pushed = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
  const fields: Record<string, string | undefined> = {
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 'st-par',
    code_challenge: pkce.challenge, code_challenge_method: 'S256', ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
};

function push(fields: Record<string, string>, authorization: string | null = basic(f.web.id, f.web.secret), url = '/par'): Promise<LightMyRequestResponse> {
  return f.server.app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...(authorization ? { authorization } : {}) }, payload: form(fields) });
}

async function pushedUri(fields = pushed(), authorization?: string | null): Promise<string> {
  const response = await push(fields, authorization);
  assert.equal(response.statusCode, 201, response.body);
  return (response.json() as { request_uri: string }).request_uri;
}

function assertJsonError(response: LightMyRequestResponse, status: number, error: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.json().error, error);
}

/** An HTML error page naming the error, never a redirect. */
function assertErrorPage(response: LightMyRequestResponse, error: string): void {
  assert.equal(response.statusCode, 400, response.body.slice(0, 300));
  assert.equal(response.headers.location, undefined);
  assert.match(response.body, new RegExp(error));
}

describe('pushing an authorization request (RFC 9126 §2)', () => {
  it('answers 201 with a urn:ietf:params:oauth:request_uri and expires_in 60, never cached', async () => {
    const response = await push(pushed());
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json() as { request_uri: string; expires_in: number };
    assert.match(body.request_uri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    assert.equal(body.expires_in, 60);
  });

  it('signs in with client_id and request_uri alone; the pushed state and redirect_uri are used, and the code redeems', async () => {
    const requestUri = await pushedUri();
    const browser = new InjectBrowser(f.server.app);
    const { response } = await runAuthorization(browser, authorizeUrl({ client_id: f.web.id, request_uri: requestUri }), { username: 'alice', password: PASSWORD });
    const params = callbackParams(response);
    assert.ok(String(response.headers.location).startsWith(`${WEB_CALLBACK}?`));
    assert.equal(params.get('state'), 'st-par');
    assert.equal(params.get('iss'), f.issuer);
    const tokens = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    assert.equal(tokens.statusCode, 200, tokens.body);
  });

  it('a public client pushes with its client_id', async () => {
    const response = await push(pushed({ client_id: f.spa.id, redirect_uri: `${SPA_ORIGIN}/callback` }), null);
    assert.equal(response.statusCode, 201, response.body);
  });

  it('refuses a client that does not authenticate, or with a wrong secret (invalid_client)', async () => {
    assertJsonError(await push(pushed({ client_id: undefined }), null), 401, 'invalid_client');
    assertJsonError(await push(pushed(), basic(f.web.id, 'wrong-secret')), 401, 'invalid_client');
  });

  it('refuses a client_id that is not the authenticated client', async () => {
    assertJsonError(await push(pushed({ client_id: f.single.id })), 400, 'invalid_request');
  });

  it('validates the parameters as /authorize would, answering JSON 400', async () => {
    assertJsonError(await push(pushed({ redirect_uri: 'https://evil.example/cb' })), 400, 'invalid_request');
    assertJsonError(await push(pushed({ scope: 'openid admin' })), 400, 'invalid_scope');
    assertJsonError(await push(pushed({ code_challenge: undefined, code_challenge_method: undefined })), 400, 'invalid_request');
    assertJsonError(await push(pushed({ response_type: 'token' })), 400, 'unsupported_response_type');
    assertJsonError(await push(pushed({ resource: 'https://unknown.example' })), 400, 'invalid_target');
  });

  it('refuses request_uri in a pushed request, a repeated parameter, and parameters in the query', async () => {
    assertJsonError(await push(pushed({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' })), 400, 'invalid_request');
    const repeated = await f.server.app.inject({
      method: 'POST', url: '/par', headers: { ...FORM_HEADERS, authorization: basic(f.web.id, f.web.secret) }, payload: `${form(pushed())}&scope=openid`,
    });
    assertJsonError(repeated, 400, 'invalid_request');
    assertJsonError(await push(pushed(), null, `/par?client_id=${f.web.id}`), 400, 'invalid_request');
  });
});

describe('using a request_uri at /authorize (RFC 9126 §4): the attacker side', () => {
  it('a request_uri is single use: the second use is an invalid_request_uri page', async () => {
    const requestUri = await pushedUri();
    const first = await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: f.web.id, request_uri: requestUri }));
    assert.equal(first.statusCode, 303);
    assertErrorPage(await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: f.web.id, request_uri: requestUri })), 'invalid_request_uri');
  });

  it('another client cannot use it, and that attempt does not burn it for its own client', async () => {
    const requestUri = await pushedUri();
    assertErrorPage(await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: f.single.id, request_uri: requestUri })), 'invalid_request_uri');
    const own = await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: f.web.id, request_uri: requestUri }));
    assert.equal(own.statusCode, 303, own.body);
    assert.match(String(own.headers.location), /\/interaction\//);
  });

  it('a request_uri without client_id is refused', async () => {
    const requestUri = await pushedUri();
    assertErrorPage(await new InjectBrowser(f.server.app).get(authorizeUrl({ request_uri: requestUri })), 'invalid_request');
  });

  it('expires after 60 seconds', async () => {
    const requestUri = await pushedUri();
    f.clock.now += 61;
    try {
      assertErrorPage(await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: f.web.id, request_uri: requestUri })), 'invalid_request_uri');
    } finally {
      f.clock.now -= 61;
    }
  });

  it('a made-up or malformed request_uri is refused', async () => {
    for (const uri of ['urn:ietf:params:oauth:request_uri:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'urn:ietf:params:oauth:request_uri:x', 'https://evil.example/r']) {
      assertErrorPage(await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: f.web.id, request_uri: uri })), 'invalid_request_uri');
    }
  });

  it('the parameters sent next to request_uri are ignored: they cannot redirect the code elsewhere', async () => {
    const requestUri = await pushedUri();
    const browser = new InjectBrowser(f.server.app);
    const { response } = await runAuthorization(browser, authorizeUrl({ client_id: f.web.id, request_uri: requestUri, redirect_uri: 'https://app.example/other', state: 'forged' }),
      { username: 'alice', password: PASSWORD });
    assert.ok(String(response.headers.location).startsWith(`${WEB_CALLBACK}?`));
    assert.equal(callbackParams(response).get('state'), 'st-par');
  });
});

describe('PAR required (RFC 9126 §6)', () => {
  it('a client registered with requirePar cannot send a plain authorization request; it can push', async () => {
    const plain = await new InjectBrowser(f.server.app).get(authorizeUrl({ ...pushed({ client_id: strict.id }) }));
    assert.equal(plain.statusCode, 303);
    const params = new URL(String(plain.headers.location)).searchParams;
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(params.get('error_description')!, /push/);
    const requestUri = await pushedUri(pushed({ client_id: strict.id }), basic(strict.id, strict.secret));
    const viaPar = await new InjectBrowser(f.server.app).get(authorizeUrl({ client_id: strict.id, request_uri: requestUri }));
    assert.match(String(viaPar.headers.location), /\/interaction\//);
  });

  it('discovery advertises the endpoint, and require_pushed_authorization_requests false by default', async () => {
    const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.equal(metadata.pushed_authorization_request_endpoint, `${f.issuer}/par`);
    assert.equal(metadata.require_pushed_authorization_requests, false);
  });

  it('server-wide: every client must push, and discovery says so', async () => {
    const g = await startFixture({ requirePushedAuthorizationRequests: true });
    try {
      const metadata = (await g.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
      assert.equal(metadata.require_pushed_authorization_requests, true);
      const plain = await new InjectBrowser(g.server.app).get(authorizeUrl({ ...pushed({ client_id: g.web.id }) }));
      assert.equal(new URL(String(plain.headers.location)).searchParams.get('error'), 'invalid_request');
      const response = await g.server.app.inject({ method: 'POST', url: '/par', headers: { ...FORM_HEADERS, authorization: basic(g.web.id, g.web.secret) }, payload: form(pushed({ client_id: g.web.id })) });
      assert.equal(response.statusCode, 201, response.body);
    } finally {
      await g.server.close();
    }
  });
});

void API;
