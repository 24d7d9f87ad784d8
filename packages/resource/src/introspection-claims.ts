// Turns an active RFC 7662 §2.2 response for an opaque token into claims, applying the RFC 7662 §4 / RFC 9068 §4 checks locally.
import { toAccessTokenClaims, type AccessTokenClaims } from './access-token-claims.ts';
import { AudienceMismatchError, IssuerMismatchError, TokenExpiredError, TokenNotYetValidError } from './errors.ts';
import type { ActiveIntrospection } from './token-introspection.ts';

export interface IntrospectionClaimsOptions {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  nowSeconds: number;
}

/**
 * The introspection endpoint vouches for the token, but the audience still has to be ours (a token for another
 * API must not work here), so `aud` is required. `iss`, when given, must be our issuer; when absent it is ours.
 */
export function claimsFromIntrospection(response: ActiveIntrospection, options: IntrospectionClaimsOptions): AccessTokenClaims {
  const { active: _active, ...fields } = response;
  const iss = fields['iss'] ?? options.issuer;
  if (iss !== options.issuer) throw new IssuerMismatchError();
  const aud = fields['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(options.audience)) throw new AudienceMismatchError();
  const claims = toAccessTokenClaims({ ...fields, iss }, false);
  if (claims.exp <= options.nowSeconds - options.clockToleranceSeconds) throw new TokenExpiredError();
  const nbf = fields['nbf'];
  if (typeof nbf === 'number' && nbf > options.nowSeconds + options.clockToleranceSeconds) throw new TokenNotYetValidError();
  return claims;
}
