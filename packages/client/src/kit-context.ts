// What every flow of the kit shares: options, provider configuration, store, cipher, clock (internal).
import type { Configuration, CustomFetch } from 'openid-client';
import type { ResolvedOptions } from './client-options.ts';
import type { LatchkeyStore } from './store/store-records.ts';
import type { TokenCipher } from './token-encryption.ts';
import type { CookieAttributes } from './cookies.ts';

export interface KitContext {
  options: ResolvedOptions;
  provider: Configuration;
  store: LatchkeyStore;
  cipher: TokenCipher;
  now(): number;
  warn(message: string, error: unknown): void;
  /** The fetch for calls to the provider (options.fetch), when the application gave one. */
  providerFetch?: CustomFetch | undefined;
}

/**
 * Cookie attributes for the kit's cookies: host-only, HttpOnly. The session cookie is SameSite=Strict by default;
 * the login-transaction cookie is Lax, because the callback that needs it is a cross-site top-level GET.
 */
export function cookieAttributes(context: KitContext, cookie: 'session' | 'transaction'): CookieAttributes {
  const { options } = context;
  return cookie === 'session'
    ? { secure: options.cookieSecure, sameSite: options.sessionCookieSameSite, maxAgeSeconds: Math.floor(options.sessionMaxAgeMs / 1000) }
    : { secure: options.cookieSecure, sameSite: 'Lax', maxAgeSeconds: Math.floor(options.transactionMaxAgeMs / 1000) };
}

export function transactionAad(transactionId: string): string {
  return `transaction:${transactionId}`;
}

/** When to refresh proactively: `window` before expiry, but never before half the token's lifetime. */
export function computeRefreshAt(now: number, expiresInSeconds: number | undefined, refreshWindowMs: number): number | null {
  if (expiresInSeconds === undefined) return null;
  const lifetime = expiresInSeconds * 1000;
  return now + lifetime - Math.min(refreshWindowMs, lifetime / 2);
}
