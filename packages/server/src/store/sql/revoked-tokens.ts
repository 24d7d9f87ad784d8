// RevokedTokenStore over SQL.
import type { RevokedTokenStore } from '../revoked-token-store.ts';
import type { SqlDatabase } from './sql-database.ts';

export function sqlRevokedTokenStore({ db }: SqlDatabase): RevokedTokenStore {
  return {
    async revokeAccessToken(jti, expiresAt) {
      await db.insertInto('revoked_tokens').values({ jti, expires_at: expiresAt }).onConflict((oc) => oc.column('jti').doNothing()).execute();
    },

    async isAccessTokenRevoked(jti) {
      return (await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
    },
  };
}
