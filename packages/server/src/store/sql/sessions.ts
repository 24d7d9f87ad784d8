// SessionStore over SQL.
import type { SessionStore } from '../session-store.ts';
import { list, num, type SqlDatabase } from './sql-database.ts';

export function sqlSessionStore({ db }: SqlDatabase): SessionStore {
  return {
    async createSession(s) {
      await db.insertInto('sessions').values({
        id_hash: s.idHash, user_id: s.userId, auth_time: s.authTime, amr: JSON.stringify(s.amr), created_at: s.createdAt, expires_at: s.expiresAt,
      }).execute();
    },

    async getSession(idHash, now) {
      const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row && {
        idHash: row.id_hash, userId: row.user_id, authTime: num(row.auth_time), amr: list(row.amr), createdAt: num(row.created_at), expiresAt: num(row.expires_at),
      };
    },

    async deleteSession(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
  };
}
