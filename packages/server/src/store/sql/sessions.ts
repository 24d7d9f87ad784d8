// SessionStore over SQL. Ending sessions is one transaction: the sessions and their participants are deleted with
// RETURNING (so of two concurrent callers only one sees them) and their logout deliveries are queued. Expired sessions
// end the same way (endExpiredSessions, run by the expiry sweep).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { LogoutDeliveryRecord, SessionRecord } from '../records.ts';
import type { Database, SessionClientsTable, SessionsTable } from '../schema.ts';
import type { SessionStore } from '../session-store.ts';
import { toConsent } from './consents.ts';
import { prepareQuery, slot } from './prepared-query.ts';
import { list, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  const createdAt = num(row.created_at);
  return {
    idHash: row.id_hash, sid: row.sid ?? '', userId: row.user_id, authTime: num(row.auth_time), amr: list(row.amr), userAgent: row.user_agent,
    createdAt, lastActiveAt: numOrNull(row.last_active_at) ?? createdAt, expiresAt: num(row.expires_at),
  };
}

/** Queues a pending delivery for each removed participant whose client has a back-channel logout URI. */
async function queueLogoutIn(trx: Transaction<Database>, participants: Selectable<SessionClientsTable>[], now: number): Promise<LogoutDeliveryRecord[]> {
  if (participants.length === 0) return [];
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
  return queued;
}

/** Deletes the participants of ended sessions (RETURNING: of concurrent callers one gets them) and queues their logouts. */
async function forgetParticipantsIn(trx: Transaction<Database>, ended: SessionRecord[], now: number): Promise<LogoutDeliveryRecord[]> {
  const sids = ended.map((s) => s.sid).filter((sid) => sid !== '');
  if (sids.length === 0) return [];
  return queueLogoutIn(trx, await trx.deleteFrom('session_clients').where('sid', 'in', sids).returningAll().execute(), now);
}

/**
 * Ends up to `batch` expired sessions the way deleteSessions ends live ones: their clients get a back-channel logout
 * (Back-Channel Logout 1.0 §2: the OP tells RPs when the session ends, expiry included). Returns how many ended.
 */
export async function endExpiredSessions(db: Kysely<Database>, now: number, batch: number): Promise<number> {
  const due = await db.selectFrom('sessions').select('id_hash').where('expires_at', '<', now).limit(batch).execute();
  if (due.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const ended = (await trx.deleteFrom('sessions').where('id_hash', 'in', due.map((d) => d.id_hash)).where('expires_at', '<', now)
      .returningAll().execute()).map(toSession);
    await forgetParticipantsIn(trx, ended, now);
    return ended.length;
  });
}

export function sqlSessionStore({ db }: SqlDatabase): SessionStore {
  // An authorization request's read, compiled once (prepared-query.ts).
  const sessionWithConsent = prepareQuery((q) => q.selectFrom('sessions as s')
    .leftJoin('consents as c', (join) => join.onRef('c.user_id', '=', 's.user_id').on('c.client_id', '=', slot<string>('clientId')))
    .selectAll('s').select(['c.scopes as c_scopes', 'c.granted_at as c_granted_at', 'c.updated_at as c_updated_at'])
    .where('s.id_hash', '=', slot<string>('idHash')).where('s.expires_at', '>', slot<number>('now')));

  return {
    async createSession(s) {
      await db.insertInto('sessions').values({
        id_hash: s.idHash, sid: s.sid, user_id: s.userId, auth_time: s.authTime, amr: JSON.stringify(s.amr), user_agent: s.userAgent, created_at: s.createdAt,
        last_active_at: s.lastActiveAt, expires_at: s.expiresAt,
      }).execute();
    },

    async getSession(idHash, now) {
      const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row && toSession(row);
    },

    async getSessionWithConsent(idHash, clientId, now) {
      const [row] = await sessionWithConsent.run(db, { clientId, idHash, now });
      if (!row) return undefined;
      const session = toSession(row);
      const consent = row.c_scopes === null ? undefined : toConsent({
        user_id: session.userId, client_id: clientId, scopes: row.c_scopes, granted_at: row.c_granted_at!, updated_at: row.c_updated_at!,
      });
      return { session, consent };
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
        return { ended, queued: await forgetParticipantsIn(trx, ended, now) };
      });
    },
  };
}
