// Algorithm allow-list for JWT access tokens: asymmetric only, RFC 9068 §4 ("none" MUST be rejected) and RFC 8725 §3.1.
import { VerifierConfigurationError } from './errors.ts';

export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'RS256', 'EdDSA', 'PS256']);

// Public-key JWS algorithms jose can verify. A shared-secret (HS*) algorithm would let anyone holding the
// issuer's public key forge tokens, so those are refused even when configured on purpose.
const ASYMMETRIC_ALGORITHMS = new Set([
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
]);

/** Validates the configured list and returns a frozen copy; throws for none, HS*, unknown or empty lists. */
export function checkAlgorithms(algorithms: readonly string[] = DEFAULT_ALGORITHMS): readonly string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new VerifierConfigurationError('algorithms must be a non-empty array');
  }
  for (const algorithm of algorithms) {
    if (typeof algorithm !== 'string') throw new VerifierConfigurationError('algorithms must be strings');
    if (algorithm.toLowerCase() === 'none') {
      throw new VerifierConfigurationError('algorithm "none" is never accepted for access tokens');
    }
    if (/^hs\d+$/i.test(algorithm)) {
      throw new VerifierConfigurationError(`symmetric algorithm "${algorithm}" is refused: tokens must be signed with the issuer's private key`);
    }
    if (!ASYMMETRIC_ALGORITHMS.has(algorithm)) {
      throw new VerifierConfigurationError(`unsupported algorithm "${algorithm}"`);
    }
  }
  return Object.freeze([...new Set(algorithms)]);
}
