// ConsentStore over SQL: scopes are added under a row lock, so concurrent consents never lose each other's scopes.
import type { Selectable } from 'kysely';
import type { ConsentStore } from '../consent-store.ts';
import type { ConsentRecord } from '../records.ts';
import type { ConsentsTable } from '../schema.ts';
import { list, lockRows, num, type SqlDatabase } from './sql-database.ts';

export function toConsent(row: Selectable<ConsentsTable>): ConsentRecord {
  return { userId: row.user_id, clientId: row.client_id, scopes: list(row.scopes), grantedAt: num(row.granted_at), updatedAt: num(row.updated_at) };
}

export function sqlConsentStore({ db, kind }: SqlDatabase): ConsentStore {
  return {
    async getConsent(userId, clientId) {
      const row = await db.selectFrom('consents').selectAll().where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return row && toConsent(row);
    },

    async addConsentScopes(userId, clientId, scopes, now) {
      return db.transaction().execute(async (trx) => {
        // Make sure the row exists first, so there is always a row to lock: with only SELECT ... FOR UPDATE, two
        // PostgreSQL transactions adding to a consent that does not exist yet both read nothing and the later
        // upsert overwrites the earlier one's scopes. A concurrent insert makes this one wait, then do nothing.
        await trx.insertInto('consents').values({ user_id: userId, client_id: clientId, scopes: '[]', granted_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['user_id', 'client_id']).doNothing()).execute();
        const existing = await lockRows(kind, trx.selectFrom('consents').selectAll()
          .where('user_id', '=', userId).where('client_id', '=', clientId)).executeTakeFirstOrThrow();
        const merged = [...new Set([...list(existing.scopes), ...scopes])].sort();
        const grantedAt = num(existing.granted_at);
        await trx.updateTable('consents').set({ scopes: JSON.stringify(merged), updated_at: now })
          .where('user_id', '=', userId).where('client_id', '=', clientId).execute();
        return { userId, clientId, scopes: merged, grantedAt, updatedAt: now };
      });
    },

    async listConsents(userId) {
      const rows = await db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('granted_at').execute();
      return rows.map(toConsent);
    },

    async deleteConsent(userId, clientId) {
      const r = await db.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
