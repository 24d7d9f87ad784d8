// Drives one server with autocannon (in this, the parent, process) and summarises the run.
// Latency percentiles are computed here from every response's own time (autocannon measures it with
// hrtime, but its histogram keeps whole milliseconds, too coarse for sub-millisecond p50s).
import autocannon from 'autocannon';
import { basicAuthorization, TOKEN_REQUEST_BODY, type ReadyMessage } from './child-protocol.ts';

export interface LoadSettings {
  /** Seconds. */
  duration: number;
  connections: number;
  pipelining: number;
}

export interface LoadResult {
  /** Completed responses per second over the measured run. */
  requestsPerSecond: number;
  /** Latency in milliseconds. */
  p50: number;
  p99: number;
  mean: number;
  max: number;
  /** Completed responses (any status). */
  requests: number;
  /** Responses with a status other than 2xx; must be 0. */
  non2xx: number;
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

export function runLoad(server: ReadyMessage, settings: LoadSettings): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: server.tokenUrl,
      method: 'POST',
      headers: {
        authorization: basicAuthorization(server.clientId, server.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: TOKEN_REQUEST_BODY,
      connections: settings.connections,
      pipelining: settings.pipelining,
      duration: settings.duration,
    }, (error: unknown, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      const sorted = Float64Array.from(latencies).sort();
      const completed = sorted.length;
      const statusCodes: Record<string, number> = {};
      for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
      resolve({
        requestsPerSecond: round(completed / result.duration, 0),
        p50: round(percentile(sorted, 50), 3),
        p99: round(percentile(sorted, 99), 3),
        mean: round(completed === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / completed, 3),
        max: round(sorted[completed - 1] ?? 0, 3),
        requests: completed,
        non2xx: result.non2xx,
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
