// Grants (refresh-token families) and their refresh tokens, keyed by the SHA-256 of the token (RFC 9700 §4.14.2).
import type { GrantRecord, RefreshTokenRecord, RotateRefreshResult } from './records.ts';

export interface GrantStore {
  /** Stores the grant and its first refresh token (if any) in one transaction. */
  createGrant(grant: GrantRecord, firstRefreshToken: RefreshTokenRecord | null): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** The refresh token and its grant, whatever their state (for revocation and introspection). */
  getRefreshToken(tokenHash: string): Promise<(RefreshTokenRecord & { grant: GrantRecord }) | undefined>;
  /**
   * Rotates in one transaction: marks the token rotated, records `next` as its successor and stores it. Presenting a
   * rotated token revokes the family and reports reuse, except a retry: within `retryWindow` seconds of the rotation,
   * while its successor was never used, the successor is superseded (marked rotated with no successor of its own, so
   * presenting it later is reuse) and `next` takes its place; the family keeps exactly one live token.
   */
  rotateRefreshToken(oldHash: string, next: RefreshTokenRecord, now: number, retryWindow?: number): Promise<RotateRefreshResult>;
  /** Revokes the whole family: the grant and all its refresh tokens. */
  revokeGrant(id: string, now: number): Promise<boolean>;
  /** Revokes every live grant of a user for a client (the account page's "Revoke access"). */
  revokeGrantsFor(userId: string, clientId: string, now: number): Promise<number>;
  /** Revokes every live grant of a client, whoever the user (an operator blocking the client); returns how many. */
  revokeClientGrants(clientId: string, now: number): Promise<number>;
  listActiveGrants(userId: string, now: number): Promise<GrantRecord[]>;
}
