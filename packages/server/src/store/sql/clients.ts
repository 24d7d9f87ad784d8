// ClientStore over SQL.
import type { Selectable } from 'kysely';
import type { ClientStore } from '../client-store.ts';
import type { ClientLifetimes, ClientRecord, GrantType, SigningAlg } from '../records.ts';
import type { ClientsTable } from '../schema.ts';
import { conflictAware, list, num, numOrNull, type SqlDatabase } from './sql-database.ts';

function toClient(row: Selectable<ClientsTable>): ClientRecord {
  return {
    id: row.id, name: row.name, secretHash: row.secret_hash, isPublic: num(row.is_public) === 1,
    redirectUris: list(row.redirect_uris), grantTypes: list(row.grant_types) as GrantType[], scopes: list(row.scopes),
    requirePkce: num(row.require_pkce) === 1, idTokenAlg: row.id_token_alg as SigningAlg,
    registration: row.registration === 'dynamic' ? 'dynamic' : 'operator', idTokenClaims: num(row.id_token_claims) === 1, requireMfa: num(row.require_mfa) === 1,
    lifetimes: {
      accessTokenTtl: numOrNull(row.access_token_ttl), idTokenTtl: numOrNull(row.id_token_ttl), refreshIdleTtl: numOrNull(row.refresh_idle_ttl),
      refreshAbsoluteTtl: numOrNull(row.refresh_absolute_ttl), refreshGrace: numOrNull(row.refresh_grace),
    },
    postLogoutRedirectUris: list(row.post_logout_redirect_uris), backchannelLogoutUri: row.backchannel_logout_uri,
    backchannelLogoutSessionRequired: num(row.backchannel_logout_session_required) === 1,
    requirePar: num(row.require_par) === 1, requireDpop: num(row.require_dpop) === 1,
    jwks: row.jwks ?? null, jwksUri: row.jwks_uri ?? null, profile: row.profile === 'fapi2' ? 'fapi2' : null,
    createdAt: num(row.created_at), updatedAt: num(row.updated_at),
    clientUri: row.client_uri, logoUri: row.logo_uri,
    applicationType: row.application_type === 'web' || row.application_type === 'native' ? row.application_type : null,
    registrationTokenHash: row.registration_token_hash,
    firstUsedAt: row.first_used_at === null ? null : num(row.first_used_at), blockedAt: row.blocked_at === null ? null : num(row.blocked_at),
  };
}

const selfAsserted = (c: ClientRecord) => ({
  client_uri: c.clientUri ?? null, logo_uri: c.logoUri ?? null, application_type: c.applicationType ?? null,
});
function lifetimeColumns(l: Partial<ClientLifetimes>) {
  const columns: Partial<Pick<ClientsTable, 'access_token_ttl' | 'id_token_ttl' | 'refresh_idle_ttl' | 'refresh_absolute_ttl' | 'refresh_grace'>> = {};
  if (l.accessTokenTtl !== undefined) columns.access_token_ttl = l.accessTokenTtl;
  if (l.idTokenTtl !== undefined) columns.id_token_ttl = l.idTokenTtl;
  if (l.refreshIdleTtl !== undefined) columns.refresh_idle_ttl = l.refreshIdleTtl;
  if (l.refreshAbsoluteTtl !== undefined) columns.refresh_absolute_ttl = l.refreshAbsoluteTtl;
  if (l.refreshGrace !== undefined) columns.refresh_grace = l.refreshGrace;
  return columns;
}

export function sqlClientStore({ db }: SqlDatabase): ClientStore {
  return {
    async createClient(c) {
      await conflictAware(`client ${c.id}`, () => db.insertInto('clients').values({
        id: c.id, name: c.name, secret_hash: c.secretHash, is_public: c.isPublic ? 1 : 0,
        redirect_uris: JSON.stringify(c.redirectUris), grant_types: JSON.stringify(c.grantTypes),
        scopes: JSON.stringify(c.scopes), require_pkce: c.requirePkce ? 1 : 0, id_token_alg: c.idTokenAlg,
        registration: c.registration, id_token_claims: c.idTokenClaims ? 1 : 0, require_mfa: c.requireMfa ? 1 : 0, require_par: c.requirePar ? 1 : 0, require_dpop: c.requireDpop ? 1 : 0, jwks: c.jwks, jwks_uri: c.jwksUri, profile: c.profile, created_at: c.createdAt, updated_at: c.updatedAt,
        ...selfAsserted(c), registration_token_hash: c.registrationTokenHash ?? null,
        first_used_at: c.firstUsedAt ?? null, blocked_at: c.blockedAt ?? null,
        ...lifetimeColumns(c.lifetimes ?? {}),
        post_logout_redirect_uris: JSON.stringify(c.postLogoutRedirectUris), backchannel_logout_uri: c.backchannelLogoutUri,
        backchannel_logout_session_required: c.backchannelLogoutSessionRequired ? 1 : 0,
      }).execute());
    },

    async updateClientRegistration(c) {
      const r = await db.updateTable('clients').set({
        name: c.name, secret_hash: c.secretHash, is_public: c.isPublic ? 1 : 0, redirect_uris: JSON.stringify(c.redirectUris),
        grant_types: JSON.stringify(c.grantTypes), scopes: JSON.stringify(c.scopes), updated_at: c.updatedAt, ...selfAsserted(c),
        jwks: c.jwks, jwks_uri: c.jwksUri,
      }).where('id', '=', c.id).where('registration', '=', 'dynamic').executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async updateClientBlocked(id, blockedAt, now) {
      const r = await db.updateTable('clients').set({ blocked_at: blockedAt, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async updateClientFirstUse(id, now) {
      const r = await db.updateTable('clients').set({ first_used_at: now }).where('id', '=', id).where('first_used_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    // Only dynamic registrations never used and not blocked (a blocked client must stay blocked); bounded batch.
    async deleteUnusedClients(createdBefore, batch) {
      const ids = (await db.selectFrom('clients').select('id').where('registration', '=', 'dynamic').where('first_used_at', 'is', null)
        .where('blocked_at', 'is', null).where('created_at', '<', createdBefore).limit(batch).execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      await db.deleteFrom('clients').where('id', 'in', ids).where('first_used_at', 'is', null).execute();
      return ids;
    },

    async getClient(id) {
      const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toClient(row);
    },

    async listClients() {
      return (await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute()).map(toClient);
    },

    async updateClientSecret(id, secretHash, now) {
      const r = await db.updateTable('clients').set({ secret_hash: secretHash, updated_at: now })
        .where('id', '=', id).where('is_public', '=', 0).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async updateClientLifetimes(id, lifetimes, now) {
      const r = await db.updateTable('clients').set({ ...lifetimeColumns(lifetimes), updated_at: now }).where('id', '=', id).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async updateClientLogout(id, logout, now) {
      const r = await db.updateTable('clients').set({
        post_logout_redirect_uris: JSON.stringify(logout.postLogoutRedirectUris), backchannel_logout_uri: logout.backchannelLogoutUri,
        backchannel_logout_session_required: logout.backchannelLogoutSessionRequired ? 1 : 0, updated_at: now,
      }).where('id', '=', id).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    // Consents, codes, grants, refresh tokens and interactions go with it (ON DELETE CASCADE).
    async deleteClient(id) {
      const r = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
