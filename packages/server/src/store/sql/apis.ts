// ApiStore over SQL: an API row, its scopes and its introspectors, written together.
import type { ApiStore } from '../api-store.ts';
import { conflictAware, num, type SqlDatabase } from './sql-database.ts';

/** The tables of clients an API names (its introspectors, its token exchangers): (api_id, client_id) pairs. */
type ApiClientTable = 'api_introspectors' | 'api_token_exchangers';

export function sqlApiStore({ db }: SqlDatabase): ApiStore {
  // Idempotent; false when the API is unknown.
  const addMember = async (table: ApiClientTable, identifier: string, clientId: string): Promise<boolean> => {
    const api = await db.selectFrom('apis').select('id').where('identifier', '=', identifier).executeTakeFirst();
    if (!api) return false;
    await db.insertInto(table).values({ api_id: api.id, client_id: clientId }).onConflict((oc) => oc.columns(['api_id', 'client_id']).doNothing()).execute();
    return true;
  };
  // False when the API is unknown or the client was not a member.
  const removeMember = async (table: ApiClientTable, identifier: string, clientId: string): Promise<boolean> => {
    const r = await db.deleteFrom(table).where('client_id', '=', clientId)
      .where('api_id', 'in', db.selectFrom('apis').select('id').where('identifier', '=', identifier)).executeTakeFirst();
    return r.numDeletedRows > 0n;
  };

  return {
    async createApi(api) {
      await conflictAware(`API ${api.identifier} or one of its scopes`, () => db.transaction().execute(async (trx) => {
        await trx.insertInto('apis').values({ id: api.id, identifier: api.identifier, name: api.name, created_at: api.createdAt }).execute();
        if (api.scopes.length > 0) {
          await trx.insertInto('api_scopes')
            .values(api.scopes.map((s) => ({ api_id: api.id, name: s.name, description: s.description }))).execute();
        }
        if (api.introspectors.length > 0) {
          await trx.insertInto('api_introspectors').values(api.introspectors.map((clientId) => ({ api_id: api.id, client_id: clientId }))).execute();
        }
        if (api.exchangers.length > 0) {
          await trx.insertInto('api_token_exchangers').values(api.exchangers.map((clientId) => ({ api_id: api.id, client_id: clientId }))).execute();
        }
      }));
    },

    async listApis() {
      const apis = await db.selectFrom('apis').selectAll().orderBy('created_at').orderBy('id').execute();
      const scopes = await db.selectFrom('api_scopes').selectAll().orderBy('name').execute();
      const introspectors = await db.selectFrom('api_introspectors').selectAll().orderBy('client_id').execute();
      const exchangers = await db.selectFrom('api_token_exchangers').selectAll().orderBy('client_id').execute();
      return apis.map((a) => ({
        id: a.id, identifier: a.identifier, name: a.name, createdAt: num(a.created_at),
        scopes: scopes.filter((s) => s.api_id === a.id).map((s) => ({ name: s.name, description: s.description })),
        introspectors: introspectors.filter((i) => i.api_id === a.id).map((i) => i.client_id),
        exchangers: exchangers.filter((x) => x.api_id === a.id).map((x) => x.client_id),
      }));
    },

    addApiIntrospector: (identifier, clientId) => addMember('api_introspectors', identifier, clientId),
    removeApiIntrospector: (identifier, clientId) => removeMember('api_introspectors', identifier, clientId),
    addApiExchanger: (identifier, clientId) => addMember('api_token_exchangers', identifier, clientId),
    removeApiExchanger: (identifier, clientId) => removeMember('api_token_exchangers', identifier, clientId),

    async deleteApi(identifier) {
      const r = await db.deleteFrom('apis').where('identifier', '=', identifier).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
