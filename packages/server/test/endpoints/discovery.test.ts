// RFC 8414 and OpenID Connect Discovery: one document at both well-known paths, listing only what is supported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addApi, startTestServer } from '../helpers/test-server.ts';

test('both metadata documents are the same, with the configured issuer and working endpoints', async () => {
  const server = await startTestServer();
  try {
    await addApi(server, 'https://api.example', { 'things:read': 'read things' });
    const oidc = await server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    const oauth = await server.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    assert.equal(oidc.statusCode, 200);
    assert.deepEqual(oidc.json(), oauth.json());
    const metadata = oidc.json();
    assert.equal(metadata.issuer, 'http://127.0.0.1:4000');
    assert.equal(metadata.token_endpoint, 'http://127.0.0.1:4000/token');
    assert.equal(metadata.jwks_uri, 'http://127.0.0.1:4000/jwks');
    assert.ok(metadata.grant_types_supported.includes('client_credentials'));
    assert.ok(!metadata.grant_types_supported.includes('password'));
    assert.ok(!metadata.grant_types_supported.includes('implicit'));
    assert.ok(metadata.scopes_supported.includes('things:read'));
    for (const url of [metadata.token_endpoint, metadata.jwks_uri]) assert.ok(url.startsWith(metadata.issuer));
    const jwks = await server.app.inject({ method: 'GET', url: new URL(metadata.jwks_uri).pathname });
    assert.equal(jwks.statusCode, 200);
    assert.equal(oidc.headers['access-control-allow-origin'], '*');
  } finally {
    await server.close();
  }
});

test('health and readiness', async () => {
  const server = await startTestServer();
  try {
    assert.deepEqual((await server.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.deepEqual((await server.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready', checks: { store: 'ok', signing_keys: 'ok' } });
    const missing = await server.app.inject({ method: 'GET', url: '/nope?secret=1' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error, 'not_found');
    assert.equal(missing.headers['x-content-type-options'], 'nosniff');
    assert.match(String(missing.headers['content-security-policy']), /frame-ancestors 'none'/);
  } finally {
    await server.close();
  }
});
