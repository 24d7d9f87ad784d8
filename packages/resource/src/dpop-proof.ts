// Checks a DPoP proof at a resource server as RFC 9449 §4.3 and §7.1 list it: typ, alg, public jwk, signature,
// htm, htu (from the configured public URL, never from Host or X-Forwarded-*), iat window, jti replay, ath, cnf.jkt.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import { createMemoryReplayCache, type DpopReplayCache } from './dpop-replay-cache.ts';
import { DpopProofInvalidError, TokenBindingError, VerifierConfigurationError } from './errors.ts';
import { headerValue, isB64Token, type BearerRequest } from './extract-bearer-token.ts';
import { checkAlgorithms } from './signing-algorithms.ts';

export interface DpopOptions {
  /**
   * The API's public base URL as clients call it (scheme, host, port and any path prefix a proxy strips), e.g.
   * 'https://api.example'. A proof's `htu` must equal it followed by the request path (query ignored).
   */
  publicBaseUrl: string;
  /** Refuse plain bearer tokens: only DPoP-bound tokens with a valid proof pass. Default false. */
  requireDpop?: boolean;
  /** Accepted proof algorithms (asymmetric only). Default ['ES256', 'EdDSA', 'PS256']. */
  algorithms?: readonly string[];
  /** A proof's `iat` may be this many seconds before or after now. Default 60. */
  iatWindowSeconds?: number;
  /** Where seen `jti`s are kept. Default: in memory, bounded by `maxReplayCacheEntries`. */
  replayCache?: DpopReplayCache;
  /** Size of the default in-memory replay cache. Default 100 000. */
  maxReplayCacheEntries?: number;
}

export interface DpopProofChecker {
  readonly algorithms: readonly string[];
  readonly required: boolean;
  /** Throws DpopProofInvalidError or TokenBindingError unless the request's proof binds `token` to the key `jkt`. */
  check(request: BearerRequest, token: string, jkt: string): Promise<void>;
}

const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'];
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
// RFC 7517 / RFC 7518 §6: members that only a private (or symmetric) key has.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function checkPublicBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value)) throw new VerifierConfigurationError('dpop.publicBaseUrl must be an absolute http(s) URL');
  const url = new URL(value);
  if (!/^https?:$/.test(url.protocol) || value.includes('?') || value.includes('#')) {
    throw new VerifierConfigurationError('dpop.publicBaseUrl must be an http(s) URL without query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Origin and path after URL normalisation (RFC 9449 §4.3 step 9: query and fragment ignored). */
function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The URL the request was sent to, built from configuration and the request path only. */
function requestUrl(request: BearerRequest, publicBaseUrl: string): string {
  const target = request.originalUrl ?? request.url;
  // Only origin-form targets (RFC 9112 §3.2.1); an absolute-form target names a host we do not trust.
  if (typeof target !== 'string' || !target.startsWith('/')) throw new DpopProofInvalidError('the request URL cannot be checked against the DPoP proof');
  const path = target.split(/[?#]/, 1)[0] ?? '';
  return withoutQuery(new URL(`${publicBaseUrl}${path}`));
}

function proofFrom(request: BearerRequest): string {
  const value = headerValue(request, 'dpop');
  if (value === undefined) throw new DpopProofInvalidError('a DPoP proof (DPoP header) is required');
  if (Array.isArray(value)) throw new DpopProofInvalidError('more than one DPoP header');
  // Node joins repeated DPoP headers with ", ", which no JWS compact serialisation contains.
  if (value.length > MAX_PROOF_LENGTH || !isB64Token(value) || value.split('.').length !== 3) {
    throw new DpopProofInvalidError('the DPoP proof is malformed');
  }
  return value;
}

function hasPrivateMembers(jwk: unknown): boolean {
  return typeof jwk === 'object' && jwk !== null && PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member));
}

/** jose failures as proof errors; descriptions are fixed text, never proof content. */
function toProofError(error: unknown): unknown {
  if (error instanceof DpopProofInvalidError) return error;
  if (error instanceof errors.JOSEAlgNotAllowed) return new DpopProofInvalidError('the DPoP proof algorithm is not allowed', { cause: error });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new DpopProofInvalidError('the DPoP proof signature is invalid', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'typ') {
    return new DpopProofInvalidError('the DPoP proof is not typ dpop+jwt', { cause: error });
  }
  if (error instanceof errors.JOSEError) return new DpopProofInvalidError('the DPoP proof is malformed or lacks a required claim', { cause: error });
  return error;
}

function stringClaim(payload: Record<string, unknown>, name: string): string {
  const value = payload[name];
  if (typeof value !== 'string' || value === '') throw new DpopProofInvalidError(`the DPoP proof lacks a valid ${name} claim`);
  return value;
}

export function createDpopProofChecker(options: DpopOptions): DpopProofChecker {
  if (typeof options !== 'object' || options === null) throw new VerifierConfigurationError('dpop must be an object');
  const publicBaseUrl = checkPublicBaseUrl(options.publicBaseUrl);
  const algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS);
  const windowSeconds = options.iatWindowSeconds ?? 60;
  if (typeof windowSeconds !== 'number' || !Number.isFinite(windowSeconds) || windowSeconds <= 0) {
    throw new VerifierConfigurationError('dpop.iatWindowSeconds must be a positive number');
  }
  const maxEntries = options.maxReplayCacheEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new VerifierConfigurationError('dpop.maxReplayCacheEntries must be a positive integer');
  const replayCache = options.replayCache ?? createMemoryReplayCache(maxEntries);

  async function verifiedProof(proof: string): Promise<{ payload: Record<string, unknown>; jwk: JWK }> {
    try {
      const header = decodeProtectedHeader(proof);
      if (header.jwk === undefined) throw new DpopProofInvalidError('the DPoP proof has no jwk header');
      if (hasPrivateMembers(header.jwk)) throw new DpopProofInvalidError('the DPoP proof jwk header holds a private key');
      // EmbeddedJWK verifies with the header's own jwk (and refuses a non-public one); typ and alg are checked here.
      const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...algorithms], requiredClaims: ['jti', 'htm', 'htu', 'iat'] });
      return { payload, jwk: header.jwk };
    } catch (error) {
      throw toProofError(error);
    }
  }

  return {
    algorithms,
    required: options.requireDpop === true,
    async check(request, token, jkt) {
      const { payload, jwk } = await verifiedProof(proofFrom(request));
      if (stringClaim(payload, 'htm') !== (request.method ?? '').toUpperCase()) {
        throw new DpopProofInvalidError('the DPoP proof was made for another HTTP method');
      }
      const htu = stringClaim(payload, 'htu');
      if (!URL.canParse(htu) || withoutQuery(new URL(htu)) !== requestUrl(request, publicBaseUrl)) {
        throw new DpopProofInvalidError('the DPoP proof was made for another URL');
      }
      const iat = payload['iat'];
      const nowSeconds = Date.now() / 1000;
      if (typeof iat !== 'number' || Math.abs(nowSeconds - iat) > windowSeconds) {
        throw new DpopProofInvalidError('the DPoP proof iat is outside the accepted window');
      }
      // RFC 9449 §4.2: ath = base64url(SHA-256(ASCII access token)).
      if (payload['ath'] !== createHash('sha256').update(token, 'ascii').digest('base64url')) {
        throw new DpopProofInvalidError('the DPoP proof ath does not match the access token');
      }
      if (await calculateJwkThumbprint(jwk, 'sha256') !== jkt) {
        throw new TokenBindingError('the access token is bound to another key than the DPoP proof');
      }
      const jti = stringClaim(payload, 'jti');
      if (jti.length > MAX_JTI_LENGTH) throw new DpopProofInvalidError('the DPoP proof jti is too long');
      // Last, so only proofs that pass every other check take a place in the cache.
      if (!(await replayCache.add(jti, iat + windowSeconds))) throw new DpopProofInvalidError('the DPoP proof was already used');
    },
  };
}
