// DeviceCodeStore over SQL. RFC 8628: a device code is decided once and redeemed once (conditional updates), and
// redeeming it stores its grant in the same transaction.
import { sql, type Selectable } from 'kysely';
import type { DeviceCodeStore } from '../device-code-store.ts';
import type { DeviceCodeRecord, DeviceCodeStatus } from '../records.ts';
import type { DeviceCodesTable } from '../schema.ts';
import { prepareGrantInsert } from './grants.ts';
import { conflictAware, list, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toDeviceCode(row: Selectable<DeviceCodesTable>): DeviceCodeRecord {
  return {
    deviceCodeHash: row.device_code_hash, userCodeHash: row.user_code_hash, clientId: row.client_id, scopes: list(row.scopes),
    audience: row.audience, interval: num(row.poll_interval), lastPolledAt: numOrNull(row.last_polled_at), status: row.status as DeviceCodeStatus,
    userId: row.user_id, authTime: numOrNull(row.auth_time), decidedAt: numOrNull(row.decided_at), grantId: row.grant_id,
    createdAt: num(row.created_at), expiresAt: num(row.expires_at),
  };
}

export function sqlDeviceCodeStore({ db }: SqlDatabase): DeviceCodeStore {
  const insertGrantIn = prepareGrantInsert();
  return {
    async createDeviceCode(r) {
      await conflictAware('user code', () => db.insertInto('device_codes').values({
        device_code_hash: r.deviceCodeHash, user_code_hash: r.userCodeHash, client_id: r.clientId, scopes: JSON.stringify(r.scopes),
        audience: r.audience, poll_interval: r.interval, last_polled_at: r.lastPolledAt, status: r.status, user_id: r.userId,
        auth_time: r.authTime, decided_at: r.decidedAt, grant_id: r.grantId, created_at: r.createdAt, expires_at: r.expiresAt,
      }).execute());
    },

    async getDeviceCode(deviceCodeHash) {
      const row = await db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();
      return row && toDeviceCode(row);
    },

    async findDeviceCodeByUserCode(userCodeHash, now) {
      const row = await db.selectFrom('device_codes').selectAll().where('user_code_hash', '=', userCodeHash).where('expires_at', '>', now).executeTakeFirst();
      return row && toDeviceCode(row);
    },

    // Only a pending code changes: a second decision (another user's approval, a replayed form) finds nothing.
    async decideDeviceCode(userCodeHash, decision, now) {
      const row = await db.updateTable('device_codes').set({
        status: decision.status, user_id: decision.userId, auth_time: decision.status === 'approved' ? decision.authTime : null, decided_at: now,
      }).where('user_code_hash', '=', userCodeHash).where('status', '=', 'pending').where('expires_at', '>', now).returningAll().executeTakeFirst();
      return row && toDeviceCode(row);
    },

    async pollDeviceCode(deviceCodeHash, now, increase) {
      const onTime = await db.updateTable('device_codes').set({ last_polled_at: now })
        .where('device_code_hash', '=', deviceCodeHash)
        .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb(sql<number>`last_polled_at + poll_interval`, '<=', now)]))
        .returning(['poll_interval']).executeTakeFirst();
      if (onTime) return { status: 'ok', interval: num(onTime.poll_interval) };
      const early = await db.updateTable('device_codes').set({ last_polled_at: now, poll_interval: sql<number>`poll_interval + ${increase}` })
        .where('device_code_hash', '=', deviceCodeHash).returning(['poll_interval']).executeTakeFirst();
      return early && { status: 'slow_down', interval: num(early.poll_interval) };
    },

    async consumeDeviceCode(deviceCodeHash, now, grant, first) {
      return db.transaction().execute(async (trx) => {
        const won = await trx.updateTable('device_codes').set({ status: 'consumed', grant_id: grant.id })
          .where('device_code_hash', '=', deviceCodeHash).where('client_id', '=', grant.clientId).where('status', '=', 'approved')
          .where('user_id', '=', grant.userId).where('expires_at', '>', now)
          .returning(['device_code_hash']).executeTakeFirst();
        if (!won) {
          const seen = await trx.selectFrom('device_codes').select(['status', 'client_id', 'expires_at']).where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();
          if (!seen || seen.client_id !== grant.clientId) return { status: 'not_found' as const };
          if (seen.status === 'consumed') return { status: 'consumed' as const };
          if (num(seen.expires_at) <= now) return { status: 'expired' as const };
          return { status: seen.status === 'denied' ? 'denied' as const : 'pending' as const };
        }
        await insertGrantIn(trx, grant, first);
        return { status: 'ok' as const };
      });
    },
  };
}
