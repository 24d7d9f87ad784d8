// The bench: for every round, for every scenario, each server in turn (every other round in reverse order, so slow
// drift on the machine favours no server): start it in its own process, verify one real answer, warm it up, measure it
// with the same load, stop it. Then per scenario: each server's median round, and every ratio as the median and the
// spread (min-max) of its per-round values; and the goals of issue 21 as met or not met.
import type { BenchOptions } from './bench-options.ts';
import type { ServerName } from './child-protocol.ts';
import { launchServer } from './launch-server.ts';
import { runLoad, type LoadResult, type LoadSettings } from './load.ts';
import { machineInfo, type MachineInfo } from './machine-info.ts';
import { GOALS, LOWER_IS_BETTER, scenarioByName, type Goal, type LoadScenario, type Scenario, type StartupScenario } from './scenarios.ts';
import { createVerifyFunctions, runVerifyLoop, VERIFIERS } from './verify-micro-bench.ts';
import { verifyTokenEndpoint } from './verify-token-endpoint.ts';
import { prepareWorkload } from './workloads.ts';

/** One server (or verifier) in one round. */
export interface Sample {
  round: number;
  metrics: Record<string, number>;
  /** What was verified, the full load result, and the like. */
  detail: Record<string, unknown>;
}

export interface ServerSeries {
  name: string;
  version: string;
  samples: Sample[];
  /** Per metric, the median over rounds. */
  median: Record<string, number>;
}

export interface RatioSeries {
  of: string;
  over: string;
  metric: string;
  /** latchkey / other (other / latchkey for start-up time and RSS): higher is better for Latchkey. */
  perRound: number[];
  median: number;
  min: number;
  max: number;
}

export interface ScenarioResult {
  name: string;
  title: string;
  servers: ServerSeries[];
  ratios: RatioSeries[];
}

export interface GoalResult extends Goal {
  /** null: not measured in this run (scenario not chosen, or a server missing, e.g. no PostgreSQL URL). */
  median: number | null;
  min: number | null;
  max: number | null;
  met: boolean | null;
}

export interface BenchResult {
  machine: MachineInfo;
  settings: {
    scenarios: string[];
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    pipelining: number;
    rounds: number;
    serverProcess: string;
  };
  scenarios: ScenarioResult[];
  goals: GoalResult[];
  problems: string[];
}

const IDLE_MILLIS = 1000;
const round2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function serversOf(scenario: LoadScenario | StartupScenario, options: BenchOptions): ServerName[] {
  return scenario.servers.filter((name) => options.only.includes(name));
}

function loadProblems(scenario: string, name: string, phase: string, run: LoadResult): string[] {
  const problems: string[] = [];
  if (run.unexpected > 0) problems.push(`${scenario} ${name}: ${run.unexpected} wrong answers in the ${phase} (${JSON.stringify(run.statusCodes)})`);
  if (run.errors > 0) problems.push(`${scenario} ${name}: ${run.errors} connection errors (${run.timeouts} timeouts) in the ${phase}`);
  if (run.flows === 0) problems.push(`${scenario} ${name}: no flow completed in the ${phase}`);
  return problems;
}

async function measureLoad(scenario: LoadScenario, name: ServerName, round: number, options: BenchOptions, problems: string[], log: (line: string) => void): Promise<{ version: string; sample: Sample }> {
  const settings: LoadSettings = { duration: options.duration, connections: options.connections, pipelining: options.pipelining };
  const server = await launchServer(name, {
    cpuProfDir: options.cpuProfDir ?? undefined, cpuProfName: `${scenario.name}-${name}`, postgresUrl: options.postgresUrl ?? undefined, setup: scenario.setup,
  });
  try {
    const { workload, verified } = await prepareWorkload(scenario.workload, server.ready, {
      opaqueAccessTokens: scenario.setup.userAccessTokenFormat === 'opaque' && name === 'oidc-provider',
    });
    log(`${scenario.name} ${name}: ${server.ready.version}, verified: ${verified}`);
    let warmup: LoadResult | null = null;
    if (options.warmup > 0) warmup = await runLoad(server.ready.issuer, workload, { ...settings, duration: options.warmup });
    const cpuBefore = await server.cpuMicros();
    const result = await runLoad(server.ready.issuer, workload, settings);
    const cpu = (await server.cpuMicros()) - cpuBefore;
    log(`${scenario.name} ${name}: ${result.flowsPerSecond} flows/s (${result.requestsPerSecond} requests/s)`);
    if (warmup) problems.push(...loadProblems(scenario.name, name, 'warm-up', warmup));
    problems.push(...loadProblems(scenario.name, name, 'measured run', result));
    return {
      version: server.ready.version,
      sample: {
        round,
        metrics: {
          flowsPerSecond: result.flowsPerSecond, requestsPerSecond: result.requestsPerSecond, p50: result.p50, p99: result.p99,
          cpuMicrosPerFlow: result.flows === 0 ? 0 : Math.round(cpu / result.flows),
          cpuUtilisation: round2(cpu / (result.durationSeconds * 1e6)),
        },
        detail: { verified, warmup, result },
      },
    };
  } finally {
    await server.stop();
  }
}

async function measureStartup(scenario: StartupScenario, name: ServerName, round: number, options: BenchOptions): Promise<{ version: string; sample: Sample }> {
  const spawned = performance.now();
  const server = await launchServer(name, { postgresUrl: options.postgresUrl ?? undefined, setup: scenario.setup });
  try {
    const token = await verifyTokenEndpoint(server.ready);
    const firstAnswer = performance.now();
    await sleep(IDLE_MILLIS);
    const rss = await server.rssBytes();
    const startupMs = Math.round(firstAnswer - spawned - server.ready.setupMillis);
    return {
      version: server.ready.version,
      sample: {
        round,
        metrics: { startupMs, idleRssMiB: round2(rss / 2 ** 20) },
        detail: { verified: `200, ${token.alg} ${token.typ}`, spawnToFirstAnswerMs: Math.round(firstAnswer - spawned), setupMs: Math.round(server.ready.setupMillis) },
      },
    };
  } finally {
    await server.stop();
  }
}

type Measurer = (name: string, round: number) => Promise<{ version: string; sample: Sample }>;

/** The scenario's participants in canonical order, and how to measure one of them in one round. */
async function participants(scenario: Scenario, options: BenchOptions, problems: string[], log: (line: string) => void): Promise<{ names: string[]; measure: Measurer }> {
  if (scenario.kind === 'verify') {
    const verifiers = await createVerifyFunctions();
    const warm = Math.min(options.warmup, 2);
    if (warm > 0) for (const name of VERIFIERS) await runVerifyLoop(verifiers[name], warm);
    log(`verify: both verifiers accept the token and return its claims`);
    return {
      names: [...VERIFIERS],
      measure: async (name, round) => {
        const run = await runVerifyLoop(verifiers[name as (typeof VERIFIERS)[number]], options.duration);
        return { version: name === 'jose' ? 'jose jwtVerify + createLocalJWKSet' : verifiers.version, sample: { round, metrics: { verifiesPerSecond: run.verifiesPerSecond }, detail: { ...run } } };
      },
    };
  }
  const names = serversOf(scenario, options);
  if (scenario.kind === 'startup') return { names, measure: (name, round) => measureStartup(scenario, name as ServerName, round, options) };
  return { names, measure: (name, round) => measureLoad(scenario, name as ServerName, round, options, problems, log) };
}

function ratioPairs(scenario: Scenario, names: string[]): Array<{ of: string; over: string; metric: string }> {
  if (scenario.kind === 'verify') return [{ of: 'resource-kit', over: 'jose', metric: 'verifiesPerSecond' }];
  if (scenario.kind === 'startup') {
    return names.includes('latchkey') && names.includes('oidc-provider')
      ? ['startupMs', 'idleRssMiB'].map((metric) => ({ of: 'latchkey', over: 'oidc-provider', metric })) : [];
  }
  const ours = names.filter((n) => n.startsWith('latchkey'));
  const others = names.filter((n) => !n.startsWith('latchkey'));
  return ours.flatMap((of) => others.map((over) => ({ of, over, metric: 'flowsPerSecond' })));
}

function summarise(scenario: Scenario, names: string[], samples: Map<string, { version: string; samples: Sample[] }>): ScenarioResult {
  const servers = names.map((name): ServerSeries => {
    const series = samples.get(name)!;
    const metricNames = Object.keys(series.samples[0]?.metrics ?? {});
    return { name, version: series.version, samples: series.samples, median: Object.fromEntries(metricNames.map((m) => [m, round2(median(series.samples.map((s) => s.metrics[m]!)))])) };
  });
  const ratios = ratioPairs(scenario, names).map(({ of, over, metric }): RatioSeries => {
    const mine = samples.get(of)!.samples;
    const theirs = samples.get(over)!.samples;
    const perRound = mine.map((sample, i) => {
      const a = sample.metrics[metric]!;
      const b = theirs[i]!.metrics[metric]!;
      const value = LOWER_IS_BETTER.has(metric) ? b / a : a / b;
      return Number.isFinite(value) ? round2(value) : 0;
    });
    return { of, over, metric, perRound, median: round2(median(perRound)), min: Math.min(...perRound), max: Math.max(...perRound) };
  });
  return { name: scenario.name, title: scenario.title, servers, ratios };
}

export function evaluateGoals(scenarios: ScenarioResult[]): GoalResult[] {
  return GOALS.map((goal): GoalResult => {
    const ratio = scenarios.find((s) => s.name === goal.scenario)?.ratios.find((r) => r.of === goal.of && r.over === goal.over && r.metric === goal.metric);
    if (!ratio) return { ...goal, median: null, min: null, max: null, met: null };
    return { ...goal, median: ratio.median, min: ratio.min, max: ratio.max, met: ratio.median >= goal.target };
  });
}

export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const machine = machineInfo();
  const problems: string[] = [];
  const scenarios = options.scenarios.map(scenarioByName);
  const plans = new Map<Scenario, { names: string[]; measure: Measurer; samples: Map<string, { version: string; samples: Sample[] }> }>();
  for (const scenario of scenarios) {
    const plan = await participants(scenario, options, problems, log);
    plans.set(scenario, { ...plan, samples: new Map(plan.names.map((n) => [n, { version: '', samples: [] }])) });
  }
  for (let round = 0; round < options.rounds; round++) {
    if (options.rounds > 1) log(`round ${round + 1} of ${options.rounds}`);
    for (const scenario of scenarios) {
      const plan = plans.get(scenario)!;
      const order = round % 2 === 0 ? plan.names : [...plan.names].reverse();
      for (const name of order) {
        const { version, sample } = await plan.measure(name, round);
        const series = plan.samples.get(name)!;
        series.version = version;
        series.samples.push(sample);
      }
    }
  }
  const results = scenarios.map((scenario) => summarise(scenario, plans.get(scenario)!.names, plans.get(scenario)!.samples));
  return {
    machine,
    settings: {
      scenarios: options.scenarios,
      durationSeconds: options.duration,
      warmupSeconds: options.warmup,
      connections: options.connections,
      pipelining: options.pipelining,
      rounds: options.rounds,
      serverProcess: 'each server in its own child process, one after another; autocannon in the parent process; NODE_ENV=production',
    },
    scenarios: results,
    goals: evaluateGoals(results),
    problems,
  };
}
