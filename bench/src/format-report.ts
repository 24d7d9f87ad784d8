// The human-readable report: one table row per server, the two ratios next to their design targets.
import type { BenchResult, Ratio } from './run-bench.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function ratioLine(label: string, ratio: Ratio | null, cpu: number | null): string {
  if (!ratio) return `${label}  n/a (not both measured)`;
  return `${label}  ${ratio.value.toFixed(2)}x   target ≥ ${ratio.target.toFixed(1)}x  ${ratio.meetsTarget ? '(met)    ' : '(not met)'}` +
    `   by CPU µs/request: ${cpu === null ? 'n/a' : `${cpu.toFixed(2)}x`}`;
}

export function formatReport(result: BenchResult): string {
  const { machine, settings } = result;
  const rounds = settings.rounds > 1;
  const rows = [
    ['server', 'requests/s', 'p50 ms', 'p99 ms', 'responses', 'non-2xx', 'errors', 'CPU µs/req', 'server CPU', ...(rounds ? ['each round req/s'] : []), 'version'],
    ...result.servers.map((s) => [
      s.name, s.result.requestsPerSecond.toFixed(0), s.result.p50.toFixed(2), s.result.p99.toFixed(2),
      String(s.result.requests), String(s.result.non2xx), String(s.result.errors),
      String(s.cpuMicrosPerRequest), `${Math.round(s.cpuUtilisation * 100)}%`,
      ...(rounds ? [s.roundsRequestsPerSecond.join(' ')] : []), s.version,
    ]),
  ];
  return [
    `Latchkey token endpoint bench: client_credentials, client_secret_basic, ES256 RFC 9068 access token`,
    `${machine.date}  Node ${machine.node} (${machine.platform})  CPU ${machine.cpuModel} x ${machine.cores} cores  ${machine.memoryGiB} GiB`,
    `load: autocannon, ${settings.connections} connections, pipelining ${settings.pipelining}, warm-up ${settings.warmupSeconds} s, measured ${settings.durationSeconds} s per server` +
      (settings.rounds > 1 ? `, ${settings.rounds} rounds (median round shown)` : ''),
    `${settings.serverProcess}`,
    `${settings.logging}`,
    `1-minute load average at start: ${machine.loadAverageAtStart}` +
      (machine.loadAverageAtStart > 0.5 ? ' - other work was using the CPUs; expect noise (try --rounds 3 on a quiet machine)' : ''),
    '',
    table(rows),
    '',
    ratioLine('latchkey / oidc-provider', result.ratios.latchkeyOverOidcProvider, result.cpuRatios.latchkeyOverOidcProvider),
    ratioLine('latchkey / ceiling      ', result.ratios.latchkeyOverCeiling, result.cpuRatios.latchkeyOverCeiling),
    '(ratios of requests/s; "by CPU µs/request" is the other server\'s CPU cost per response over latchkey\'s, higher is better,',
    ' and moves less when other work shares the machine. Targets are design goals, not assertions; load generator and',
    ' servers share the machine, so compare ratios, not absolute numbers.)',
    ...(result.problems.length > 0 ? ['', 'PROBLEMS:', ...result.problems.map((p) => `  ${p}`)] : []),
  ].join('\n');
}
