// Grants (refresh-token families) and their refresh tokens, keyed by the SHA-256 of the token (RFC 9700 §4.14.2).
import type { GrantRecord, RefreshTokenRecord, RotateRefreshResult, UserRecord } from './records.ts';

/** The most answers one refresh token gets (its rotation and the grace answers): the bound on a family's live tokens. */
export const MAX_ANSWERS_PER_REFRESH_TOKEN = 5;

export interface GrantStore {
  /** Stores the grant and its first refresh token (if any) in one transaction. */
  createGrant(grant: GrantRecord, firstRefreshToken: RefreshTokenRecord | null): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** The refresh token and its grant, whatever their state (for revocation and introspection). */
  getRefreshToken(tokenHash: string): Promise<(RefreshTokenRecord & { grant: GrantRecord }) | undefined>;
  /** The same with the grant's user, in one read (the refresh grant); a grant's user always exists (cascading delete). */
  getRefreshTokenWithUser(tokenHash: string): Promise<(RefreshTokenRecord & { grant: GrantRecord; user: UserRecord }) | undefined>;
  /**
   * Rotates in one transaction: marks the token rotated, records `next` as its successor and stores it as an answer
   * to the token (its parent); the other answers given for the token's own parent, unused, retire (the client kept
   * this one). Presenting a rotated token revokes the family and reports reuse, except inside the grace window:
   * within `graceWindow` seconds of the rotation, while none of the token's answers was used, `next` is stored as one
   * more answer (`graced`), up to `maxAnswers` answers per token (then `grace_exhausted`, and nothing changes). So a
   * family never has more than `maxAnswers` live tokens, all answers to one token (docs/refresh-tokens.md).
   */
  rotateRefreshToken(oldHash: string, next: RefreshTokenRecord, now: number, graceWindow?: number, maxAnswers?: number): Promise<RotateRefreshResult>;
  /** Revokes the whole family: the grant and all its refresh tokens. */
  revokeGrant(id: string, now: number): Promise<boolean>;
  /** Revokes every live grant of a user for a client (the account page's "Revoke access"). */
  revokeGrantsFor(userId: string, clientId: string, now: number): Promise<number>;
  /** Revokes every live grant of a client, whoever the user (an operator blocking the client); returns how many. */
  revokeClientGrants(clientId: string, now: number): Promise<number>;
  listActiveGrants(userId: string, now: number): Promise<GrantRecord[]>;
}
