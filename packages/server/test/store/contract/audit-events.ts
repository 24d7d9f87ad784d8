// The Store contract, audit events: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW } from './contract-fixtures.ts';

export function auditEventsContract(current: () => SqlStore): void {
  describe('audit events', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('appends events with their detail', async () => {
      await store.recordAuditEvent({ type: 'client.created', clientId: 'c1', detail: { name: 'Importer' } }, NOW);
      await store.recordAuditEvent({ type: 'login.failed' }, NOW + 1);
      const rows = await store.db.selectFrom('audit_events').selectAll().orderBy('at').execute();
      assert.deepEqual(rows.map((r) => ({ at: Number(r.at), type: r.type, client_id: r.client_id, user_id: r.user_id, detail: r.detail })), [
        { at: NOW, type: 'client.created', client_id: 'c1', user_id: null, detail: '{"name":"Importer"}' },
        { at: NOW + 1, type: 'login.failed', client_id: null, user_id: null, detail: null },
      ]);
    });
  });
}
