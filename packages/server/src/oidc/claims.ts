// Standard claims by scope: OpenID Connect Core §5.1 and §5.4 (profile, email). They are returned from the
// UserInfo endpoint (§5.3), since the code flow always issues an access token.
import type { UserRecord } from '../store/records.ts';

/** Every claim this server can put in an ID token or a UserInfo response, for discovery. */
export const CLAIMS_SUPPORTED = [
  'sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'azp', 'at_hash', 'name', 'preferred_username', 'updated_at', 'email',
] as const;

export function userClaims(user: UserRecord, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    if (user.name !== null) claims.name = user.name;
    claims.updated_at = user.updatedAt;
  }
  if (scopes.includes('email') && user.email !== null) claims.email = user.email;
  return claims;
}
