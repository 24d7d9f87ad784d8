// RFC 9728 §2/§3.1 metadata built from the resource identifier, and RFC 8707 §2 validation of that identifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protectedResourceMetadata } from '../src/protected-resource-metadata.ts';
import { checkResourceIdentifier } from '../src/resource-identifier.ts';
import { createVerifier, InsufficientScopeError, TokenInvalidError, TokenMissingError } from '../src/index.ts';

const ISSUER = 'https://auth.example';

function assertConfigurationError(build: () => unknown, message: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'ERR_VERIFIER_CONFIGURATION');
    assert.match((error as Error).message, message);
    return true;
  });
}

test('a resource with a path: the well-known segment is inserted between host and path (RFC 9728 §3.1)', () => {
  const metadata = protectedResourceMetadata('https://mcp.example/tools/v1', ISSUER, { scopesSupported: ['tools:read', 'tools:call'] });
  assert.equal(metadata.path, '/.well-known/oauth-protected-resource/tools/v1');
  assert.equal(metadata.url, 'https://mcp.example/.well-known/oauth-protected-resource/tools/v1');
  assert.deepEqual(metadata.document, {
    resource: 'https://mcp.example/tools/v1',
    authorization_servers: [ISSUER],
    scopes_supported: ['tools:read', 'tools:call'],
    bearer_methods_supported: ['header'],
  });
});

test('a resource without a path, with or without the trailing slash, is served at the bare well-known path', () => {
  assert.equal(protectedResourceMetadata('https://api.example', ISSUER, {}).url, 'https://api.example/.well-known/oauth-protected-resource');
  const slashed = protectedResourceMetadata('https://api.example/', ISSUER, {});
  assert.equal(slashed.path, '/.well-known/oauth-protected-resource');
  // The document names the resource exactly as configured: the identifier tokens must carry in aud.
  assert.equal(slashed.document.resource, 'https://api.example/');
  assert.equal('scopes_supported' in slashed.document, false);
});

test('authorization servers can be listed explicitly; the list is de-duplicated', () => {
  const metadata = protectedResourceMetadata('https://api.example', ISSUER, { authorizationServers: ['https://a.example', 'https://a.example', 'https://b.example'] });
  assert.deepEqual(metadata.document.authorization_servers, ['https://a.example', 'https://b.example']);
});

test('a resource identifier with a query, a non-http scheme, bad scopes or bad servers cannot serve metadata', () => {
  assertConfigurationError(() => protectedResourceMetadata('https://api.example/x?tenant=1', ISSUER, {}), /without query or fragment/);
  assertConfigurationError(() => protectedResourceMetadata('urn:example:api', ISSUER, {}), /http\(s\) URL/);
  assertConfigurationError(() => protectedResourceMetadata('https://api.example', ISSUER, { scopesSupported: ['a b'] }), /scope-token/);
  assertConfigurationError(() => protectedResourceMetadata('https://api.example', ISSUER, { scopesSupported: [] }), /non-empty array/);
  assertConfigurationError(() => protectedResourceMetadata('https://api.example', ISSUER, { authorizationServers: ['ftp://a.example'] }), /http\(s\) URL/);
});

test('the audience is an absolute URI without fragment (RFC 8707 §2), kept verbatim', () => {
  assert.equal(checkResourceIdentifier('https://api.example/'), 'https://api.example/');
  assert.equal(checkResourceIdentifier('urn:example:api'), 'urn:example:api');
  assertConfigurationError(() => checkResourceIdentifier('api.example'), /absolute URI/);
  assertConfigurationError(() => checkResourceIdentifier('/api'), /absolute URI/);
  assertConfigurationError(() => checkResourceIdentifier('https://api.example/#part'), /fragment/);
  assertConfigurationError(() => checkResourceIdentifier('https://api.example/a b'), /absolute URI/);
  assertConfigurationError(() => checkResourceIdentifier(''), /non-empty string/);
  assertConfigurationError(() => createVerifier({ issuer: ISSUER, audience: 'contacts' }), /absolute URI/);
});

test('without resourceMetadata the verifier serves none and its challenges carry no resource_metadata', () => {
  const verifier = createVerifier({ issuer: ISSUER, audience: 'https://api.example' });
  assert.equal(verifier.resourceMetadata, undefined);
});

test('challengeScopes: 401 challenges name the scopes to ask for first (MCP); a 403 names the refused request\'s own', () => {
  const verifier = createVerifier({
    issuer: ISSUER, audience: 'https://mcp.example/mcp', realm: 'mcp', resourceMetadata: { scopesSupported: ['notes:read', 'notes:write'], challengeScopes: ['notes:read'] },
  });
  const tail = 'resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp"';
  assert.equal(verifier.errorResponse(new TokenMissingError()).headers['www-authenticate'], `Bearer realm="mcp", scope="notes:read", ${tail}`);
  assert.equal(verifier.errorResponse(new TokenInvalidError('the access token is invalid')).headers['www-authenticate'],
    `Bearer realm="mcp", error="invalid_token", error_description="the access token is invalid", scope="notes:read", ${tail}`);
  assert.equal(verifier.errorResponse(new InsufficientScopeError(['notes:read', 'notes:write'])).headers['www-authenticate'],
    `Bearer realm="mcp", error="insufficient_scope", scope="notes:read notes:write", ${tail}`);
  const without = createVerifier({ issuer: ISSUER, audience: 'https://mcp.example/mcp', realm: 'mcp', resourceMetadata: {} });
  assert.equal(without.errorResponse(new TokenMissingError()).headers['www-authenticate'], `Bearer realm="mcp", ${tail}`, 'no scope unless configured');
  assertConfigurationError(() => createVerifier({ issuer: ISSUER, audience: 'https://mcp.example/mcp', resourceMetadata: { challengeScopes: ['bad scope'] } }), /challenge scope/);
  assertConfigurationError(() => createVerifier({ issuer: ISSUER, audience: 'https://mcp.example/mcp', resourceMetadata: { challengeScopes: [] } }), /non-empty/);
});
