// The bench: for each server in turn, start it in its own process, verify one real token response,
// warm it up, measure it with the same load, stop it; then compare. With --rounds N the sequence is
// repeated (every other round in reverse order) and each server is represented by its median round.
import type { BenchOptions } from './bench-options.ts';
import { TOKEN_REQUEST_BODY, type ServerName } from './child-protocol.ts';
import { launchServer } from './launch-server.ts';
import { runLoad, type LoadResult, type LoadSettings } from './load.ts';
import { machineInfo, type MachineInfo } from './machine-info.ts';
import { verifyTokenEndpoint, type VerifiedToken } from './verify-token-endpoint.ts';

/** Design targets (shared/design.md): throughput ratios, shown next to the measured ones, never asserted. */
export const TARGETS = { latchkeyOverOidcProvider: 1.6, latchkeyOverCeiling: 0.9 } as const;

export interface ServerRun {
  version: string;
  token: VerifiedToken;
  /** The warm-up run (not compared); null when --warmup 0. */
  warmup: LoadResult | null;
  result: LoadResult;
  /** The server process's CPU time (user + system) per response during the measured run, in µs. */
  cpuMicrosPerRequest: number;
  /** The server process's CPU time over wall time during the measured run (1 = one core kept busy). */
  cpuUtilisation: number;
}

export interface ServerResult extends ServerRun {
  name: ServerName;
  /** requests/s of every round, in round order; `result` is the median one. */
  roundsRequestsPerSecond: number[];
}

export interface Ratio {
  /** requests/s of latchkey divided by requests/s of the other server. */
  value: number;
  target: number;
  meetsTarget: boolean;
}

export interface BenchResult {
  machine: MachineInfo;
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    pipelining: number;
    rounds: number;
    request: string;
    serverProcess: string;
    logging: string;
  };
  servers: ServerResult[];
  ratios: { latchkeyOverOidcProvider: Ratio | null; latchkeyOverCeiling: Ratio | null };
  /**
   * The same comparisons by server CPU time per response (the other's µs over latchkey's, so higher is
   * better for latchkey as above); less sensitive to other work on the machine than requests/s.
   */
  cpuRatios: { latchkeyOverOidcProvider: number | null; latchkeyOverCeiling: number | null };
  /** Non-2xx responses or connection errors in any run; empty when the run is clean. */
  problems: string[];
}

function cpuRatio(servers: ServerResult[], other: ServerName): number | null {
  const latchkey = servers.find((s) => s.name === 'latchkey');
  const them = servers.find((s) => s.name === other);
  if (!latchkey || !them || latchkey.cpuMicrosPerRequest === 0) return null;
  return Math.round((them.cpuMicrosPerRequest / latchkey.cpuMicrosPerRequest) * 100) / 100;
}

function ratio(servers: ServerResult[], other: ServerName, target: number): Ratio | null {
  const latchkey = servers.find((s) => s.name === 'latchkey');
  const them = servers.find((s) => s.name === other);
  if (!latchkey || !them || them.result.requestsPerSecond === 0) return null;
  const value = Math.round((latchkey.result.requestsPerSecond / them.result.requestsPerSecond) * 100) / 100;
  return { value, target, meetsTarget: value >= target };
}

async function measureServer(name: ServerName, options: BenchOptions, settings: LoadSettings, problems: string[], log: (line: string) => void): Promise<ServerRun> {
  log(`${name}: starting`);
  const server = await launchServer(name, { cpuProfDir: options.cpuProfDir ?? undefined, postgresUrl: options.postgresUrl ?? undefined });
  try {
    const token = await verifyTokenEndpoint(server.ready);
    log(`${name}: ${server.ready.version}, verified one token response (200, ${token.typ} ${token.alg})`);
    let warmup: LoadResult | null = null;
    if (options.warmup > 0) {
      log(`${name}: warming up ${options.warmup} s`);
      warmup = await runLoad(server.ready, { ...settings, duration: options.warmup });
    }
    log(`${name}: measuring ${options.duration} s with ${options.connections} connections`);
    const cpuBefore = await server.cpuMicros();
    const result = await runLoad(server.ready, settings);
    const cpu = (await server.cpuMicros()) - cpuBefore;
    const cpuMicrosPerRequest = result.requests === 0 ? 0 : Math.round(cpu / result.requests);
    const cpuUtilisation = Math.round((cpu / (result.durationSeconds * 1e6)) * 100) / 100;
    log(`${name}: ${result.requestsPerSecond} requests/s, ${cpuMicrosPerRequest} µs server CPU per request`);
    for (const [phase, run] of [['warm-up', warmup], ['measured run', result]] as const) {
      if (!run) continue;
      if (run.non2xx > 0) problems.push(`${name}: ${run.non2xx} non-2xx responses in the ${phase} (${JSON.stringify(run.statusCodes)})`);
      if (run.errors > 0) problems.push(`${name}: ${run.errors} connection errors (${run.timeouts} timeouts) in the ${phase}`);
    }
    return { version: server.ready.version, token, warmup, result, cpuMicrosPerRequest, cpuUtilisation };
  } finally {
    await server.stop();
  }
}

export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const machine = machineInfo();
  const settings: LoadSettings = { duration: options.duration, connections: options.connections, pipelining: options.pipelining };
  const runs = new Map<ServerName, ServerRun[]>(options.only.map((name) => [name, []]));
  const problems: string[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (options.rounds > 1) log(`round ${round + 1} of ${options.rounds}`);
    const order = round % 2 === 0 ? options.only : [...options.only].reverse();
    for (const name of order) runs.get(name)!.push(await measureServer(name, options, settings, problems, log));
  }
  const servers = options.only.map((name): ServerResult => {
    const all = runs.get(name)!;
    const sorted = [...all].sort((a, b) => a.result.requestsPerSecond - b.result.requestsPerSecond);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    return { name, ...median, roundsRequestsPerSecond: all.map((r) => r.result.requestsPerSecond) };
  });
  return {
    machine,
    settings: {
      durationSeconds: options.duration,
      warmupSeconds: options.warmup,
      connections: options.connections,
      pipelining: options.pipelining,
      rounds: options.rounds,
      request: `POST /token, Authorization: Basic (client_secret_basic), body ${TOKEN_REQUEST_BODY}`,
      serverProcess: 'each server in its own child process, one after another; autocannon in the parent process; NODE_ENV=production',
      logging: 'no per-request logging on any server (latchkey logLevel warn; oidc-provider and the ceiling log nothing)',
    },
    servers,
    ratios: {
      latchkeyOverOidcProvider: ratio(servers, 'oidc-provider', TARGETS.latchkeyOverOidcProvider),
      latchkeyOverCeiling: ratio(servers, 'ceiling', TARGETS.latchkeyOverCeiling),
    },
    cpuRatios: {
      latchkeyOverOidcProvider: cpuRatio(servers, 'oidc-provider'),
      latchkeyOverCeiling: cpuRatio(servers, 'ceiling'),
    },
    problems,
  };
}
