// RFC 8628 §5.1: user codes are short, so wrong ones are counted and throttled, per address and from all addresses
// together (a distributed guesser), in the Store's fixed-window failure counters shared by every instance (the same
// table as login throttling). Checked before the code is looked up, so a throttled guesser learns nothing; every
// limit ends with its window. The global limit trades a possible lock-out of the page for everyone (an attacker with
// many addresses) against the chance of a guess: see docs/decisions.md 2026-11-29 "device flow".
import type { ServerConfig } from '../config/config.ts';
import type { FailureCounterStore } from '../store/failure-counter-store.ts';

type GuessConfig = Pick<ServerConfig, 'userCodeFailureLimitPerAddress' | 'userCodeFailureLimitGlobal' | 'failureWindow'>;

const counters = (config: GuessConfig, ip: string) => [
  { key: `device:user-code:address:${ip}`, limit: config.userCodeFailureLimitPerAddress },
  { key: 'device:user-code:global', limit: config.userCodeFailureLimitGlobal },
].filter((c) => c.limit > 0);

/** Seconds until this address may enter a code again; 0 when it may now. */
export async function userCodeRetryAfter(store: FailureCounterStore, config: GuessConfig, ip: string, now: number): Promise<number> {
  let wait = 0;
  for (const { key, limit } of counters(config, ip)) {
    const count = await store.getFailureCount(key, now, config.failureWindow);
    if (count.count >= limit) wait = Math.max(wait, count.resetAt - now, 1);
  }
  return wait;
}

/** Counts a wrong (unknown or expired) user code. */
export async function recordUserCodeFailure(store: FailureCounterStore, config: GuessConfig, ip: string, now: number): Promise<void> {
  for (const { key } of counters(config, ip)) await store.recordFailure(key, now, config.failureWindow);
}
