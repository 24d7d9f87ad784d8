// ApiStore over SQL: an API row, its scopes and its introspectors, written together.
import type { ApiStore } from '../api-store.ts';
import { conflictAware, num, type SqlDatabase } from './sql-database.ts';

export function sqlApiStore({ db }: SqlDatabase): ApiStore {
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
      }));
    },

    async listApis() {
      const apis = await db.selectFrom('apis').selectAll().orderBy('created_at').orderBy('id').execute();
      const scopes = await db.selectFrom('api_scopes').selectAll().orderBy('name').execute();
      const introspectors = await db.selectFrom('api_introspectors').selectAll().orderBy('client_id').execute();
      return apis.map((a) => ({
        id: a.id, identifier: a.identifier, name: a.name, createdAt: num(a.created_at),
        scopes: scopes.filter((s) => s.api_id === a.id).map((s) => ({ name: s.name, description: s.description })),
        introspectors: introspectors.filter((i) => i.api_id === a.id).map((i) => i.client_id),
      }));
    },

    async addApiIntrospector(identifier, clientId) {
      const api = await db.selectFrom('apis').select('id').where('identifier', '=', identifier).executeTakeFirst();
      if (!api) return false;
      await db.insertInto('api_introspectors').values({ api_id: api.id, client_id: clientId })
        .onConflict((oc) => oc.columns(['api_id', 'client_id']).doNothing()).execute();
      return true;
    },

    async removeApiIntrospector(identifier, clientId) {
      const r = await db.deleteFrom('api_introspectors').where('client_id', '=', clientId)
        .where('api_id', 'in', db.selectFrom('apis').select('id').where('identifier', '=', identifier)).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async deleteApi(identifier) {
      const r = await db.deleteFrom('apis').where('identifier', '=', identifier).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
