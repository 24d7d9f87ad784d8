// Removal of expired rows by the server itself (no separate janitor job).
/** How long audit events are kept: security events, and the diagnostic `request.failed` events. */
export interface AuditRetention {
  auditSeconds: number;
  diagnosticSeconds: number;
}

export const DEFAULT_AUDIT_RETENTION: AuditRetention = { auditSeconds: 90 * 86400, diagnosticSeconds: 7 * 86400 };

export interface ExpiryStore {
  /** Deletes a bounded batch of expired rows of every kind; returns how many went. */
  deleteExpired(now: number, batchSize: number, retention?: AuditRetention): Promise<number>;
}
