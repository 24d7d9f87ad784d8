// ClientStore over SQL.
import type { Selectable } from 'kysely';
import type { ClientStore } from '../client-store.ts';
import type { ClientRecord, GrantType, SigningAlg } from '../records.ts';
import type { ClientsTable } from '../schema.ts';
import { conflictAware, list, num, type SqlDatabase } from './sql-database.ts';

function toClient(row: Selectable<ClientsTable>): ClientRecord {
  return {
    id: row.id, name: row.name, secretHash: row.secret_hash, isPublic: num(row.is_public) === 1,
    redirectUris: list(row.redirect_uris), grantTypes: list(row.grant_types) as GrantType[], scopes: list(row.scopes),
    requirePkce: num(row.require_pkce) === 1, idTokenAlg: row.id_token_alg as SigningAlg,
    registration: row.registration === 'dynamic' ? 'dynamic' : 'operator', idTokenClaims: num(row.id_token_claims) === 1, requireMfa: num(row.require_mfa) === 1,
    createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

export function sqlClientStore({ db }: SqlDatabase): ClientStore {
  return {
    async createClient(c) {
      await conflictAware(`client ${c.id}`, () => db.insertInto('clients').values({
        id: c.id, name: c.name, secret_hash: c.secretHash, is_public: c.isPublic ? 1 : 0,
        redirect_uris: JSON.stringify(c.redirectUris), grant_types: JSON.stringify(c.grantTypes),
        scopes: JSON.stringify(c.scopes), require_pkce: c.requirePkce ? 1 : 0, id_token_alg: c.idTokenAlg,
        registration: c.registration, id_token_claims: c.idTokenClaims ? 1 : 0, require_mfa: c.requireMfa ? 1 : 0, created_at: c.createdAt, updated_at: c.updatedAt,
      }).execute());
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

    // Consents, codes, grants, refresh tokens and interactions go with it (ON DELETE CASCADE).
    async deleteClient(id) {
      const r = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
