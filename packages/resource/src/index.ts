// Public API of @latchkey/resource: RFC 6750 bearer-token verification for APIs (RFC 9068 JWTs, RFC 7662 introspection, RFC 9728 metadata, RFC 9449 DPoP).
export { createVerifier } from './create-verifier.ts';
export type { Verifier, VerifierOptions } from './create-verifier.ts';
export type {
  ProtectedResourceMetadata,
  ProtectedResourceMetadataDocument,
  ResourceMetadataOptions,
} from './protected-resource-metadata.ts';
export type { DpopOptions } from './dpop-proof.ts';
export type { DpopReplayCache } from './dpop-replay-cache.ts';
export type { AccessTokenClaims, Actor } from './access-token-claims.ts';
export type { BearerRequest } from './extract-bearer-token.ts';
export { requireScopes } from './require-scopes.ts';
export type { ScopeRequirement } from './require-scopes.ts';
export type { BearerErrorBody, BearerErrorResponse } from './bearer-error-response.ts';
export type { IntrospectionOptions } from './token-introspection.ts';
export { TokenExchangeError } from './token-exchange.ts';
export type { ExchangedToken, TokenExchangeOptions, TokenExchangeRequest } from './token-exchange.ts';
export type { FetchLike } from './fetch-with-timeout.ts';
export { DEFAULT_ALGORITHMS } from './signing-algorithms.ts';
export {
  AudienceMismatchError,
  BearerError,
  DpopProofInvalidError,
  InsufficientScopeError,
  IntrospectionError,
  InvalidRequestError,
  IssuerMismatchError,
  MetadataError,
  SignatureInvalidError,
  TokenBindingError,
  TokenExpiredError,
  TokenInactiveError,
  TokenInvalidError,
  TokenMissingError,
  TokenNotYetValidError,
  VerifierConfigurationError,
} from './errors.ts';
export type { AuthScheme, BearerChallengeError, BearerErrorCode } from './errors.ts';
// Framework adapters are entry points of their own: @latchkey/resource/fastify and @latchkey/resource/express.
// They are built on this file alone (test/kit-layering.test.ts): what they need, any other framework can use.
