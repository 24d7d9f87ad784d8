// The resource's identifier, validated as RFC 8707 §2 requires (an absolute URI without a fragment) and kept verbatim.
import { VerifierConfigurationError } from './errors.ts';

/**
 * Returns `audience` unchanged when it is an absolute URI without a fragment. It is never normalised: `aud` is
 * compared with it exactly (RFC 9068 §4), so `https://api.example` and `https://api.example/` are different resources.
 */
export function checkResourceIdentifier(audience: unknown): string {
  if (typeof audience !== 'string' || audience === '') throw new VerifierConfigurationError('audience must be a non-empty string');
  // RFC 3986 §4.3 absolute-URI: a scheme, then ':'; URL.canParse also refuses spaces and control characters.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(audience) || !URL.canParse(audience) || /[\s\x00-\x1F\x7F]/.test(audience)) {
    throw new VerifierConfigurationError('audience must be an absolute URI (RFC 8707 §2), e.g. https://api.example');
  }
  if (audience.includes('#')) throw new VerifierConfigurationError('audience must not contain a fragment (RFC 8707 §2)');
  return audience;
}
