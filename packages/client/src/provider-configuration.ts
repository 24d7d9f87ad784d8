// Provider metadata discovery and client authentication (OpenID Connect Discovery 1.0 §4, RFC 8414 §3; RFC 6749 §2.3,
// RFC 7523 private_key_jwt).
import * as oidc from 'openid-client';
import type { ResolvedOptions } from './client-options.ts';
import { ClientConfigurationError } from './errors.ts';

/** Discovers the provider and returns the openid-client configuration every flow uses. */
export async function discoverProvider(options: ResolvedOptions, providerFetch?: oidc.CustomFetch): Promise<oidc.Configuration> {
  const auth = options.tokenEndpointAuthMethod === 'client_secret_basic'
    ? oidc.ClientSecretBasic(options.clientSecret)
    : options.tokenEndpointAuthMethod === 'client_secret_post'
      ? oidc.ClientSecretPost(options.clientSecret)
      // RFC 7523 §2.2: openid-client signs the assertion (aud = the issuer identifier, as FAPI 2.0 requires).
      : options.tokenEndpointAuthMethod === 'private_key_jwt' && options.clientPrivateKey
        ? oidc.PrivateKeyJwt(options.clientPrivateKey)
        : oidc.None();
  const metadata: Partial<oidc.ClientMetadata> = { redirect_uris: [options.redirectUri.href] };
  if (options.clientSecret) metadata.client_secret = options.clientSecret;
  const config = await oidc.discovery(options.issuer, options.clientId, metadata, auth, {
    timeout: options.httpTimeoutSeconds,
    ...(providerFetch ? { [oidc.customFetch]: providerFetch } : {}),
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- http is only accepted for loopback issuers
    execute: options.allowInsecureHttp ? [oidc.allowInsecureRequests] : [],
  });
  config.timeout = options.httpTimeoutSeconds;
  // openid-client skips the ID token's JWS check for token-endpoint responses (TLS vouches for the issuer, OIDC Core
  // §3.1.3.7 step 6). We verify it anyway against the provider's JWKS: defence in depth against a spoofed endpoint.
  if (config.serverMetadata().jwks_uri) oidc.enableNonRepudiationChecks(config);
  else throw new ClientConfigurationError('the provider publishes no jwks_uri, so ID token signatures cannot be verified');
  return config;
}
