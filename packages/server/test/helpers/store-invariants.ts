// What must hold in the database after any interleaving of requests, faults and crashes (issue 11). Concurrency and
// fault tests call assertStoreInvariants when they finish; it reads the tables directly, on SQLite or PostgreSQL.
// - no consumed code without its outcome: a consumed code names its grant, and the grant is stored;
// - an unconsumed code names no grant;
// - every live grant of a client with the refresh_token grant has at least one live (unrotated) refresh token, never
//   more than MAX_ANSWERS_PER_REFRESH_TOKEN, and when more than one, all are answers to the same token (the grace
//   window, docs/refresh-tokens.md); revoked grants and grants of clients without refresh tokens have none;
// - a rotated token's successor belongs to the same grant; no refresh token without its grant.
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { MAX_ANSWERS_PER_REFRESH_TOKEN } from '../../src/store/grant-store.ts';
import type { Database } from '../../src/store/schema.ts';

export interface InvariantOptions {
  /** Unix seconds: grants with expires_at after this are live. */
  now: number;
  /** Every grant came from a code that is still stored (true in tests that make grants only through the code flow). */
  grantsFromCodes?: boolean;
}

type Row = Record<string, unknown>;

async function rows(db: Kysely<Database>, query: ReturnType<typeof sql>): Promise<Row[]> {
  return (await query.execute(db)).rows as Row[];
}

/** Every violation, one line each (empty when the store is consistent). */
export async function storeInvariantViolations(db: Kysely<Database>, options: InvariantOptions): Promise<string[]> {
  const { now } = options;
  const problems: string[] = [];
  const report = (what: string, found: Row[]) => {
    for (const row of found.slice(0, 10)) problems.push(`${what}: ${JSON.stringify(row)}`);
    if (found.length > 10) problems.push(`${what}: ... and ${found.length - 10} more`);
  };

  report('consumed code without its grant', await rows(db, sql`select c.code_hash, c.grant_id from auth_codes c
    left join grants g on g.id = c.grant_id where c.consumed_at is not null and g.id is null`));
  report('unconsumed code naming a grant', await rows(db, sql`select code_hash, grant_id from auth_codes
    where consumed_at is null and grant_id is not null`));
  report(`grant with more than ${MAX_ANSWERS_PER_REFRESH_TOKEN} live refresh tokens`, await rows(db, sql`select grant_id, count(*) as live from refresh_tokens
    where rotated_at is null group by grant_id having count(*) > ${MAX_ANSWERS_PER_REFRESH_TOKEN}`));
  report('grant whose live refresh tokens are not all answers to one token', await rows(db, sql`select grant_id from refresh_tokens
    where rotated_at is null group by grant_id having count(*) > 1 and (count(distinct parent_hash) <> 1 or count(parent_hash) <> count(*))`));
  report('live grant of a refresh client without a live refresh token', await rows(db, sql`select g.id
    from grants g join clients cl on cl.id = g.client_id
    where g.revoked_at is null and g.expires_at > ${now} and cl.grant_types like ${'%"refresh_token"%'}
    and not exists (select 1 from refresh_tokens r where r.grant_id = g.id and r.rotated_at is null)`));
  report('revoked grant with a live refresh token', await rows(db, sql`select g.id from grants g
    where g.revoked_at is not null and exists (select 1 from refresh_tokens r where r.grant_id = g.id and r.rotated_at is null)`));
  report('grant of a client without the refresh_token grant holding refresh tokens', await rows(db, sql`select g.id from grants g
    join clients cl on cl.id = g.client_id where cl.grant_types not like ${'%"refresh_token"%'}
    and exists (select 1 from refresh_tokens r where r.grant_id = g.id)`));
  report('rotated token whose successor is missing or in another grant', await rows(db, sql`select r.token_hash from refresh_tokens r
    join grants g on g.id = r.grant_id
    left join refresh_tokens s on s.token_hash = r.successor_hash and s.grant_id = r.grant_id
    where g.revoked_at is null and r.successor_hash is not null and s.token_hash is null`));
  report('refresh token without its grant', await rows(db, sql`select r.token_hash from refresh_tokens r
    left join grants g on g.id = r.grant_id where g.id is null`));
  if (options.grantsFromCodes) {
    report('grant that no consumed code names', await rows(db, sql`select g.id from grants g
      where not exists (select 1 from auth_codes c where c.grant_id = g.id and c.consumed_at is not null)`));
  }
  return problems;
}

export async function assertStoreInvariants(db: Kysely<Database>, options: InvariantOptions): Promise<void> {
  const problems = await storeInvariantViolations(db, options);
  assert.deepEqual(problems, [], `store invariants violated:\n${problems.join('\n')}`);
}
