// Bounded, expiring cache of RFC 7662 introspection results, keyed by a SHA-256 digest so raw tokens are never stored.
import { createHash } from 'node:crypto';

export interface IntrospectionCache<Value> {
  get(token: string): Value | undefined;
  /** Stores until `expiresAtMs`; ignored when that is not in the future. Evicts the least recently used entry when full. */
  set(token: string, value: Value, expiresAtMs: number): void;
  readonly size: number;
  /** The stored keys: SHA-256 digests, never tokens. */
  keys(): string[];
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function createIntrospectionCache<Value>(maxEntries: number, now: () => number = Date.now): IntrospectionCache<Value> {
  const entries = new Map<string, { value: Value; expiresAtMs: number }>();
  return {
    get(token) {
      const key = tokenDigest(token);
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (entry.expiresAtMs <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(token, value, expiresAtMs) {
      if (maxEntries <= 0 || expiresAtMs <= now()) return;
      const key = tokenDigest(token);
      entries.delete(key);
      entries.set(key, { value, expiresAtMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    keys() {
      return [...entries.keys()];
    },
  };
}
