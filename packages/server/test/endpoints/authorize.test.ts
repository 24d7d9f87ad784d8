// The authorization endpoint from the attacker's side (RFC 6749 §3.1, §4.1.1-4.1.2.1; RFC 9700 §4.1; RFC 8252 §7.3;
// RFC 7636; RFC 9207; OpenID Connect Core §3.1.2). Each case asserts the status, the error code, and whether a
// redirect happened — a bad client or redirect URI must never be redirected to.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, InjectBrowser, pkcePair, runAuthorization } from '../helpers/authorization-flow.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { addClient, FORM_HEADERS, startTestServer } from '../helpers/test-server.ts';

let f: Fixture;
const pkce = pkcePair();

before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.server.close();
});

function request(overrides: Record<string, string | undefined> = {}): string {
  return authorizeUrl({
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 'st-1',
    code_challenge: pkce.challenge, code_challenge_method: 'S256', ...overrides,
  });
}

const get = (url: string, headers: Record<string, string> = {}) => f.server.app.inject({ method: 'GET', url, headers });

/** An HTML error page: 400, no Location, no redirect of any kind. */
function assertErrorPage(response: LightMyRequestResponse, mention?: RegExp): void {
  assert.equal(response.statusCode, 400, response.body.slice(0, 300));
  assert.equal(response.headers.location, undefined);
  assert.match(String(response.headers['content-type']), /^text\/html/);
  if (mention) assert.match(response.body, mention);
}

/** A 303 back to the client carrying error, state and iss. */
function assertErrorRedirect(response: LightMyRequestResponse, error: string, options: { redirectUri?: string; state?: string | null } = {}): URLSearchParams {
  assert.equal(response.statusCode, 303, response.body.slice(0, 300));
  const location = String(response.headers.location);
  const redirectUri = options.redirectUri ?? WEB_CALLBACK;
  assert.ok(location.startsWith(`${redirectUri}?`), `redirected to ${location}`);
  assert.ok(!location.includes('#'), 'nothing in a fragment');
  const params = new URL(location).searchParams;
  assert.equal(params.get('error'), error, params.get('error_description') ?? '');
  assert.ok(params.get('error_description'));
  assert.equal(params.get('iss'), f.issuer);
  const state = options.state === undefined ? 'st-1' : options.state;
  assert.equal(params.get('state'), state);
  for (const leaked of ['code', 'access_token', 'id_token']) assert.equal(params.get(leaked), null);
  return params;
}

/** The request was accepted: the user is sent to the login page. */
function assertGoesToLogin(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 303, response.body.slice(0, 300));
  assert.match(String(response.headers.location), new RegExp(`^${f.issuer.replace(/[.]/g, '\\.')}/interaction/[A-Za-z0-9_-]+$`));
}

describe('client_id and redirect_uri: checked first, never redirected', () => {
  it('missing client_id → error page', async () => {
    assertErrorPage(await get(request({ client_id: undefined })), /client_id/);
  });

  it('unknown client_id → error page', async () => {
    assertErrorPage(await get(request({ client_id: 'no-such-client' })), /not a registered client/);
  });

  it('repeated client_id or redirect_uri → error page', async () => {
    assertErrorPage(await get(`${request()}&client_id=${f.web.id}`), /more than once/);
    assertErrorPage(await get(`${request()}&redirect_uri=${encodeURIComponent(WEB_CALLBACK)}`), /more than once/);
  });

  const tampered: Array<[string, string]> = [
    ['prefix of the registered URI', 'https://app.example/c'],
    ['suffix added to the path', 'https://app.example/cb/evil'],
    ['trailing slash', 'https://app.example/cb/'],
    ['different case in the path', 'https://app.example/CB'],
    ['different case in the host', 'https://APP.example/cb'],
    ['different path', 'https://app.example/callback'],
    ['extra query', 'https://app.example/cb?next=https://evil.example'],
    ['fragment', 'https://app.example/cb#x'],
    ['other port on a non-loopback host', 'https://app.example:8443/cb'],
    ['other host sharing a prefix', 'https://app.example.evil.example/cb'],
    ['userinfo trick', 'https://app.example@evil.example/cb'],
    ['http instead of https', 'http://app.example/cb'],
    ['percent-encoded path', 'https://app.example/%63b'],
  ];
  for (const [name, uri] of tampered) {
    it(`tampered redirect_uri (${name}) → error page`, async () => {
      const response = await get(request({ redirect_uri: uri }));
      assertErrorPage(response, /redirect_uri does not exactly match/);
      assert.ok(!response.body.includes('href="https://app.example'), 'no link back to the client');
    });
  }

  it('missing redirect_uri when several are registered → error page', async () => {
    assertErrorPage(await get(request({ redirect_uri: undefined })), /several/);
  });

  it('missing redirect_uri with exactly one registered → that one is used', async () => {
    const response = await get(request({ client_id: f.single.id, redirect_uri: undefined, prompt: 'none' }));
    assertErrorRedirect(response, 'login_required', { redirectUri: 'https://single.example/cb' });
  });

  describe('RFC 8252 §7.3: any port for a loopback IP literal, nothing else', () => {
    it('127.0.0.1 with an ephemeral port is accepted and the response goes to that port', async () => {
      const uri = 'http://127.0.0.1:51004/callback';
      assertErrorRedirect(await get(request({ client_id: f.spa.id, redirect_uri: uri, prompt: 'none' })), 'login_required', { redirectUri: uri });
    });
    it('[::1] with another port than the registered one is accepted', async () => {
      const uri = 'http://[::1]:61023/cb';
      assertErrorRedirect(await get(request({ client_id: f.spa.id, redirect_uri: uri, prompt: 'none' })), 'login_required', { redirectUri: uri });
    });
    const refused: Array<[string, string]> = [
      ['localhost is not an IP literal', 'http://localhost:9001/cb'],
      ['another loopback address', 'http://127.0.0.2:51004/callback'],
      ['path differs', 'http://127.0.0.1:51004/callback/x'],
      ['path case differs', 'http://127.0.0.1:51004/Callback'],
      ['query added', 'http://127.0.0.1:51004/callback?x=1'],
      ['https instead of http', 'https://127.0.0.1:51004/callback'],
      ['port out of range', 'http://127.0.0.1:70000/callback'],
    ];
    for (const [name, uri] of refused) {
      it(`${name} → error page`, async () => {
        assertErrorPage(await get(request({ client_id: f.spa.id, redirect_uri: uri, prompt: 'none' })));
      });
    }
  });

  it('dev mode lists the registered redirect URIs; production shows nothing of the registration', async () => {
    const dev = await get(request({ redirect_uri: 'https://evil.example/cb' }));
    assertErrorPage(dev);
    assert.ok(dev.body.includes(WEB_CALLBACK), 'dev page names the registered URI');
    assert.ok(dev.body.includes('https://evil.example/cb'));

    const prod = await startTestServer({ dev: false });
    try {
      const client = await addClient(prod, { name: 'Prod App', redirectUris: ['https://prod.example/cb'], scope: 'openid' });
      const response = await prod.app.inject({ method: 'GET', url: authorizeUrl({ response_type: 'code', client_id: client.id, redirect_uri: 'https://evil.example/cb', scope: 'openid' }) });
      assertErrorPage(response, /redirect_uri does not exactly match/);
      assert.ok(!response.body.includes('prod.example'), 'registered URI not disclosed');
      assert.ok(!response.body.includes('evil.example'), 'received value not echoed');
      const unknown = await prod.app.inject({ method: 'GET', url: authorizeUrl({ client_id: 'nope', redirect_uri: 'https://x.example/cb' }) });
      assertErrorPage(unknown);
      assert.ok(!unknown.body.includes('nope'));
    } finally {
      await prod.close();
    }
  });
});

describe('other errors: redirected with error, error_description, state and iss', () => {
  for (const responseType of ['token', 'id_token', 'code id_token', 'code token', 'id_token token', 'none']) {
    it(`response_type=${responseType} → unsupported_response_type`, async () => {
      assertErrorRedirect(await get(request({ response_type: responseType })), 'unsupported_response_type');
    });
  }

  it('missing response_type → invalid_request', async () => {
    assertErrorRedirect(await get(request({ response_type: undefined })), 'invalid_request');
  });

  it('response_mode other than query → invalid_request', async () => {
    assertErrorRedirect(await get(request({ response_mode: 'fragment' })), 'invalid_request');
  });

  it('missing PKCE challenge → invalid_request, for public and confidential clients', async () => {
    assertErrorRedirect(await get(request({ code_challenge: undefined, code_challenge_method: undefined })), 'invalid_request');
    assertErrorRedirect(await get(request({ client_id: f.spa.id, redirect_uri: 'https://spa.example/callback', code_challenge: undefined, code_challenge_method: undefined })),
      'invalid_request', { redirectUri: 'https://spa.example/callback' });
  });

  it('code_challenge_method=plain → invalid_request', async () => {
    assertErrorRedirect(await get(request({ code_challenge_method: 'plain' })), 'invalid_request');
  });

  it('code_challenge without a method → invalid_request (plain is never the default)', async () => {
    assertErrorRedirect(await get(request({ code_challenge_method: undefined })), 'invalid_request');
  });

  it('code_challenge_method without a challenge → invalid_request', async () => {
    assertErrorRedirect(await get(request({ code_challenge: undefined })), 'invalid_request');
  });

  for (const [name, challenge] of [['42 characters', 'a'.repeat(42)], ['129 characters', 'a'.repeat(129)], ['a character outside the alphabet', `${'a'.repeat(42)}+`]] as const) {
    it(`malformed code_challenge (${name}) → invalid_request`, async () => {
      assertErrorRedirect(await get(request({ code_challenge: challenge })), 'invalid_request');
    });
  }

  it('a PKCE-relaxed confidential client may omit PKCE', async () => {
    assertGoesToLogin(await get(request({ client_id: f.relaxed.id, redirect_uri: 'https://legacy.example/cb', code_challenge: undefined, code_challenge_method: undefined })));
  });

  it('request → request_not_supported; a request_uri that is not a pushed request of ours → invalid_request_uri page', async () => {
    assertErrorRedirect(await get(request({ request: 'eyJhbGciOiJub25lIn0.e30.' })), 'request_not_supported');
    // RFC 9126 §4: request_uri only names pushed requests (test/endpoints/pushed-authorization.test.ts); the other
    // parameters are ignored, so nothing in the request tells where an error could be redirected.
    assertErrorPage(await get(request({ request_uri: 'https://app.example/request.jwt' })), /invalid_request_uri/);
  });

  it('a repeated parameter → invalid_request', async () => {
    assertErrorRedirect(await get(`${request()}&scope=openid`), 'invalid_request');
    assertErrorRedirect(await get(`${request()}&code_challenge=${pkce.challenge}`), 'invalid_request');
  });

  it('a repeated state → invalid_request, and no state is echoed', async () => {
    assertErrorRedirect(await get(`${request()}&state=other`), 'invalid_request', { state: null });
  });

  it('unknown parameters are ignored', async () => {
    assertGoesToLogin(await get(`${request()}&foo=bar&ui_locales=de&display=page`));
  });

  it('unknown scope, a scope the client may not request, no scope, or two APIs → invalid_scope', async () => {
    assertErrorRedirect(await get(request({ scope: 'openid admin' })), 'invalid_scope');
    assertErrorRedirect(await get(request({ scope: '' })), 'invalid_scope');
    assertErrorRedirect(await get(request({ scope: undefined })), 'invalid_scope');
    const narrow = await addClient(f.server, { name: 'Narrow', redirectUris: ['https://narrow.example/cb'], scope: 'openid' });
    assertErrorRedirect(await get(request({ client_id: narrow.id, redirect_uri: 'https://narrow.example/cb', scope: 'openid contacts:read' })), 'invalid_scope', { redirectUri: 'https://narrow.example/cb' });
  });

  it('resource naming another API than the scopes → invalid_target or invalid_scope', async () => {
    assertErrorRedirect(await get(request({ resource: 'https://unknown.example' })), 'invalid_target');
  });

  it('a client not registered for the code grant → unauthorized_client', async () => {
    const machine = await addClient(f.server, { name: 'Machine', redirectUris: ['https://machine.example/cb'], grantTypes: ['client_credentials'], scope: 'contacts:read' });
    assertErrorRedirect(await get(request({ client_id: machine.id, redirect_uri: 'https://machine.example/cb', scope: 'contacts:read' })), 'unauthorized_client', { redirectUri: 'https://machine.example/cb' });
  });

  it('prompt=none without a session → login_required with state and iss', async () => {
    assertErrorRedirect(await get(request({ prompt: 'none' })), 'login_required');
  });

  it('prompt=none combined with another value, or an unknown prompt → invalid_request', async () => {
    assertErrorRedirect(await get(request({ prompt: 'none login' })), 'invalid_request');
    assertErrorRedirect(await get(request({ prompt: 'consent none' })), 'invalid_request');
    assertErrorRedirect(await get(request({ prompt: 'select_account' })), 'invalid_request');
  });

  it('malformed max_age → invalid_request', async () => {
    assertErrorRedirect(await get(request({ max_age: '-1' })), 'invalid_request');
    assertErrorRedirect(await get(request({ max_age: 'soon' })), 'invalid_request');
  });

  it('an id_token_hint that is not our ID token → invalid_request', async () => {
    assertErrorRedirect(await get(request({ id_token_hint: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' })), 'invalid_request');
  });

  it('POST takes the same parameters as GET', async () => {
    const response = await f.server.app.inject({
      method: 'POST', url: '/authorize', headers: FORM_HEADERS,
      payload: new URL(`http://x${request({ prompt: 'none' })}`).searchParams.toString(),
    });
    assertErrorRedirect(response, 'login_required');
  });
});

describe('state and iss', () => {
  const tricky = 'a b&c=d+e%20f/?#ü漢字💥;"\'<>';
  it('state comes back byte for byte (spaces, unicode, & = + %)', async () => {
    const params = assertErrorRedirect(await get(request({ prompt: 'none', state: tricky })), 'login_required', { state: tricky });
    assert.equal(params.get('state'), tricky);
  });

  it('the redirect keeps the registered URI query and adds iss', async () => {
    const withQuery = await addClient(f.server, { name: 'Query', redirectUris: ['https://q.example/cb?tenant=a%20b'], scope: 'openid' });
    const response = await get(authorizeUrl({ response_type: 'code', client_id: withQuery.id, scope: 'openid', prompt: 'none', code_challenge: pkce.challenge, code_challenge_method: 'S256' }));
    assert.equal(response.statusCode, 303);
    assert.ok(String(response.headers.location).startsWith('https://q.example/cb?tenant=a%20b&error=login_required&'));
  });
});

describe('response headers', () => {
  it('no CORS on /authorize (GET with Origin, OPTIONS preflight)', async () => {
    const response = await get(request(), { origin: 'https://spa.example' });
    assert.equal(response.headers['access-control-allow-origin'], undefined);
    const preflight = await f.server.app.inject({ method: 'OPTIONS', url: '/authorize', headers: { origin: 'https://spa.example', 'access-control-request-method': 'GET' } });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('pages forbid framing, send no referrer, load nothing from elsewhere, and are not cached', async () => {
    const browser = new InjectBrowser(f.server.app);
    const login = await browser.get(String((await browser.get(request())).headers.location));
    const errorPage = await get(request({ client_id: 'unknown' }));
    for (const page of [login, errorPage]) {
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|\*/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.match(String(page.headers['cache-control']), /no-store/);
      assert.doesNotMatch(page.body, /<(img|link|iframe)\b/i, 'no external resources');
      // Scripts only from this server, by exact URL in the CSP (the passkey scripts of the login page).
      const scripts = [...page.body.matchAll(/<script\b([^>]*)>/gi)].map((m) => /src="([^"]+)"/.exec(m[1] ?? '')?.[1]);
      for (const src of scripts) {
        assert.ok(src !== undefined && src.startsWith(`${f.issuer}/assets/`), `script ${src} is served by the server`);
        assert.ok(csp.split('; ').find((d) => d.startsWith('script-src '))?.split(' ').includes(src), `${src} is named by the CSP`);
      }
      assert.deepEqual([...page.body.matchAll(/(?:src|href)="(https?:[^"]+)"/gi)].map((m) => m[1]).filter((url) => !url!.startsWith(`${f.issuer}/`)), [], 'no URL elsewhere');
    }
    // Form pages leave form-action out (browsers would apply it to the client's own redirects after our 303);
    // pages without forms forbid form targets.
    assert.doesNotMatch(String(login.headers['content-security-policy']), /form-action/);
    assert.match(String(errorPage.headers['content-security-policy']), /form-action 'none'/);
  });

  it('HEAD is not an authorization request', async () => {
    const response = await f.server.app.inject({ method: 'HEAD', url: request() });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers.location, undefined);
  });

  it('accepting a request does not depend on the API audience being in the scope (OpenID-only works)', async () => {
    assertGoesToLogin(await get(request({ scope: 'openid profile' })));
    assertGoesToLogin(await get(request({ scope: 'contacts:read', resource: API })));
  });
});

describe('errors before sign-in: redirected only for clients the operator registered (RFC 9700 §4.11.2)', () => {
  const UNVETTED_CB = 'https://unvetted.example/cb';
  let unvetted: { id: string };
  before(async () => {
    const { client } = await registerClient(f.server.store, {
      name: 'Self-registered', redirectUris: [UNVETTED_CB], scope: 'openid contacts:read', isPublic: true, registration: 'dynamic',
    }, f.clock.now);
    f.server.app.latchkeyServer.clients.invalidate();
    unvetted = client;
  });
  const unvettedRequest = (overrides: Record<string, string | undefined> = {}) =>
    request({ client_id: unvetted.id, redirect_uri: UNVETTED_CB, ...overrides });

  it('the audit\'s scope=bogus with no session: an operator-registered client gets invalid_scope at once, a dynamic one an HTML page', async () => {
    assertErrorRedirect(await get(request({ scope: 'bogus' })), 'invalid_scope');
    assertErrorPage(await get(unvettedRequest({ scope: 'bogus' })), /invalid_scope/);
    for (const overrides of [{ response_type: 'token' }, { code_challenge: undefined }, { prompt: 'none' }, { request: 'x' }, { scope: 'openid', state: undefined, max_age: '-1' }]) {
      const response = await get(unvettedRequest(overrides));
      assertErrorPage(response);
      assert.doesNotMatch(String(response.headers.location), /unvetted\.example/);
    }
  });

  it('once the user has signed in, errors go back to the dynamic client as usual (access_denied)', async () => {
    const browser = new InjectBrowser(f.server.app);
    const { response, pages } = await runAuthorization(browser, unvettedRequest(), { username: 'alice', password: PASSWORD, decision: 'deny' });
    assert.deepEqual(pages, ['login', 'consent']);
    assertErrorRedirect(response, 'access_denied', { redirectUri: UNVETTED_CB });
  });
});
