// Clients identified by a metadata document URL (draft-ietf-oauth-client-id-metadata-document §4): fetched through
// outbound/guarded-fetch.ts, validated by clients/client-metadata-document.ts, kept in the clients table as unvetted
// ('dynamic') public clients (their consents, codes and grants need the row), and cached per the document's HTTP
// Cache-Control (§4.2) within [minCacheSeconds, maxCacheSeconds], in a bounded map with one fetch in flight per URL.
import { GuardedFetchError, guardedFetch, type GuardedFetchOptions, type GuardedResponse } from '../outbound/guarded-fetch.ts';
import type { ClientStore } from '../store/client-store.ts';
import type { ClientRecord } from '../store/records.ts';
import { StoreConflict } from '../store/store.ts';
import { clientFromMetadataDocument, MetadataDocumentProblem, parseClientIdUrl } from './client-metadata-document.ts';

export interface MetadataDocumentSettings {
  /** Development only: http client_id URLs and loopback/private addresses are fetched too. */
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  minCacheSeconds: number;
  maxCacheSeconds: number;
  maxEntries: number;
  /** Fetches in flight at once (each for another URL); more are refused until one ends, so a flood of new URLs
   *  cannot make the server open unbounded outbound connections. */
  maxInFlight: number;
  /** Development and tests only: CA certificates (PEM) trusted for the documents' https, instead of the default ones. */
  ca?: string | undefined;
}

export const METADATA_DOCUMENT_DEFAULTS: MetadataDocumentSettings = {
  allowPrivate: false, timeoutMs: 5000, maxBytes: 5 * 1024, minCacheSeconds: 60, maxCacheSeconds: 86400, maxEntries: 1000, maxInFlight: 20,
};

export type DocumentFetcher = (url: URL, options: GuardedFetchOptions) => Promise<GuardedResponse>;

/** RFC 9111 §5.2.2: max-age, or the minimum for no-store/no-cache/none, clamped to the bounds. */
export function cacheSeconds(cacheControl: string | undefined, min: number, max: number): number {
  const directives = (cacheControl ?? '').toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return min;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  const seconds = maxAge === undefined ? min : Number(maxAge);
  return Math.min(max, Math.max(min, seconds));
}

const sameRegistration = (a: ClientRecord, b: ClientRecord) => a.name === b.name && a.clientUri === b.clientUri && a.logoUri === b.logoUri
  && a.isPublic === b.isPublic && a.jwks === b.jwks && a.jwksUri === b.jwksUri
  && JSON.stringify([a.redirectUris, a.grantTypes, a.scopes]) === JSON.stringify([b.redirectUris, b.grantTypes, b.scopes]);

export class MetadataDocumentClients {
  readonly #store: ClientStore;
  readonly #settings: MetadataDocumentSettings;
  readonly #fetch: DocumentFetcher;
  #cache = new Map<string, { client: ClientRecord; freshUntil: number }>();
  readonly #inFlight = new Map<string, Promise<ClientRecord>>();

  constructor(store: ClientStore, settings: Partial<MetadataDocumentSettings> = {}, fetchDocument: DocumentFetcher = guardedFetch) {
    this.#store = store;
    this.#settings = { ...METADATA_DOCUMENT_DEFAULTS, ...settings };
    this.#fetch = fetchDocument;
  }

  /** The client the document describes; throws MetadataDocumentProblem when it cannot be fetched or is invalid. */
  async resolve(clientId: string, now: number): Promise<ClientRecord> {
    const cached = this.#cache.get(clientId);
    if (cached && cached.freshUntil > now) return cached.client;
    const running = this.#inFlight.get(clientId);
    if (running) return running;
    if (this.#inFlight.size >= this.#settings.maxInFlight) {
      throw new MetadataDocumentProblem('too many client metadata documents are being fetched right now; try again shortly');
    }
    const loading = this.#load(clientId, now).finally(() => this.#inFlight.delete(clientId));
    this.#inFlight.set(clientId, loading);
    return loading;
  }

  invalidate(): void {
    this.#cache = new Map();
  }

  async #load(clientId: string, now: number): Promise<ClientRecord> {
    const url = parseClientIdUrl(clientId, this.#settings.allowPrivate);
    const stored = await this.#store.getClient(clientId);
    // A blocked client is not fetched again (and stays blocked whatever its document now says).
    if (stored && (stored.registration !== 'dynamic' || stored.blockedAt)) return stored;
    let response: GuardedResponse;
    try {
      response = await this.#fetch(url, {
        timeoutMs: this.#settings.timeoutMs, maxBytes: this.#settings.maxBytes, allowPrivate: this.#settings.allowPrivate, accept: 'application/json', ca: this.#settings.ca,
      });
    } catch (error) {
      if (error instanceof GuardedFetchError) throw new MetadataDocumentProblem(`the client's metadata document could not be fetched: ${error.message}`);
      throw error;
    }
    const fetched = clientFromMetadataDocument(clientId, response.body, now, this.#settings.allowPrivate);
    const client = stored ? { ...stored, ...fetched, createdAt: stored.createdAt, updatedAt: sameRegistration(stored, fetched) ? stored.updatedAt : now } : fetched;
    if (!stored) {
      try {
        await this.#store.createClient(client);
      } catch (error) {
        if (!(error instanceof StoreConflict)) throw error;
        await this.#store.updateClientRegistration(client);
      }
    } else if (!sameRegistration(stored, fetched)) {
      await this.#store.updateClientRegistration(client);
    }
    if (this.#cache.size >= this.#settings.maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(clientId, { client, freshUntil: now + cacheSeconds(response.cacheControl, this.#settings.minCacheSeconds, this.#settings.maxCacheSeconds) });
    return client;
  }
}
