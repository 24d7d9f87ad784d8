// UserStore over SQL.
import type { Selectable } from 'kysely';
import type { UserRecord } from '../records.ts';
import type { UsersTable } from '../schema.ts';
import type { UserStore } from '../user-store.ts';
import { conflictAware, num, type SqlDatabase } from './sql-database.ts';

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id, username: row.username, email: row.email, emailVerified: num(row.email_verified) === 1, name: row.name,
    phoneNumber: row.phone_number, phoneNumberVerified: num(row.phone_number_verified) === 1, address: row.address,
    // '' marks a removed password: the column stays NOT NULL on both databases (SQLite cannot drop the constraint).
    passwordHash: row.password_hash === '' ? null : row.password_hash,
    createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

/** A user's columns read through a join, prefixed `u_` (the joined table has an id and a created_at of its own). */
export const USER_JOIN_COLUMNS = [
  'u.id as u_id', 'u.username as u_username', 'u.email as u_email', 'u.email_verified as u_email_verified', 'u.name as u_name',
  'u.phone_number as u_phone_number', 'u.phone_number_verified as u_phone_number_verified', 'u.address as u_address',
  'u.password_hash as u_password_hash', 'u.created_at as u_created_at', 'u.updated_at as u_updated_at',
] as const;

type JoinedUser = { [K in keyof UsersTable as `u_${K & string}`]: Selectable<UsersTable>[K] };

/** The user of a row read with USER_JOIN_COLUMNS. */
export function toJoinedUser(row: JoinedUser): UserRecord {
  return toUser({
    id: row.u_id, username: row.u_username, email: row.u_email, email_verified: row.u_email_verified, name: row.u_name,
    phone_number: row.u_phone_number, phone_number_verified: row.u_phone_number_verified, address: row.u_address,
    password_hash: row.u_password_hash, created_at: row.u_created_at, updated_at: row.u_updated_at,
  });
}

export function sqlUserStore({ db }: SqlDatabase): UserStore {
  return {
    async createUser(u) {
      await conflictAware(`user ${u.username}`, () => db.insertInto('users').values({
        id: u.id, username: u.username, email: u.email, email_verified: u.emailVerified ? 1 : 0, name: u.name,
        phone_number: u.phoneNumber, phone_number_verified: u.phoneNumberVerified ? 1 : 0, address: u.address, password_hash: u.passwordHash ?? '',
        created_at: u.createdAt, updated_at: u.updatedAt,
      }).execute());
    },

    async getUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async findUserByUsername(username) {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && toUser(row);
    },

    async listUsers() {
      return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
    },

    async updateUserPassword(id, passwordHash, now) {
      const r = await db.updateTable('users').set({ password_hash: passwordHash ?? '', updated_at: now }).where('id', '=', id).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    // Sessions, consents, codes, grants and refresh tokens go with them (ON DELETE CASCADE).
    async deleteUser(id) {
      const r = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
