// The audit trail: append-only security events (sign-ins, token reuse, revocations).
import type { AuditEvent } from './records.ts';

export interface AuditStore {
  recordAuditEvent(event: AuditEvent, now: number): Promise<void>;
}
