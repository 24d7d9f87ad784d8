// Every schema migration, in order. Add a file and a line here; never edit a migration that has shipped.
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as initialSchema from './0001-initial-schema.ts';
import * as interactions from './0002-interactions.ts';

const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-interactions': interactions,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
