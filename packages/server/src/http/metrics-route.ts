// /metrics (Prometheus text exposition format) and the hook that counts every answered request by its route pattern.
// Served only when enabled; with a token, only to `Authorization: Bearer <token>` (RFC 6750 §2.1, challenge §3).
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/config.ts';
import { hashSecret, secretMatchesHash } from '../crypto/random.ts';
import { presentedBearerToken } from '../oauth/bearer-token.ts';
import { InvalidToken } from '../oauth/errors.ts';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.ts';
import { sendBearerError, toOAuthError } from './error-response.ts';
import { PATHS } from './paths.ts';

/** Counts every answered request (route pattern, method, status, latency); registered before everything else. */
export function observeRequests(app: FastifyInstance, metrics: PrometheusMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

export function registerMetricsRoute(app: FastifyInstance, metrics: PrometheusMetrics, config: Pick<ServerConfig, 'metricsToken'>): void {
  const tokenHash = config.metricsToken ? hashSecret(config.metricsToken) : undefined;
  app.get(PATHS.metrics, async (request, reply) => {
    if (tokenHash !== undefined) {
      let presented: string | undefined;
      try {
        presented = presentedBearerToken(request.headers.authorization, undefined);
      } catch (error) {
        return sendBearerError(toOAuthError(error), request, reply, { credentialsPresented: true });
      }
      if (presented === undefined) return sendBearerError(new InvalidToken('the metrics token is required'), request, reply, { credentialsPresented: false });
      if (!secretMatchesHash(presented, tokenHash)) return sendBearerError(new InvalidToken('the metrics token is wrong'), request, reply, { credentialsPresented: true });
    }
    const { contentType, body } = await metrics.render();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
