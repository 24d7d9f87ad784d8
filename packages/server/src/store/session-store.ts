// Login (single sign-on) sessions, keyed by the SHA-256 of the session cookie.
import type { SessionRecord } from './records.ts';

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  /** The session, unless it is unknown or expired. */
  getSession(idHash: string, now: number): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
}
