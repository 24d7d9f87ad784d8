// The Store contract against PostgreSQL: a fresh schema per test, reached through the store's own pool
// (10 connections), so the concurrency tests race on separate database sessions.
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL } from './postgres-test-schema.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('PostgreSQL', async () => {
  const schema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'contract');
  const store = openPostgresStore(schema.url, { max: 10 });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await schema.drop();
    throw error;
  }
  return {
    store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
}, { skip: POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON });
