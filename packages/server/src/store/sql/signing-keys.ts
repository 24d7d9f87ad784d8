// SigningKeyStore over SQL. A rotation is a conditional UPDATE of the current key (retired_at is null) plus the insert
// of its successor; the partial unique index signing_keys_one_current_per_alg (migration 0020) rejects a second
// current key, so two racing rotations or first starts leave exactly one.
import type { Selectable, Transaction } from 'kysely';
import type { SigningAlg, SigningKeyRecord } from '../records.ts';
import type { Database, SigningKeysTable } from '../schema.ts';
import type { SigningKeyStore } from '../signing-key-store.ts';
import { conflictAware, lockRows, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid, alg: row.alg as SigningAlg, publicJwk: row.public_jwk, privateJwkSealed: row.private_jwk_sealed,
    createdAt: num(row.created_at), activatesAt: num(row.activates_at ?? row.created_at),
    retiredAt: numOrNull(row.retired_at), expiresAt: numOrNull(row.expires_at),
  };
}

function toRow(key: SigningKeyRecord): SigningKeysTable {
  return {
    kid: key.kid, alg: key.alg, public_jwk: key.publicJwk, private_jwk_sealed: key.privateJwkSealed,
    created_at: key.createdAt, activates_at: key.activatesAt, retired_at: key.retiredAt, expires_at: key.expiresAt,
  };
}

/** True when a unique violation means another process inserted a current key first. */
function isStoreConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'StoreConflict';
}

export function sqlSigningKeyStore({ db, kind }: SqlDatabase): SigningKeyStore {
  return {
    async createSigningKey(key) {
      await conflictAware(`a current ${key.alg} signing key`, () => db.insertInto('signing_keys').values(toRow(key)).execute());
    },

    async rotateSigningKey(currentKid, next, retiredKeyExpiresAt) {
      try {
        return await db.transaction().execute(async (trx) => {
          const retired = await trx.updateTable('signing_keys').set({ retired_at: next.activatesAt, expires_at: retiredKeyExpiresAt })
            .where('kid', '=', currentKid).where('alg', '=', next.alg).where('retired_at', 'is', null).executeTakeFirst();
          if (Number(retired.numUpdatedRows) !== 1) return false;
          // Nothing of this alg signs past the successor's activation (an older key handing over to a waiting one).
          await trx.updateTable('signing_keys').set({ retired_at: next.activatesAt }).where('alg', '=', next.alg)
            .where('retired_at', '>', next.activatesAt).execute();
          await conflictAware(`a current ${next.alg} signing key`, () => trx.insertInto('signing_keys').values(toRow({ ...next, retiredAt: null, expiresAt: null })).execute());
          return true;
        });
      } catch (error) {
        if (isStoreConflict(error)) return false;
        throw error;
      }
    },

    async revokeSigningKey(kid, now, replacement) {
      return db.transaction().execute(async (trx: Transaction<Database>) => {
        const row = await lockRows(kind, trx.selectFrom('signing_keys').selectAll().where('kid', '=', kid)).executeTakeFirst();
        if (!row) return undefined;
        const revoked = toKey(row);
        const alg = revoked.alg;
        await trx.deleteFrom('signing_keys').where('kid', '=', kid).execute();
        const rest = (await lockRows(kind, trx.selectFrom('signing_keys').selectAll().where('alg', '=', alg)).execute()).map(toKey);
        const signingNow = (k: SigningKeyRecord) => k.activatesAt <= now && (k.retiredAt === null || k.retiredAt > now);
        let current = rest.find((k) => k.retiredAt === null);
        let signingKid: string | null = null;
        if (!current) {
          // The revoked key was current: if it was still waiting, the key it would have replaced stays current.
          const stillSigning = rest.filter(signingNow).sort((a, b) => b.activatesAt - a.activatesAt)[0];
          if (stillSigning) {
            await trx.updateTable('signing_keys').set({ retired_at: null, expires_at: null }).where('kid', '=', stillSigning.kid).execute();
            current = { ...stillSigning, retiredAt: null, expiresAt: null };
          } else {
            current = { ...replacement, alg, activatesAt: now, retiredAt: null, expiresAt: null };
            await trx.insertInto('signing_keys').values(toRow(current)).execute();
          }
          signingKid = current.kid;
        }
        if (!signingNow(current) && !rest.some((k) => k.kid !== current!.kid && signingNow(k))) {
          // Nothing signs now (the revoked key was the active one and its successor was waiting): activate it at once.
          await trx.updateTable('signing_keys').set({ activates_at: now }).where('kid', '=', current.kid).execute();
          await trx.updateTable('signing_keys').set({ retired_at: now }).where('alg', '=', alg).where('retired_at', '>', now).execute();
          signingKid = current.kid;
        }
        return { alg, signingKid };
      });
    },

    async listSigningKeys(now) {
      const rows = await db.selectFrom('signing_keys').selectAll()
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('created_at', 'desc').orderBy('kid').execute();
      return rows.map(toKey);
    },

    async findCurrentSigningKey(alg) {
      const row = await db.selectFrom('signing_keys').selectAll().where('alg', '=', alg).where('retired_at', 'is', null)
        .orderBy('created_at', 'desc').executeTakeFirst();
      return row && toKey(row);
    },
  };
}
