// Registered clients, cached in memory (the token hot path never waits on the database for them).
import type { ClientStore } from '../store/client-store.ts';
import type { ClientRecord } from '../store/records.ts';

/** The web origins of a client's redirect URIs (private-use schemes have none). */
export function redirectOrigins(client: ClientRecord): string[] {
  return client.redirectUris.flatMap((uri) => {
    try {
      const url = new URL(uri);
      return url.protocol === 'https:' || url.protocol === 'http:' ? [url.origin] : [];
    } catch {
      return [];
    }
  });
}

export class ClientDirectory {
  readonly #store: ClientStore;
  #cache = new Map<string, ClientRecord | undefined>();
  #publicOrigins: Promise<Set<string>> | undefined;
  static readonly MAX_ENTRIES = 10_000;

  constructor(store: ClientStore) {
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

  /** Origins of public clients' registered https/http redirect URIs (the only CORS origins of the token endpoint). */
  publicClientOrigins(): Promise<Set<string>> {
    this.#publicOrigins ??= this.#store.listClients().then((clients) => new Set(clients.filter((c) => c.isPublic).flatMap((c) => redirectOrigins(c))));
    this.#publicOrigins.catch(() => (this.#publicOrigins = undefined));
    return this.#publicOrigins;
  }

  invalidate(): void {
    this.#cache = new Map();
    this.#publicOrigins = undefined;
  }
}
