// Typed verification failures, each carrying the RFC 6750 §3.1 error code and HTTP status it maps to.

/** The `error` attribute values of RFC 6750 §3.1, and RFC 9449 §7.1's invalid_dpop_proof. */
export type BearerChallengeError = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

/** The authentication scheme a request used: RFC 6750 Bearer or RFC 9449 §7.1 DPoP. */
export type AuthScheme = 'Bearer' | 'DPoP';

/** Stable codes callers and tests can switch on. */
export type BearerErrorCode =
  | 'ERR_TOKEN_MISSING'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_AUDIENCE_MISMATCH'
  | 'ERR_ISSUER_MISMATCH'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_TOKEN_INACTIVE'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_DPOP_PROOF_INVALID'
  | 'ERR_TOKEN_BINDING'
  | 'ERR_METADATA'
  | 'ERR_INTROSPECTION';

/**
 * Base class of every failure `verify`, `authenticate` and the scope checks throw.
 * `description` is always text written here, never content taken from the token or the request.
 */
export class BearerError extends Error {
  readonly code: BearerErrorCode;
  readonly status: number;
  /** RFC 6750 §3.1 `error` attribute; undefined when the request carried no credentials or the fault is ours. */
  readonly challengeError: BearerChallengeError | undefined;
  readonly description: string;
  /** The scheme of the request that failed: its challenge carries the error (RFC 9449 §7.1). */
  scheme: AuthScheme = 'Bearer';

  constructor(
    code: BearerErrorCode,
    status: number,
    challengeError: BearerChallengeError | undefined,
    description: string,
    options?: ErrorOptions,
  ) {
    super(description, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.challengeError = challengeError;
    this.description = description;
  }
}

/** No bearer credentials at all (RFC 6750 §3.1: the challenge carries no error code). */
export class TokenMissingError extends BearerError {
  constructor() {
    super('ERR_TOKEN_MISSING', 401, undefined, 'bearer token required');
  }
}

/** Malformed Authorization header, duplicate parameters or more than one token-passing method (RFC 6750 §2, §3.1). */
export class InvalidRequestError extends BearerError {
  constructor(description: string) {
    super('ERR_INVALID_REQUEST', 400, 'invalid_request', description);
  }
}

/** Token malformed, of the wrong type, or using a refused algorithm (RFC 6750 §3.1 invalid_token). */
export class TokenInvalidError extends BearerError {
  constructor(description = 'the access token is invalid', options?: ErrorOptions) {
    super('ERR_TOKEN_INVALID', 401, 'invalid_token', description, options);
  }
}

export class TokenExpiredError extends BearerError {
  constructor(options?: ErrorOptions) {
    super('ERR_TOKEN_EXPIRED', 401, 'invalid_token', 'the access token expired', options);
  }
}

export class TokenNotYetValidError extends BearerError {
  constructor(options?: ErrorOptions) {
    super('ERR_TOKEN_NOT_YET_VALID', 401, 'invalid_token', 'the access token is not yet valid', options);
  }
}

export class AudienceMismatchError extends BearerError {
  constructor(options?: ErrorOptions) {
    super('ERR_AUDIENCE_MISMATCH', 401, 'invalid_token', 'the access token is not intended for this resource', options);
  }
}

export class IssuerMismatchError extends BearerError {
  constructor(options?: ErrorOptions) {
    super('ERR_ISSUER_MISMATCH', 401, 'invalid_token', 'the access token was not issued by the trusted issuer', options);
  }
}

export class SignatureInvalidError extends BearerError {
  constructor(description = 'the access token signature is invalid', options?: ErrorOptions) {
    super('ERR_SIGNATURE_INVALID', 401, 'invalid_token', description, options);
  }
}

/** The introspection endpoint answered `active: false` (RFC 7662 §2.2). */
export class TokenInactiveError extends BearerError {
  constructor() {
    super('ERR_TOKEN_INACTIVE', 401, 'invalid_token', 'the access token is not active');
  }
}

/** Valid token without every required scope (RFC 6750 §3.1 insufficient_scope). */
export class InsufficientScopeError extends BearerError {
  /** Every scope the resource needs, in the order they were required (sent as the `scope` attribute). */
  readonly requiredScopes: readonly string[];

  constructor(requiredScopes: readonly string[]) {
    super('ERR_INSUFFICIENT_SCOPE', 403, 'insufficient_scope', 'the access token lacks a required scope');
    this.requiredScopes = requiredScopes;
  }
}

/** The DPoP proof is missing, malformed, or fails an RFC 9449 §4.3 check (signature, htm, htu, iat, jti, ath). */
export class DpopProofInvalidError extends BearerError {
  constructor(description: string, options?: ErrorOptions) {
    super('ERR_DPOP_PROOF_INVALID', 401, 'invalid_dpop_proof', description, options);
    this.scheme = 'DPoP';
  }
}

/**
 * The token's key binding does not fit the request (RFC 9449 §7.1): a DPoP-bound token sent as Bearer, an unbound
 * token sent as DPoP or to an API that requires DPoP, or a proof signed by a key other than `cnf.jkt`.
 */
export class TokenBindingError extends BearerError {
  constructor(description: string, options?: ErrorOptions) {
    super('ERR_TOKEN_BINDING', 401, 'invalid_token', description, options);
  }
}

/** Issuer metadata or its JWKS could not be fetched or did not validate (RFC 8414 §3.3): our fault, not the client's. */
export class MetadataError extends BearerError {
  constructor(description: string, options?: ErrorOptions) {
    super('ERR_METADATA', 503, undefined, description, options);
  }
}

/** The introspection endpoint could not be reached or answered something other than RFC 7662 §2.2 JSON. */
export class IntrospectionError extends BearerError {
  constructor(description: string, options?: ErrorOptions) {
    super('ERR_INTROSPECTION', 503, undefined, description, options);
  }
}

/** Thrown synchronously by `createVerifier` and `requireScopes` for unsafe or unusable options. */
export class VerifierConfigurationError extends Error {
  readonly code = 'ERR_VERIFIER_CONFIGURATION';

  constructor(message: string) {
    super(message);
    this.name = 'VerifierConfigurationError';
  }
}
