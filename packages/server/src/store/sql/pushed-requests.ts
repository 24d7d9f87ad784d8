// PushedRequestStore over SQL.
import type { Selectable } from 'kysely';
import type { PushedRequestStore } from '../pushed-request-store.ts';
import type { PushedRequestRecord } from '../records.ts';
import type { PushedRequestsTable } from '../schema.ts';
import { num, type SqlDatabase } from './sql-database.ts';

function toPushedRequest(row: Selectable<PushedRequestsTable>): PushedRequestRecord {
  return { uriHash: row.uri_hash, clientId: row.client_id, request: row.request, createdAt: num(row.created_at), expiresAt: num(row.expires_at) };
}

export function sqlPushedRequestStore({ db }: SqlDatabase): PushedRequestStore {
  return {
    async createPushedRequest(r) {
      await db.insertInto('pushed_requests').values({
        uri_hash: r.uriHash, client_id: r.clientId, request: r.request, created_at: r.createdAt, expires_at: r.expiresAt,
      }).execute();
    },

    // DELETE ... RETURNING with the client and expiry in the condition: one winner, and nobody else burns it.
    async consumePushedRequest(uriHash, clientId, now) {
      const row = await db.deleteFrom('pushed_requests').where('uri_hash', '=', uriHash).where('client_id', '=', clientId)
        .where('expires_at', '>', now).returningAll().executeTakeFirst();
      return row && toPushedRequest(row);
    },
  };
}
