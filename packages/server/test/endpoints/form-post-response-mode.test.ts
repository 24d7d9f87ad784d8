// OAuth 2.0 Form Post Response Mode: response_mode=form_post answers with a page that POSTs code, state and iss (or
// the error) to the registered redirect URI, auto-submitted by a script the strict CSP allows by its hash alone.
// Errors before the redirect URI is validated never produce such a form. (The real-browser run is in
// test/flows/browser.test.ts.)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.server.close();
});

const pkce = pkcePair();
const request = (overrides: Record<string, string | undefined> = {}) => authorizeUrl({
  response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', state: 'st', response_mode: 'form_post',
  code_challenge: pkce.challenge, code_challenge_method: 'S256', ...overrides,
});

/** The form's action and hidden fields, read from the page. */
function formOf(response: LightMyRequestResponse): { action: string; fields: Record<string, string> } {
  assert.equal(response.statusCode, 200, response.body);
  const action = /<form method="post" action="([^"]*)">/.exec(response.body)?.[1];
  assert.ok(action, 'a POST form');
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const fields = Object.fromEntries([...response.body.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [m[1]!, unescape(m[2]!)]));
  return { action: unescape(action), fields };
}

function assertStrictPage(response: LightMyRequestResponse): void {
  assert.equal(response.headers.location, undefined);
  assert.equal(response.headers['cache-control'], 'no-store');
  const csp = String(response.headers['content-security-policy']);
  const scripts = [...response.body.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]!);
  assert.deepEqual(scripts, ['document.forms[0].submit();'], 'one fixed script');
  const hash = createHash('sha256').update(scripts[0]!).digest('base64');
  assert.match(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|nonce-/);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(response.body, /<button type="submit">Continue<\/button>/, 'a visible fallback without script');
}

describe('response_mode=form_post', () => {
  it('discovery lists query and form_post', async () => {
    const metadata = (await f.server.app.inject({ url: '/.well-known/openid-configuration' })).json();
    assert.deepEqual(metadata.response_modes_supported, ['query', 'form_post']);
  });

  it('after login and consent, the page POSTs code, state and iss to the redirect URI; the code redeems', async () => {
    const { response } = await runAuthorization(new InjectBrowser(f.server.app), request(), { username: 'alice', password: PASSWORD });
    assertStrictPage(response);
    const { action, fields } = formOf(response);
    assert.equal(action, WEB_CALLBACK);
    assert.deepEqual(Object.keys(fields).sort(), ['code', 'iss', 'state']);
    assert.equal(fields.state, 'st');
    assert.equal(fields.iss, f.issuer);
    const token = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: fields.code, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    assert.equal(token.statusCode, 200, token.body);
  });

  it('with a session, /authorize itself answers the form (single sign-on)', async () => {
    const browser = new InjectBrowser(f.server.app);
    await runAuthorization(browser, request(), { username: 'alice', password: PASSWORD });
    const again = await browser.get(request({ state: 'second' }));
    assertStrictPage(again);
    assert.equal(formOf(again).fields.state, 'second');
  });

  it('errors go the same way: Deny POSTs access_denied with state and iss, and no code', async () => {
    const { response } = await runAuthorization(new InjectBrowser(f.server.app), request({ prompt: 'consent' }), { username: 'alice', password: PASSWORD, decision: 'deny' });
    assertStrictPage(response);
    const { action, fields } = formOf(response);
    assert.equal(action, WEB_CALLBACK);
    assert.equal(fields.error, 'access_denied');
    assert.equal(fields.state, 'st');
    assert.equal(fields.iss, f.issuer);
    assert.equal(fields.code, undefined);
  });

  it('a hostile state is escaped into a field value and never reaches the script', async () => {
    const state = '"><script>alert(1)</script><input name="code" value="x';
    const { response } = await runAuthorization(new InjectBrowser(f.server.app), request({ state }), { username: 'alice', password: PASSWORD });
    assertStrictPage(response);
    const { fields } = formOf(response);
    assert.equal(fields.state, state);
    assert.equal(Object.keys(fields).length, 3);
  });

  it('an unregistered redirect_uri with form_post: an error page with no form to that URI', async () => {
    const response = await new InjectBrowser(f.server.app).get(request({ redirect_uri: 'https://evil.example/cb' }));
    assert.equal(response.statusCode, 400);
    assert.doesNotMatch(response.body, /<form|evil\.example\/cb"|<script/);
    assert.match(String(response.headers['content-security-policy']), /form-action 'none'/);
  });

  it('an unsupported response_mode is invalid_request, redirected in the default query mode', async () => {
    for (const mode of ['fragment', 'form_post.jwt', 'FORM_POST']) {
      const response = await new InjectBrowser(f.server.app).get(request({ response_mode: mode }));
      assert.equal(response.statusCode, 303, mode);
      assert.equal(callbackParams(response).get('error'), 'invalid_request', mode);
    }
  });

  it('an error before sign-in (unknown scope) is POSTed too', async () => {
    const response = await new InjectBrowser(f.server.app).get(request({ scope: 'openid admin' }));
    assertStrictPage(response);
    assert.equal(formOf(response).fields.error, 'invalid_scope');
  });
});
