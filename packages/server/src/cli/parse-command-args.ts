// Flag parsing for every command (node:util parseArgs, strict): unknown flags and stray arguments are usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  database: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parseCommandArgs<O extends Options>(args: string[], options: O, positionals: { min: number; max: number; command: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${((error as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional.*$/, '')} (see latchkey ${positionals.command} --help)`);
  }
  if (!(parsed.values as { help?: boolean }).help && (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max)) {
    throw new UsageError(`wrong number of arguments (see latchkey ${positionals.command} --help)`);
  }
  return parsed;
}

/** Refuses an unknown subcommand before anything else happens. */
export function assertSubcommand(command: string, sub: string | undefined, known: readonly string[]): void {
  if (sub !== undefined && !sub.startsWith('-') && !known.includes(sub)) {
    throw new UsageError(`unknown subcommand "${command} ${sub}" (use ${known.join(', ')})`);
  }
}
