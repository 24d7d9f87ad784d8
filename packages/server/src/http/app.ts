// createServer(config): the Fastify application. Plugin order: logging (one line per request), connection deadlines and bounds, request metrics
// (when enabled), security headers, body parsing, errors, routes.
import { DpopNonces } from '../oauth/dpop-nonce.ts';
import { ClientAssertionVerifier } from '../oauth/client-assertion.ts';
import { ClientKeys } from '../clients/client-keys.ts';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { ScopeCatalog } from '../apis/scope-catalog.ts';
import { auditSinkFor, withAuditTrail, type AuditSink } from '../audit-trail/audit-trail.ts';
import { runInRequest } from '../audit-trail/request-scope.ts';
import { CacheSync } from '../cache/cache-sync.ts';
import { ClientDirectory } from '../clients/client-directory.ts';
import { MetadataDocumentClients, type MetadataDocumentSettings } from '../clients/metadata-document-clients.ts';
import { issuerIsHttps, type ServerConfig } from '../config/config.ts';
import { lifecyclePolicy } from '../keys/key-lifecycle.ts';
import { KeyRing } from '../keys/key-ring.ts';
import { LogoutDeliveryWorker, type LogoutDeliveryOptions } from '../logout/logout-delivery-worker.ts';
import { unixNow, type ServerContext } from '../server-context.ts';
import { openStore } from '../store/open-store.ts';
import { removeExpired } from '../clients/unused-clients.ts';
import { ClientEndpointLimits } from '../rate-limits/client-endpoint-limits.ts';
import type { Store } from '../store/store.ts';
import { NO_METRICS } from '../metrics/metrics.ts';
import { observeRequests, registerMetricsRoute } from './metrics-route.ts';
import { handleJsonError, sendNotFound } from './error-response.ts';
import { connectionTimeouts, limitConnectionsPerAddress } from './connection-limits.ts';
import { FormParams } from '../oauth/form-params.ts';
import { loggerOptions } from './logger-options.ts';
import { serverUrls } from './paths.ts';
import { OneLinePerRequest } from './request-log.ts';
import { lazySchemaCompilers } from './schema-compilers.ts';
import { registerRoutes } from './routes.ts';
import { registerSecurityHeaders, securityHeaderSetter } from './security-headers.ts';

export interface CreateServerOptions {
  /** Use this store instead of opening config.databaseUrl (it is then not closed by the server). */
  store?: Store;
  /** Replace the clock (Unix seconds), for tests. */
  now?: () => number;
  /** How often to look for cache changes made by other processes. */
  cacheSyncIntervalMs?: number;
  /** How often to delete expired rows. */
  cleanupIntervalMs?: number;
  /** Back-channel logout delivery (intervals, lease, timeout, attempts, backoff); `false` runs no worker in this instance. */
  logoutDelivery?: Partial<LogoutDeliveryOptions> | false;
  /** How often to check whether a signing key is due for automatic rotation (default every minute). */
  keyRotationCheckIntervalMs?: number;
  /** Where audit event lines go instead of config.auditLogStream (tests). */
  auditSink?: AuditSink;
  /** Where JSON log lines go (default stdout); tests capture them to prove secrets never appear. */
  logStream?: { write(line: string): void };
  /** Limits of client ID metadata document fetches (time, size, cache bounds), for tests. */
  metadataDocuments?: Partial<MetadataDocumentSettings>;
}

declare module 'fastify' {
  interface FastifyInstance {
    latchkeyServer: ServerContext;
    /** This instance's back-channel logout worker (undefined when turned off). */
    logoutDelivery: LogoutDeliveryWorker | undefined;
  }
}

const FORM_BODY_LIMIT = 64 * 1024;

export async function createServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<FastifyInstance> {
  const ownsStore = !options.store;
  // One registry per server: two servers in one process never share series. prom-client (and what it loads) is imported
  // only when metrics are on (off by default outside dev mode): less to load at start-up and less memory.
  const metrics = config.metricsEnabled ? new (await import('../metrics/prometheus-metrics.ts')).PrometheusMetrics() : undefined;
  const opened = options.store ?? openStore(config.databaseUrl, {
    poolMax: config.databasePoolMax, ...(metrics ? { onQuery: (seconds, ok) => metrics.observeQuery(seconds, ok) } : {}),
  });
  // Audit events get their request id and go to the configured stream too (audit-trail/audit-trail.ts).
  let logSinkError = (error: unknown) => void error;
  const store = withAuditTrail(opened, options.auditSink ?? auditSinkFor(config.auditLogStream), (error) => logSinkError(error));
  const now = options.now ?? unixNow;
  const documents = config.clientMetadataDocuments
    ? new MetadataDocumentClients(store, { allowPrivate: config.clientMetadataDocumentsAllowPrivate, ...options.metadataDocuments })
    : undefined;
  const clients = new ClientDirectory(store, documents);
  const urls = serverUrls(config.issuer);
  const assertions = new ClientAssertionVerifier({ issuer: config.issuer, tokenEndpoint: urls.token }, store,
    new ClientKeys(fetch, { allowPrivate: config.clientMetadataDocumentsAllowPrivate, ca: options.metadataDocuments?.ca }));
  const ctx: ServerContext = {
    config, urls, store, now, clients,
    keys: new KeyRing(store, config.secret, lifecyclePolicy(config), now),
    scopes: new ScopeCatalog(store),
    limits: new ClientEndpointLimits(config, store, clients, assertions),
    metrics: metrics ?? NO_METRICS,
    dpopNonces: new DpopNonces(config.secret),
    homeLinks: [],
    wakeLogoutDelivery: () => {},
  };
  metrics?.watch({ keys: () => ctx.keys.states(), ...(store.poolStats ? { pool: store.poolStats.bind(store) } : {}) });
  const sync = new CacheSync(store);

  try {
    await store.migrate();
    await ctx.keys.ensureInitialKeys(now());
    await sync.baseline();
    await ctx.keys.load(now());
    await ctx.scopes.load();
  } catch (error) {
    if (ownsStore) await store.close().catch(() => {});
    throw error;
  }
  sync.onChange(async (topic) => {
    if (topic === 'clients') ctx.clients.invalidate();
    if (topic === 'apis') await ctx.scopes.load();
    if (topic === 'keys') await ctx.keys.load(now());
  });

  const securityHeaders = securityHeaderSetter({ https: issuerIsHttps(config) });
  const app = Fastify({
    logger: { ...loggerOptions(config.logLevel), ...(options.logStream ? { stream: options.logStream } : {}) },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One line per request instead of Fastify's two (http/request-log.ts).
    logController: new OneLinePerRequest(),
    // Ajv and fast-json-stringify only if a route ever declares a schema (http/schema-compilers.ts).
    schemaController: { compilersFactory: lazySchemaCompilers },
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...connectionTimeouts(config),
    // A malformed URL (e.g. /token/%) fails before routing and before any hook; it gets our headers and format too.
    frameworkErrors: (error, request, reply) => {
      securityHeaders(request, reply);
      return handleJsonError(error, request, reply);
    },
  });
  limitConnectionsPerAddress(app.server, config.maxConnectionsPerAddress);
  app.decorate('latchkeyServer', ctx);
  logSinkError = (error) => {
    app.log.error({ err: error }, 'audit stream write failed');
  };
  // Everything a request does runs with its id in scope, so audit events name the request (x-request-id).
  app.addHook('onRequest', (request, _reply, done) => {
    runInRequest(request.id, () => done());
  });
  if (metrics) observeRequests(app, metrics);

  registerSecurityHeaders(app, securityHeaders);
  // While stopping, answers to in-flight requests close their connection, so shutdown never waits on keep-alive.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    done(null, FormParams.parse(body as string));
  });

  app.setErrorHandler((error, request, reply) => handleJsonError(error, request, reply));
  app.setNotFoundHandler(sendNotFound);

  registerRoutes(app, ctx);
  if (metrics) registerMetricsRoute(app, metrics, config);

  const logError = (error: unknown) => app.log.warn({ err: error }, 'background task failed');
  let cleanup: NodeJS.Timeout | undefined;
  const delivery = options.logoutDelivery === false ? undefined : new LogoutDeliveryWorker(ctx, app.log, options.logoutDelivery ?? {});
  if (delivery) ctx.wakeLogoutDelivery = () => delivery.wake();
  app.decorate('logoutDelivery', delivery);
  let rotation: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    sync.start(options.cacheSyncIntervalMs ?? 500, logError);
    // Anything changed between the load in createServer() and now is picked up at once.
    await sync.poll().catch(logError);
    cleanup = setInterval(() => void removeExpired(ctx, 500).catch(logError), options.cleanupIntervalMs ?? 60_000);
    cleanup.unref();
    delivery?.start();
    // Every instance checks; the store lets exactly one of them stage each due rotation (key-ring.ts).
    if (Object.values(config.keyRotationInterval).some((seconds) => seconds > 0)) {
      rotation = setInterval(() => void ctx.keys.rotateDueKeys(now()).catch(logError), options.keyRotationCheckIntervalMs ?? 60_000);
      rotation.unref();
    }
  });
  app.addHook('onClose', async () => {
    clearInterval(cleanup);
    clearInterval(rotation);
    await delivery?.stop();
    await sync.stop();
    if (ownsStore) await store.close();
  });
  return app;
}
