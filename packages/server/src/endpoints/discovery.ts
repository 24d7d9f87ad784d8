// Authorization server metadata: RFC 8414 §2 and OpenID Connect Discovery 1.0 §3 (one document, two paths).
// It lists only what this server really supports.
import { RESPONSE_MODES } from '../authorization/authorization-response.ts';
import { supportedGrantTypes } from '../grants/registry.ts';
import { ACR_VALUES } from '../oidc/authentication-context.ts';
import { CLAIMS_SUPPORTED } from '../oidc/claims.ts';
import { PROMPT_VALUES } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';

export function buildMetadata(ctx: ServerContext): Record<string, unknown> {
  const { urls } = ctx;
  return {
    issuer: ctx.config.issuer,
    authorization_endpoint: urls.authorization,
    token_endpoint: urls.token,
    userinfo_endpoint: urls.userinfo,
    jwks_uri: urls.jwks,
    introspection_endpoint: urls.introspection,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint: urls.revocation,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    grant_types_supported: supportedGrantTypes(),
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: ctx.scopes.allScopes(),
    response_types_supported: ['code'],
    response_modes_supported: [...RESPONSE_MODES],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ctx.keys.algorithms(),
    authorization_response_iss_parameter_supported: true,
    claims_supported: [...CLAIMS_SUPPORTED],
    acr_values_supported: [...ACR_VALUES],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    prompt_values_supported: [...PROMPT_VALUES],
    access_token_signing_alg_values_supported: [ctx.config.accessTokenAlg],
  };
}
