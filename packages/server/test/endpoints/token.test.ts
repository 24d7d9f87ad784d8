// The token endpoint's parameter rules (RFC 6749 §3.2): unknown parameters are ignored, each grant reads only the
// parameters it declares (grants/grant-handler.ts), and a request carrying another grant's credential is refused
// before anything is looked up — from the attacker's side: the mixed request, the exact rejection, nothing consumed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { GrantParams } from '../../src/grants/grant-handler.ts';
import { credentialsOfOtherGrants, grantRegistry } from '../../src/grants/registry.ts';
import { FormParams } from '../../src/oauth/form-params.ts';
import { hashSecret } from '../../src/crypto/random.ts';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';

let f: Fixture;
let browser: InjectBrowser;

before(async () => {
  f = await startFixture();
  browser = new InjectBrowser(f.server.app);
});
after(() => f.server.close());

async function freshCode(): Promise<{ code: string; verifier: string }> {
  const pkce = pkcePair();
  const { response } = await runAuthorization(browser, authorizeUrl({
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', code_challenge: pkce.challenge, code_challenge_method: 'S256',
  }), { username: 'alice', password: PASSWORD });
  return { code: callbackParams(response).get('code')!, verifier: pkce.verifier };
}

const redeem = (c: { code: string; verifier: string }, extra: Record<string, string> = {}) =>
  tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: c.code, redirect_uri: WEB_CALLBACK, code_verifier: c.verifier, ...extra });

function assertRefused(response: LightMyRequestResponse, description: string): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.deepEqual(response.json(), { error: 'invalid_request', error_description: description, request_id: response.headers['x-request-id'] });
}

describe('another grant\'s credential in a token request is refused, and nothing is consumed', () => {
  it('a code (and its verifier) sent with grant_type=refresh_token: 400 invalid_request; the refresh token is not rotated, the code still redeems once', async () => {
    const first = await freshCode();
    const tokens = (await redeem(first)).json() as { refresh_token: string };
    const stolen = await freshCode();
    const mixed = await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, code: stolen.code, code_verifier: stolen.verifier });
    assertRefused(mixed, "grant_type=refresh_token does not take another grant's credential: 'code', 'code_verifier'");
    assert.equal((await f.server.store.getRefreshToken(hashSecret(tokens.refresh_token)))?.rotatedAt, null);
    assert.equal((await f.server.store.getCode(hashSecret(stolen.code)))?.consumedAt, null);
    assert.equal((await redeem(stolen)).statusCode, 200);
    assert.equal((await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).statusCode, 200);
  });

  it('a refresh token sent with grant_type=authorization_code: 400 invalid_request; the code is not consumed', async () => {
    const held = (await redeem(await freshCode())).json() as { refresh_token: string };
    const c = await freshCode();
    assertRefused(await redeem(c, { refresh_token: held.refresh_token }), "grant_type=authorization_code does not take another grant's credential: 'refresh_token'");
    assert.equal((await f.server.store.getCode(hashSecret(c.code)))?.consumedAt, null);
    assert.equal((await f.server.store.getRefreshToken(hashSecret(held.refresh_token)))?.rotatedAt, null);
    assert.equal((await redeem(c)).statusCode, 200);
  });

  it('a code sent with grant_type=client_credentials: 400 invalid_request, before the client is even authenticated', async () => {
    const c = await freshCode();
    const response = await tokenRequest(f.server.app, { id: f.web.id, secret: 'not-the-secret' }, { grant_type: 'client_credentials', code: c.code });
    assertRefused(response, "grant_type=client_credentials does not take another grant's credential: 'code'");
    assert.equal((await f.server.store.getCode(hashSecret(c.code)))?.consumedAt, null);
  });

  it('an empty value counts as omitted (RFC 6749 §3.1), so `code=` with a refresh is not refused', async () => {
    const tokens = (await redeem(await freshCode())).json() as { refresh_token: string };
    const response = await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, code: '' });
    assert.equal(response.statusCode, 200, response.body);
  });
});

describe('parameters nobody declares are ignored (RFC 6749 §3.2)', () => {
  it('a code exchange with unknown parameters and a scope it does not read succeeds, with the code\'s own scope', async () => {
    const response = await redeem(await freshCode(), { foo: 'bar', scope: 'openid contacts:write' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().scope, 'openid contacts:read');
  });
});

describe('the grants\' declarations', () => {
  it('each grant declares its parameters and, among them, its credentials', () => {
    const declared = Object.fromEntries([...grantRegistry].map(([type, g]) => [type, { parameters: [...g.parameters].sort(), credentials: [...g.credentials].sort() }]));
    assert.deepEqual(declared, {
      authorization_code: { parameters: ['code', 'code_verifier', 'redirect_uri'], credentials: ['code', 'code_verifier'] },
      refresh_token: { parameters: ['refresh_token', 'resource', 'scope'], credentials: ['refresh_token'] },
      client_credentials: { parameters: ['resource', 'scope'], credentials: [] },
      'urn:ietf:params:oauth:grant-type:device_code': { parameters: ['device_code'], credentials: ['device_code'] },
      'urn:ietf:params:oauth:grant-type:token-exchange': {
        parameters: ['actor_token', 'actor_token_type', 'audience', 'requested_token_type', 'resource', 'scope', 'subject_token', 'subject_token_type'],
        credentials: ['actor_token', 'subject_token'],
      },
    });
    for (const g of grantRegistry.values()) for (const c of g.credentials) assert.ok(g.parameters.has(c), `${g.grantType} declares ${c}`);
  });

  it('another grant\'s credentials are found; a grant\'s own, descriptive and unknown parameters are not', () => {
    const code = grantRegistry.get('authorization_code')!;
    const refresh = grantRegistry.get('refresh_token')!;
    assert.deepEqual(credentialsOfOtherGrants(refresh, ['refresh_token', 'scope', 'code', 'redirect_uri', 'foo']), ['code']);
    assert.deepEqual(credentialsOfOtherGrants(code, ['code', 'code_verifier', 'scope', 'resource', 'refresh_token']), ['refresh_token']);
  });

  it('a grant cannot read a parameter it did not declare (a programming error, not a client error)', () => {
    const params = new GrantParams(FormParams.parse('refresh_token=r&code=c&scope=a'), grantRegistry.get('refresh_token')!);
    assert.equal(params.require('refresh_token'), 'r');
    assert.equal(params.get('scope'), 'a');
    assert.throws(() => params.get('code'), { message: 'the refresh_token grant read "code", which it does not declare in its parameters' });
    assert.throws(() => params.require('code_verifier'), /does not declare/);
  });
});
