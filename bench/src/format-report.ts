// The human-readable report: per scenario, one row per server (its median round) and every ratio with its median and
// spread over rounds; then the goals of issue 21, each met or not met.
import type { BenchResult, GoalResult, RatioSeries, ScenarioResult } from './run-bench.ts';
import { LOWER_IS_BETTER } from './scenarios.ts';

/** A plain-text table; the first `leftAligned` columns are text, the others numbers. */
function table(rows: string[][], leftAligned = 1): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i < leftAligned ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const COLUMNS: Record<string, string> = {
  flowsPerSecond: 'flows/s', requestsPerSecond: 'requests/s', p50: 'p50 ms', p99: 'p99 ms', cpuMicrosPerFlow: 'CPU µs/flow',
  cpuUtilisation: 'server CPU', startupMs: 'start-up ms', idleRssMiB: 'idle RSS MiB', verifiesPerSecond: 'verifies/s',
};

function cell(metric: string, value: number | undefined): string {
  if (value === undefined) return '';
  if (metric === 'cpuUtilisation') return `${Math.round(value * 100)}%`;
  if (metric === 'p50' || metric === 'p99') return value.toFixed(2);
  return metric === 'idleRssMiB' ? value.toFixed(1) : value.toFixed(0);
}

const spread = (r: { min: number | null; max: number | null }) => (r.min === null || r.max === null ? '' : `${r.min.toFixed(2)}-${r.max.toFixed(2)}`);

function ratioLabel(r: Pick<RatioSeries, 'of' | 'over' | 'metric'>): string {
  return LOWER_IS_BETTER.has(r.metric) ? `${r.over} / ${r.of} (${COLUMNS[r.metric]})` : `${r.of} / ${r.over}`;
}

function scenarioReport(scenario: ScenarioResult, rounds: number): string {
  const metrics = Object.keys(scenario.servers[0]?.median ?? {});
  const main = metrics[0] ?? '';
  const rows = [
    ['server', ...metrics.map((m) => COLUMNS[m] ?? m), ...(rounds > 1 ? [`each round ${COLUMNS[main] ?? main}`] : []), 'version'],
    ...scenario.servers.map((s) => [
      s.name, ...metrics.map((m) => cell(m, s.median[m])), ...(rounds > 1 ? [s.samples.map((x) => cell(main, x.metrics[main])).join(' ')] : []), s.version,
    ]),
  ];
  const ratios = scenario.ratios.length === 0 ? ['(no ratio: the servers it compares were not both measured)'] : [table([
    ['ratio', 'median', 'spread (min-max)', ...(rounds > 1 ? ['each round'] : [])],
    ...scenario.ratios.map((r) => [ratioLabel(r), `${r.median.toFixed(2)}x`, spread(r), ...(rounds > 1 ? [r.perRound.map((v) => v.toFixed(2)).join(' ')] : [])]),
  ])];
  return [`== ${scenario.name}: ${scenario.title}`, table(rows), '', ...ratios].join('\n');
}

export function formatGoals(goals: GoalResult[]): string {
  return table([
    ['goal', 'ratio', 'target', 'median', 'spread', 'result'],
    ...goals.map((g) => [
      g.goal, `${g.scenario}: ${ratioLabel(g)}`, `≥ ${g.target.toFixed(2)}x`, g.median === null ? 'n/a' : `${g.median.toFixed(2)}x`, spread(g),
      g.met === null ? 'not measured' : g.met ? 'met' : 'not met',
    ]),
  ], 2);
}

export function formatReport(result: BenchResult): string {
  const { machine, settings } = result;
  return [
    `Latchkey bench: ${settings.scenarios.join(', ')}`,
    `${machine.date}  Node ${machine.node} (${machine.platform})  CPU ${machine.cpuModel} x ${machine.cores} cores  ${machine.memoryGiB} GiB`,
    `load: autocannon, ${settings.connections} connections, pipelining ${settings.pipelining}, warm-up ${settings.warmupSeconds} s, measured ${settings.durationSeconds} s per server, ` +
      `${settings.rounds} round${settings.rounds > 1 ? 's (alternating order; medians of per-round values, spread = min-max of per-round ratios)' : ''}`,
    `${settings.serverProcess}`,
    `1-minute load average at start: ${machine.loadAverageAtStart}` +
      (machine.loadAverageAtStart > 0.5 ? ' - other work was using the CPUs; expect noise (use --rounds 3 or more)' : ''),
    '',
    ...result.scenarios.flatMap((s) => [scenarioReport(s, settings.rounds), '']),
    'GOALS (issue 21; ratios are "higher is better for Latchkey"; targets are goals, not assertions)',
    formatGoals(result.goals),
    '(load generator and servers share the machine: compare ratios taken in one run, not absolute numbers.)',
    ...(result.problems.length > 0 ? ['', 'PROBLEMS:', ...result.problems.map((p) => `  ${p}`)] : []),
  ].join('\n');
}
