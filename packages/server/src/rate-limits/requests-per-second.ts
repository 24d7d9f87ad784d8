// An in-process cap on requests per key (address or client) per second: a fixed one-second window in memory, so a
// request that is within its limit costs a map lookup and no database round trip. Each instance counts its own.

export class RequestsPerSecond {
  readonly #limit: number;
  #second = Number.NaN;
  #counts = new Map<string, number>();

  /** `limit` 0 lets everything through. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Counts a request of `key` at `now` (Unix seconds); false when the key is over its limit in this second. */
  take(key: string, now: number): boolean {
    if (this.#limit === 0) return true;
    if (now !== this.#second) {
      // A new second: the old counts are gone, so the map never holds more than one second of keys.
      this.#second = now;
      this.#counts = new Map();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count <= this.#limit;
  }
}
