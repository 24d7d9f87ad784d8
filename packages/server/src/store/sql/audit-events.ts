// AuditStore over SQL.
import { randomId } from '../../crypto/random.ts';
import type { AuditStore } from '../audit-store.ts';
import type { SqlDatabase } from './sql-database.ts';

export function sqlAuditStore({ db }: SqlDatabase): AuditStore {
  return {
    async recordAuditEvent(event, now) {
      await db.insertInto('audit_events').values({
        id: randomId(), at: now, type: event.type, client_id: event.clientId ?? null, user_id: event.userId ?? null,
        detail: event.detail ? JSON.stringify(event.detail) : null,
      }).execute();
    },
  };
}
