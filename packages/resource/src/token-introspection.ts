// RFC 7662 §2 token introspection with client_secret_basic (RFC 6749 §2.3.1), cached per token digest.
import { IntrospectionError, TokenInactiveError } from './errors.ts';
import { fetchWithTimeout, type FetchLike } from './fetch-with-timeout.ts';
import { createIntrospectionCache, tokenDigest } from './introspection-cache.ts';

export interface IntrospectionOptions {
  clientId: string;
  clientSecret: string;
  /** How long a result may be reused; never beyond the token's exp. Default 60; 0 disables caching. */
  cacheTtlSeconds?: number;
  /** Upper bound on cached results (least recently used are evicted). Default 10000. */
  maxCacheEntries?: number;
}

/** An RFC 7662 §2.2 response with `active: true`. */
export type ActiveIntrospection = Record<string, unknown> & { active: true };

export interface TokenIntrospector {
  /**
   * Resolves the active response or throws TokenInactiveError. `tokenExp` (seconds), when known from local
   * verification, caps how long the result is cached.
   */
  introspect(token: string, tokenExp?: number): Promise<ActiveIntrospection>;
}

export interface TokenIntrospectorOptions extends IntrospectionOptions {
  endpoint: () => Promise<string>;
  fetch: FetchLike;
  timeoutMs: number;
  now?: () => number;
}

const DEFAULT_CACHE_TTL_SECONDS = 60;
const DEFAULT_MAX_CACHE_ENTRIES = 10_000;

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

type CachedResult = ActiveIntrospection | { active: false };

export function createTokenIntrospector(options: TokenIntrospectorOptions): TokenIntrospector {
  const now = options.now ?? Date.now;
  const ttlMs = (options.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS) * 1000;
  const cache = createIntrospectionCache<CachedResult>(options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES, now);
  const inFlight = new Map<string, Promise<CachedResult>>();
  const authorization = basicCredentials(options.clientId, options.clientSecret);

  async function callEndpoint(token: string): Promise<CachedResult> {
    const endpoint = await options.endpoint();
    let response: Response;
    try {
      response = await fetchWithTimeout(options.fetch, endpoint, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      }, options.timeoutMs);
    } catch (cause) {
      throw new IntrospectionError('the introspection endpoint could not be reached', { cause });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new IntrospectionError('the introspection endpoint refused the request');
    }
    let document: unknown;
    try {
      document = await response.json();
    } catch (cause) {
      throw new IntrospectionError('the introspection response is not JSON', { cause });
    }
    if (typeof document !== 'object' || document === null || typeof (document as { active?: unknown }).active !== 'boolean') {
      throw new IntrospectionError('the introspection response lacks the active member');
    }
    return (document as { active: boolean }).active ? (document as ActiveIntrospection) : { active: false };
  }

  function cacheUntil(result: CachedResult, tokenExp: number | undefined): number {
    let until = now() + ttlMs;
    const exps = [tokenExp, result.active ? result['exp'] : undefined];
    for (const exp of exps) if (typeof exp === 'number') until = Math.min(until, exp * 1000);
    return until;
  }

  return {
    async introspect(token, tokenExp) {
      let result = cache.get(token);
      if (result === undefined) {
        const key = tokenDigest(token);
        let pending = inFlight.get(key);
        if (pending === undefined) {
          pending = callEndpoint(token).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        result = await pending;
        cache.set(token, result, cacheUntil(result, tokenExp));
      }
      if (!result.active) throw new TokenInactiveError();
      return result;
    },
  };
}
