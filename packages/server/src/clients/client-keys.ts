// The public keys a private_key_jwt client signs its assertions with (RFC 7523 §3, OpenID Connect Core §9, RFC 7591
// §2 jwks / jwks_uri): inline, or fetched from its jwks_uri with limits (5 s, 64 KiB, no redirects, JSON only) and kept
// in a bounded in-memory cache for 5 minutes; a key id the cached set lacks refetches it, at most every 30 seconds.
// The jwks_uri of a client nobody vetted (registration 'dynamic': RFC 7591 or a metadata document) is a URL a stranger
// chose, so it is fetched through the SSRF guard (outbound/guarded-fetch.ts: public addresses only, https, pinned).
import type { JSONWebKeySet, JWK } from 'jose';
import { isIP } from 'node:net';
import { isPublicAddress } from '../outbound/public-address.ts';
import { GuardedFetchError, guardedFetch, type GuardedFetchOptions, type GuardedResponse } from '../outbound/guarded-fetch.ts';
import { isLoopbackHttp } from '../oauth/redirect-uri.ts';
import type { ClientRecord } from '../store/records.ts';

const MAX_JWKS_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const CACHE_SECONDS = 300;
const REFETCH_AFTER_SECONDS = 30;
const MAX_CACHED_URIS = 1000;
// RFC 7517 / RFC 7518 §6: members only a private (or symmetric) key has.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A client's key set could not be used; the message is for the log and for registration errors. */
export class ClientKeysError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientKeysError';
  }
}

/** A JWKS of public asymmetric keys, or a ClientKeysError saying what is wrong with it. */
export function parsePublicJwks(value: unknown): JSONWebKeySet {
  const keys = typeof value === 'object' && value !== null ? (value as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw new ClientKeysError('a JWKS must be an object with a non-empty "keys" array');
  if (keys.length > 100) throw new ClientKeysError('a JWKS may hold at most 100 keys');
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || !['RSA', 'EC', 'OKP'].includes((key as JWK).kty ?? '')) {
      throw new ClientKeysError('every key of the JWKS must be an RSA, EC or OKP public key');
    }
    if (PRIVATE_JWK_MEMBERS.some((m) => Object.hasOwn(key, m))) throw new ClientKeysError('the JWKS holds private key material: register the public keys only');
  }
  return { keys: keys as JWK[] };
}

/** Whether `uri` may be a jwks_uri: https, or http on a loopback address (local development). */
export function jwksUriProblem(uri: string): string | undefined {
  if (!URL.canParse(uri)) return `jwks_uri is not an absolute URL: ${uri}`;
  const url = new URL(uri);
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) return 'jwks_uri must use https (http only on localhost)';
  if (url.hash || url.username || url.password) return 'jwks_uri must not carry a fragment or credentials';
  return undefined;
}

/**
 * RFC 7591 §2 jwks / jwks_uri as a client nobody vetted sends them (a registration request or a client ID metadata
 * document): with private_key_jwt exactly one of them, otherwise neither. A jwks_uri is https (http only with
 * `allowPrivate`, development) and not an IP literal outside the public address space (names are checked by the SSRF
 * guard when the keys are fetched); an inline jwks holds public keys only, at most 64 KiB.
 */
export function selfAssertedClientKeys(meta: Record<string, unknown>, method: string, allowPrivate: boolean, problem: (message: string) => Error): { jwks: string | null; jwksUri: string | null } {
  const hasJwks = meta.jwks !== undefined && meta.jwks !== null;
  const hasUri = meta.jwks_uri !== undefined && meta.jwks_uri !== null;
  if (method !== 'private_key_jwt') {
    if (hasJwks || hasUri) throw problem(`jwks and jwks_uri go with token_endpoint_auth_method "private_key_jwt", not "${method}"`);
    return { jwks: null, jwksUri: null };
  }
  if (hasJwks === hasUri) throw problem('private_key_jwt needs the client\'s public keys: exactly one of jwks_uri or jwks (RFC 7591 §2)');
  if (hasUri) {
    const uri = meta.jwks_uri;
    if (typeof uri !== 'string' || uri.length > 2000) throw problem('jwks_uri must be a URL string');
    const why = jwksUriProblem(uri);
    if (why) throw problem(why);
    const url = new URL(uri);
    if (!allowPrivate && url.protocol !== 'https:') throw problem('jwks_uri must use https');
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (!allowPrivate && (isIP(literal) !== 0 ? !isPublicAddress(literal) : literal === 'localhost')) throw problem(`jwks_uri ${uri} is not on a public address`);
    return { jwks: null, jwksUri: uri };
  }
  try {
    const jwks = JSON.stringify(parsePublicJwks(meta.jwks));
    if (jwks.length > MAX_JWKS_BYTES) throw new ClientKeysError('the JWKS is larger than 64 KiB');
    return { jwks, jwksUri: null };
  } catch (error) {
    throw problem(`jwks: ${(error as Error).message}`);
  }
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_JWKS_BYTES) throw new ClientKeysError('the jwks_uri document is too large');
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new ClientKeysError('the jwks_uri document is too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function fetchJwks(uri: string, fetchImpl: typeof fetch): Promise<JSONWebKeySet> {
  let response: Response;
  try {
    response = await fetchImpl(uri, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/jwk-set+json, application/json' } });
  } catch (error) {
    throw new ClientKeysError(`fetching the jwks_uri failed: ${(error as Error).message}`, { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new ClientKeysError(`the jwks_uri answered ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readLimited(response));
  } catch (error) {
    if (error instanceof ClientKeysError) throw error;
    throw new ClientKeysError('the jwks_uri document is not JSON', { cause: error });
  }
  return parsePublicJwks(parsed);
}

async function fetchJwksGuarded(uri: string, guard: ClientKeysGuard): Promise<JSONWebKeySet> {
  let response: GuardedResponse;
  try {
    response = await guard.fetch(new URL(uri), {
      timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_JWKS_BYTES, allowPrivate: guard.allowPrivate, accept: 'application/jwk-set+json, application/json', ca: guard.ca,
    });
  } catch (error) {
    if (error instanceof GuardedFetchError) throw new ClientKeysError(`fetching the jwks_uri failed: ${error.message}`, { cause: error });
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch (error) {
    throw new ClientKeysError('the jwks_uri document is not JSON', { cause: error });
  }
  return parsePublicJwks(parsed);
}

/** How the jwks_uri of unvetted (dynamic) clients is fetched. */
export interface ClientKeysGuard {
  /** Development only (the clientMetadataDocumentsAllowPrivate setting): private and loopback addresses, http. */
  allowPrivate: boolean;
  /** Development and tests only: the CA certificates to trust. */
  ca?: string | undefined;
  fetch: (url: URL, options: GuardedFetchOptions) => Promise<GuardedResponse>;
}

interface CachedJwks {
  jwks: JSONWebKeySet;
  fetchedAt: number;
}

/** Resolves client key sets: inline ones parsed, jwks_uri ones fetched and cached (one cache per server). */
export class ClientKeys {
  readonly #cache = new Map<string, CachedJwks>();
  readonly #fetch: typeof fetch;
  readonly #guard: ClientKeysGuard;

  /** `fetchImpl` serves operator-registered clients; `guard` the dynamic ones (private addresses refused by default). */
  constructor(fetchImpl: typeof fetch = fetch, guard: Partial<ClientKeysGuard> = {}) {
    this.#fetch = fetchImpl;
    this.#guard = { allowPrivate: false, fetch: guardedFetch, ...guard };
  }

  /**
   * The client's keys. `missingKid` asks for a fresh copy of a jwks_uri set that lacks the key an assertion names
   * (key rotation), unless the cached copy is younger than 30 seconds.
   */
  async keysFor(client: ClientRecord, now: number, missingKid = false): Promise<JSONWebKeySet> {
    if (client.jwks !== null) return parsePublicJwks(JSON.parse(client.jwks));
    if (client.jwksUri === null) throw new ClientKeysError(`client ${client.id} has no keys`);
    // Keyed by who vetted the URL too: keys fetched unguarded for an operator's client never serve a dynamic one.
    const key = `${client.registration}:${client.jwksUri}`;
    const cached = this.#cache.get(key);
    const fresh = cached && now - cached.fetchedAt < (missingKid ? REFETCH_AFTER_SECONDS : CACHE_SECONDS);
    if (cached && fresh) return cached.jwks;
    const jwks = client.registration === 'dynamic' ? await fetchJwksGuarded(client.jwksUri, this.#guard) : await fetchJwks(client.jwksUri, this.#fetch);
    this.#cache.delete(key);
    if (this.#cache.size >= MAX_CACHED_URIS) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { jwks, fetchedAt: now });
    return jwks;
  }
}
