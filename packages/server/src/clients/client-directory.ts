// Registered clients, cached in memory (the token hot path never waits on the database for them).
import type { Store } from '../store/store.ts';
import type { ClientRecord } from '../store/records.ts';

export class ClientDirectory {
  readonly #store: Store;
  #cache = new Map<string, ClientRecord | undefined>();
  static readonly MAX_ENTRIES = 10_000;

  constructor(store: Store) {
    this.#store = store;
  }

  async get(id: string): Promise<ClientRecord | undefined> {
    if (this.#cache.has(id)) return this.#cache.get(id);
    const client = await this.#store.getClient(id);
    // Unknown ids are not cached: a flood of random ids must not evict real clients.
    if (client) {
      if (this.#cache.size >= ClientDirectory.MAX_ENTRIES) this.#cache.clear();
      this.#cache.set(id, client);
    }
    return client;
  }

  invalidate(): void {
    this.#cache = new Map();
  }
}
