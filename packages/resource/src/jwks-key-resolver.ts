// Resolves verification keys from the issuer's jwks_uri (RFC 8414 §2, RFC 7517 §5) with caching and rate-limited refetch.
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { MetadataError } from './errors.ts';
import { createFailureBackoff } from './failure-backoff.ts';
import type { FetchLike } from './fetch-with-timeout.ts';

export interface JwksKeyResolverOptions {
  jwksUri: string;
  fetch: FetchLike;
  timeoutMs: number;
  /** Minimum time after a successful fetch before an unknown `kid` may trigger another one. */
  cooldownMs: number;
  /** After a failed fetch, further fetches are refused for this long. */
  retryAfterFailureMs: number;
}

/**
 * jose's remote set caches the keys, refetches on an unknown kid only once the cooldown since the last successful
 * fetch has passed, and shares one in-flight fetch between concurrent callers. Its cooldown only starts after a
 * success, so failures get their own backoff here: a down or broken JWKS endpoint cannot be hammered either.
 */
export function createJwksKeyResolver(options: JwksKeyResolverOptions): JWTVerifyGetKey {
  const backoff = createFailureBackoff(options.retryAfterFailureMs);
  const guardedFetch = async (url: string, init: RequestInit): Promise<Response> => {
    backoff.assertOpen();
    try {
      const response = await options.fetch(url, init);
      if (response.status !== 200) throw new Error(`JWKS endpoint answered ${response.status}`);
      const text = await response.text();
      JSON.parse(text);
      backoff.recordSuccess();
      return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (error) {
      backoff.recordFailure(error);
      throw error;
    }
  };
  const remoteKeys = createRemoteJWKSet(new URL(options.jwksUri), {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    [customFetch]: guardedFetch,
  });
  return async (protectedHeader, token) => {
    try {
      return await remoteKeys(protectedHeader, token);
    } catch (error) {
      // No key for this kid, several candidate keys, or an alg keys cannot serve: about the token, not the endpoint.
      if (
        error instanceof errors.JWKSNoMatchingKey
        || error instanceof errors.JWKSMultipleMatchingKeys
        || error instanceof errors.JOSENotSupported
      ) throw error;
      throw new MetadataError('the issuer signing keys could not be fetched', { cause: error });
    }
  };
}
