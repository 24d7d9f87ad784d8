// `latchkey migrate`: applies pending schema migrations (start does this too).
import { databaseUrlFrom, printResult, type CliIo } from './command-context.ts';
import { CliError } from './cli-error.ts';
import { openStore } from '../store/open-store.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const USAGE = 'latchkey migrate [--database URL] [--json]';

export async function migrateCommand(args: string[], io: CliIo): Promise<void> {
  const { values } = parseCommandArgs(args, {}, { min: 0, max: 0, command: 'migrate' });
  if (values.help) return void io.stdout(`usage: ${USAGE}\n`);
  let store;
  try {
    store = openStore(databaseUrlFrom(values.database, io.env));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  try {
    const { applied } = await store.migrate();
    printResult(io, values.json, { applied }, applied.length === 0 ? 'schema is up to date' : `applied ${applied.join(', ')}`);
  } catch (error) {
    throw new CliError(`migration failed: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await store.close();
  }
}
