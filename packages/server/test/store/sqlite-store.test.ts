// The Store contract against the embedded SQLite store: a fresh database file per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-store-'));
  const store = openSqliteStore(join(dir, 'latchkey.db'));
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
