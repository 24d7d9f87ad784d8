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

/**
 * Splits `<subcommand> [args]`, refusing an unknown subcommand before anything else happens. A leading flag
 * (`latchkey client --help`) is no subcommand: it stays with the arguments, so `--help` prints the usage.
 */
export function splitSubcommand(command: string, args: string[], known: readonly string[]): { sub: string | undefined; rest: string[] } {
  const [first, ...others] = args;
  if (first === undefined || first.startsWith('-')) return { sub: undefined, rest: args };
  if (!known.includes(first)) throw new UsageError(`unknown subcommand "${command} ${first}" (use ${known.join(', ')})`);
  return { sub: first, rest: others };
}
