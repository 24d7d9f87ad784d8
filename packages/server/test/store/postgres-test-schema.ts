// PostgreSQL for tests: each caller gets its own freshly created schema (search_path set in the URL), so test
// files running in parallel, and other engineers' tests on the same server, never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the PostgreSQL variants run against; undefined means "skip them, visibly". */
export const POSTGRES_TEST_URL: string | undefined = process.env.LATCHKEY_TEST_POSTGRES_URL || undefined;

export const POSTGRES_SKIP_REASON = 'LATCHKEY_TEST_POSTGRES_URL not set (e.g. postgres://postgres@127.0.0.1:5432/test)';

export interface TestSchema {
  /** Schema name, e.g. lk_test_3f9a0c. */
  name: string;
  /** A connection URL whose sessions use only this schema. */
  url: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** Rewrites `url` so every connection made with it has search_path = `schema`. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Creates an empty schema on the test server; call drop() when done. */
export async function createTestSchema(baseUrl: string, label = 'test'): Promise<TestSchema> {
  const name = `lk_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase().slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  await adminQuery(baseUrl, `create schema "${name}"`);
  return {
    name,
    url: withSearchPath(baseUrl, name),
    drop: () => adminQuery(baseUrl, `drop schema if exists "${name}" cascade`),
  };
}
