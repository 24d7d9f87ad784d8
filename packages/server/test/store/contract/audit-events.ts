// The Store contract, audit events: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { DAY, NOW } from './contract-fixtures.ts';

export function auditEventsContract(current: () => SqlStore): void {
  describe('audit events', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('appends events with their detail and request id', async () => {
      await store.recordAuditEvent({ type: 'client.created', clientId: 'c1', detail: { name: 'Importer' } }, NOW);
      await store.recordAuditEvent({ type: 'login.failed', requestId: 'req-1' }, NOW + 1);
      const rows = await store.db.selectFrom('audit_events').selectAll().orderBy('at').execute();
      assert.deepEqual(rows.map((r) => ({ at: Number(r.at), type: r.type, client_id: r.client_id, user_id: r.user_id, request_id: r.request_id, detail: r.detail })), [
        { at: NOW, type: 'client.created', client_id: 'c1', user_id: null, request_id: null, detail: '{"name":"Importer"}' },
        { at: NOW + 1, type: 'login.failed', client_id: null, user_id: null, request_id: 'req-1', detail: null },
      ]);
    });

    it('lists newest first, filtered by time, user, client, type (and family) and request, up to the limit', async () => {
      await store.recordAuditEvent({ type: 'login.failed', userId: 'u1', clientId: 'c1', requestId: 'r1', detail: { ip: '203.0.113.1' } }, NOW);
      await store.recordAuditEvent({ type: 'login.succeeded', userId: 'u1', clientId: 'c1', requestId: 'r2' }, NOW + 10);
      await store.recordAuditEvent({ type: 'consent.granted', userId: 'u1', clientId: 'c2', requestId: 'r2' }, NOW + 20);
      await store.recordAuditEvent({ type: 'key.staged' }, NOW + 30);
      await store.recordAuditEvent({ type: 'login_x.other' }, NOW + 40);
      const types = async (query: Parameters<SqlStore['listAuditEvents']>[0]) => (await store.listAuditEvents(query)).map((e) => e.type);
      assert.deepEqual(await types({ limit: 10 }), ['login_x.other', 'key.staged', 'consent.granted', 'login.succeeded', 'login.failed']);
      assert.deepEqual(await types({ limit: 2 }), ['login_x.other', 'key.staged']);
      assert.deepEqual(await types({ since: NOW + 10, userId: 'u1', limit: 10 }), ['consent.granted', 'login.succeeded']);
      assert.deepEqual(await types({ clientId: 'c1', limit: 10 }), ['login.succeeded', 'login.failed']);
      assert.deepEqual(await types({ types: ['login.*'], limit: 10 }), ['login.succeeded', 'login.failed'], 'a family, and _ is not a wildcard');
      assert.deepEqual(await types({ types: ['key.staged', 'login.failed'], limit: 10 }), ['key.staged', 'login.failed']);
      assert.deepEqual(await types({ requestId: 'r2', limit: 10 }), ['consent.granted', 'login.succeeded']);
      const [failed] = await store.listAuditEvents({ types: ['login.failed'], limit: 1 });
      assert.deepEqual({ ...failed, id: 'x' }, { id: 'x', at: NOW, type: 'login.failed', clientId: 'c1', userId: 'u1', requestId: 'r1', detail: { ip: '203.0.113.1' } });
    });

    it('retention: diagnostic events go after their own, shorter retention; security events after theirs; in bounded batches', async () => {
      for (let i = 0; i < 5; i++) await store.recordAuditEvent({ type: 'request.failed' }, NOW - 2 * DAY);
      await store.recordAuditEvent({ type: 'request.failed' }, NOW - 1000);
      await store.recordAuditEvent({ type: 'login.failed' }, NOW - 2 * DAY);
      await store.recordAuditEvent({ type: 'login.failed' }, NOW - 40 * DAY);
      const retention = { auditSeconds: 30 * DAY, diagnosticSeconds: DAY };
      const removed = await store.deleteExpired(NOW, 2, retention);
      assert.equal(removed, 3, 'at most the batch per kind: two diagnostic events and the old security event');
      await store.deleteExpired(NOW, 2, retention);
      await store.deleteExpired(NOW, 2, retention);
      const left = (await store.listAuditEvents({ limit: 10 })).map((e) => [e.type, e.at]);
      assert.deepEqual(left, [['request.failed', NOW - 1000], ['login.failed', NOW - 2 * DAY]]);
    });
  });
}
