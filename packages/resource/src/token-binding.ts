// The key an access token is bound to: RFC 9449 §6.1 `cnf.jkt` (in the JWT, or the RFC 7662 introspection response, §6.2).
import type { AccessTokenClaims } from './access-token-claims.ts';
import { TokenBindingError } from './errors.ts';

/**
 * The JWK SHA-256 thumbprint the token is bound to, or undefined for an unbound (bearer) token. A `cnf` this kit
 * cannot check (another confirmation method, or a malformed jkt) is refused rather than ignored.
 */
export function boundKeyThumbprint(claims: AccessTokenClaims): string | undefined {
  const cnf = claims['cnf'];
  if (cnf === undefined) return undefined;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['jkt'] : undefined;
  if (typeof jkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jkt)) {
    throw new TokenBindingError('the access token is bound by a confirmation method this resource cannot check');
  }
  return jkt;
}
