// Formats a `WWW-Authenticate` challenge: RFC 6750 §3 Bearer, RFC 9449 §7.1 DPoP (with algs), RFC 9728 §5.1
// resource_metadata, in the auth-param syntax of RFC 9110 §11.2.
import type { AuthScheme, BearerChallengeError } from './errors.ts';

export interface BearerChallenge {
  /** Default 'Bearer'. */
  scheme?: AuthScheme;
  realm: string;
  error?: BearerChallengeError;
  errorDescription?: string;
  /** Space-separated scopes (RFC 6750 §3): those a refused request needs (insufficient_scope), or on 401 the ones configured. */
  scope?: string;
  /** URL of the RFC 9728 protected resource metadata (RFC 9728 §5.1 `resource_metadata`). */
  resourceMetadata?: string | undefined;
  /** JWS algorithms accepted for DPoP proofs (RFC 9449 §7.1 `algs`). */
  algs?: readonly string[] | undefined;
}

// RFC 6750 §3: error and error_description values use %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
const NOT_DESCRIPTION_CHARACTER = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;
// RFC 6750 §3 scope-token: %x21 / %x23-5B / %x5D-7E; scopes (and algs) are joined by single spaces.
const NOT_SCOPE_CHARACTER = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;
// RFC 9110 §5.6.4 quoted-string: anything printable, with `"` and `\` escaped; control characters are dropped.
const CONTROL_CHARACTER = /[\x00-\x1F\x7F]/g;

function quoted(value: string): string {
  return `"${value.replace(CONTROL_CHARACTER, '').replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

/** Builds one challenge; every attribute is re-sanitised, so nothing can break out of its quotes or the header. */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  const attributes = [`realm=${quoted(challenge.realm)}`];
  if (challenge.error !== undefined) attributes.push(`error="${challenge.error}"`);
  if (challenge.errorDescription !== undefined) {
    attributes.push(`error_description="${challenge.errorDescription.replace(NOT_DESCRIPTION_CHARACTER, '')}"`);
  }
  if (challenge.scope !== undefined) attributes.push(`scope="${challenge.scope.replace(NOT_SCOPE_CHARACTER, '')}"`);
  if (challenge.resourceMetadata !== undefined) attributes.push(`resource_metadata=${quoted(challenge.resourceMetadata)}`);
  if (challenge.algs !== undefined) attributes.push(`algs="${challenge.algs.join(' ').replace(NOT_SCOPE_CHARACTER, '')}"`);
  return `${challenge.scheme ?? 'Bearer'} ${attributes.join(', ')}`;
}
