// Failure counters shared by every instance (login throttling, rate limits of the client-authenticated endpoints).
import type { FailureCount } from './records.ts';

export interface FailureCounterStore {
  /** Counts a failure for `key` in a fixed window that starts with its first failure; atomic. */
  recordFailure(key: string, now: number, windowSeconds: number): Promise<FailureCount>;
  /** The failures of `key` in its current window (count 0 when none or the window is over). */
  getFailureCount(key: string, now: number, windowSeconds: number): Promise<FailureCount>;
  deleteFailures(key: string): Promise<void>;
}
