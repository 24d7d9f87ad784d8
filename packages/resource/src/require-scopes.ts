// Scope authorization for verified tokens: every listed scope is required, else RFC 6750 §3.1 insufficient_scope.
import type { AccessTokenClaims } from './access-token-claims.ts';
import { InsufficientScopeError, TokenMissingError, VerifierConfigurationError } from './errors.ts';
import { boundKeyThumbprint } from './token-binding.ts';

export interface ScopeRequirement {
  readonly scopes: readonly string[];
  /** Throws TokenMissingError without claims and InsufficientScopeError when any required scope is absent. */
  check(claims: AccessTokenClaims | null | undefined): AccessTokenClaims;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Framework-neutral; the Fastify and Express adapters wrap it. Throws at construction for empty or malformed scopes. */
export function requireScopes(scopes: readonly string[]): ScopeRequirement {
  // An array, never rest parameters: a lone string would otherwise be read as a list of characters.
  if (!Array.isArray(scopes)) throw new VerifierConfigurationError('requireScopes takes an array of scopes');
  if (scopes.length === 0) throw new VerifierConfigurationError('requireScopes needs at least one scope');
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new VerifierConfigurationError('each required scope must be an RFC 6749 scope-token');
    }
  }
  const required = Object.freeze([...new Set(scopes)]);
  return {
    scopes: required,
    check(claims) {
      if (claims === null || claims === undefined) throw new TokenMissingError();
      const granted = new Set(claims.scopes);
      if (!required.every((scope) => granted.has(scope))) {
        const error = new InsufficientScopeError(required);
        // A DPoP-bound token only ever passes authentication with the DPoP scheme: answer in that scheme.
        if (boundKeyThumbprint(claims) !== undefined) error.scheme = 'DPoP';
        throw error;
      }
      return claims;
    },
  };
}
