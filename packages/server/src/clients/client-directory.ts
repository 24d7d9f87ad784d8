// Registered clients, cached in memory (the token hot path never waits on the database for them).
import { InvalidClient } from '../oauth/errors.ts';
import type { ClientStore } from '../store/client-store.ts';
import type { ClientRecord } from '../store/records.ts';
import { isMetadataDocumentClientId, MetadataDocumentProblem } from './client-metadata-document.ts';
import type { MetadataDocumentClients } from './metadata-document-clients.ts';

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

  readonly #documents: MetadataDocumentClients | undefined;

  /** `documents`: resolves client_ids that are metadata document URLs (absent: such ids are unknown clients). */
  constructor(store: ClientStore, documents?: MetadataDocumentClients) {
    this.#store = store;
    this.#documents = documents;
  }

  /** Whether client ID metadata documents are accepted (discovery says so). */
  get acceptsMetadataDocuments(): boolean {
    return this.#documents !== undefined;
  }

  /**
   * Where a flow starts (/authorize, client authentication): a metadata document URL is fetched (or taken from its
   * cache) and refused with a precise invalid_client when it cannot be; any other id is looked up as by get().
   * Later steps of the same flow use get(), which reads the stored row without fetching.
   */
  async resolve(id: string, now: number): Promise<ClientRecord | undefined> {
    if (!isMetadataDocumentClientId(id)) return this.get(id);
    if (!this.#documents) return undefined;
    try {
      const client = await this.#documents.resolve(id, now);
      this.#cache.delete(id);
      return client;
    } catch (error) {
      if (error instanceof MetadataDocumentProblem) throw new InvalidClient(`client ID metadata document: ${error.message}`);
      throw error;
    }
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

  /** Drops one client from this instance's cache (after a change only this instance needs to see at once). */
  forget(id: string): void {
    this.#cache.delete(id);
  }

  invalidate(): void {
    this.#cache = new Map();
    this.#documents?.invalidate();
    this.#publicOrigins = undefined;
  }
}
