// The LatchkeyStore over Kysely: one implementation, SQLite and PostgreSQL dialects (conditional updates for leases).
import { sql, type Kysely, type Selectable } from 'kysely';
import { MIGRATIONS, ensureMigrationTable } from './migrations.ts';
import type { LatchkeyStore, SessionRecord, SessionTokenUpdate, TransactionRecord } from './store-records.ts';

// PostgreSQL returns bigint columns as strings: every numeric column is read through this type and `toNumber`.
type Int = number | string | bigint;

interface TransactionsTable {
  id: string;
  binding: string;
  payload: string;
  expires_at: Int;
}

interface SessionsTable {
  id: string;
  subject: string;
  provider_sid: string | null;
  profile: string;
  access_token: string;
  refresh_token: string | null;
  id_token: string | null;
  access_expires_at: Int | null;
  refresh_at: Int | null;
  audience_tokens: string | null;
  dpop_key: string | null;
  scopes: string;
  reauth_required: Int;
  version: Int;
  lease_owner: string | null;
  lease_until: Int | null;
  created_at: Int;
  expires_at: Int;
}

interface MigrationsTable {
  version: Int;
  applied_at: Int;
}

interface LogoutTokensTable {
  id: string;
  expires_at: Int;
}

export interface StoreDatabase {
  latchkey_logout_tokens: LogoutTokensTable;
  latchkey_transactions: TransactionsTable;
  latchkey_sessions: SessionsTable;
  latchkey_migrations: MigrationsTable;
}

export type StoreDialectName = 'sqlite' | 'postgres';

function toNumber(value: Int): number {
  return typeof value === 'number' ? value : Number(value);
}

function toNullableNumber(value: Int | null): number | null {
  return value === null ? null : toNumber(value);
}

function toSessionRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    subject: row.subject,
    providerSid: row.provider_sid,
    profile: row.profile,
    accessToken: row.access_token,
    refreshToken: row.refresh_token,
    idToken: row.id_token,
    accessExpiresAt: toNullableNumber(row.access_expires_at),
    refreshAt: toNullableNumber(row.refresh_at),
    audienceTokens: row.audience_tokens,
    dpopKey: row.dpop_key ?? null,
    scopes: row.scopes,
    reauthRequired: toNumber(row.reauth_required) !== 0,
    version: toNumber(row.version),
    leaseOwner: row.lease_owner,
    leaseUntil: toNullableNumber(row.lease_until),
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
  };
}

export class KyselyLatchkeyStore implements LatchkeyStore {
  /** The Kysely handle, for this repository's tests; the public type (LatchkeyStore) does not show it. */
  readonly db: Kysely<StoreDatabase>;
  readonly #dialect: StoreDialectName;
  readonly #beforeMigrate: (() => Promise<void>) | undefined;

  /**
   * @param db a Kysely instance (already scoped with `withSchema` for a PostgreSQL schema, if any)
   * @param beforeMigrate runs before the migrations (e.g. creating the PostgreSQL schema)
   */
  constructor(db: Kysely<StoreDatabase>, dialect: StoreDialectName, beforeMigrate?: () => Promise<void>) {
    this.db = db;
    this.#dialect = dialect;
    this.#beforeMigrate = beforeMigrate;
  }

  async migrate(): Promise<void> {
    await this.#beforeMigrate?.();
    await ensureMigrationTable(this.db as unknown as Kysely<unknown>);
    for (const migration of MIGRATIONS) {
      await this.db.transaction().execute(async (trx) => {
        if (this.#dialect === 'postgres') {
          // Serialises concurrent migrators across processes for the rest of this transaction.
          await sql`select pg_advisory_xact_lock(hashtext('latchkey_migrations'))`.execute(trx);
        }
        const done = await trx.selectFrom('latchkey_migrations').select('version')
          .where('version', '=', migration.version).executeTakeFirst();
        if (done) return;
        await migration.up(trx as unknown as Kysely<unknown>);
        await trx.insertInto('latchkey_migrations').values({ version: migration.version, applied_at: Date.now() })
          .onConflict((oc) => oc.column('version').doNothing()).execute();
      });
    }
  }

  async createTransaction(record: TransactionRecord): Promise<void> {
    await this.db.insertInto('latchkey_transactions')
      .values({ id: record.id, binding: record.binding, payload: record.payload, expires_at: record.expiresAt })
      .execute();
  }

  async consumeTransaction(id: string, binding: string, now: number): Promise<TransactionRecord | undefined> {
    // One DELETE … RETURNING: of two concurrent callbacks carrying the same state, exactly one gets the row.
    const row = await this.db.deleteFrom('latchkey_transactions')
      .where('id', '=', id).where('binding', '=', binding).where('expires_at', '>', now)
      .returningAll().executeTakeFirst();
    if (!row) return undefined;
    return { id: row.id, binding: row.binding, payload: row.payload, expiresAt: toNumber(row.expires_at) };
  }

  async createSession(record: SessionRecord): Promise<void> {
    await this.db.insertInto('latchkey_sessions').values({
      id: record.id,
      subject: record.subject,
      provider_sid: record.providerSid,
      profile: record.profile,
      access_token: record.accessToken,
      refresh_token: record.refreshToken,
      id_token: record.idToken,
      access_expires_at: record.accessExpiresAt,
      refresh_at: record.refreshAt,
      audience_tokens: record.audienceTokens,
      dpop_key: record.dpopKey,
      scopes: record.scopes,
      reauth_required: record.reauthRequired ? 1 : 0,
      version: record.version,
      lease_owner: record.leaseOwner,
      lease_until: record.leaseUntil,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
    }).execute();
  }

  async getSession(id: string, now: number): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('latchkey_sessions').selectAll()
      .where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
    return row ? toSessionRecord(row) : undefined;
  }

  async updateSessionTokens(id: string, update: SessionTokenUpdate, leaseOwner?: string): Promise<boolean> {
    let query = this.db.updateTable('latchkey_sessions').set((eb) => ({
      access_token: update.accessToken,
      refresh_token: update.refreshToken,
      id_token: update.idToken,
      access_expires_at: update.accessExpiresAt,
      refresh_at: update.refreshAt,
      audience_tokens: update.audienceTokens,
      dpop_key: update.dpopKey,
      scopes: update.scopes,
      profile: update.profile,
      version: eb('version', '+', 1),
      lease_owner: null,
      lease_until: null,
    })).where('id', '=', id);
    if (leaseOwner !== undefined) query = query.where('lease_owner', '=', leaseOwner);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async acquireRefreshLease(id: string, owner: string, now: number, until: number): Promise<boolean> {
    const result = await this.db.updateTable('latchkey_sessions')
      .set({ lease_owner: owner, lease_until: until })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async releaseRefreshLease(id: string, owner: string): Promise<void> {
    await this.db.updateTable('latchkey_sessions').set({ lease_owner: null, lease_until: null })
      .where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  async markReauthenticationRequired(id: string): Promise<void> {
    await this.db.updateTable('latchkey_sessions').set((eb) => ({
      reauth_required: 1,
      version: eb('version', '+', 1),
      lease_owner: null,
      lease_until: null,
    })).where('id', '=', id).execute();
  }

  async deleteSession(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('latchkey_sessions').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('latchkey_transactions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('latchkey_sessions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('latchkey_logout_tokens').where('expires_at', '<=', now).execute();
  }

  async deleteSessionsForProvider(selector: { subject?: string; providerSid?: string }): Promise<number> {
    if (selector.subject === undefined && selector.providerSid === undefined) return 0;
    let query = this.db.deleteFrom('latchkey_sessions');
    if (selector.subject !== undefined) query = query.where('subject', '=', selector.subject);
    if (selector.providerSid !== undefined) query = query.where('provider_sid', '=', selector.providerSid);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async recordLogoutToken(id: string, expiresAt: number): Promise<boolean> {
    // Of two concurrent deliveries of one token, exactly one inserts (and gets the row back).
    const row = await this.db.insertInto('latchkey_logout_tokens').values({ id, expires_at: expiresAt })
      .onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    return row !== undefined;
  }

  async listSessionsForReencryption(afterId: string, limit: number): Promise<SessionRecord[]> {
    const rows = await this.db.selectFrom('latchkey_sessions').selectAll()
      .where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map(toSessionRecord);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
