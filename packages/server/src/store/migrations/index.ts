// Every schema migration, in order. Add a file and a line here; never edit a migration that has shipped.
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as initialSchema from './0001-initial-schema.ts';

const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
