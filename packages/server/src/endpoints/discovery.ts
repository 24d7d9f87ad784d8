// Authorization server metadata: RFC 8414 §2 and OpenID Connect Discovery 1.0 §3 (one document, two paths).
// It lists only what this server really supports.
import { supportedGrantTypes } from '../grants/registry.ts';
import type { ServerContext } from '../server-context.ts';

export const DISCOVERY_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'] as const;

export const ENDPOINT_PATHS = {
  token: '/token',
  jwks: '/jwks',
  introspection: '/introspect',
  revocation: '/revoke',
} as const;

export function buildMetadata(ctx: ServerContext): Record<string, unknown> {
  const issuer = ctx.config.issuer;
  return {
    issuer,
    token_endpoint: `${issuer}${ENDPOINT_PATHS.token}`,
    jwks_uri: `${issuer}${ENDPOINT_PATHS.jwks}`,
    introspection_endpoint: `${issuer}${ENDPOINT_PATHS.introspection}`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint: `${issuer}${ENDPOINT_PATHS.revocation}`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    grant_types_supported: supportedGrantTypes(),
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ctx.scopes.allScopes(),
    response_types_supported: [],
    access_token_signing_alg_values_supported: [ctx.config.accessTokenAlg],
  };
}
