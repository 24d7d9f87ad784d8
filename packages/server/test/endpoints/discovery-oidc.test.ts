// Discovery for the authorization code flow (RFC 8414 §2, OpenID Connect Discovery 1.0 §3, RFC 9207 §3):
// the metadata advertises exactly what the server does.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startFixture, type Fixture } from '../helpers/authorization-fixtures.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.server.close();
});

it('advertises the authorization code flow, PKCE S256, iss in responses, userinfo and the OpenID Connect details', async () => {
  const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
  assert.equal(metadata.authorization_endpoint, `${f.issuer}/authorize`);
  assert.equal(metadata.userinfo_endpoint, `${f.issuer}/userinfo`);
  assert.deepEqual(metadata.response_types_supported, ['code']);
  assert.deepEqual(metadata.response_modes_supported, ['query', 'form_post']);
  assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(metadata.subject_types_supported, ['public']);
  assert.equal(metadata.authorization_response_iss_parameter_supported, true);
  assert.equal(metadata.request_parameter_supported, false);
  assert.equal(metadata.request_uri_parameter_supported, false);
  assert.deepEqual(metadata.prompt_values_supported, ['none', 'login', 'consent']);
  assert.ok(metadata.id_token_signing_alg_values_supported.includes('RS256'));
  assert.ok(metadata.token_endpoint_auth_methods_supported.includes('none'));
  for (const g of ['authorization_code', 'refresh_token', 'client_credentials']) assert.ok(metadata.grant_types_supported.includes(g), g);
  for (const c of ['sub', 'auth_time', 'nonce', 'at_hash', 'email', 'name']) assert.ok(metadata.claims_supported.includes(c), c);
  for (const s of ['openid', 'profile', 'email', 'contacts:read']) assert.ok(metadata.scopes_supported.includes(s), s);
  // RP-Initiated Logout 1.0 §2.1, Back-Channel Logout 1.0 §2.1; Front-Channel Logout is not offered.
  assert.equal(metadata.end_session_endpoint, `${f.issuer}/session/end`);
  assert.equal(metadata.frontchannel_logout_supported, false);
  assert.equal(metadata.backchannel_logout_supported, true);
  assert.equal(metadata.backchannel_logout_session_supported, true);
  for (const c of ['sid']) assert.ok(metadata.claims_supported.includes(c), c);
  const oauth = (await f.server.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
  assert.deepEqual(oauth, metadata);
});
