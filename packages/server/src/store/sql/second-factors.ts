// SecondFactorStore over SQL: a TOTP step and a recovery code are each taken by one conditional UPDATE.
import type { SecondFactorStore } from '../second-factor-store.ts';
import { num, numOrNull, type SqlDatabase } from './sql-database.ts';

export function sqlSecondFactorStore({ db }: SqlDatabase): SecondFactorStore {
  return {
    async getTotpFactor(userId) {
      const row = await db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row && { userId: row.user_id, secretSealed: row.secret_sealed, confirmedAt: numOrNull(row.confirmed_at), lastStep: num(row.last_step), createdAt: num(row.created_at) };
    },

    async createTotpFactor(f) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('totp_factors').where('user_id', '=', f.userId).where('confirmed_at', 'is', null).execute();
        const r = await trx.insertInto('totp_factors').values({
          user_id: f.userId, secret_sealed: f.secretSealed, confirmed_at: f.confirmedAt, last_step: f.lastStep, created_at: f.createdAt,
        }).onConflict((oc) => oc.column('user_id').doNothing()).executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
      });
    },

    async confirmTotpFactor(userId, step, now) {
      const r = await db.updateTable('totp_factors').set({ confirmed_at: now, last_step: step })
        .where('user_id', '=', userId).where('confirmed_at', 'is', null).where('last_step', '<', step).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async useTotpStep(userId, step) {
      const r = await db.updateTable('totp_factors').set({ last_step: step })
        .where('user_id', '=', userId).where('confirmed_at', 'is not', null).where('last_step', '<', step).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async deleteTotpFactor(userId) {
      const r = await db.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async replaceRecoveryCodes(userId, codeHashes, now) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        if (codeHashes.length > 0) {
          await trx.insertInto('recovery_codes').values(codeHashes.map((h) => ({ code_hash: h, user_id: userId, used_at: null, created_at: now }))).execute();
        }
      });
    },

    async consumeRecoveryCode(userId, codeHash, now) {
      const r = await db.updateTable('recovery_codes').set({ used_at: now })
        .where('code_hash', '=', codeHash).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async countRecoveryCodes(userId) {
      const row = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
      return num((row?.n ?? 0) as number);
    },

    async deleteRecoveryCodes(userId) {
      const r = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
