// What a command needs: its database, output mode, and a clock.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_DATABASE_URL, openStore, parseDatabaseUrl } from '../store/open-store.ts';
import type { SqlStore } from '../store/sql/sql-store.ts';
import { CliError } from './cli-error.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
}

export function databaseUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.LATCHKEY_DATABASE_URL || DEFAULT_DATABASE_URL);
}

/** Opens the store and applies migrations, so every command works on a fresh database. */
export async function openMigratedStore(url: string): Promise<SqlStore> {
  let store: SqlStore;
  try {
    store = openStore(url);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw new CliError(`cannot open database: ${(error as Error).message.split('\n')[0]}`);
  }
  return store;
}

/** Where dev mode keeps its generated LATCHKEY_SECRET: beside the SQLite file, or ./data for PostgreSQL. */
export function devSecretPath(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return target.kind === 'sqlite' && target.path !== ':memory:' ? join(dirname(target.path), 'latchkey-dev-secret') : join('data', 'latchkey-dev-secret');
}

/** LATCHKEY_SECRET from the environment, else the dev secret a `start --dev` created. */
export function resolveSecret(env: NodeJS.ProcessEnv, databaseUrl: string): string | undefined {
  if (env.LATCHKEY_SECRET) return env.LATCHKEY_SECRET;
  const path = devSecretPath(databaseUrl);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

export function printResult(io: CliIo, json: boolean | undefined, data: unknown, human: string): void {
  io.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
}

export const isoTime = (seconds: number | null): string | null => (seconds === null ? null : new Date(seconds * 1000).toISOString());
