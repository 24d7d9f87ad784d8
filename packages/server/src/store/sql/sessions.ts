// SessionStore over SQL. Ending sessions is one transaction: the sessions and their participants are deleted with
// RETURNING (so of two concurrent callers only one sees them) and their logout deliveries are queued.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { LogoutDeliveryRecord, SessionRecord } from '../records.ts';
import type { SessionsTable } from '../schema.ts';
import type { SessionStore } from '../session-store.ts';
import { num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  const createdAt = num(row.created_at);
  return {
    idHash: row.id_hash, sid: row.sid ?? '', userId: row.user_id, authTime: num(row.auth_time), userAgent: row.user_agent,
    createdAt, lastActiveAt: numOrNull(row.last_active_at) ?? createdAt, expiresAt: num(row.expires_at),
  };
}

export function sqlSessionStore({ db }: SqlDatabase): SessionStore {
  return {
    async createSession(s) {
      await db.insertInto('sessions').values({
        id_hash: s.idHash, sid: s.sid, user_id: s.userId, auth_time: s.authTime, user_agent: s.userAgent, created_at: s.createdAt,
        last_active_at: s.lastActiveAt, expires_at: s.expiresAt,
      }).execute();
    },

    async getSession(idHash, now) {
      const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row && toSession(row);
    },

    async listSessionsForUser(userId, now) {
      const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('expires_at', '>', now)
        .orderBy('last_active_at', 'desc').orderBy('created_at', 'desc').execute();
      return rows.map(toSession);
    },

    async updateSessionLastActive(idHash, now) {
      const r = await db.updateTable('sessions').set({ last_active_at: now }).where('id_hash', '=', idHash).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async addSessionClient(p) {
      await db.insertInto('session_clients').values({ sid: p.sid, client_id: p.clientId, user_id: p.userId, created_at: p.createdAt })
        .onConflict((oc) => oc.columns(['sid', 'client_id']).doNothing()).execute();
    },

    async listSessionClients(sid) {
      const rows = await db.selectFrom('session_clients').selectAll().where('sid', '=', sid).orderBy('created_at').orderBy('client_id').execute();
      return rows.map((r) => ({ sid: r.sid, clientId: r.client_id, userId: r.user_id, createdAt: num(r.created_at) }));
    },

    async deleteSession(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    async deleteSessions(selector, now) {
      return db.transaction().execute(async (trx) => {
        let query = trx.deleteFrom('sessions');
        if ('idHash' in selector) query = query.where('id_hash', '=', selector.idHash);
        else {
          query = query.where('user_id', '=', selector.userId);
          if ('sid' in selector) query = query.where('sid', '=', selector.sid);
        }
        const ended = (await query.returningAll().execute()).map(toSession);
        const sids = ended.map((s) => s.sid).filter((sid) => sid !== '');
        if (sids.length === 0) return { ended, queued: [] };
        const participants = await trx.deleteFrom('session_clients').where('sid', 'in', sids).returningAll().execute();
        if (participants.length === 0) return { ended, queued: [] };
        const clients = await trx.selectFrom('clients').select(['id', 'backchannel_logout_uri'])
          .where('id', 'in', [...new Set(participants.map((p) => p.client_id))]).where('backchannel_logout_uri', 'is not', null).execute();
        const uris = new Map(clients.map((c) => [c.id, c.backchannel_logout_uri as string]));
        const queued: LogoutDeliveryRecord[] = [];
        for (const p of participants) {
          const uri = uris.get(p.client_id);
          if (uri === undefined) continue;
          queued.push({
            id: randomUUID(), clientId: p.client_id, userId: p.user_id, sid: p.sid, uri, status: 'pending', attempts: 0, nextAttemptAt: now,
            leaseOwner: null, leaseUntil: null, lastError: null, createdAt: now, finishedAt: null,
          });
        }
        if (queued.length > 0) {
          await trx.insertInto('logout_deliveries').values(queued.map((d) => ({
            id: d.id, client_id: d.clientId, user_id: d.userId, sid: d.sid, uri: d.uri, status: d.status, attempts: 0,
            next_attempt_at: d.nextAttemptAt, lease_owner: null, lease_until: null, last_error: null, created_at: d.createdAt, finished_at: null,
          }))).execute();
        }
        return { ended, queued };
      });
    },
  };
}
