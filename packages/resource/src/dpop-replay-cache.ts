// RFC 9449 §11.1 replay protection: each proof's jti is accepted once while its iat is inside the window.

/**
 * Where seen proof `jti`s are kept. The default is in memory, per process; give a shared implementation (e.g. on
 * Redis `SET key 1 NX EX ttl`) when several instances serve the same API, or a proof could be replayed at another.
 */
export interface DpopReplayCache {
  /**
   * Records `jti` until `expiresAtSeconds` (seconds since the epoch). Resolves true when it was new, false when it
   * was already recorded and has not expired (a replay). Must be atomic: of two concurrent calls, one gets false.
   */
  add(jti: string, expiresAtSeconds: number): boolean | Promise<boolean>;
}

/**
 * In-memory cache of at most `maxEntries` jtis. Expired entries are dropped first; when every entry is still live
 * and the cache is full, the oldest is dropped (its proof could then be replayed until its iat leaves the window).
 */
export function createMemoryReplayCache(maxEntries: number, now: () => number = () => Date.now() / 1000): DpopReplayCache {
  const expiries = new Map<string, number>();
  function evict(nowSeconds: number): void {
    // Insertion order is close to expiry order (expiry = iat + window), so expired entries gather at the front.
    for (const [jti, expiresAt] of expiries) {
      if (expiresAt > nowSeconds && expiries.size <= maxEntries) break;
      expiries.delete(jti);
    }
  }
  return {
    add(jti, expiresAtSeconds) {
      const nowSeconds = now();
      const known = expiries.get(jti);
      if (known !== undefined && known > nowSeconds) return false;
      expiries.delete(jti);
      expiries.set(jti, expiresAtSeconds);
      evict(nowSeconds);
      return true;
    },
  };
}
