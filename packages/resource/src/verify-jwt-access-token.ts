// Local validation of a JWT access token as RFC 9068 §4 lists it: typ, alg allow-list, signature, iss, aud, exp/nbf.
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { toAccessTokenClaims, type AccessTokenClaims } from './access-token-claims.ts';
import {
  AudienceMismatchError,
  BearerError,
  IssuerMismatchError,
  SignatureInvalidError,
  TokenExpiredError,
  TokenInvalidError,
  TokenNotYetValidError,
} from './errors.ts';

export interface JwtAccessTokenOptions {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  getKey: JWTVerifyGetKey;
}

// RFC 9068 §2.1: "at+jwt"; jose compares case-insensitively and without the "application/" prefix, so
// "application/at+jwt" passes too. RFC 9068 §2.2 claims are required in addition to what the options check.
const ACCESS_TOKEN_TYP = 'at+jwt';
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'client_id'];

/** Translates jose's failures into this package's errors; descriptions are fixed text, never token content. */
function toBearerError(error: unknown): unknown {
  if (error instanceof BearerError) return error;
  if (error instanceof errors.JWTExpired) return new TokenExpiredError({ cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'check_failed') {
      if (error.claim === 'aud') return new AudienceMismatchError({ cause: error });
      if (error.claim === 'iss') return new IssuerMismatchError({ cause: error });
      if (error.claim === 'nbf') return new TokenNotYetValidError({ cause: error });
      if (error.claim === 'typ') return new TokenInvalidError('the token is not a JWT access token (typ at+jwt)', { cause: error });
    }
    return new TokenInvalidError('the access token lacks a required claim or has a malformed one', { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenInvalidError('the access token signing algorithm is not allowed', { cause: error });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new SignatureInvalidError(undefined, { cause: error });
  if (error instanceof errors.JWKSNoMatchingKey) return new SignatureInvalidError('the access token was signed with an unknown key', { cause: error });
  if (error instanceof errors.JOSEError) return new TokenInvalidError('the access token is malformed', { cause: error });
  return error;
}

/** jose leaves "several keys match a kid-less header" to the caller: try each candidate, first valid signature wins. */
async function verifyAgainstCandidates(token: string, options: JwtAccessTokenOptions, verifyOptions: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, options.getKey, verifyOptions)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, verifyOptions)).payload;
      } catch (candidateError) {
        if (!(candidateError instanceof errors.JWSSignatureVerificationFailed)) throw candidateError;
      }
    }
    throw new SignatureInvalidError();
  }
}

export async function verifyJwtAccessToken(token: string, options: JwtAccessTokenOptions): Promise<AccessTokenClaims> {
  const verifyOptions: JWTVerifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...options.algorithms],
    clockTolerance: options.clockToleranceSeconds,
    typ: ACCESS_TOKEN_TYP,
    requiredClaims: REQUIRED_CLAIMS,
  };
  try {
    const payload = await verifyAgainstCandidates(token, options, verifyOptions);
    return toAccessTokenClaims(payload, true);
  } catch (error) {
    throw toBearerError(error);
  }
}
