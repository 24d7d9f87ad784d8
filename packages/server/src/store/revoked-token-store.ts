// Revoked access tokens (RFC 7009 §2): JWT ids remembered until the token would have expired.
export interface RevokedTokenStore {
  /** Idempotent. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;
  /**
   * In one round trip: the token id is not revoked and, when the token came from a grant, that grant is neither revoked
   * nor expired at `now` (RFC 7662 §2.2 "active", RFC 7009 §2: revoking a grant ends its access tokens).
   */
  isAccessTokenLive(jti: string, grantId: string | undefined, now: number): Promise<boolean>;
}
