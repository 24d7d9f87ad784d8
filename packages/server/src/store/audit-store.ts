// The audit trail: append-only security events (sign-ins, token reuse, revocations, key and client changes, admin
// actions) and the short-lived diagnostic events of failed requests (`request.failed`), read by `latchkey audit-log`
// and `latchkey explain`.
import type { AuditEvent, StoredAuditEvent } from './records.ts';

/** Filters of `listAuditEvents`; all optional but the limit. */
export interface AuditQuery {
  /** Events at or after this Unix time. */
  since?: number;
  userId?: string;
  clientId?: string;
  /** Any of these types; a type ending in `.*` matches its whole family (`login.*`). */
  types?: string[];
  requestId?: string;
  limit: number;
}

export interface AuditStore {
  recordAuditEvent(event: AuditEvent, now: number): Promise<void>;
  /** Matching events, newest first, at most `limit`. */
  listAuditEvents(query: AuditQuery): Promise<StoredAuditEvent[]>;
}
