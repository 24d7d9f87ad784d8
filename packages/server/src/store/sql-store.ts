// The Store over SQL through Kysely: one implementation for SQLite and PostgreSQL (the dialect differs, not the code).
// Atomicity comes from the database: conditional UPDATE ... RETURNING, upserts and transactions.
import { Kysely, sql, type Transaction } from 'kysely';
import { randomId } from '../crypto/random.ts';
import { runMigrations } from './migrations/run-migrations.ts';
import type { Database } from './schema.ts';
import { StoreConflict, type Store } from './store.ts';
import type {
  ApiRecord, AuditEvent, AuthorizationCodeRecord, CacheTopic, ClientRecord, ConsentRecord, FailureCount,
  GrantRecord, GrantType, InteractionRecord, RedeemCodeResult, RefreshTokenRecord, RotateRefreshResult, SessionRecord, SigningAlg, SigningKeyRecord,
  UserRecord,
} from './records.ts';
import type { Selectable } from 'kysely';
import type {
  AuthCodesTable, ClientsTable, GrantsTable, InteractionsTable, RefreshTokensTable, SigningKeysTable, UsersTable,
} from './schema.ts';

const list = (json: string): string[] => JSON.parse(json) as string[];
const num = (value: number | string | bigint): number => Number(value);
const numOrNull = (value: number | string | bigint | null): number | null => (value === null ? null : Number(value));

function toClient(row: Selectable<ClientsTable>): ClientRecord {
  return {
    id: row.id, name: row.name, secretHash: row.secret_hash, isPublic: num(row.is_public) === 1,
    redirectUris: list(row.redirect_uris), grantTypes: list(row.grant_types) as GrantType[], scopes: list(row.scopes),
    requirePkce: num(row.require_pkce) === 1, idTokenAlg: row.id_token_alg as SigningAlg,
    registration: row.registration === 'dynamic' ? 'dynamic' : 'operator',
    createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id, username: row.username, email: row.email, name: row.name, passwordHash: row.password_hash,
    createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

function toKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid, alg: row.alg as SigningAlg, publicJwk: row.public_jwk, privateJwkSealed: row.private_jwk_sealed,
    createdAt: num(row.created_at), retiredAt: numOrNull(row.retired_at), expiresAt: numOrNull(row.expires_at),
  };
}

function toCode(row: Selectable<AuthCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash, clientId: row.client_id, userId: row.user_id, redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge, nonce: row.nonce, scopes: list(row.scopes), audience: row.audience,
    authTime: num(row.auth_time), createdAt: num(row.created_at), expiresAt: num(row.expires_at),
    consumedAt: numOrNull(row.consumed_at), grantId: row.grant_id,
  };
}

function toGrant(row: Selectable<GrantsTable>): GrantRecord {
  return {
    id: row.id, clientId: row.client_id, userId: row.user_id, scopes: list(row.scopes), audience: row.audience,
    authTime: num(row.auth_time), createdAt: num(row.created_at), lastUsedAt: num(row.last_used_at),
    expiresAt: num(row.expires_at), revokedAt: numOrNull(row.revoked_at),
  };
}

function toRefresh(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash, grantId: row.grant_id, createdAt: num(row.created_at), expiresAt: num(row.expires_at),
    rotatedAt: numOrNull(row.rotated_at),
  };
}

function toInteraction(row: Selectable<InteractionsTable>): InteractionRecord {
  return {
    id: row.id, browserHash: row.browser_hash, clientId: row.client_id, request: row.request, userId: row.user_id,
    authTime: numOrNull(row.auth_time), createdAt: num(row.created_at), expiresAt: num(row.expires_at),
  };
}

function refreshRow(token: RefreshTokenRecord): Selectable<RefreshTokensTable> {
  return {
    token_hash: token.tokenHash, grant_id: token.grantId, created_at: token.createdAt, expires_at: token.expiresAt,
    rotated_at: token.rotatedAt, successor_hash: null,
  };
}

function grantRow(g: GrantRecord): Selectable<GrantsTable> {
  return {
    id: g.id, client_id: g.clientId, user_id: g.userId, scopes: JSON.stringify(g.scopes), audience: g.audience,
    auth_time: g.authTime, created_at: g.createdAt, last_used_at: g.lastUsedAt, expires_at: g.expiresAt, revoked_at: g.revokedAt,
  };
}

/** True for a unique-constraint violation in SQLite or PostgreSQL. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errcode?: string; message?: string };
  return e.code === '23505' || /UNIQUE constraint failed/i.test(e.message ?? '');
}

async function conflictAware<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreConflict(`${what} already exists`);
    throw error;
  }
}

/** Deletes at most `batch` rows of `table` matching `where`, keyed by `key` (portable bounded delete). */
async function deleteBatch(
  db: Kysely<Database>, table: keyof Database, key: string, where: ReturnType<typeof sql>, batch: number,
): Promise<number> {
  const result = await sql`delete from ${sql.table(table)} where ${sql.ref(key)} in
    (select ${sql.ref(key)} from ${sql.table(table)} where ${where} limit ${batch})`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>, kind: 'sqlite' | 'postgres') {
    this.db = db;
    this.kind = kind;
  }

  async migrate(): Promise<{ applied: string[] }> {
    return { applied: await runMigrations(this.db, this.kind) };
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // Row-locking reads inside transactions: PostgreSQL needs FOR UPDATE; SQLite serialises writers already.
  #lockRows<T extends { forUpdate(): T }>(query: T): T {
    return this.kind === 'postgres' ? query.forUpdate() : query;
  }

  // ---- clients
  async createClient(c: ClientRecord): Promise<void> {
    await conflictAware(`client ${c.id}`, () => this.db.insertInto('clients').values({
      id: c.id, name: c.name, secret_hash: c.secretHash, is_public: c.isPublic ? 1 : 0,
      redirect_uris: JSON.stringify(c.redirectUris), grant_types: JSON.stringify(c.grantTypes),
      scopes: JSON.stringify(c.scopes), require_pkce: c.requirePkce ? 1 : 0, id_token_alg: c.idTokenAlg,
      registration: c.registration, created_at: c.createdAt, updated_at: c.updatedAt,
    }).execute());
  }

  async getClient(id: string): Promise<ClientRecord | undefined> {
    const row = await this.db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toClient(row);
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute()).map(toClient);
  }

  async updateClientSecret(id: string, secretHash: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('clients').set({ secret_hash: secretHash, updated_at: now })
      .where('id', '=', id).where('is_public', '=', 0).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  // Consents, codes, grants, refresh tokens and interactions go with it (ON DELETE CASCADE).
  async deleteClient(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  // ---- apis
  async createApi(api: ApiRecord): Promise<void> {
    await conflictAware(`API ${api.identifier} or one of its scopes`, () => this.db.transaction().execute(async (trx) => {
      await trx.insertInto('apis').values({ id: api.id, identifier: api.identifier, name: api.name, created_at: api.createdAt }).execute();
      if (api.scopes.length > 0) {
        await trx.insertInto('api_scopes')
          .values(api.scopes.map((s) => ({ api_id: api.id, name: s.name, description: s.description }))).execute();
      }
      if (api.introspectors.length > 0) {
        await trx.insertInto('api_introspectors').values(api.introspectors.map((clientId) => ({ api_id: api.id, client_id: clientId }))).execute();
      }
    }));
  }

  async listApis(): Promise<ApiRecord[]> {
    const apis = await this.db.selectFrom('apis').selectAll().orderBy('created_at').orderBy('id').execute();
    const scopes = await this.db.selectFrom('api_scopes').selectAll().orderBy('name').execute();
    const introspectors = await this.db.selectFrom('api_introspectors').selectAll().orderBy('client_id').execute();
    return apis.map((a) => ({
      id: a.id, identifier: a.identifier, name: a.name, createdAt: num(a.created_at),
      scopes: scopes.filter((s) => s.api_id === a.id).map((s) => ({ name: s.name, description: s.description })),
      introspectors: introspectors.filter((i) => i.api_id === a.id).map((i) => i.client_id),
    }));
  }

  async addApiIntrospector(identifier: string, clientId: string): Promise<boolean> {
    const api = await this.db.selectFrom('apis').select('id').where('identifier', '=', identifier).executeTakeFirst();
    if (!api) return false;
    await this.db.insertInto('api_introspectors').values({ api_id: api.id, client_id: clientId })
      .onConflict((oc) => oc.columns(['api_id', 'client_id']).doNothing()).execute();
    return true;
  }

  async removeApiIntrospector(identifier: string, clientId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('api_introspectors').where('client_id', '=', clientId)
      .where('api_id', 'in', this.db.selectFrom('apis').select('id').where('identifier', '=', identifier)).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async deleteApi(identifier: string): Promise<boolean> {
    const r = await this.db.deleteFrom('apis').where('identifier', '=', identifier).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  // ---- users
  async createUser(u: UserRecord): Promise<void> {
    await conflictAware(`user ${u.username}`, () => this.db.insertInto('users').values({
      id: u.id, username: u.username, email: u.email, name: u.name, password_hash: u.passwordHash,
      created_at: u.createdAt, updated_at: u.updatedAt,
    }).execute());
  }

  async getUserById(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async getUserByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUser(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
  }

  async setUserPassword(id: string, passwordHash: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  // Sessions, consents, codes, grants and refresh tokens go with them (ON DELETE CASCADE).
  async deleteUser(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  // ---- signing keys
  async addSigningKey(key: SigningKeyRecord, retiredKeysExpireAt: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ retired_at: key.createdAt, expires_at: retiredKeysExpireAt })
        .where('alg', '=', key.alg).where('retired_at', 'is', null).execute();
      await trx.insertInto('signing_keys').values({
        kid: key.kid, alg: key.alg, public_jwk: key.publicJwk, private_jwk_sealed: key.privateJwkSealed,
        created_at: key.createdAt, retired_at: null, expires_at: null,
      }).execute();
    });
  }

  async listSigningKeys(now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc').orderBy('kid').execute();
    return rows.map(toKey);
  }

  async activeSigningKey(alg: SigningAlg): Promise<SigningKeyRecord | undefined> {
    const row = await this.db.selectFrom('signing_keys').selectAll().where('alg', '=', alg).where('retired_at', 'is', null)
      .orderBy('created_at', 'desc').executeTakeFirst();
    return row && toKey(row);
  }

  // ---- consents
  async getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const row = await this.db.selectFrom('consents').selectAll().where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
    return row && { userId: row.user_id, clientId: row.client_id, scopes: list(row.scopes), grantedAt: num(row.granted_at), updatedAt: num(row.updated_at) };
  }

  async addConsentScopes(userId: string, clientId: string, scopes: string[], now: number): Promise<ConsentRecord> {
    return this.db.transaction().execute(async (trx) => {
      // Make sure the row exists first, so there is always a row to lock: with only SELECT ... FOR UPDATE, two
      // PostgreSQL transactions adding to a consent that does not exist yet both read nothing and the later
      // upsert overwrites the earlier one's scopes. A concurrent insert makes this one wait, then do nothing.
      await trx.insertInto('consents').values({ user_id: userId, client_id: clientId, scopes: '[]', granted_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'client_id']).doNothing()).execute();
      const existing = await this.#lockRows(trx.selectFrom('consents').selectAll()
        .where('user_id', '=', userId).where('client_id', '=', clientId)).executeTakeFirstOrThrow();
      const merged = [...new Set([...list(existing.scopes), ...scopes])].sort();
      const grantedAt = num(existing.granted_at);
      await trx.updateTable('consents').set({ scopes: JSON.stringify(merged), updated_at: now })
        .where('user_id', '=', userId).where('client_id', '=', clientId).execute();
      return { userId, clientId, scopes: merged, grantedAt, updatedAt: now };
    });
  }

  async listConsents(userId: string): Promise<ConsentRecord[]> {
    const rows = await this.db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('granted_at').execute();
    return rows.map((row) => ({ userId: row.user_id, clientId: row.client_id, scopes: list(row.scopes), grantedAt: num(row.granted_at), updatedAt: num(row.updated_at) }));
  }

  async deleteConsent(userId: string, clientId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  // ---- sessions
  async createSession(s: SessionRecord): Promise<void> {
    await this.db.insertInto('sessions').values({ id_hash: s.idHash, user_id: s.userId, auth_time: s.authTime, created_at: s.createdAt, expires_at: s.expiresAt }).execute();
  }

  async getSession(idHash: string, now: number): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
    return row && { idHash: row.id_hash, userId: row.user_id, authTime: num(row.auth_time), createdAt: num(row.created_at), expiresAt: num(row.expires_at) };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  // ---- interactions
  async createInteraction(i: InteractionRecord): Promise<void> {
    await this.db.insertInto('interactions').values({
      id: i.id, browser_hash: i.browserHash, client_id: i.clientId, request: i.request, user_id: i.userId,
      auth_time: i.authTime, created_at: i.createdAt, expires_at: i.expiresAt,
    }).execute();
  }

  async getInteraction(id: string, now: number): Promise<InteractionRecord | undefined> {
    const row = await this.db.selectFrom('interactions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
    return row && toInteraction(row);
  }

  // DELETE ... RETURNING: of two concurrent submissions only one gets the row.
  async consumeInteraction(id: string, now: number): Promise<InteractionRecord | undefined> {
    const row = await this.db.deleteFrom('interactions').where('id', '=', id).where('expires_at', '>', now).returningAll().executeTakeFirst();
    return row && toInteraction(row);
  }

  // ---- authorization codes
  async insertCode(c: AuthorizationCodeRecord): Promise<void> {
    await this.db.insertInto('auth_codes').values({
      code_hash: c.codeHash, client_id: c.clientId, user_id: c.userId, redirect_uri: c.redirectUri,
      code_challenge: c.codeChallenge, nonce: c.nonce, scopes: JSON.stringify(c.scopes), audience: c.audience,
      auth_time: c.authTime, created_at: c.createdAt, expires_at: c.expiresAt, consumed_at: null, grant_id: null,
    }).execute();
  }

  async findCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    const row = await this.db.selectFrom('auth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    return row && toCode(row);
  }

  // RFC 6749 §4.1.2: a code is used once. The conditional update makes the first caller the only winner, and the
  // grant it produced is written in the same transaction: a consumed code always names a stored grant.
  async redeemCode(codeHash: string, now: number, grant: GrantRecord, first: RefreshTokenRecord | null): Promise<RedeemCodeResult> {
    return this.db.transaction().execute(async (trx) => {
      const won = await trx.updateTable('auth_codes').set({ consumed_at: now, grant_id: grant.id })
        .where('code_hash', '=', codeHash).where('client_id', '=', grant.clientId).where('consumed_at', 'is', null).where('expires_at', '>', now)
        .returning(['code_hash']).executeTakeFirst();
      if (!won) {
        const seen = await trx.selectFrom('auth_codes').select(['consumed_at', 'grant_id', 'client_id']).where('code_hash', '=', codeHash).executeTakeFirst();
        if (!seen || seen.client_id !== grant.clientId) return { status: 'not_found' };
        return seen.consumed_at === null ? { status: 'expired' } : { status: 'reused', grantId: seen.grant_id };
      }
      await trx.insertInto('grants').values(grantRow(grant)).execute();
      if (first) await trx.insertInto('refresh_tokens').values(refreshRow(first)).execute();
      return { status: 'ok' };
    });
  }

  // ---- grants and refresh tokens
  async createGrant(g: GrantRecord, first: RefreshTokenRecord | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('grants').values(grantRow(g)).execute();
      if (first) await trx.insertInto('refresh_tokens').values(refreshRow(first)).execute();
    });
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toGrant(row);
  }

  // RFC 9700 §4.14.2: rotation with reuse detection, in one transaction. The grant row is locked before its tokens,
  // in the same order as revocation (#revokeGrantIn), so a rotation and a revocation never deadlock; nothing is
  // written unless the rotation succeeds or reuse revokes the family.
  async rotateRefreshToken(oldHash: string, next: RefreshTokenRecord, now: number, retryWindow = 0): Promise<RotateRefreshResult> {
    return this.db.transaction().execute(async (trx): Promise<RotateRefreshResult> => {
      const peek = await trx.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', oldHash).executeTakeFirst();
      if (!peek) return { status: 'not_found' };
      const grant = await this.#lockRows(trx.selectFrom('grants').selectAll().where('id', '=', peek.grant_id)).executeTakeFirst();
      const token = await this.#lockRows(trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', oldHash)).executeTakeFirst();
      if (!grant || !token) return { status: 'not_found' };
      const grantLive = grant.revoked_at === null && num(grant.expires_at) > now;
      const succeed = async (retried: boolean): Promise<RotateRefreshResult> => {
        await trx.insertInto('refresh_tokens').values(refreshRow({ ...next, grantId: grant.id })).execute();
        await trx.updateTable('grants').set({ last_used_at: now }).where('id', '=', grant.id).execute();
        return { status: 'ok', grant: { ...toGrant(grant), lastUsedAt: now }, retried };
      };

      if (token.rotated_at === null) {
        if (!grantLive || num(token.expires_at) <= now) return { status: 'expired' };
        await trx.updateTable('refresh_tokens').set({ rotated_at: now, successor_hash: next.tokenHash }).where('token_hash', '=', oldHash).execute();
        return succeed(false);
      }
      // A rotated token again: a retry of a rotation whose answer was lost, if it is recent and its successor unused.
      const retryable = grantLive && retryWindow > 0 && token.successor_hash !== null && num(token.rotated_at) > now - retryWindow;
      const successor = retryable ? await this.#lockRows(trx.selectFrom('refresh_tokens').selectAll()
        .where('token_hash', '=', token.successor_hash!).where('grant_id', '=', grant.id)).executeTakeFirst() : undefined;
      if (successor && successor.rotated_at === null) {
        await trx.updateTable('refresh_tokens').set({ rotated_at: now, successor_hash: null }).where('token_hash', '=', successor.token_hash).execute();
        await trx.updateTable('refresh_tokens').set({ successor_hash: next.tokenHash }).where('token_hash', '=', oldHash).execute();
        return succeed(true);
      }
      await this.#revokeGrantIn(trx, grant.id, now);
      return { status: 'reused', grantId: grant.id };
    });
  }

  async findRefreshToken(tokenHash: string): Promise<(RefreshTokenRecord & { grant: GrantRecord }) | undefined> {
    const token = await this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!token) return undefined;
    const grant = await this.getGrant(token.grant_id);
    return grant && { ...toRefresh(token), grant };
  }

  async #revokeGrantIn(trx: Transaction<Database> | Kysely<Database>, id: string, now: number): Promise<boolean> {
    const r = await trx.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    await trx.deleteFrom('refresh_tokens').where('grant_id', '=', id).where('rotated_at', 'is', null).execute();
    return r.numUpdatedRows > 0n;
  }

  async revokeGrant(id: string, now: number): Promise<boolean> {
    return this.db.transaction().execute((trx) => this.#revokeGrantIn(trx, id, now));
  }

  async revokeGrantsFor(userId: string, clientId: string, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const grants = await trx.selectFrom('grants').select('id').where('user_id', '=', userId).where('client_id', '=', clientId)
        .where('revoked_at', 'is', null).execute();
      for (const g of grants) await this.#revokeGrantIn(trx, g.id, now);
      return grants.length;
    });
  }

  async listActiveGrants(userId: string, now: number): Promise<GrantRecord[]> {
    const rows = await this.db.selectFrom('grants').selectAll().where('user_id', '=', userId)
      .where('revoked_at', 'is', null).where('expires_at', '>', now).orderBy('created_at').execute();
    return rows.map(toGrant);
  }

  // ---- revoked access tokens
  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('revoked_tokens').values({ jti, expires_at: expiresAt }).onConflict((oc) => oc.column('jti').doNothing()).execute();
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return (await this.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
  }

  // ---- failure counters (fixed window per key, counted atomically by an upsert)
  async recordFailure(key: string, now: number, windowSeconds: number): Promise<FailureCount> {
    const windowOpen = now - windowSeconds;
    const row = await this.db.insertInto('login_failures').values({ key, failures: 1, window_start: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({
        failures: sql<number>`case when login_failures.window_start <= ${windowOpen} then 1 else login_failures.failures + 1 end`,
        window_start: sql<number>`case when login_failures.window_start <= ${windowOpen} then ${now} else login_failures.window_start end`,
      }))
      .returning(['failures', 'window_start']).executeTakeFirstOrThrow();
    return { count: num(row.failures), resetAt: num(row.window_start) + windowSeconds };
  }

  async failureCount(key: string, now: number, windowSeconds: number): Promise<FailureCount> {
    const row = await this.db.selectFrom('login_failures').select(['failures', 'window_start']).where('key', '=', key)
      .where('window_start', '>', now - windowSeconds).executeTakeFirst();
    return row ? { count: num(row.failures), resetAt: num(row.window_start) + windowSeconds } : { count: 0, resetAt: now };
  }

  async clearFailures(key: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', '=', key).execute();
  }

  // ---- audit
  async addAuditEvent(event: AuditEvent, now: number): Promise<void> {
    await this.db.insertInto('audit_events').values({
      id: randomId(), at: now, type: event.type, client_id: event.clientId ?? null, user_id: event.userId ?? null,
      detail: event.detail ? JSON.stringify(event.detail) : null,
    }).execute();
  }

  // ---- cache invalidation
  async bumpCacheVersion(topic: CacheTopic): Promise<void> {
    await this.db.insertInto('cache_versions').values({ topic, version: 1 })
      .onConflict((oc) => oc.column('topic').doUpdateSet({ version: sql<number>`cache_versions.version + 1` })).execute();
  }

  async cacheVersions(): Promise<Record<CacheTopic, number>> {
    const rows = await this.db.selectFrom('cache_versions').selectAll().execute();
    const versions: Record<CacheTopic, number> = { clients: 0, apis: 0, keys: 0 };
    for (const row of rows) if (row.topic in versions) versions[row.topic as CacheTopic] = num(row.version);
    return versions;
  }

  // ---- expiry: bounded batches so a large backlog never blocks requests
  async deleteExpired(now: number, batch: number): Promise<number> {
    const HOUR = 3600;
    const DAY = 86400;
    let removed = 0;
    removed += await deleteBatch(this.db, 'sessions', 'id_hash', sql`expires_at < ${now}`, batch);
    removed += await deleteBatch(this.db, 'interactions', 'id', sql`expires_at < ${now}`, batch);
    // Consumed codes stay an hour past expiry so a late replay is still recognised as reuse.
    removed += await deleteBatch(this.db, 'auth_codes', 'code_hash', sql`expires_at < ${now - HOUR}`, batch);
    removed += await deleteBatch(this.db, 'refresh_tokens', 'token_hash', sql`expires_at < ${now}`, batch);
    // Ended grants stay a day so the audit trail and reuse detection can still name them.
    removed += await deleteBatch(this.db, 'grants', 'id', sql`expires_at < ${now - DAY} or revoked_at < ${now - DAY}`, batch);
    removed += await deleteBatch(this.db, 'revoked_tokens', 'jti', sql`expires_at < ${now}`, batch);
    removed += await deleteBatch(this.db, 'login_failures', 'key', sql`window_start < ${now - DAY}`, batch);
    removed += await deleteBatch(this.db, 'audit_events', 'id', sql`at < ${now - 90 * DAY}`, batch);
    removed += await deleteBatch(this.db, 'signing_keys', 'kid', sql`expires_at is not null and expires_at < ${now}`, batch);
    return removed;
  }
}
