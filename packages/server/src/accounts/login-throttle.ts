// Login throttling (OWASP Authentication Cheat Sheet, "Account lockout"): failures are counted per account and
// per client IP in a fixed window. Past the limit, attempts are refused with a clear message until the window
// ends; the delay is bounded, so an attacker cannot lock a real user out for good.
import type { Store } from '../store/store.ts';

export interface ThrottlePolicy {
  /** Failures allowed per account name inside one window. */
  accountLimit: number;
  /** Failures allowed per client IP inside one window (higher: offices share addresses). */
  ipLimit: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { accountLimit: 5, ipLimit: 30, windowSeconds: 900 };

// Case-folded so "Alice" and "alice" share a counter; unknown and known names are counted alike.
const accountKey = (username: string) => `account:${username.trim().toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

export interface ThrottleState {
  throttled: boolean;
  /** Upper bound, in seconds, before attempts are accepted again. */
  retryAfter: number;
}

export async function checkLoginThrottle(store: Store, username: string, ip: string, now: number, policy = DEFAULT_THROTTLE): Promise<ThrottleState> {
  const [account, address] = await Promise.all([
    store.loginFailures(accountKey(username), now, policy.windowSeconds),
    store.loginFailures(ipKey(ip), now, policy.windowSeconds),
  ]);
  const throttled = account >= policy.accountLimit || address >= policy.ipLimit;
  return { throttled, retryAfter: throttled ? policy.windowSeconds : 0 };
}

export async function recordLoginFailure(store: Store, username: string, ip: string, now: number, policy = DEFAULT_THROTTLE): Promise<void> {
  await store.recordLoginFailure(accountKey(username), now, policy.windowSeconds);
  await store.recordLoginFailure(ipKey(ip), now, policy.windowSeconds);
}

/** A successful login clears the account's counter (not the IP's: one good password must not reset a spray). */
export async function clearAccountFailures(store: Store, username: string): Promise<void> {
  await store.clearLoginFailures(accountKey(username));
}

export function throttleMessage(state: ThrottleState): string {
  const minutes = Math.ceil(state.retryAfter / 60);
  return `Too many failed sign-in attempts. Please wait up to ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`;
}
