// Drives one server with autocannon (in this, the parent, process) and summarises the run.
// Latency percentiles are computed here from every response's own time (autocannon measures it with
// hrtime, but its histogram keeps whole milliseconds, too coarse for sub-millisecond p50s).
// A workload's requests check their own answers (workloads.ts): a flow counts only when its last answer is right.
import autocannon from 'autocannon';
import type { Workload } from './workloads.ts';

export interface LoadSettings {
  /** Seconds. */
  duration: number;
  connections: number;
  pipelining: number;
}

export interface LoadResult {
  /** Completed flows per second over the measured run (a flow: one request, or authorize + token for the code flow). */
  flowsPerSecond: number;
  /** Completed responses per second over the measured run. */
  requestsPerSecond: number;
  /** Latency of each request (not flow) in milliseconds. */
  p50: number;
  p99: number;
  mean: number;
  max: number;
  /** Completed responses (any status). */
  requests: number;
  /** Completed flows whose answers were right. */
  flows: number;
  /** Responses that were not what the flow expects (wrong status, no code, no token); must be 0. */
  unexpected: number;
  /** Connection errors, including timeouts; must be 0. */
  errors: number;
  timeouts: number;
  /** Count per HTTP status. */
  statusCodes: Record<string, number>;
  /** Seconds, as measured by autocannon. */
  durationSeconds: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runLoad(origin: string, workload: Workload, settings: LoadSettings): Promise<LoadResult> {
  await workload.beforeRun?.(settings.connections * settings.pipelining);
  const latencies: number[] = [];
  const counts = workload.counts();
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: origin,
      requests: workload.requests,
      connections: settings.connections,
      pipelining: settings.pipelining,
      duration: settings.duration,
    }, (error: unknown, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      const sorted = Float64Array.from(latencies).sort();
      const completed = sorted.length;
      const { flows, unexpected } = workload.counts();
      const statusCodes: Record<string, number> = {};
      for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
      resolve({
        flowsPerSecond: round((flows - counts.flows) / result.duration, 0),
        requestsPerSecond: round(completed / result.duration, 0),
        p50: round(percentile(sorted, 50), 3),
        p99: round(percentile(sorted, 99), 3),
        mean: round(completed === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / completed, 3),
        max: round(sorted[completed - 1] ?? 0, 3),
        requests: completed,
        flows: flows - counts.flows,
        unexpected: unexpected - counts.unexpected,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
        durationSeconds: result.duration,
      });
    });
    instance.on('response', (_client, _statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}
