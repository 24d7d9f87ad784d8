// InteractionStore over SQL.
import type { Selectable } from 'kysely';
import type { InteractionStore } from '../interaction-store.ts';
import type { InteractionRecord } from '../records.ts';
import type { InteractionsTable } from '../schema.ts';
import { list, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toInteraction(row: Selectable<InteractionsTable>): InteractionRecord {
  return {
    id: row.id, browserHash: row.browser_hash, clientId: row.client_id, request: row.request, userId: row.user_id,
    authTime: numOrNull(row.auth_time), amr: row.amr === null ? null : list(row.amr), createdAt: num(row.created_at), expiresAt: num(row.expires_at),
  };
}

export function sqlInteractionStore({ db }: SqlDatabase): InteractionStore {
  return {
    async createInteraction(i) {
      await db.insertInto('interactions').values({
        id: i.id, browser_hash: i.browserHash, client_id: i.clientId, request: i.request, user_id: i.userId,
        auth_time: i.authTime, amr: i.amr === null ? null : JSON.stringify(i.amr), created_at: i.createdAt, expires_at: i.expiresAt,
      }).execute();
    },

    async getInteraction(id, now) {
      const row = await db.selectFrom('interactions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
      return row && toInteraction(row);
    },

    // DELETE ... RETURNING: of two concurrent submissions only one gets the row.
    async consumeInteraction(id, now) {
      const row = await db.deleteFrom('interactions').where('id', '=', id).where('expires_at', '>', now).returningAll().executeTakeFirst();
      return row && toInteraction(row);
    },
  };
}
