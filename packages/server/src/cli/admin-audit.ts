// Admin CLI actions in the audit trail: every command that changes clients, users, APIs or keys records an event with
// `by: "cli"` and the operating-system user as `actor`, and appends its line to LATCHKEY_AUDIT_LOG_STREAM when that
// is a file (`stdout` is the command's own output, so the CLI never writes events there).
import { auditSinkFor, withAuditTrail } from '../audit-trail/audit-trail.ts';
import type { AuditEventType } from '../audit-trail/audit-event-types.ts';
import { unixNow } from '../server-context.ts';
import type { AuditStore } from '../store/audit-store.ts';
import type { CliIo } from './command-context.ts';

/** `store` whose audit events also go to the configured audit file. */
export function cliAuditStore<S extends AuditStore>(store: S, io: CliIo): S {
  const setting = io.env.LATCHKEY_AUDIT_LOG_STREAM ?? '';
  return withAuditTrail(store, setting === 'stdout' ? undefined : auditSinkFor(setting), (error) => {
    io.stderr(`latchkey: warning: could not write the audit stream: ${(error as Error).message}\n`);
  });
}

export async function recordAdminAction(
  store: AuditStore, io: CliIo, type: AuditEventType, fields: { clientId?: string; userId?: string; detail?: Record<string, unknown> },
): Promise<void> {
  const actor = io.env.SUDO_USER || io.env.USER || io.env.USERNAME || 'unknown';
  await cliAuditStore(store, io).recordAuditEvent({
    type, clientId: fields.clientId ?? null, userId: fields.userId ?? null, detail: { ...fields.detail, by: 'cli', actor },
  }, unixNow());
}
