// SigningKeyStore over SQL: a new key retires the active one of its alg in the same transaction.
import type { Selectable } from 'kysely';
import type { SigningAlg, SigningKeyRecord } from '../records.ts';
import type { SigningKeysTable } from '../schema.ts';
import type { SigningKeyStore } from '../signing-key-store.ts';
import { num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid, alg: row.alg as SigningAlg, publicJwk: row.public_jwk, privateJwkSealed: row.private_jwk_sealed,
    createdAt: num(row.created_at), retiredAt: numOrNull(row.retired_at), expiresAt: numOrNull(row.expires_at),
  };
}

export function sqlSigningKeyStore({ db }: SqlDatabase): SigningKeyStore {
  return {
    async createSigningKey(key, retiredKeysExpireAt) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('signing_keys').set({ retired_at: key.createdAt, expires_at: retiredKeysExpireAt })
          .where('alg', '=', key.alg).where('retired_at', 'is', null).execute();
        await trx.insertInto('signing_keys').values({
          kid: key.kid, alg: key.alg, public_jwk: key.publicJwk, private_jwk_sealed: key.privateJwkSealed,
          created_at: key.createdAt, retired_at: null, expires_at: null,
        }).execute();
      });
    },

    async listSigningKeys(now) {
      const rows = await db.selectFrom('signing_keys').selectAll()
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('created_at', 'desc').orderBy('kid').execute();
      return rows.map(toKey);
    },

    async findActiveSigningKey(alg) {
      const row = await db.selectFrom('signing_keys').selectAll().where('alg', '=', alg).where('retired_at', 'is', null)
        .orderBy('created_at', 'desc').executeTakeFirst();
      return row && toKey(row);
    },
  };
}
