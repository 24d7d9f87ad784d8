// RFC 6749 §3.3: scope is a space-delimited list of case-sensitive scope tokens.
import { InvalidScope } from './errors.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** OpenID Connect Core §5.4 scopes this server understands. */
export const OIDC_SCOPES = ['openid', 'profile', 'email'] as const;

export function isOidcScope(scope: string): boolean {
  return (OIDC_SCOPES as readonly string[]).includes(scope);
}

/** Parses a scope parameter into unique tokens in request order; malformed → invalid_scope. */
export function parseScope(value: string | undefined): string[] {
  if (value === undefined) return [];
  const tokens = value.split(' ').filter((t) => t !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw new InvalidScope('scope contains characters that are not allowed in a scope token (RFC 6749 §3.3)');
  }
  return [...new Set(tokens)];
}
