// CodeStore over SQL. RFC 6749 §4.1.2: a code is used once; consuming it stores its grant in the same transaction.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { CodeStore } from '../code-store.ts';
import type { AuthorizationCodeRecord, ConsumeCodeResult } from '../records.ts';
import type { AuthCodesTable, Database, GrantsTable, RefreshTokensTable } from '../schema.ts';
import { grantRow, insertGrantRowsFrom, prepareGrantInsert, refreshRow } from './grants.ts';
import { prefixed, prepareQuery, slot, slotsFor, unprefixed } from './prepared-query.ts';
import { toJoinedUser, USER_JOIN_COLUMNS } from './users.ts';
import { ASYNC_COMMIT, insertFrom, list, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toCode(row: Selectable<AuthCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash, clientId: row.client_id, userId: row.user_id, redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge, nonce: row.nonce, scopes: list(row.scopes), audience: row.audience,
    authTime: num(row.auth_time), amr: list(row.amr), createdAt: num(row.created_at), expiresAt: num(row.expires_at),
    consumedAt: numOrNull(row.consumed_at), grantId: row.grant_id, sid: row.sid, claims: row.claims, dpopJkt: row.dpop_jkt ?? null,
  };
}

/** Why a code was not consumed: unknown (or another client's), expired, or used before (naming the grant it produced). */
async function whyNotConsumed(db: Kysely<Database>, codeHash: string, clientId: string): Promise<ConsumeCodeResult> {
  const seen = await db.selectFrom('auth_codes').select(['consumed_at', 'grant_id', 'client_id']).where('code_hash', '=', codeHash).executeTakeFirst();
  if (!seen || seen.client_id !== clientId) return { status: 'not_found' };
  return seen.consumed_at === null ? { status: 'expired' } : { status: 'reused', grantId: seen.grant_id };
}

/** Slot prefixes of the grant row and refresh token row in the one-statement consumption. */
const GRANT = 'grant_';
const REFRESH = 'refresh_';

export function sqlCodeStore({ db, kind }: SqlDatabase): CodeStore {
  // The code flow's statements, compiled once (prepared-query.ts).
  const insertGrantIn = prepareGrantInsert();
  const insertCode = prepareQuery((q, row) => q.insertInto('auth_codes').values(slotsFor(row as Selectable<AuthCodesTable>)));
  const insertParticipant = prepareQuery((q) => q.insertInto('session_clients')
    .values({ sid: slot<string>('sid'), client_id: slot<string>('clientId'), user_id: slot<string>('userId'), created_at: slot<number>('createdAt') })
    .onConflict((oc) => oc.columns(['sid', 'client_id']).doNothing()));
  const codeWithUser = prepareQuery((q) => q.selectFrom('auth_codes as c').innerJoin('users as u', 'u.id', 'c.user_id').selectAll('c').select(USER_JOIN_COLUMNS)
    .where('c.code_hash', '=', slot<string>('codeHash')));
  const markConsumed = prepareQuery((q) => q.updateTable('auth_codes').set({ consumed_at: slot<number>('now'), grant_id: slot<string>('grantId') })
    .where('code_hash', '=', slot<string>('codeHash')).where('client_id', '=', slot<string>('clientId')).where('consumed_at', 'is', null)
    .where('expires_at', '>', slot<number>('now')).returning(['code_hash']));
  // PostgreSQL: the code with its participant, and the consumption with its grant (with or without a first refresh
  // token: two statements), each one statement (see createCode and consumeCode).
  const postgresInsertCode = prepareQuery((q, row) => sql`with ${ASYNC_COMMIT},
      code as (${insertFrom('auth_codes', slotsFor(row as Selectable<AuthCodesTable>), 'async_commit')} returning sid, client_id, user_id, created_at),
      participant as (insert into session_clients (sid, client_id, user_id, created_at)
        select sid, client_id, user_id, created_at from code where sid is not null on conflict (sid, client_id) do nothing)
      select 1`);
  const postgresConsume = (withRefresh: boolean) => prepareQuery((q, values) => sql<{ won: number }>`with won as (
      update auth_codes set consumed_at = ${slot('now')}, grant_id = ${slot('grantId')}
      where code_hash = ${slot('codeHash')} and client_id = ${slot('clientId')} and consumed_at is null and expires_at > ${slot('now')}
      returning code_hash),
    ${insertGrantRowsFrom(slotsFor(unprefixed(values, GRANT) as Selectable<GrantsTable>, GRANT),
      withRefresh ? slotsFor(unprefixed(values, REFRESH) as Selectable<RefreshTokensTable>, REFRESH) : null, 'won')}
    select count(*)::int as won from won`);
  const postgresConsumeWithRefresh = postgresConsume(true);
  const postgresConsumeAlone = postgresConsume(false);

  return {
    // A code issued under a session makes its client a participant of that session (Back-Channel Logout 1.0 §2.3:
    // ending the session tells it), written with the code: a code that exists always has its participant.
    // On PostgreSQL the code and the participant are one statement committed asynchronously (one fsync less per
    // sign-in): a crash of the database within the next few hundred milliseconds may lose both, and then the code's
    // exchange fails with invalid_grant and the user signs in again; a lost code can be redeemed by nobody. Its
    // consumption is always committed durably, and that commit's WAL flush covers the code's statement too.
    async createCode(c) {
      const row: Selectable<AuthCodesTable> = {
        code_hash: c.codeHash, client_id: c.clientId, user_id: c.userId, redirect_uri: c.redirectUri,
        code_challenge: c.codeChallenge, nonce: c.nonce, scopes: JSON.stringify(c.scopes), audience: c.audience,
        auth_time: c.authTime, amr: JSON.stringify(c.amr), created_at: c.createdAt, expires_at: c.expiresAt, consumed_at: null, grant_id: null, sid: c.sid, claims: c.claims, dpop_jkt: c.dpopJkt,
      };
      if (kind === 'postgres') {
        await postgresInsertCode.run(db, row);
        return;
      }
      if (c.sid === null) {
        await insertCode.run(db, row);
        return;
      }
      const sid = c.sid;
      await db.transaction().execute(async (trx) => {
        await insertCode.run(trx, row);
        await insertParticipant.run(trx, { sid, clientId: c.clientId, userId: c.userId, createdAt: c.createdAt });
      });
    },

    async getCode(codeHash) {
      const row = await db.selectFrom('auth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      return row && toCode(row);
    },

    async getCodeWithUser(codeHash) {
      const [row] = await codeWithUser.run(db, { codeHash });
      return row && { code: toCode(row), user: toJoinedUser(row) };
    },

    // The conditional update makes the first caller the only winner, and the grant it produced is written in the same
    // transaction: a consumed code always names a stored grant. On PostgreSQL that transaction is one statement (one
    // round trip): the update and the inserts are data-modifying CTEs, the inserts fed by the update's RETURNING, so
    // they write only for the winner, and a failed insert undoes the update. SQLite has no data-modifying CTEs; there the
    // same steps run in a transaction, in-process.
    async consumeCode(codeHash, now, grant, first) {
      if (kind === 'postgres') {
        const values = { now, grantId: grant.id, codeHash, clientId: grant.clientId, ...prefixed(grantRow(grant), GRANT), ...(first ? prefixed(refreshRow(first), REFRESH) : {}) };
        const [won] = await (first ? postgresConsumeWithRefresh : postgresConsumeAlone).run(db, values);
        if (won?.won === 1) return { status: 'ok' };
        return whyNotConsumed(db, codeHash, grant.clientId);
      }
      return db.transaction().execute(async (trx) => {
        const [won] = await markConsumed.run(trx, { now, grantId: grant.id, codeHash, clientId: grant.clientId });
        if (!won) return whyNotConsumed(trx, codeHash, grant.clientId);
        await insertGrantIn(trx, grant, first);
        return { status: 'ok' };
      });
    },
  };
}
