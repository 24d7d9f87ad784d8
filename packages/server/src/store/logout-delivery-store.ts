// The outbox of back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.5). Rows are queued by
// SessionStore.deleteSessions; delivery workers on any instance claim due rows with a lease (a conditional update: one
// claimant wins), so two instances never send the same row at once and a dead instance's rows come back when its
// lease runs out.
import type { LogoutDeliveryRecord, LogoutDeliveryStatus } from './records.ts';

export type LogoutDeliveryOutcome =
  | { status: 'delivered' }
  /** Try again at nextAttemptAt. */
  | { status: 'retry'; error: string; nextAttemptAt: number }
  /** Given up: no more attempts. */
  | { status: 'failed'; error: string };

export interface LogoutDeliveryStore {
  /** Claims up to `limit` due pending rows for `owner` until now + leaseSeconds; each row goes to one claimant. */
  claimLogoutDeliveries(owner: string, now: number, leaseSeconds: number, limit: number): Promise<LogoutDeliveryRecord[]>;
  /** Records an attempt's outcome (attempts + 1) and releases the lease; false when `owner` no longer holds it. */
  recordLogoutDeliveryOutcome(id: string, owner: string, outcome: LogoutDeliveryOutcome, now: number): Promise<boolean>;
  /** Deliveries, newest first; only those of `status` when given. */
  listLogoutDeliveries(options: { status?: LogoutDeliveryStatus; limit: number }): Promise<LogoutDeliveryRecord[]>;
}
