// Standard claims by scope: OpenID Connect Core §5.1 and §5.4 (profile, email, phone, address). UserInfo (§5.3)
// always returns them; the ID token carries them too unless the client chose UserInfo only (§5.4 allows both).
import type { UserRecord } from '../store/records.ts';

/** Every claim this server can put in an ID token or a UserInfo response, for discovery. */
export const CLAIMS_SUPPORTED = [
  'sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'azp', 'at_hash', 'sid', 'amr', 'acr', 'name', 'preferred_username', 'updated_at', 'email',
  'email_verified', 'phone_number', 'phone_number_verified', 'address',
] as const;

/** `sub` and the claims of the granted scopes that the user has (a claim the user lacks is left out, §5.3.2). */
export function userClaims(user: UserRecord, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    if (user.name !== null) claims.name = user.name;
    claims.updated_at = user.updatedAt;
  }
  if (scopes.includes('email') && user.email !== null) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  if (scopes.includes('phone') && user.phoneNumber !== null) {
    claims.phone_number = user.phoneNumber;
    claims.phone_number_verified = user.phoneNumberVerified;
  }
  if (scopes.includes('address') && user.address !== null) claims.address = { formatted: user.address };
  return claims;
}

/** The scope claims an ID token carries for this client: all of them by default, none when it chose UserInfo only. */
export function idTokenUserClaims(user: UserRecord, scopes: readonly string[], idTokenClaims: boolean): Record<string, unknown> {
  if (!idTokenClaims) return {};
  const { sub: _sub, ...claims } = userClaims(user, scopes);
  return claims;
}
