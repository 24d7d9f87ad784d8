// Resolves verification keys from the issuer's jwks_uri (RFC 8414 §2, RFC 7517 §5) with caching and rate-limited refetch.
import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, customFetch } from 'jose';
import { MetadataError, SignatureInvalidError } from './errors.ts';
import { createFailureBackoff } from './failure-backoff.ts';
import type { FetchLike } from './fetch-with-timeout.ts';
import { publicKeyFromJwk, signatureScheme } from './jws-signature.ts';

export interface JwksKeyResolverOptions {
  jwksUri: string;
  fetch: FetchLike;
  timeoutMs: number;
  /** Minimum time after a successful fetch before an unknown `kid` may trigger another one. */
  cooldownMs: number;
  /** After a failed fetch, further fetches are refused for this long. */
  retryAfterFailureMs: number;
}

/** One JWK of the issuer's set that may have signed a token. */
export interface CandidateKey {
  /** The JWK as a public KeyObject, imported once; throws when the JWK cannot be one. */
  publicKey(): KeyObject;
}

export interface JwksKeyResolver {
  /**
   * The keys that fit a header's alg and kid; when none does and the cooldown has passed, the set is fetched again
   * once. Throws SignatureInvalidError for an unknown key, MetadataError when the set cannot be fetched.
   */
  candidates(alg: string, kid: unknown): Promise<readonly CandidateKey[]>;
}

interface KnownKey extends CandidateKey {
  jwk: Record<string, unknown>;
}

function isUniqueStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item, index) => typeof item === 'string' && value.indexOf(item) === index);
}

/** jose's rule for a key of a set to serve a header (RFC 7517 §4.2-§4.5: use, key_ops, alg, kid; RFC 7518 §6 kty, crv). */
function fits(jwk: Record<string, unknown>, alg: string, kid: unknown): boolean {
  const scheme = signatureScheme(alg);
  if (scheme === undefined) return false;
  const { kty, key_ops: keyOps, ext, kid: jwkKid, alg: jwkAlg, use, crv } = jwk;
  return (ext === undefined || typeof ext === 'boolean')
    && (keyOps === undefined || (isUniqueStringList(keyOps) && keyOps.includes('verify')))
    && kty === scheme.kty
    && (kid === undefined || (typeof kid === 'string' && kid === jwkKid))
    && (jwkAlg === undefined || jwkAlg === alg)
    && (use === undefined || use === 'sig')
    && (scheme.crv === undefined || crv === scheme.crv);
}

function knownKey(jwk: Record<string, unknown>): KnownKey {
  let imported: KeyObject | undefined;
  return {
    jwk,
    publicKey() {
      try {
        imported ??= publicKeyFromJwk(jwk);
      } catch (error) {
        throw new MetadataError('the issuer signing keys could not be fetched', { cause: error });
      }
      return imported;
    },
  };
}

/**
 * jose's remote set fetches, validates and caches the set (10 minutes), refetches on an unknown kid only once the
 * cooldown since the last successful fetch has passed, and times requests out. Its cooldown only starts after a
 * success, so failures get their own backoff here: a down or broken JWKS endpoint cannot be hammered either. The keys
 * are imported here as node:crypto KeyObjects, once per fetched set, for synchronous verification (jws-signature.ts).
 */
export function createJwksKeyResolver(options: JwksKeyResolverOptions): JwksKeyResolver {
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

  let keys: KnownKey[] = [];
  let pending: Promise<void> | undefined;
  /** One fetch at a time, shared by every caller; the keys are rebuilt from the set jose validated. */
  function reload(): Promise<void> {
    pending ??= remoteKeys.reload()
      .then(() => {
        keys = (remoteKeys.jwks()?.keys ?? []).map((jwk) => knownKey(jwk as Record<string, unknown>));
      }, (error: unknown) => {
        throw new MetadataError('the issuer signing keys could not be fetched', { cause: error });
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  return {
    async candidates(alg, kid) {
      if (!remoteKeys.fresh) await reload();
      let found = keys.filter((key) => fits(key.jwk, alg, kid));
      if (found.length === 0 && !remoteKeys.coolingDown) {
        await reload();
        found = keys.filter((key) => fits(key.jwk, alg, kid));
      }
      if (found.length === 0) throw new SignatureInvalidError('the access token was signed with an unknown key');
      return found;
    },
  };
}
