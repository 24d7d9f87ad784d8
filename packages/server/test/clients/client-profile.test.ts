// The per-client FAPI 2.0 profile (`--profile fapi2`, FAPI 2.0 Security Profile §5.3.2): what registration turns on and
// refuses, and the run-time rules from the attacker's side: no plain authorization request, redirect_uri required in the
// pushed request, private_key_jwt with the issuer as the only aud and no RS256, DPoP required, codes live 60 seconds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { registerClient } from '../../src/clients/register-client.ts';
import { isFapi2 } from '../../src/clients/client-profile.ts';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { ASSERTION_TYPE, clientAssertion, clientKeyPair, type ClientKeyPair } from '../helpers/client-assertion.ts';
import { dpopKey, dpopProof, type DpopKey } from '../helpers/dpop.ts';
import { addClient, FORM_HEADERS, form } from '../helpers/test-server.ts';

let f: Fixture;
let key: ClientKeyPair;
let dpop: DpopKey;
let bank: string;

before(async () => {
  // The server's code lifetime is longer than FAPI 2.0 allows: the profile still caps it at 60 seconds.
  f = await startFixture({ codeTtl: 300 });
  key = await clientKeyPair('PS256');
  dpop = await dpopKey('ES256');
  bank = (await addClient(f.server, { name: 'Bank', redirectUris: [WEB_CALLBACK], scope: 'openid contacts:read', profile: 'fapi2', authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] } })).id;
});
after(async () => {
  await f.server.close();
});

const assertion = async (overrides: Partial<Parameters<typeof clientAssertion>[1]> = {}, k = key) =>
  ({ client_assertion_type: ASSERTION_TYPE, client_assertion: await clientAssertion(k, { clientId: bank, aud: f.issuer, now: f.clock.now, ...overrides }) });

function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return f.server.app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...headers }, payload: form(fields) });
}

const pkce = pkcePair();
const pushedFields = (extra: Record<string, string | undefined> = {}) => Object.fromEntries(Object.entries({
  client_id: bank, response_type: 'code', redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 's1', code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra,
}).filter((e): e is [string, string] => e[1] !== undefined));

/** PAR, then the real login page, then the callback's code. */
async function signIn(): Promise<URLSearchParams> {
  const pushed = await post('/par', { ...pushedFields(), ...(await assertion()) });
  assert.equal(pushed.statusCode, 201, pushed.body);
  const { response } = await runAuthorization(new InjectBrowser(f.server.app), authorizeUrl({ client_id: bank, request_uri: pushed.json().request_uri }), { username: 'alice', password: PASSWORD });
  return callbackParams(response);
}

const redeem = async (code: string, withProof = true) => post('/token', {
  grant_type: 'authorization_code', code, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier, ...(await assertion()),
}, withProof ? { dpop: await dpopProof(dpop, { htu: `${f.issuer}/token`, iat: f.clock.now }) } : {});

describe('registering a FAPI 2.0 client', () => {
  it('turns on PAR and DPoP, keeps PKCE, and signs its ID tokens ES256', async () => {
    const client = (await f.server.store.getClient(bank))!;
    assert.equal(isFapi2(client), true);
    assert.deepEqual([client.requirePar, client.requireDpop, client.requirePkce, client.idTokenAlg, client.secretHash, client.isPublic], [true, true, true, 'ES256', null, false]);
  });

  it('refuses what FAPI 2.0 forbids: public, a client secret, no PKCE, RS256 ID tokens, a custom-scheme redirect URI, an unknown profile', async () => {
    const register = (input: Record<string, unknown>) => registerClient(f.server.store, {
      name: 'X', redirectUris: [WEB_CALLBACK], scope: 'openid', profile: 'fapi2', authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, ...input,
    }, f.clock.now);
    await assert.rejects(register({ isPublic: true, authMethod: undefined, jwks: undefined }), /confidential/);
    await assert.rejects(register({ authMethod: 'client_secret_basic', jwks: undefined }), /private_key_jwt/);
    await assert.rejects(register({ allowWithoutPkce: true }), /PKCE/);
    await assert.rejects(register({ idTokenAlg: 'RS256' }), /RS256/);
    await assert.rejects(register({ redirectUris: ['com.example.bank:/cb'] }), /https/);
    await assert.rejects(register({ profile: 'fapi1' }), /unknown profile/);
  });
});

describe('a FAPI 2.0 client at run time', () => {
  it('signs in through PAR with private_key_jwt, gets iss in the response and a DPoP-bound token', async () => {
    const params = await signIn();
    assert.equal(params.get('iss'), f.issuer);
    assert.equal(params.get('state'), 's1');
    const tokens = await redeem(params.get('code')!);
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.equal(tokens.json().token_type, 'DPoP');
    assert.deepEqual(decodeJwt(tokens.json().access_token).payload.cnf, { jkt: dpop.jkt });
    assert.equal(decodeJwt(tokens.json().id_token).header.alg, 'ES256');
  });

  it('a plain authorization request is refused (PAR required)', async () => {
    const response = await new InjectBrowser(f.server.app).get(authorizeUrl(pushedFields()));
    assert.equal(callbackParams(response).get('error'), 'invalid_request');
  });

  it('a pushed request without redirect_uri is refused', async () => {
    const response = await post('/par', { ...pushedFields({ redirect_uri: undefined }), ...(await assertion()) });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error_description, /redirect_uri is required/);
  });

  it('the assertion aud must be the issuer, as a string: the token endpoint URL or an array is refused', async () => {
    for (const aud of [`${f.issuer}/token`, [f.issuer]]) {
      const response = await post('/par', { ...pushedFields(), ...(await assertion({ aud })) });
      assert.equal(response.json().error, 'invalid_client', JSON.stringify(aud));
    }
  });

  it('an RS256 assertion is refused even with a registered RS256 key', async () => {
    const rsa = await clientKeyPair('RS256');
    const rsaClient = await addClient(f.server, { name: 'RSA Bank', redirectUris: [WEB_CALLBACK], scope: 'openid', profile: 'fapi2', authMethod: 'private_key_jwt', jwks: { keys: [rsa.publicJwk] } });
    const jwt = await clientAssertion(rsa, { clientId: rsaClient.id, aud: f.issuer, now: f.clock.now });
    const response = await post('/par', { ...pushedFields({ client_id: rsaClient.id }), client_assertion_type: ASSERTION_TYPE, client_assertion: jwt });
    assert.equal(response.json().error, 'invalid_client');
  });

  it('the code is refused without a DPoP proof (sender-constrained tokens only)', async () => {
    const response = await redeem((await signIn()).get('code')!, false);
    assert.equal(response.json().error, 'invalid_dpop_proof');
  });

  it('the code lives 60 seconds although the server allows 300', async () => {
    const code = (await signIn()).get('code')!;
    f.clock.now += 61;
    const response = await redeem(code);
    assert.equal(response.json().error, 'invalid_grant', response.body);
    assert.match(response.json().error_description, /expired/);
  });
});
