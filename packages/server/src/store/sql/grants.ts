// GrantStore over SQL: a grant is a refresh-token family; rotation with reuse detection (RFC 9700 §4.14.2) and
// revocation of the whole family are single transactions.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { MAX_ANSWERS_PER_REFRESH_TOKEN, type GrantStore } from '../grant-store.ts';
import type { GrantRecord, RefreshTokenRecord, RotateRefreshResult } from '../records.ts';
import type { Database, GrantsTable, RefreshTokensTable } from '../schema.ts';
import { insertFrom, list, lockRows, num, numOrNull, type SqlDatabase } from './sql-database.ts';
import { prepareQuery, slot, slotsFor } from './prepared-query.ts';
import { toJoinedUser, USER_JOIN_COLUMNS } from './users.ts';

function toGrant(row: Selectable<GrantsTable>): GrantRecord {
  return {
    id: row.id, clientId: row.client_id, userId: row.user_id, scopes: list(row.scopes), audience: row.audience,
    authTime: num(row.auth_time), amr: list(row.amr), createdAt: num(row.created_at), lastUsedAt: num(row.last_used_at),
    expiresAt: num(row.expires_at), revokedAt: numOrNull(row.revoked_at), sid: row.sid, claims: row.claims, dpopJkt: row.dpop_jkt ?? null,
  };
}

function toRefresh(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash, grantId: row.grant_id, createdAt: num(row.created_at), expiresAt: num(row.expires_at),
    rotatedAt: numOrNull(row.rotated_at),
  };
}

export function refreshRow(token: RefreshTokenRecord): Selectable<RefreshTokensTable> {
  return {
    token_hash: token.tokenHash, grant_id: token.grantId, created_at: token.createdAt, expires_at: token.expiresAt,
    rotated_at: token.rotatedAt, successor_hash: null, parent_hash: null,
  };
}

export function grantRow(g: GrantRecord): Selectable<GrantsTable> {
  return {
    id: g.id, client_id: g.clientId, user_id: g.userId, scopes: JSON.stringify(g.scopes), audience: g.audience,
    auth_time: g.authTime, amr: JSON.stringify(g.amr), created_at: g.createdAt, last_used_at: g.lastUsedAt, expires_at: g.expiresAt, revoked_at: g.revokedAt, sid: g.sid, claims: g.claims, dpop_jkt: g.dpopJkt,
  };
}

/** Writes a grant and its first refresh token (if any) inside the caller's transaction (shared with consumeCode). */
/** A refresh token's columns read through a join with its grant (whose columns keep their names). */
const TOKEN_JOIN_COLUMNS = ['t.token_hash', 't.created_at as t_created_at', 't.expires_at as t_expires_at', 't.rotated_at as t_rotated_at'] as const;

function toJoinedRefresh(row: Selectable<GrantsTable> & { token_hash: string; t_created_at: number; t_expires_at: number; t_rotated_at: number | null }): RefreshTokenRecord & { grant: GrantRecord } {
  return {
    tokenHash: row.token_hash, grantId: row.id, createdAt: num(row.t_created_at), expiresAt: num(row.t_expires_at),
    rotatedAt: numOrNull(row.t_rotated_at), grant: toGrant(row),
  };
}

/**
 * Writes a grant and its first refresh token (if any) inside the caller's transaction (createGrant, and consumeCode
 * on SQLite), with statements compiled once per store (prepared-query.ts).
 */
export function prepareGrantInsert(): (trx: Transaction<Database>, grant: GrantRecord, first: RefreshTokenRecord | null) => Promise<void> {
  const insertGrant = prepareQuery((q, row) => q.insertInto('grants').values(slotsFor(row as Selectable<GrantsTable>)));
  const insertRefresh = prepareQuery((q, row) => q.insertInto('refresh_tokens').values(slotsFor(row as Selectable<RefreshTokensTable>)));
  return async (trx, grant, first) => {
    await insertGrant.run(trx, grantRow(grant));
    if (first) await insertRefresh.run(trx, refreshRow(first));
  };
}

/**
 * PostgreSQL CTEs (`new_grant as (...), new_refresh as (...)`, no trailing comma) that write the grant row and its first
 * refresh token row only if the CTE `source` returned a row: the one-statement form of the grant insert (consumeCode).
 * The rows may be slots (prepared-query.ts); the parameters take their types from the columns they go into.
 */
export function insertGrantRowsFrom(grant: Selectable<GrantsTable>, first: Selectable<RefreshTokensTable> | null, source: string) {
  const grantCte = sql`new_grant as (${insertFrom('grants', grant, source)} returning id)`;
  if (!first) return grantCte;
  return sql`${grantCte}, new_refresh as (${insertFrom('refresh_tokens', first, 'new_grant')})`;
}

async function revokeGrantIn(trx: Transaction<Database> | Kysely<Database>, id: string, now: number): Promise<boolean> {
  const r = await trx.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  await trx.deleteFrom('refresh_tokens').where('grant_id', '=', id).where('rotated_at', 'is', null).execute();
  return r.numUpdatedRows > 0n;
}

export function sqlGrantStore({ db, kind }: SqlDatabase): GrantStore {
  const insertGrantIn = prepareGrantInsert();
  // The refresh grant's statements, compiled once (prepared-query.ts).
  const tokenWithUser = prepareQuery((q) => q.selectFrom('refresh_tokens as t').innerJoin('grants as g', 'g.id', 't.grant_id')
    .innerJoin('users as u', 'u.id', 'g.user_id').selectAll('g').select(TOKEN_JOIN_COLUMNS).select(USER_JOIN_COLUMNS)
    .where('t.token_hash', '=', slot<string>('tokenHash')));
  const sqliteRotate = {
    markRotated: prepareQuery((q) => q.updateTable('refresh_tokens').set({ rotated_at: slot<number>('now'), successor_hash: slot<string>('successor') })
      .where('token_hash', '=', slot<string>('oldHash')).where('rotated_at', 'is', null).where('expires_at', '>', slot<number>('now'))
      .where((eb) => eb.exists(eb.selectFrom('grants').select('grants.id').whereRef('grants.id', '=', 'refresh_tokens.grant_id')
        .where('grants.revoked_at', 'is', null).where('grants.expires_at', '>', slot<number>('now'))))
      .returning(['grant_id', 'parent_hash'])),
    retireSiblings: prepareQuery((q) => q.updateTable('refresh_tokens').set({ rotated_at: slot<number>('now') }).where('grant_id', '=', slot<string>('grantId'))
      .where('parent_hash', '=', slot<string>('parentHash')).where('rotated_at', 'is', null)),
    insertSuccessor: prepareQuery((q) => q.insertInto('refresh_tokens').values({
      token_hash: slot<string>('tokenHash'), grant_id: slot<string>('grantId'), created_at: slot<number>('createdAt'), expires_at: slot<number>('expiresAt'),
      rotated_at: slot<number | null>('rotatedAt'), parent_hash: slot<string>('parentHash'),
    })),
    touchGrant: prepareQuery((q) => q.updateTable('grants').set({ last_used_at: slot<number>('now') }).where('id', '=', slot<string>('grantId')).returningAll()),
  };
  // PostgreSQL: the same steps as one statement (see rotateRefreshToken); the successor's grant is the rotated token's.
  const successorSlots: Selectable<RefreshTokensTable> = {
    token_hash: slot('successor'), grant_id: '', created_at: slot('createdAt'), expires_at: slot('expiresAt'), rotated_at: slot('rotatedAt'),
    successor_hash: null, parent_hash: slot('oldHash'),
  };
  const postgresRotate = prepareQuery(() => sql<Selectable<GrantsTable>>`with live_grant as (
      select id from grants where id = (select grant_id from refresh_tokens where token_hash = ${slot('oldHash')})
      and revoked_at is null and expires_at > ${slot('now')} for update),
    rotated as (
      update refresh_tokens set rotated_at = ${slot('now')}, successor_hash = ${slot('successor')}
      where token_hash = ${slot('oldHash')} and rotated_at is null and expires_at > ${slot('now')} and grant_id in (select id from live_grant)
      returning grant_id, parent_hash),
    retired as (
      update refresh_tokens set rotated_at = ${slot('now')}
      where grant_id in (select grant_id from rotated) and parent_hash = (select parent_hash from rotated)
      and rotated_at is null and token_hash <> ${slot('oldHash')}),
    successor as (${insertFrom('refresh_tokens', successorSlots, 'rotated', { grant_id: sql.ref('rotated.grant_id') })}),
    touched as (update grants set last_used_at = ${slot('now')} where id in (select grant_id from rotated) returning *)
    select * from touched`);

  const getGrant = async (id: string): Promise<GrantRecord | undefined> => {
    const row = await db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toGrant(row);
  };

  return {
    async createGrant(g, first) {
      await db.transaction().execute((trx) => insertGrantIn(trx, g, first));
    },

    getGrant,

    // One round trip: the token joined to its grant (a token's grant always exists: foreign key, cascading delete).
    async getRefreshToken(tokenHash) {
      const row = await db.selectFrom('refresh_tokens as t').innerJoin('grants as g', 'g.id', 't.grant_id').selectAll('g').select(TOKEN_JOIN_COLUMNS)
        .where('t.token_hash', '=', tokenHash).executeTakeFirst();
      return row && toJoinedRefresh(row);
    },

    // The same with the grant's user: still one round trip.
    async getRefreshTokenWithUser(tokenHash) {
      const [row] = await tokenWithUser.run(db, { tokenHash });
      return row && { ...toJoinedRefresh(row), user: toJoinedUser(row) };
    },

    // The grant row is locked before its tokens, in the same order as revocation (revokeGrantIn), so a rotation and a
    // revocation never deadlock; nothing is written unless the rotation succeeds or reuse revokes the family.
    //
    // The common case first, as one conditional update: a live token of a live grant is marked rotated, the other
    // answers given for its parent within the grace window retire, its successor (parent_hash = this token) is stored and
    // the grant touched, the grant row locked first as below. On PostgreSQL that is one statement (one round trip; the
    // CTEs write only if the update matched); on SQLite the same steps open the transaction. When it matches nothing
    // (unknown, expired, revoked, rotated before: a grace-window retry or a reuse) nothing was written, and the general
    // case below decides, under the same locks as before.
    async rotateRefreshToken(oldHash, next, now, graceWindow = 0, maxAnswers = MAX_ANSWERS_PER_REFRESH_TOKEN) {
      if (kind === 'postgres') {
        const [grant] = await postgresRotate.run(db, {
          oldHash, now, successor: next.tokenHash, createdAt: next.createdAt, expiresAt: next.expiresAt, rotatedAt: next.rotatedAt,
        });
        if (grant) return { status: 'ok', grant: toGrant(grant), graced: false };
      }
      return db.transaction().execute(async (trx): Promise<RotateRefreshResult> => {
        // SQLite: the conditional update is the transaction's first statement, so it takes the database's write lock,
        // waiting (busy_timeout) for another process holding it, whether or not it matches; a read first would fail
        // with SQLITE_BUSY at its first write instead.
        if (kind === 'sqlite') {
          const [rotated] = await sqliteRotate.markRotated.run(trx, { now, successor: next.tokenHash, oldHash });
          if (rotated) {
            if (rotated.parent_hash !== null) {
              await sqliteRotate.retireSiblings.run(trx, { now, grantId: rotated.grant_id, parentHash: rotated.parent_hash });
            }
            await sqliteRotate.insertSuccessor.run(trx, {
              tokenHash: next.tokenHash, grantId: rotated.grant_id, createdAt: next.createdAt, expiresAt: next.expiresAt, rotatedAt: next.rotatedAt, parentHash: oldHash,
            });
            const [grant] = await sqliteRotate.touchGrant.run(trx, { now, grantId: rotated.grant_id });
            return { status: 'ok', grant: toGrant(grant!), graced: false };
          }
        }
        const peek = await trx.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', oldHash).executeTakeFirst();
        if (!peek) return { status: 'not_found' };
        const grant = await lockRows(kind, trx.selectFrom('grants').selectAll().where('id', '=', peek.grant_id)).executeTakeFirst();
        const token = await lockRows(kind, trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', oldHash)).executeTakeFirst();
        if (!grant || !token) return { status: 'not_found' };
        const grantLive = grant.revoked_at === null && num(grant.expires_at) > now;
        const answer = async (graced: boolean): Promise<RotateRefreshResult> => {
          await trx.insertInto('refresh_tokens').values({ ...refreshRow({ ...next, grantId: grant.id }), parent_hash: oldHash }).execute();
          await trx.updateTable('grants').set({ last_used_at: now }).where('id', '=', grant.id).execute();
          return { status: 'ok', grant: { ...toGrant(grant), lastUsedAt: now }, graced };
        };

        if (token.rotated_at === null) {
          if (!grantLive || num(token.expires_at) <= now) return { status: 'expired' };
          await trx.updateTable('refresh_tokens').set({ rotated_at: now, successor_hash: next.tokenHash }).where('token_hash', '=', oldHash).execute();
          // The client kept this answer: the other answers given for the same token retire (no successor of their own,
          // so presenting one later is reuse).
          if (token.parent_hash !== null) {
            await trx.updateTable('refresh_tokens').set({ rotated_at: now }).where('grant_id', '=', grant.id)
              .where('parent_hash', '=', token.parent_hash).where('rotated_at', 'is', null).execute();
          }
          return answer(false);
        }
        // A rotated token again: inside its grace window, while none of its answers was used, one more answer.
        const inWindow = grantLive && graceWindow > 0 && token.successor_hash !== null && num(token.rotated_at) > now - graceWindow;
        const successor = inWindow ? await lockRows(kind, trx.selectFrom('refresh_tokens').selectAll()
          .where('token_hash', '=', token.successor_hash!).where('grant_id', '=', grant.id)).executeTakeFirst() : undefined;
        if (successor && successor.rotated_at === null) {
          const { answers } = await trx.selectFrom('refresh_tokens').select((eb) => eb.fn.countAll<number | string | bigint>().as('answers'))
            .where('parent_hash', '=', oldHash).executeTakeFirstOrThrow();
          // A successor stored before parent_hash existed (migration 0010) is an answer too.
          if (num(answers) + (successor.parent_hash === null ? 1 : 0) >= maxAnswers) return { status: 'grace_exhausted' };
          return answer(true);
        }
        await revokeGrantIn(trx, grant.id, now);
        return { status: 'reused', grantId: grant.id };
      });
    },

    async revokeGrant(id, now) {
      return db.transaction().execute((trx) => revokeGrantIn(trx, id, now));
    },

    async revokeGrantsFor(userId, clientId, now) {
      return db.transaction().execute(async (trx) => {
        const grants = await trx.selectFrom('grants').select('id').where('user_id', '=', userId).where('client_id', '=', clientId)
          .where('revoked_at', 'is', null).execute();
        for (const g of grants) await revokeGrantIn(trx, g.id, now);
        return grants.length;
      });
    },

    async revokeClientGrants(clientId, now) {
      return db.transaction().execute(async (trx) => {
        const grants = await trx.selectFrom('grants').select('id').where('client_id', '=', clientId).where('revoked_at', 'is', null).execute();
        for (const g of grants) await revokeGrantIn(trx, g.id, now);
        return grants.length;
      });
    },

    async listActiveGrants(userId, now) {
      const rows = await db.selectFrom('grants').selectAll().where('user_id', '=', userId)
        .where('revoked_at', 'is', null).where('expires_at', '>', now).orderBy('created_at').execute();
      return rows.map(toGrant);
    },
  };
}
