// Command-line flags of `npm run bench` (node bench/run.ts [flags]).
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVER_NAMES, type ServerName } from './child-protocol.ts';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.ts';

export interface BenchOptions {
  /** Scenarios to run, in canonical order (scenarios.ts). */
  scenarios: ScenarioName[];
  /** Measured seconds per server. */
  duration: number;
  /** Warm-up seconds per server (same load, results discarded); 0 for none. */
  warmup: number;
  connections: number;
  pipelining: number;
  /** Repeat the whole sequence this many times (alternating the order); ratios are the median of per-round ratios. */
  rounds: number;
  /** Servers to measure (those of each scenario that are listed here), in this order. */
  only: ServerName[];
  /** Print the result as JSON instead of the table. */
  json: boolean;
  /** Where to write the JSON result; null for nowhere. */
  output: string | null;
  /** Write a V8 CPU profile of each server process into this directory. */
  cpuProfDir: string | null;
  /** PostgreSQL server for the latchkey-postgres row (--postgres, else LATCHKEY_TEST_POSTGRES_URL); null: no such row. */
  postgresUrl: string | null;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  scenarios: ['cc'],
  duration: 10,
  warmup: 3,
  connections: 10,
  pipelining: 1,
  rounds: 1,
  only: SERVER_NAMES.filter((n) => n !== 'latchkey-postgres'),
  json: false,
  output: fileURLToPath(new URL('../results/latest.json', import.meta.url)),
  cpuProfDir: null,
  postgresUrl: null,
};

export const USAGE = `usage: npm run bench -- [--scenario ${SCENARIO_NAMES.join('|')}|all (or a comma-separated list; default cc)]
                        [--duration S] [--warmup S] [--connections N] [--pipelining N] [--rounds N]
                        [--only ${SERVER_NAMES.join(',')}] [--json] [--output FILE | --no-output] [--cpu-prof DIR]
                        [--postgres URL]   (default: $LATCHKEY_TEST_POSTGRES_URL; adds the latchkey-postgres row)`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

function number(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min} (got ${value})`);
  return n;
}

export function parseBenchArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' }, pipelining: { type: 'string' }, rounds: { type: 'string' },
        only: { type: 'string' }, json: { type: 'boolean' }, output: { type: 'string' }, 'no-output': { type: 'boolean' },
        'cpu-prof': { type: 'string' }, postgres: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const postgresUrl = values.postgres || env.LATCHKEY_TEST_POSTGRES_URL || null;
  if (postgresUrl !== null && !/^postgres(ql)?:\/\//.test(postgresUrl)) throw new UsageError('--postgres takes a postgres:// URL');
  let only = postgresUrl === null ? DEFAULT_OPTIONS.only : [...SERVER_NAMES];
  if (values.only !== undefined) {
    const names = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(SERVER_NAMES as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0) throw new UsageError(`--only takes a comma-separated list of ${SERVER_NAMES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
    only = SERVER_NAMES.filter((n) => names.includes(n));
    if (only.includes('latchkey-postgres') && postgresUrl === null) throw new UsageError('latchkey-postgres needs --postgres URL (or LATCHKEY_TEST_POSTGRES_URL)');
  }
  let scenarios = DEFAULT_OPTIONS.scenarios;
  if (values.scenario !== undefined) {
    const names = values.scenario.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => n !== 'all' && !(SCENARIO_NAMES as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0) throw new UsageError(`--scenario takes all or a comma-separated list of ${SCENARIO_NAMES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
    scenarios = SCENARIO_NAMES.filter((n) => names.includes('all') || names.includes(n));
  }
  return {
    scenarios,
    duration: number('duration', values.duration, DEFAULT_OPTIONS.duration, 0.5),
    warmup: number('warmup', values.warmup, DEFAULT_OPTIONS.warmup, 0),
    connections: Math.floor(number('connections', values.connections, DEFAULT_OPTIONS.connections, 1)),
    pipelining: Math.floor(number('pipelining', values.pipelining, DEFAULT_OPTIONS.pipelining, 1)),
    rounds: Math.floor(number('rounds', values.rounds, DEFAULT_OPTIONS.rounds, 1)),
    only,
    json: values.json ?? false,
    output: values['no-output'] ? null : values.output ?? DEFAULT_OPTIONS.output,
    cpuProfDir: values['cpu-prof'] ?? null,
    postgresUrl,
  };
}
