// Login throttling (OWASP Authentication Cheat Sheet, "Account lockout"; NIST SP 800-63B §5.2.2): failures are
// counted in the Store (shared by every instance) so that an attacker slows himself down, not his victim:
// - per (account, address): 5 failures in 15 minutes, then that address waits for that account;
// - per address: 30 failures in 15 minutes across all accounts (password spraying);
// - per account: 20 failures in an hour from all addresses together (a distributed guesser), the slower limit;
// - a known device (accounts/known-device.ts: this browser signed in to this account within 30 days) is held
//   only to its own counter, 5 failures in 15 minutes, so nobody else's failures lock it out.
// Every limit ends with its window: no permanent lockout. A success clears its (account, address) and device
// counters, never the account's or the address's (one good password must not reset an attack).
import type { ServerContext } from '../server-context.ts';
import { knownDevice, knownDeviceCookie, normalizedAccount } from './known-device.ts';

interface Limit {
  failures: number;
  windowSeconds: number;
}

export const LOGIN_LIMITS = {
  accountAddress: { failures: 5, windowSeconds: 900 },
  address: { failures: 30, windowSeconds: 900 },
  account: { failures: 20, windowSeconds: 3600 },
  knownDevice: { failures: 5, windowSeconds: 900 },
} as const satisfies Record<string, Limit>;

/** One password sign-in attempt, from either login form (the authorization flow's or the account page's). */
export interface LoginAttempt {
  username: string;
  ip: string;
  /** The browser's known-device cookie, if it sent one (accounts/known-device-cookie.ts). */
  device: string | undefined;
}

export interface ThrottleState {
  throttled: boolean;
  /** Seconds before attempts are accepted again (the end of the longest window that is full). */
  retryAfter: number;
}

function counterKeys(attempt: LoginAttempt, device: string | undefined) {
  const account = normalizedAccount(attempt.username);
  return {
    accountAddress: `login:account-address:${account}|${attempt.ip}`,
    address: `login:address:${attempt.ip}`,
    account: `login:account:${account}`,
    device: device === undefined ? undefined : `login:device:${device}:${account}`,
  };
}

/** The counters this attempt is held to, with their limits: a known device's own, or the three others. */
function countersFor(ctx: ServerContext, attempt: LoginAttempt, now: number, options: { asUnknownDevice?: boolean } = {}): { key: string; limit: Limit }[] {
  const keys = counterKeys(attempt, options.asUnknownDevice ? undefined : knownDevice(ctx, attempt.device, attempt.username, now));
  if (keys.device !== undefined) return [{ key: keys.device, limit: LOGIN_LIMITS.knownDevice }];
  return [
    { key: keys.accountAddress, limit: LOGIN_LIMITS.accountAddress },
    { key: keys.address, limit: LOGIN_LIMITS.address },
    { key: keys.account, limit: LOGIN_LIMITS.account },
  ];
}

export async function checkLoginThrottle(ctx: ServerContext, attempt: LoginAttempt): Promise<ThrottleState> {
  const now = ctx.now();
  const counts = await Promise.all(countersFor(ctx, attempt, now).map(async ({ key, limit }) =>
    ({ limit, count: await ctx.store.getFailureCount(key, now, limit.windowSeconds) })));
  const full = counts.filter(({ limit, count }) => count.count >= limit.failures);
  return { throttled: full.length > 0, retryAfter: Math.max(0, ...full.map(({ count }) => count.resetAt - now)) };
}

/** Counts a failed attempt on every counter that could throttle it (and, for a known device, on the others too). */
export async function recordLoginFailure(ctx: ServerContext, attempt: LoginAttempt): Promise<void> {
  const now = ctx.now();
  const keys = new Map<string, Limit>();
  for (const { key, limit } of countersFor(ctx, attempt, now)) keys.set(key, limit);
  for (const { key, limit } of countersFor(ctx, attempt, now, { asUnknownDevice: true })) keys.set(key, limit);
  for (const [key, limit] of keys) await ctx.store.recordFailure(key, now, limit.windowSeconds);
}

/** After the right password: clears this attempt's own counters and returns the known-device cookie value to set. */
export async function recordLoginSuccess(ctx: ServerContext, attempt: LoginAttempt): Promise<string> {
  const now = ctx.now();
  const device = knownDevice(ctx, attempt.device, attempt.username, now);
  const keys = counterKeys(attempt, device);
  await ctx.store.deleteFailures(keys.accountAddress);
  if (keys.device !== undefined) await ctx.store.deleteFailures(keys.device);
  return knownDeviceCookie(ctx, attempt.username, device, now);
}

export function throttleMessage(state: ThrottleState): string {
  const minutes = Math.max(1, Math.ceil(state.retryAfter / 60));
  return `Too many failed sign-in attempts. Please wait up to ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`;
}
