// Failures (wrong secrets, unknown codes and tokens) counted per key in the Store, so every instance shares them,
// with this instance remembering which keys are over their limit. A request is checked against that memory only:
// successful requests cost no database round trip, and every failure is one atomic upsert. Another instance learns
// of a block at the key's next failure there, so beyond the limit each instance lets at most one more through.
import type { FailureCounterStore } from '../store/failure-counter-store.ts';

export interface FailureRule {
  /** Failures allowed inside one window; 0 turns the rule off. */
  limit: number;
  windowSeconds: number;
}

const MAX_BLOCKED_KEYS = 100_000;

export class FailureLimit {
  readonly #store: FailureCounterStore;
  /** key -> end of its window (Unix seconds), for keys that reached their limit. */
  #blocked = new Map<string, number>();

  constructor(store: FailureCounterStore) {
    this.#store = store;
  }

  /** Seconds until `key` may try again, from what this instance has seen; 0 when it is not blocked. */
  retryAfter(key: string, now: number): number {
    const until = this.#blocked.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.#blocked.delete(key);
    return 0;
  }

  /** Counts a failure of `key`; once the count reaches the limit, the key is blocked until its window ends. */
  async record(key: string, rule: FailureRule, now: number): Promise<void> {
    if (rule.limit === 0) return;
    const { count, resetAt } = await this.#store.recordFailure(key, now, rule.windowSeconds);
    if (count < rule.limit) return;
    if (this.#blocked.size >= MAX_BLOCKED_KEYS) this.#forgetExpired(now);
    this.#blocked.set(key, resetAt);
  }

  #forgetExpired(now: number): void {
    for (const [key, until] of this.#blocked) if (until <= now) this.#blocked.delete(key);
    // Still full: the oldest entries go first (a Map iterates in insertion order).
    for (const key of this.#blocked.keys()) {
      if (this.#blocked.size < MAX_BLOCKED_KEYS) break;
      this.#blocked.delete(key);
    }
  }
}
