// Revoked access tokens (RFC 7009 §2): JWT ids remembered until the token would have expired.
export interface RevokedTokenStore {
  /** Idempotent. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;
}
