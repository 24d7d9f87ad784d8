// LogoutDeliveryStore over SQL: the claim is a conditional UPDATE per candidate row (still pending, due, and not
// leased or its lease expired), so exactly one claimant wins each row on SQLite and PostgreSQL alike.
import type { Selectable } from 'kysely';
import type { LogoutDeliveryStore } from '../logout-delivery-store.ts';
import type { LogoutDeliveryRecord, LogoutDeliveryStatus } from '../records.ts';
import type { LogoutDeliveriesTable } from '../schema.ts';
import { num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toDelivery(row: Selectable<LogoutDeliveriesTable>): LogoutDeliveryRecord {
  return {
    id: row.id, clientId: row.client_id, userId: row.user_id, sid: row.sid, uri: row.uri, status: row.status as LogoutDeliveryStatus,
    attempts: num(row.attempts), nextAttemptAt: num(row.next_attempt_at), leaseOwner: row.lease_owner, leaseUntil: numOrNull(row.lease_until),
    lastError: row.last_error, createdAt: num(row.created_at), finishedAt: numOrNull(row.finished_at),
  };
}

export function sqlLogoutDeliveryStore({ db }: SqlDatabase): LogoutDeliveryStore {
  return {
    async claimLogoutDeliveries(owner, now, leaseSeconds, limit) {
      const candidates = await db.selectFrom('logout_deliveries').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('next_attempt_at').limit(limit).execute();
      const claimed: LogoutDeliveryRecord[] = [];
      for (const { id } of candidates) {
        const row = await db.updateTable('logout_deliveries').set({ lease_owner: owner, lease_until: now + leaseSeconds })
          .where('id', '=', id).where('status', '=', 'pending')
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
          .returningAll().executeTakeFirst();
        if (row) claimed.push(toDelivery(row));
      }
      return claimed;
    },

    async recordLogoutDeliveryOutcome(id, owner, outcome, now) {
      const finished = outcome.status !== 'retry';
      const r = await db.updateTable('logout_deliveries')
        .set((eb) => ({
          status: outcome.status === 'retry' ? 'pending' : outcome.status,
          attempts: eb('attempts', '+', 1),
          next_attempt_at: outcome.status === 'retry' ? outcome.nextAttemptAt : now,
          lease_owner: null, lease_until: null,
          last_error: outcome.status === 'delivered' ? null : outcome.error.slice(0, 500),
          finished_at: finished ? now : null,
        }))
        .where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'pending').executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async listLogoutDeliveries({ status, limit }) {
      let query = db.selectFrom('logout_deliveries').selectAll();
      if (status !== undefined) query = query.where('status', '=', status);
      return (await query.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()).map(toDelivery);
    },
  };
}
