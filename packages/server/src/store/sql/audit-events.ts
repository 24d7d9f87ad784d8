// AuditStore over SQL.
import type { Selectable } from 'kysely';
import { randomId } from '../../crypto/random.ts';
import type { AuditStore } from '../audit-store.ts';
import type { StoredAuditEvent } from '../records.ts';
import type { AuditEventsTable } from '../schema.ts';
import { num, type SqlDatabase } from './sql-database.ts';

let sequence = 0;

/** Ids that sort in recording order within a second (events are listed by `at`, then id): wall-clock milliseconds, a
 *  per-process counter, then randomness so two processes never collide. */
function sortableId(): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `${Date.now().toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomId().slice(0, 16)}`;
}

function toEvent(row: Selectable<AuditEventsTable>): StoredAuditEvent {
  return {
    id: row.id, at: num(row.at), type: row.type, clientId: row.client_id, userId: row.user_id, requestId: row.request_id,
    detail: row.detail ? JSON.parse(row.detail) as Record<string, unknown> : {},
  };
}

export function sqlAuditStore({ db }: SqlDatabase): AuditStore {
  return {
    async recordAuditEvent(event, now) {
      await db.insertInto('audit_events').values({
        id: sortableId(), at: now, type: event.type, client_id: event.clientId ?? null, user_id: event.userId ?? null,
        request_id: event.requestId ?? null, detail: event.detail ? JSON.stringify(event.detail) : null,
      }).execute();
    },

    async listAuditEvents(query) {
      let select = db.selectFrom('audit_events').selectAll();
      if (query.since !== undefined) select = select.where('at', '>=', query.since);
      if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
      if (query.clientId !== undefined) select = select.where('client_id', '=', query.clientId);
      if (query.requestId !== undefined) select = select.where('request_id', '=', query.requestId);
      const types = query.types ?? [];
      if (types.length > 0) {
        select = select.where((eb) => eb.or(types.map((type) => type.endsWith('.*')
          ? eb('type', 'like', `${type.slice(0, -2).replace(/[%_\\]/g, '')}.%`)
          : eb('type', '=', type))));
      }
      const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
      return rows.map(toEvent);
    },
  };
}
