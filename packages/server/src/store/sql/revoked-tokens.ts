// RevokedTokenStore over SQL.
import { sql } from 'kysely';
import type { RevokedTokenStore } from '../revoked-token-store.ts';
import { prepareQuery, slot } from './prepared-query.ts';
import { num, type SqlDatabase } from './sql-database.ts';

export function sqlRevokedTokenStore({ db }: SqlDatabase): RevokedTokenStore {
  // Introspection's one statement, compiled once (prepared-query.ts).
  const liveness = prepareQuery(() => sql<{ revoked: number | string; live_grants: number | string }>`select
      (select count(*) from revoked_tokens where jti = ${slot('jti')}) as revoked,
      (select count(*) from grants where id = ${slot('grantId')} and revoked_at is null and expires_at > ${slot('now')}) as live_grants`);

  return {
    async revokeAccessToken(jti, expiresAt) {
      await db.insertInto('revoked_tokens').values({ jti, expires_at: expiresAt }).onConflict((oc) => oc.column('jti').doNothing()).execute();
    },

    async isAccessTokenRevoked(jti) {
      return (await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
    },

    // Both questions in one statement, each an indexed primary-key lookup.
    async isAccessTokenLive(jti, grantId, now) {
      const [row] = await liveness.run(db, { jti, grantId: grantId ?? null, now });
      if (!row || num(row.revoked) > 0) return false;
      return grantId === undefined || num(row.live_grants) > 0;
    },
  };
}
