// The Store contract against the embedded SQLite store: a fresh database file per test.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';
import { runStoreContract } from './store-contract.ts';

const run = promisify(execFile);

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

// Store.migrate() promises to be safe from several processes. SQLite locks per process, so this needs real
// processes (in one process node:sqlite's synchronous busy wait would block the lock holder).
describe('SQLite migrations from several processes', () => {
  it('three processes migrating one fresh file at once: one applies, the others find nothing to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-migrate-'));
    const url = `sqlite:${join(dir, 'latchkey.db')}`;
    try {
      const script = join(import.meta.dirname, 'fixtures', 'migrate-store.ts');
      const outcomes = await Promise.all([0, 1, 2].map(() => run(process.execPath, [script, url])));
      const applied = outcomes.map((o) => (JSON.parse(o.stdout) as { applied: string[] }).applied).sort((a, b) => b.length - a.length);
      assert.ok(applied[0]!.length > 0);
      assert.deepEqual(applied.slice(1), [[], []]);
      const store = openSqliteStore(join(dir, 'latchkey.db'));
      assert.deepEqual(await store.migrate(), { applied: [] });
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
