// RFC 6749 §3.3: scope is a space-delimited list of case-sensitive scope tokens.
import { InvalidScope } from './errors.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** OpenID Connect Core §5.4 and §11 scopes this server understands. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'] as const;

/**
 * OpenID Connect Core §11: `offline_access` asks for a refresh token. Any client registered for the refresh_token
 * grant may ask for it without listing it among its scopes; for a client that never gets refresh tokens it means
 * nothing and is ignored (dropped from the request), never refused, since many libraries send it by default.
 * Refresh tokens themselves do not depend on it (docs/decisions.md 2026-11-29, "offline_access").
 */
export function applyOfflineAccess(scopes: readonly string[], clientGrantTypes: readonly string[]): { scopes: string[]; allowed: (scope: string) => boolean } {
  const refreshable = clientGrantTypes.includes('refresh_token');
  return {
    scopes: refreshable ? [...scopes] : scopes.filter((s) => s !== 'offline_access'),
    allowed: (scope) => scope === 'offline_access' && refreshable,
  };
}

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
