// CodeStore over SQL. RFC 6749 §4.1.2: a code is used once; consuming it stores its grant in the same transaction.
import type { Selectable } from 'kysely';
import type { CodeStore } from '../code-store.ts';
import type { AuthorizationCodeRecord } from '../records.ts';
import type { AuthCodesTable } from '../schema.ts';
import { insertGrantIn } from './grants.ts';
import { list, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toCode(row: Selectable<AuthCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash, clientId: row.client_id, userId: row.user_id, redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge, nonce: row.nonce, scopes: list(row.scopes), audience: row.audience,
    authTime: num(row.auth_time), amr: list(row.amr), createdAt: num(row.created_at), expiresAt: num(row.expires_at),
    consumedAt: numOrNull(row.consumed_at), grantId: row.grant_id, sid: row.sid, claims: row.claims, dpopJkt: row.dpop_jkt ?? null,
  };
}

export function sqlCodeStore({ db }: SqlDatabase): CodeStore {
  return {
    async createCode(c) {
      await db.insertInto('auth_codes').values({
        code_hash: c.codeHash, client_id: c.clientId, user_id: c.userId, redirect_uri: c.redirectUri,
        code_challenge: c.codeChallenge, nonce: c.nonce, scopes: JSON.stringify(c.scopes), audience: c.audience,
        auth_time: c.authTime, amr: JSON.stringify(c.amr), created_at: c.createdAt, expires_at: c.expiresAt, consumed_at: null, grant_id: null, sid: c.sid, claims: c.claims, dpop_jkt: c.dpopJkt,
      }).execute();
    },

    async getCode(codeHash) {
      const row = await db.selectFrom('auth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      return row && toCode(row);
    },

    // The conditional update makes the first caller the only winner, and the grant it produced is written in the same
    // transaction: a consumed code always names a stored grant.
    async consumeCode(codeHash, now, grant, first) {
      return db.transaction().execute(async (trx) => {
        const won = await trx.updateTable('auth_codes').set({ consumed_at: now, grant_id: grant.id })
          .where('code_hash', '=', codeHash).where('client_id', '=', grant.clientId).where('consumed_at', 'is', null).where('expires_at', '>', now)
          .returning(['code_hash']).executeTakeFirst();
        if (!won) {
          const seen = await trx.selectFrom('auth_codes').select(['consumed_at', 'grant_id', 'client_id']).where('code_hash', '=', codeHash).executeTakeFirst();
          if (!seen || seen.client_id !== grant.clientId) return { status: 'not_found' };
          return seen.consumed_at === null ? { status: 'expired' } : { status: 'reused', grantId: seen.grant_id };
        }
        await insertGrantIn(trx, grant, first);
        return { status: 'ok' };
      });
    },
  };
}
