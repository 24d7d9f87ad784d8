// Dynamic registrations per address (RFC 7591 §5 leaves abuse to the server): every attempt, accepted or not, counts
// in the Store's shared fixed-window counters; past `registrationLimitPerAddress` in `registrationWindow` seconds the
// address gets 429 with Retry-After until its window ends.
import type { ServerConfig } from '../config/config.ts';
import { TooManyRequests } from '../oauth/errors.ts';
import type { FailureCounterStore } from '../store/failure-counter-store.ts';
import { FailureLimit, type FailureRule } from './failure-limit.ts';

const key = (ip: string) => `register:address:${ip}`;

export class RegistrationLimit {
  readonly #counts: FailureLimit;
  readonly #rule: FailureRule;

  constructor(config: Pick<ServerConfig, 'registrationLimitPerAddress' | 'registrationWindow'>, store: FailureCounterStore) {
    this.#counts = new FailureLimit(store);
    this.#rule = { limit: config.registrationLimitPerAddress, windowSeconds: config.registrationWindow };
  }

  /** Refuses an address over its limit; otherwise counts this attempt. */
  async admit(ip: string, now: number): Promise<void> {
    const wait = this.#counts.retryAfter(key(ip), now);
    if (wait > 0) throw new TooManyRequests(wait, 'client registrations from this address');
    await this.#counts.record(key(ip), this.#rule, now);
  }
}
