// Delivery of back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.5, §2.8): every instance runs a
// worker that claims due rows of the store's outbox with a lease, POSTs `logout_token` to the client's back-channel
// URI (form-encoded, with a timeout, never following redirects), and records the outcome: 2xx is delivered (§2.8 allows
// 204 too); anything else is retried with exponential backoff, and given up after maxAttempts. A row leased by an
// instance that died comes back to every worker when its lease ends. Failures are logged; `latchkey logout-deliveries`
// lists them.
import { randomId } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import type { LogoutDeliveryRecord } from '../store/records.ts';
import { issueLogoutToken } from './logout-token.ts';

export interface LogoutDeliveryOptions {
  /** How often to look for due rows (queued by another instance or the CLI, or retries). */
  intervalMs: number;
  /** How long a claim lasts; must exceed timeoutMs by far so a live worker never loses its row. */
  leaseSeconds: number;
  /** Per request. */
  timeoutMs: number;
  /** Attempts before giving up. */
  maxAttempts: number;
  /** The first retry waits this long; each next one twice as long, at most maxBackoffSeconds. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
  /** Rows claimed per round. */
  batch: number;
}

export const DEFAULT_LOGOUT_DELIVERY: LogoutDeliveryOptions = {
  intervalMs: 5_000, leaseSeconds: 60, timeoutMs: 5_000, maxAttempts: 8, backoffSeconds: 10, maxBackoffSeconds: 3_600, batch: 20,
};

export interface DeliveryLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** The wait before attempt `attempts + 1`, after `attempts` failures. */
export function backoffSeconds(options: LogoutDeliveryOptions, attempts: number): number {
  return Math.min(options.maxBackoffSeconds, options.backoffSeconds * 2 ** Math.max(0, attempts - 1));
}

export class LogoutDeliveryWorker {
  readonly #ctx: ServerContext;
  readonly #log: DeliveryLog;
  readonly #options: LogoutDeliveryOptions;
  /** This worker's lease owner name. */
  readonly owner = `worker-${randomId(8)}`;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(ctx: ServerContext, log: DeliveryLog, options: Partial<LogoutDeliveryOptions> = {}) {
    this.#ctx = ctx;
    this.#log = log;
    this.#options = { ...DEFAULT_LOGOUT_DELIVERY, ...options };
  }

  start(): void {
    this.#timer = setInterval(() => this.wake(), this.#options.intervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Runs a round now (or right after the current one). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => { this.#running = undefined; });
  }

  /** Stops: no new rounds; requests in flight are aborted (their rows come back when the lease ends). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        const claimed = await this.runOnce();
        if (claimed === this.#options.batch) this.#again = true;
      } catch (error) {
        this.#log.warn({ err: error }, 'back-channel logout delivery round failed');
      }
    } while (this.#again && !this.#stopped);
  }

  /** One round: claims due rows and delivers them; returns how many were claimed. */
  async runOnce(): Promise<number> {
    const ctx = this.#ctx;
    const claimed = await ctx.store.claimLogoutDeliveries(this.owner, ctx.now(), this.#options.leaseSeconds, this.#options.batch);
    await Promise.all(claimed.map((delivery) => this.#deliver(delivery)));
    return claimed.length;
  }

  async #deliver(delivery: LogoutDeliveryRecord): Promise<void> {
    const ctx = this.#ctx;
    const client = await ctx.clients.get(delivery.clientId);
    let error: string | undefined;
    if (!client || client.backchannelLogoutUri === null) {
      error = 'the client no longer has a back-channel logout URI';
    } else {
      const token = issueLogoutToken(ctx.keys.signer(client.idTokenAlg), {
        issuer: ctx.config.issuer, clientId: client.id, subject: delivery.userId, sid: delivery.sid, now: ctx.now(),
      });
      // The client's current URI: an operator who corrects a wrong one (latchkey client update) fixes pending deliveries too.
      error = await this.#post(client.backchannelLogoutUri, token);
    }
    if (this.#stopped && error !== undefined) return; // aborted by stop(): the lease runs out and another instance retries
    const now = ctx.now();
    const fields = { delivery: delivery.id, client_id: delivery.clientId, sid: delivery.sid, attempt: delivery.attempts + 1 };
    if (error === undefined) {
      await ctx.store.recordLogoutDeliveryOutcome(delivery.id, this.owner, { status: 'delivered' }, now);
      ctx.metrics.logoutDelivery('delivered');
      this.#log.info(fields, 'back-channel logout delivered');
    } else if (delivery.attempts + 1 >= this.#options.maxAttempts || !client || client.backchannelLogoutUri === null) {
      await ctx.store.recordLogoutDeliveryOutcome(delivery.id, this.owner, { status: 'failed', error }, now);
      ctx.metrics.logoutDelivery('failed');
      this.#log.warn({ ...fields, error }, 'back-channel logout delivery failed; giving up');
    } else {
      const nextAttemptAt = now + backoffSeconds(this.#options, delivery.attempts + 1);
      await ctx.store.recordLogoutDeliveryOutcome(delivery.id, this.owner, { status: 'retry', error, nextAttemptAt }, now);
      ctx.metrics.logoutDelivery('retry');
      this.#log.warn({ ...fields, error, next_attempt_at: nextAttemptAt }, 'back-channel logout delivery failed; will retry');
    }
  }

  /** POSTs the token (§2.5); undefined on success, else why not. */
  async #post(uri: string, token: string): Promise<string | undefined> {
    try {
      const response = await fetch(uri, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ logout_token: token }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
        signal: AbortSignal.any([AbortSignal.timeout(this.#options.timeoutMs), this.#abort.signal]),
      });
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return undefined;
      return response.status >= 300 && response.status < 400 ? `HTTP ${response.status} (redirects are not followed)` : `HTTP ${response.status}`;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return e.name === 'TimeoutError' ? `no answer within ${this.#options.timeoutMs} ms` : `${e.cause?.code ?? e.name}: ${e.message}`.slice(0, 300);
    }
  }
}
