// OpenID Connect Core §5.5: the `claims` request parameter. Individually requested claims go where they were asked for
// (ID token or UserInfo) when the client may request their scope and the user consented to it (the consent page asks);
// unknown claims and claims of scopes the client may not request are ignored; malformed values are invalid_request;
// `sub` with a value names the only acceptable user.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient, addTestUser } from '../helpers/test-server.ts';
import { parseClaimsParameter, requestedUserClaims, scopesOfRequestedClaims } from '../../src/oidc/claims-request.ts';

const CALLBACK = 'https://claims-param.example/cb';
let f: Fixture;
let small: ClientCredentials;
let carolId: string;

before(async () => {
  f = await startFixture();
  // UserInfo-only claims by default: only the claims parameter puts scope claims into its ID tokens.
  small = await addClient(f.server, { name: 'Small tokens', redirectUris: [CALLBACK], scope: 'openid profile email phone', userinfoOnlyClaims: true });
  carolId = (await addTestUser(f.server, 'carol', PASSWORD, { name: 'Carol', email: 'carol@example.com', emailVerified: true, phoneNumber: '+44 20 7946 0000', address: '1 High St' })).id;
});
after(async () => {
  await f.server.close();
});

async function authorize(claims: string | undefined, options: { scope?: string; browser?: InjectBrowser } = {}) {
  const browser = options.browser ?? new InjectBrowser(f.server.app);
  const pkce = pkcePair();
  const url = authorizeUrl({
    response_type: 'code', client_id: small.id, redirect_uri: CALLBACK, scope: options.scope ?? 'openid', state: 's', nonce: 'n',
    code_challenge: pkce.challenge, code_challenge_method: 'S256', claims,
  });
  const run = await runAuthorization(browser, url, { username: 'carol', password: PASSWORD });
  return { ...run, browser, pkce, params: callbackParams(run.response) };
}

async function exchange(code: string, verifier: string) {
  const token = await tokenRequest(f.server.app, small, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
  assert.equal(token.statusCode, 200, token.body);
  return token.json() as Record<string, string>;
}

const userinfo = async (accessToken: string) => (await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } })).json() as Record<string, unknown>;

describe('the claims request parameter', () => {
  it('discovery says claims_parameter_supported', async () => {
    const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.equal(metadata.claims_parameter_supported, true);
  });

  it('claims asked for by name are released where asked, after the consent page asked for their scopes; the token scope is unchanged', async () => {
    const claims = JSON.stringify({ id_token: { email: { essential: true }, auth_time: { essential: true } }, userinfo: { name: null, phone_number: null } });
    const run = await authorize(claims);
    assert.deepEqual(run.pages, ['login', 'consent']);
    const consent = run.html.at(-1)!;
    for (const description of ['see your email address', 'see your phone number']) assert.ok(consent.includes(description), `${description} in:\n${consent}`);
    const tokens = await exchange(run.params.get('code')!, run.pkce.verifier);
    assert.equal(tokens.scope, 'openid');
    const id = decodeJwt(tokens.id_token!).payload;
    assert.equal(id.email, 'carol@example.com');
    assert.equal('name' in id, false, 'asked for UserInfo only');
    assert.equal('phone_number' in id, false);
    const info = await userinfo(tokens.access_token!);
    assert.deepEqual(info, { sub: carolId, name: 'Carol', phone_number: '+44 20 7946 0000' });
    // A refresh keeps what the claims parameter asked for.
    const refreshed = await tokenRequest(f.server.app, small, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(decodeJwt((refreshed.json() as Record<string, string>).id_token!).payload.email, 'carol@example.com');
  });

  it('without the claims parameter this client\'s ID token has no scope claims (the control case)', async () => {
    const run = await authorize(undefined, { scope: 'openid email' });
    const tokens = await exchange(run.params.get('code')!, run.pkce.verifier);
    assert.equal('email' in decodeJwt(tokens.id_token!).payload, false);
  });

  it('claims of a scope the client may not request, and unknown claims, are ignored: not asked for, not released', async () => {
    const run = await authorize(JSON.stringify({ id_token: { address: { essential: true }, favourite_colour: null }, userinfo: { address: null } }));
    assert.ok(!run.html.some((page) => page.includes('address')), 'the consent page does not ask for address');
    const tokens = await exchange(run.params.get('code')!, run.pkce.verifier);
    assert.equal('address' in decodeJwt(tokens.id_token!).payload, false);
    assert.equal('favourite_colour' in decodeJwt(tokens.id_token!).payload, false);
    assert.deepEqual(await userinfo(tokens.access_token!), { sub: carolId });
  });

  it('malformed claims parameters are invalid_request, redirected with state and no code', async () => {
    for (const claims of ['{not json', '[]', '"text"', JSON.stringify({ id_token: [] }), JSON.stringify({ userinfo: { email: 'yes' } }),
      JSON.stringify({ id_token: { email: { essential: 'true' } } }), JSON.stringify({ id_token: { sub: { value: 42 } } }), 'x'.repeat(5000)]) {
      const { params } = await authorize(claims);
      assert.equal(params.get('error'), 'invalid_request', claims.slice(0, 60));
      assert.equal(params.get('state'), 's');
      assert.equal(params.has('code'), false);
    }
  });

  it('sub with a value: the signed-in user must be that one, else login_required; the right one completes', async () => {
    const { browser } = await authorize(undefined);
    const wrong = await authorize(JSON.stringify({ id_token: { sub: { value: 'someone-else' } } }), { browser });
    assert.equal(wrong.params.get('error'), 'login_required');
    const right = await authorize(JSON.stringify({ id_token: { sub: { value: carolId } } }), { browser });
    assert.ok(right.params.get('code'));
  });
});

describe('parseClaimsParameter', () => {
  it('keeps known claims of the client\'s scopes, per member; two different sub values are refused', () => {
    const parsed = parseClaimsParameter(JSON.stringify({ id_token: { email: null, name: { essential: true }, acr: null }, userinfo: { phone_number: { values: ['a'] } } }), ['openid', 'email', 'phone']);
    assert.deepEqual(parsed, { requested: { idToken: ['email'], userinfo: ['phone_number'] }, subject: undefined });
    assert.deepEqual(scopesOfRequestedClaims(parsed!.requested), ['email', 'phone']);
    assert.equal(parseClaimsParameter(undefined, ['openid']), undefined);
    assert.throws(() => parseClaimsParameter(JSON.stringify({ id_token: { sub: { value: 'a' } }, userinfo: { sub: { value: 'b' } } }), ['openid']),
      (e: unknown) => (e as { code?: string; description?: string }).description === 'the claims parameter asks for two different sub values');
    assert.deepEqual(requestedUserClaims({ id: 'u', username: 'u', email: null, emailVerified: false, name: 'N', phoneNumber: null, phoneNumberVerified: false, address: null, passwordHash: '', createdAt: 0, updatedAt: 0 }, ['name', 'email']), { name: 'N' });
  });
});
