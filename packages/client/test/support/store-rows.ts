// Test helper: how many transactions and sessions the kit's store holds (not part of the public LatchkeyStore).
import type { LatchkeyStore } from '../../src/index.ts';
import type { KyselyLatchkeyStore } from '../../src/store/kysely-store.ts';

export async function countRows(store: LatchkeyStore): Promise<{ sessions: number; transactions: number }> {
  const { db } = store as KyselyLatchkeyStore;
  const count = async (table: 'latchkey_sessions' | 'latchkey_transactions') => Number((await db.selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count')).executeTakeFirstOrThrow()).count);
  return { sessions: await count('latchkey_sessions'), transactions: await count('latchkey_transactions') };
}
