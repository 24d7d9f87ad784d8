// Login (single sign-on) sessions, keyed by the SHA-256 of the session cookie, with their public id (`sid`) and the
// clients that took part in each (OpenID Connect Back-Channel Logout 1.0 §2.3). Ending sessions queues a logout
// token delivery for every participating client with a back-channel logout URI, in the same transaction (§2.5).
import type { ConsentRecord, LogoutDeliveryRecord, SessionClientRecord, SessionRecord } from './records.ts';

/** Which sessions to end: the browser's (by cookie hash), one of a user's by sid, or all of a user's. */
export type SessionSelector = { idHash: string } | { userId: string; sid: string } | { userId: string };

export interface EndedSessions {
  ended: SessionRecord[];
  /** The deliveries queued for the ended sessions' clients (status pending, due now). */
  queued: LogoutDeliveryRecord[];
}

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  /** The session, unless it is unknown or expired. */
  getSession(idHash: string, now: number): Promise<SessionRecord | undefined>;
  /** The same, with its user's consent for `clientId` (undefined: none yet), in one read (an authorization request). */
  getSessionWithConsent(idHash: string, clientId: string, now: number): Promise<{ session: SessionRecord; consent: ConsentRecord | undefined } | undefined>;
  /** A user's live sessions, most recently active first. */
  listSessionsForUser(userId: string, now: number): Promise<SessionRecord[]>;
  /** Sets lastActiveAt to now; false when the session is gone. */
  updateSessionLastActive(idHash: string, now: number): Promise<boolean>;
  /** Records that a client took part in a session (idempotent). */
  addSessionClient(participant: SessionClientRecord): Promise<void>;
  /** The clients that took part in a session, oldest first. */
  listSessionClients(sid: string): Promise<SessionClientRecord[]>;
  /** Removes the session without telling anyone (no back-channel logout). */
  deleteSession(idHash: string): Promise<void>;
  /**
   * Ends the selected sessions (expired ones too) and, in the same transaction, forgets their participants and queues a
   * pending logout delivery for each participant that registered a back-channel logout URI.
   */
  deleteSessions(selector: SessionSelector, now: number): Promise<EndedSessions>;
}
