// Store methods for pending authorization requests (interactions), on SQLite and, when available, PostgreSQL:
// expiry is honoured, consumeInteraction hands a record out exactly once (also under a race), cleanup removes
// expired rows, and deleting the client removes its interactions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.ts';
import type { InteractionRecord } from '../../src/store/records.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL } from './postgres-test-schema.ts';

const NOW = 1_900_000_000;

async function withClient(store: SqlStore): Promise<void> {
  await store.createClient({
    id: 'c1', name: 'App', secretHash: null, isPublic: true, redirectUris: ['https://app.example/cb'], grantTypes: ['authorization_code'],
    scopes: ['openid'], requirePkce: true, idTokenAlg: 'RS256', registration: 'operator', idTokenClaims: true, requireMfa: false, createdAt: NOW, updatedAt: NOW,
    postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false,
    requirePar: false, requireDpop: false, jwks: null, jwksUri: null, profile: null,
  });
}

const record = (id: string, overrides: Partial<InteractionRecord> = {}): InteractionRecord => ({
  id, browserHash: 'browser-hash', clientId: 'c1', request: '{"clientId":"c1"}', userId: null, authTime: null, amr: null,
  createdAt: NOW, expiresAt: NOW + 600, ...overrides,
});

function suite(name: string, open: () => Promise<{ store: SqlStore; close(): Promise<void> }>, skip?: string): void {
  describe(`interaction records (${name})`, { skip }, () => {
    it('round-trips a record and hides it once expired', async () => {
      const { store, close } = await open();
      try {
        await withClient(store);
        await store.createInteraction(record('i1'));
        assert.deepEqual(await store.getInteraction('i1', NOW), record('i1'));
        assert.equal(await store.getInteraction('i1', NOW + 600), undefined);
        assert.equal(await store.consumeInteraction('i1', NOW + 601), undefined);
      } finally {
        await close();
      }
    });

    it('consumeInteraction returns the record exactly once, also to concurrent callers', async () => {
      const { store, close } = await open();
      try {
        await withClient(store);
        await store.createInteraction(record('i2'));
        const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeInteraction('i2', NOW)));
        assert.equal(results.filter((r) => r !== undefined).length, 1);
        assert.equal(await store.getInteraction('i2', NOW), undefined);
      } finally {
        await close();
      }
    });

    it('deleteExpired removes expired interactions; deleting the client removes the rest', async () => {
      const { store, close } = await open();
      try {
        await withClient(store);
        await store.createInteraction(record('old', { expiresAt: NOW - 10 }));
        await store.createInteraction(record('live'));
        await store.deleteExpired(NOW, 100);
        const rows = await store.db.selectFrom('interactions').select('id').execute();
        assert.deepEqual(rows.map((r) => r.id), ['live']);
        await store.deleteClient('c1');
        assert.equal((await store.db.selectFrom('interactions').select('id').execute()).length, 0);
      } finally {
        await close();
      }
    });
  });
}

suite('SQLite', async () => {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  return { store, close: () => store.close() };
});

suite('PostgreSQL', async () => {
  const schema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'interactions');
  const store = openPostgresStore(schema.url, { max: 8 });
  await store.migrate();
  return { store, close: async () => { await store.close(); await schema.drop(); } };
}, POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON);
