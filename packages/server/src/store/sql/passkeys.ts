// PasskeyStore over SQL: the counter moves forward in one conditional UPDATE; a challenge is taken by DELETE ... RETURNING.
import type { Selectable } from 'kysely';
import type { PasskeyStore } from '../passkey-store.ts';
import type { PasskeyRecord, WebAuthnPurpose } from '../records.ts';
import type { PasskeysTable } from '../schema.ts';
import { conflictAware, list, lockRows, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toPasskey(row: Selectable<PasskeysTable>): PasskeyRecord {
  return {
    id: row.id, userId: row.user_id, name: row.name, publicKey: row.public_key, counter: num(row.counter), transports: list(row.transports),
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice', backedUp: num(row.backed_up) === 1,
    createdAt: num(row.created_at), lastUsedAt: numOrNull(row.last_used_at),
  };
}

export function sqlPasskeyStore({ db, kind }: SqlDatabase): PasskeyStore {
  return {
    async createPasskey(p) {
      await conflictAware('passkey', () => db.insertInto('passkeys').values({
        id: p.id, user_id: p.userId, name: p.name, public_key: p.publicKey, counter: p.counter, transports: JSON.stringify(p.transports),
        device_type: p.deviceType, backed_up: p.backedUp ? 1 : 0, created_at: p.createdAt, last_used_at: p.lastUsedAt,
      }).execute());
    },

    async getPasskey(id) {
      const row = await db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPasskey(row);
    },

    async listPasskeys(userId) {
      return (await db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()).map(toPasskey);
    },

    async updatePasskeyUse(id, use) {
      const r = await db.updateTable('passkeys').set({ counter: use.counter, backed_up: use.backedUp ? 1 : 0, last_used_at: use.at })
        .where('id', '=', id)
        .where('counter', use.counter === 0 ? '=' : '<', use.counter)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async deletePasskey(userId, id) {
      const r = await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async deletePasskeyKeepingSignIn(userId, id) {
      return db.transaction().execute(async (trx) => {
        const user = await lockRows(kind, trx.selectFrom('users').select('password_hash').where('id', '=', userId)).executeTakeFirst();
        if (!user) return 'unknown';
        const ids = (await trx.selectFrom('passkeys').select('id').where('user_id', '=', userId).execute()).map((r) => r.id);
        if (!ids.includes(id)) return 'unknown';
        if (user.password_hash === '' && ids.length === 1) return 'last';
        await trx.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).execute();
        return 'removed';
      });
    },

    async removePasswordOfPasskeyUser(userId, now) {
      return db.transaction().execute(async (trx) => {
        const user = await lockRows(kind, trx.selectFrom('users').select('id').where('id', '=', userId)).executeTakeFirst();
        const passkey = await trx.selectFrom('passkeys').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
        if (!user || !passkey) return false;
        await trx.updateTable('users').set({ password_hash: '', updated_at: now }).where('id', '=', userId).execute();
        return true;
      });
    },

    async createWebAuthnChallenge(c) {
      await db.insertInto('webauthn_challenges').values({
        challenge_hash: c.challengeHash, browser_hash: c.browserHash, purpose: c.purpose, user_id: c.userId, created_at: c.createdAt, expires_at: c.expiresAt,
      }).execute();
    },

    async consumeWebAuthnChallenge(challengeHash, browserHash, purpose, now) {
      const row = await db.deleteFrom('webauthn_challenges').where('challenge_hash', '=', challengeHash).where('browser_hash', '=', browserHash)
        .where('purpose', '=', purpose).where('expires_at', '>', now).returningAll().executeTakeFirst();
      return row && {
        challengeHash: row.challenge_hash, browserHash: row.browser_hash, purpose: row.purpose as WebAuthnPurpose, userId: row.user_id,
        createdAt: num(row.created_at), expiresAt: num(row.expires_at),
      };
    },
  };
}
