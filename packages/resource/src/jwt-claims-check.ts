// The JWT access token checks after the signature (RFC 9068 §4): typ, required claims (§2.2), iss, aud, exp and nbf.
import {
  AudienceMismatchError,
  IssuerMismatchError,
  TokenExpiredError,
  TokenInvalidError,
  TokenNotYetValidError,
} from './errors.ts';

export interface ClaimsExpectations {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

// RFC 9068 §2.2 claims, checked in this order (the first missing one is reported; the message is the same for all).
const REQUIRED_CLAIMS = ['iss', 'aud', 'client_id', 'sub', 'jti', 'iat', 'exp'];
const ACCESS_TOKEN_TYP = 'application/at+jwt';

function lacksClaim(): TokenInvalidError {
  return new TokenInvalidError('the access token lacks a required claim or has a malformed one');
}

/** RFC 9068 §4: typ "at+jwt", compared case-insensitively, with or without the "application/" prefix (RFC 7515 §4.1.9). */
export function checkAccessTokenTyp(header: Record<string, unknown>): void {
  const typ = header['typ'];
  if (typeof typ !== 'string') throw new TokenInvalidError('the token is not a JWT access token (typ at+jwt)');
  const normalized = typ.toLowerCase();
  if ((typ.includes('/') ? normalized : `application/${normalized}`) !== ACCESS_TOKEN_TYP) {
    throw new TokenInvalidError('the token is not a JWT access token (typ at+jwt)');
  }
}

/** A NumericDate claim (RFC 7519 §2): absent, or a number. */
function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw lacksClaim();
  return value;
}

/** RFC 9068 §4 steps 3-5 and RFC 7519 §4.1.4/§4.1.5, with `clockToleranceSeconds` of leeway both ways. */
export function checkAccessTokenClaims(claims: Record<string, unknown>, expected: ClaimsExpectations, nowSeconds: number): void {
  for (const name of REQUIRED_CLAIMS) if (!Object.hasOwn(claims, name)) throw lacksClaim();
  if (claims['iss'] !== expected.issuer) throw new IssuerMismatchError();
  const aud = claims['aud'];
  // RFC 7519 §4.1.3: a single string, or an array of which one member must be this resource.
  if (!(typeof aud === 'string' ? aud === expected.audience : Array.isArray(aud) && aud.includes(expected.audience))) {
    throw new AudienceMismatchError();
  }
  const tolerance = expected.clockToleranceSeconds;
  numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > nowSeconds + tolerance) throw new TokenNotYetValidError();
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= nowSeconds - tolerance) throw new TokenExpiredError();
}
