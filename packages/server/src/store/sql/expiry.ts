// ExpiryStore over SQL: bounded batches of every kind of expired row, so a large backlog never blocks requests.
import { sql, type Kysely } from 'kysely';
import { DEFAULT_AUDIT_RETENTION, type ExpiryStore } from '../expiry-store.ts';
import type { Database } from '../schema.ts';
import { endExpiredSessions } from './sessions.ts';
import type { SqlDatabase } from './sql-database.ts';

const HOUR = 3600;
const DAY = 86400;

/** Deletes at most `batch` rows of `table` matching `where`, keyed by `key` (portable bounded delete). */
async function deleteBatch(
  db: Kysely<Database>, table: keyof Database, key: string, where: ReturnType<typeof sql>, batch: number,
): Promise<number> {
  const result = await sql`delete from ${sql.table(table)} where ${sql.ref(key)} in
    (select ${sql.ref(key)} from ${sql.table(table)} where ${where} limit ${batch})`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export function sqlExpiryStore({ db }: SqlDatabase): ExpiryStore {
  return {
    async deleteExpired(now, batch, retention = DEFAULT_AUDIT_RETENTION) {
      let removed = 0;
      // Expired sessions end like signed-out ones: their clients are told over the back channel.
      removed += await endExpiredSessions(db, now, batch);
      // Participants of sessions that ended without a logout (expired, or removed with their user).
      removed += await deleteBatch(db, 'session_clients', 'sid', sql`sid not in (select sid from sessions where sid is not null)`, batch);
      // Finished logout deliveries stay 30 days for `latchkey logout-deliveries`.
      removed += await deleteBatch(db, 'logout_deliveries', 'id', sql`finished_at is not null and finished_at < ${now - 30 * DAY}`, batch);
      removed += await deleteBatch(db, 'pushed_requests', 'uri_hash', sql`expires_at < ${now}`, batch);
      removed += await deleteBatch(db, 'used_jtis', 'key', sql`expires_at < ${now}`, batch);
      removed += await deleteBatch(db, 'interactions', 'id', sql`expires_at < ${now}`, batch);
      removed += await deleteBatch(db, 'webauthn_challenges', 'challenge_hash', sql`expires_at < ${now}`, batch);
      // Consumed codes stay an hour past expiry so a late replay is still recognised as reuse.
      removed += await deleteBatch(db, 'auth_codes', 'code_hash', sql`expires_at < ${now - HOUR}`, batch);
      // Device codes too: a late poll of a redeemed one is still answered invalid_grant rather than unknown.
      removed += await deleteBatch(db, 'device_codes', 'device_code_hash', sql`expires_at < ${now - HOUR}`, batch);
      removed += await deleteBatch(db, 'refresh_tokens', 'token_hash', sql`expires_at < ${now}`, batch);
      // Ended grants stay a day so the audit trail and reuse detection can still name them.
      removed += await deleteBatch(db, 'grants', 'id', sql`expires_at < ${now - DAY} or revoked_at < ${now - DAY}`, batch);
      removed += await deleteBatch(db, 'revoked_tokens', 'jti', sql`expires_at < ${now}`, batch);
      removed += await deleteBatch(db, 'login_failures', 'key', sql`window_start < ${now - DAY}`, batch);
      // Diagnostic events of failed requests go sooner than the security events.
      removed += await deleteBatch(db, 'audit_events', 'id', sql`type = 'request.failed' and at < ${now - retention.diagnosticSeconds}`, batch);
      removed += await deleteBatch(db, 'audit_events', 'id', sql`at < ${now - retention.auditSeconds}`, batch);
      removed += await deleteBatch(db, 'signing_keys', 'kid', sql`expires_at is not null and expires_at < ${now}`, batch);
      return removed;
    },
  };
}
