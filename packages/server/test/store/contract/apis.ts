// The Store contract, apis: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../../src/store/store.ts';
import { clientRecord, apiRecord, countRows, isConflict } from './contract-fixtures.ts';

export function apisContract(current: () => SqlStore): void {
  describe('apis', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('stores an API with its scopes', async () => {
      await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:write', 'contacts:read']));
      await store.createApi(apiRecord('a2', 'https://files.example', []));
      const apis = await store.listApis();
      assert.deepEqual(apis.map((a) => a.identifier), ['https://contacts.example', 'https://files.example']);
      assert.deepEqual(apis[0]?.scopes, [
        { name: 'contacts:read', description: 'may contacts:read' },
        { name: 'contacts:write', description: 'may contacts:write' },
      ]);
      assert.deepEqual(apis[1]?.scopes, []);
    });

    it('refuses a duplicate identifier with StoreConflict', async () => {
      await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read']));
      await assert.rejects(store.createApi(apiRecord('a2', 'https://contacts.example', ['other:read'])), isConflict);
      assert.deepEqual((await store.listApis()).map((a) => a.id), ['a1']);
      assert.equal(await countRows(store, 'api_scopes'), 1, 'no scope of the refused API was written');
    });

    it('refuses a scope name another API owns, writing nothing of the new API', async () => {
      await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read']));
      await assert.rejects(store.createApi(apiRecord('a2', 'https://files.example', ['files:read', 'contacts:read'])), isConflict);
      assert.deepEqual((await store.listApis()).map((a) => a.id), ['a1'], 'the API row must not exist after its scope insert failed');
      assert.equal(await countRows(store, 'apis'), 1);
      assert.equal(await countRows(store, 'api_scopes'), 1);
      // Nothing half-written: the same identifier and scope are still free.
      await store.createApi(apiRecord('a2', 'https://files.example', ['files:read']));
      assert.deepEqual((await store.listApis()).map((a) => a.identifier), ['https://contacts.example', 'https://files.example']);
    });

    it('refuses a scope named twice in one API', async () => {
      await assert.rejects(store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read', 'contacts:read'])), isConflict);
      assert.equal(await countRows(store, 'apis'), 0);
      assert.equal(await countRows(store, 'api_scopes'), 0);
    });

    it('deleting an API frees its identifier and scope names', async () => {
      await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read']));
      assert.equal(await store.deleteApi('https://contacts.example'), true);
      assert.equal(await store.deleteApi('https://contacts.example'), false);
      assert.equal(await countRows(store, 'api_scopes'), 0);
      await store.createApi(apiRecord('a9', 'https://contacts.example', ['contacts:read']));
    });

    it('introspectors: created with the API, added idempotently, removed, and gone with their client or API', async () => {
      await store.createClient(clientRecord('rs1'));
      await store.createClient(clientRecord('rs2'));
      await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read'], ['rs1']));
      assert.equal(await store.addApiIntrospector('https://contacts.example', 'rs2'), true);
      assert.equal(await store.addApiIntrospector('https://contacts.example', 'rs2'), true, 'adding twice is not an error');
      assert.equal(await store.addApiIntrospector('https://unknown.example', 'rs2'), false);
      assert.deepEqual((await store.listApis())[0]?.introspectors, ['rs1', 'rs2']);
      assert.equal(await store.removeApiIntrospector('https://contacts.example', 'rs1'), true);
      assert.equal(await store.removeApiIntrospector('https://contacts.example', 'rs1'), false);
      assert.deepEqual((await store.listApis())[0]?.introspectors, ['rs2']);
      await store.deleteClient('rs2');
      assert.deepEqual((await store.listApis())[0]?.introspectors, [], 'a deleted client is no longer an introspector');
      await store.addApiIntrospector('https://contacts.example', 'rs1');
      await store.deleteApi('https://contacts.example');
      assert.equal(await countRows(store, 'api_introspectors'), 0);
    });

    it('token exchangers: none by default, created with the API, added idempotently, removed, and gone with their client or API', async () => {
      await store.createClient(clientRecord('x1'));
      await store.createClient(clientRecord('x2'));
      await store.createApi(apiRecord('a0', 'https://none.example', ['none:read']));
      assert.deepEqual((await store.listApis())[0]?.exchangers, [], 'nobody may exchange by default');
      await store.createApi(apiRecord('a1', 'https://calendar.example', ['calendar:read'], [], ['x1']));
      const calendar = async () => (await store.listApis()).find((a) => a.identifier === 'https://calendar.example');
      assert.deepEqual((await calendar())?.exchangers, ['x1']);
      assert.equal(await store.addApiExchanger('https://calendar.example', 'x2'), true);
      assert.equal(await store.addApiExchanger('https://calendar.example', 'x2'), true, 'adding twice is not an error');
      assert.equal(await store.addApiExchanger('https://unknown.example', 'x2'), false);
      assert.deepEqual((await calendar())?.exchangers, ['x1', 'x2']);
      assert.equal(await store.removeApiExchanger('https://calendar.example', 'x1'), true);
      assert.equal(await store.removeApiExchanger('https://calendar.example', 'x1'), false);
      await store.deleteClient('x2');
      assert.deepEqual((await calendar())?.exchangers, [], 'a deleted client is no longer an exchanger');
      await store.addApiExchanger('https://calendar.example', 'x1');
      await store.deleteApi('https://calendar.example');
      assert.equal(await countRows(store, 'api_token_exchangers'), 0);
    });
  });
}
