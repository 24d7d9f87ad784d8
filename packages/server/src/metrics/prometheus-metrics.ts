// The server's metrics in the Prometheus text exposition format (prom-client), one Registry per server so two servers
// in one process never share series. Every label comes from a bounded set: route patterns (never the raw URL), known
// HTTP methods, status codes the server itself sends, grant types of the grant registry, outcomes named in metrics.ts,
// and client ids of authenticated (so registered) clients, at most MAX_CLIENT_LABELS of them, then "other".
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KeyStateCount } from '../keys/key-ring.ts';
import type { PoolStats } from '../store/store.ts';
import type { ClientRegistration } from '../store/records.ts';
import { LOGOUT_DELIVERY_OUTCOMES, type LoginOutcome, type LogoutDeliveryOutcome, type Metrics, type ReusedCredential } from './metrics.ts';

/** Distinct client_id label values per process; later clients are counted under "other". */
export const MAX_CLIENT_LABELS = 1000;
export const OTHER_CLIENTS = 'other';
/** The route label of a request that matched no route (a 404 or a URL that failed to parse). */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);


export interface MetricsSources {
  /** The database connection pool, when there is one (PostgreSQL). */
  pool?: () => PoolStats;
  /** Signing keys by algorithm and state, read at scrape time. */
  keys?: () => KeyStateCount[];
}

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #clients = new Set<string>();
  readonly #requests: Counter<'route' | 'method' | 'status_class' | 'status'>;
  readonly #duration: Histogram<'route' | 'method' | 'status_class'>;
  readonly #throttled: Counter<'route'>;
  readonly #tokens: Counter<'grant_type' | 'client_id'>;
  readonly #logins: Counter<'outcome'>;
  readonly #reuse: Counter<'credential'>;
  readonly #logoutDeliveries: Counter<'outcome'>;
  readonly #queries: Histogram<'outcome'>;

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({ name: 'latchkey_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status', labelNames: ['route', 'method', 'status_class', 'status'], registers });
    this.#duration = new Histogram({
      name: 'latchkey_http_request_duration_seconds', help: 'Time to answer an HTTP request, by route pattern, method and status class',
      labelNames: ['route', 'method', 'status_class'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.#throttled = new Counter({ name: 'latchkey_throttled_requests_total', help: 'Requests refused with 429 Too Many Requests, by route pattern', labelNames: ['route'], registers });
    this.#tokens = new Counter({ name: 'latchkey_tokens_issued_total', help: `Token responses issued, by grant type and client (at most ${MAX_CLIENT_LABELS} client ids, then "${OTHER_CLIENTS}")`, labelNames: ['grant_type', 'client_id'], registers });
    this.#logins = new Counter({ name: 'latchkey_logins_total', help: 'Password sign-ins, by outcome (succeeded, failed, throttled)', labelNames: ['outcome'], registers });
    this.#reuse = new Counter({ name: 'latchkey_reuse_detections_total', help: 'Replayed one-time credentials detected (the grant was revoked), by credential', labelNames: ['credential'], registers });
    this.#logoutDeliveries = new Counter({ name: 'latchkey_backchannel_logout_deliveries_total', help: 'Back-channel logout delivery attempts, by outcome (delivered, retry, failed = given up)', labelNames: ['outcome'], registers });
    for (const outcome of LOGOUT_DELIVERY_OUTCOMES) this.#logoutDeliveries.inc({ outcome }, 0);
    this.#queries = new Histogram({
      name: 'latchkey_store_query_duration_seconds', help: 'Database query time, by outcome (ok, error)',
      labelNames: ['outcome'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    });
  }

  /** Adds the gauges read at scrape time (once, after the store and key ring exist). */
  watch(sources: MetricsSources): void {
    const registers = [this.registry];
    const pool = sources.pool;
    if (pool) {
      new Gauge({
        name: 'latchkey_db_pool_connections', help: 'Database pool connections, by state (total, idle, waiting = requests queued for a connection)', labelNames: ['state'], registers,
        collect() {
          const stats = pool();
          for (const state of ['total', 'idle', 'waiting'] as const) this.set({ state }, stats[state]);
        },
      });
    }
    const keys = sources.keys;
    if (keys) {
      new Gauge({
        name: 'latchkey_signing_keys', help: 'Published signing keys, by algorithm and state (published: in the JWKS, not yet signing; active signs; retired only verifies)', labelNames: ['alg', 'state'], registers,
        collect() {
          this.reset();
          for (const { alg, state, count } of keys()) this.set({ alg, state }, count);
        },
      });
    }
  }

  /** One answered HTTP request. `route` is the matched route pattern, undefined when none matched. */
  observeRequest(route: string | undefined, method: string, status: number, seconds: number): void {
    const labels = { route: route ?? UNMATCHED_ROUTE, method: METHODS.has(method) ? method : 'other', status_class: `${Math.floor(status / 100)}xx` };
    this.#requests.inc({ ...labels, status: String(status) });
    this.#duration.observe(labels, seconds);
    if (status === 429) this.#throttled.inc({ route: labels.route });
  }

  observeQuery(seconds: number, ok: boolean): void {
    this.#queries.observe({ outcome: ok ? 'ok' : 'error' }, seconds);
  }

  tokenIssued(grantType: string, clientId: string, registration: ClientRegistration = 'operator'): void {
    if (registration !== 'operator') return void this.#tokens.inc({ grant_type: grantType, client_id: OTHER_CLIENTS });
    if (!this.#clients.has(clientId) && this.#clients.size < MAX_CLIENT_LABELS) this.#clients.add(clientId);
    this.#tokens.inc({ grant_type: grantType, client_id: this.#clients.has(clientId) ? clientId : OTHER_CLIENTS });
  }

  login(outcome: LoginOutcome): void {
    this.#logins.inc({ outcome });
  }

  reuseDetected(credential: ReusedCredential): void {
    this.#reuse.inc({ credential });
  }

  logoutDelivery(outcome: LogoutDeliveryOutcome): void {
    // Bounded: anything but a known outcome counts as failed.
    this.#logoutDeliveries.inc({ outcome: LOGOUT_DELIVERY_OUTCOMES.includes(outcome) ? outcome : 'failed' });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
