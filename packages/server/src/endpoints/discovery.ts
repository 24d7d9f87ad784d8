// Authorization server metadata: RFC 8414 §2 (with RFC 8628 §4 device_authorization_endpoint) and OpenID Connect Discovery 1.0 §3 (one document, two paths).
// It lists only what this server really supports.
import { RESPONSE_MODES } from '../authorization/authorization-response.ts';
import { supportedGrantTypes } from '../grants/registry.ts';
import { ACR_VALUES } from '../oidc/authentication-context.ts';
import { CLAIMS_SUPPORTED } from '../oidc/claims.ts';
import { PROMPT_VALUES } from '../oidc/prompt.ts';
import { DPOP_ALGORITHMS } from '../oauth/dpop-proof.ts';
import { ASSERTION_ALGORITHMS } from '../oauth/client-assertion.ts';
import type { ServerContext } from '../server-context.ts';

export function buildMetadata(ctx: ServerContext): Record<string, unknown> {
  const { urls } = ctx;
  return {
    issuer: ctx.config.issuer,
    authorization_endpoint: urls.authorization,
    token_endpoint: urls.token,
    pushed_authorization_request_endpoint: urls.pushedAuthorizationRequest,
    require_pushed_authorization_requests: ctx.config.requirePushedAuthorizationRequests,
    userinfo_endpoint: urls.userinfo,
    jwks_uri: urls.jwks,
    introspection_endpoint: urls.introspection,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    revocation_endpoint: urls.revocation,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    device_authorization_endpoint: urls.deviceAuthorization,
    grant_types_supported: supportedGrantTypes(),
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // RFC 7523 client assertions; FAPI 2.0 clients may not use RS256 (§5.4.1).
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    scopes_supported: ctx.scopes.allScopes(),
    response_types_supported: ['code'],
    response_modes_supported: [...RESPONSE_MODES],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ctx.keys.algorithms(),
    authorization_response_iss_parameter_supported: true,
    claims_supported: [...CLAIMS_SUPPORTED],
    acr_values_supported: [...ACR_VALUES],
    claims_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    prompt_values_supported: [...PROMPT_VALUES],
    access_token_signing_alg_values_supported: [ctx.config.accessTokenAlg],
    // draft-ietf-oauth-client-id-metadata-document §5; RFC 7591 §3 (only when the operator turned them on).
    ...(ctx.clients.acceptsMetadataDocuments ? { client_id_metadata_document_supported: true } : {}),
    ...(ctx.config.dynamicRegistration ? { registration_endpoint: ctx.urls.registration } : {}),
    // RP-Initiated Logout 1.0 §2.1, Back-Channel Logout 1.0 §2.1, Front-Channel Logout 1.0 §3 (not supported).
    end_session_endpoint: urls.endSession,
    frontchannel_logout_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
  };
}
