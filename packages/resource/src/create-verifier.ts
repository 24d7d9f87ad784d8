// Bearer-token verifier for a resource server: RFC 9068 JWT access tokens, optional RFC 7662 introspection, RFC 6750 extraction.
import type { AccessTokenClaims } from './access-token-claims.ts';
import { bearerErrorResponse, type BearerErrorResponse } from './bearer-error-response.ts';
import { createDpopProofChecker, type DpopOptions } from './dpop-proof.ts';
import { BearerError, MetadataError, TokenBindingError, TokenInvalidError, TokenMissingError, VerifierConfigurationError } from './errors.ts';
import { extractAccessToken, isB64Token, type BearerRequest, type PresentedToken } from './extract-bearer-token.ts';
import type { FetchLike } from './fetch-with-timeout.ts';
import { claimsFromIntrospection } from './introspection-claims.ts';
import { createMetadataLoader } from './issuer-metadata.ts';
import { protectedResourceMetadata, type ProtectedResourceMetadata, type ResourceMetadataOptions } from './protected-resource-metadata.ts';
import { checkResourceIdentifier } from './resource-identifier.ts';
import { createJwksKeyResolver, type JwksKeyResolver } from './jwks-key-resolver.ts';
import { checkAlgorithms } from './signing-algorithms.ts';
import { createTokenExchanger, type ExchangedToken, type TokenExchangeOptions, type TokenExchangeRequest } from './token-exchange.ts';
import { createTokenIntrospector, type IntrospectionOptions, type TokenIntrospector } from './token-introspection.ts';
import { boundKeyThumbprint } from './token-binding.ts';
import { verifyJwtAccessToken } from './verify-jwt-access-token.ts';

export interface VerifierOptions {
  /** Exactly the issuer identifier the authorization server publishes (RFC 8414 §2), e.g. 'http://127.0.0.1:4000'. */
  issuer: string;
  /**
   * This resource's identifier: an absolute URI without fragment (RFC 8707 §2), e.g. 'https://api.example/mcp'.
   * Tokens must list it in `aud` exactly as written here (RFC 9068 §4): a trailing slash is significant.
   */
  audience: string;
  /**
   * Serve RFC 9728 protected resource metadata for the audience (which must then be an http(s) URL without query)
   * and name it in every challenge as `resource_metadata`. Off by default.
   */
  resourceMetadata?: ResourceMetadataOptions;
  /** Accept RFC 9449 DPoP-bound tokens (`Authorization: DPoP` with a `DPoP` proof); `requireDpop` refuses bearer tokens. */
  dpop?: DpopOptions;
  /** Accepted JWS algorithms. Default ['ES256', 'RS256', 'EdDSA', 'PS256']; 'none' and HS* throw. */
  algorithms?: readonly string[];
  /** Leeway for exp and nbf, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** realm of the WWW-Authenticate challenge. Default: the audience. */
  realm?: string;
  /** Check every token at the issuer's introspection endpoint too (required for opaque tokens). */
  introspection?: IntrospectionOptions;
  /** This API's client for RFC 8693 token exchange (`verifier.exchangeToken`). */
  tokenExchange?: TokenExchangeOptions;
  /** fetch used for metadata, JWKS and introspection. Default: global fetch. */
  fetch?: FetchLike;
  /** After a successful JWKS fetch, an unknown kid may trigger the next fetch only this much later. Default 30. */
  jwksCooldownSeconds?: number;
  /** After a failed metadata or JWKS fetch, no new attempt is made for this long. Default 5. */
  retryAfterFailureSeconds?: number;
  /** Timeout of each outbound HTTP request, in seconds. Default 5. */
  httpTimeoutSeconds?: number;
}

export interface Verifier {
  readonly issuer: string;
  readonly audience: string;
  readonly realm: string;
  /** The RFC 9728 metadata the adapters serve, or undefined when `resourceMetadata` was not configured. */
  readonly resourceMetadata: ProtectedResourceMetadata | undefined;
  /**
   * Verifies a raw access token used as a bearer token; rejects with a BearerError subclass. A DPoP-bound token
   * (cnf.jkt) is refused here, as is every token when `dpop.requireDpop`: its proof can only be checked by `authenticate`.
   */
  verify(token: string): Promise<AccessTokenClaims>;
  /**
   * Extracts the token per RFC 6750 §2 (header or form body; never the query) or RFC 9449 §7.1 (DPoP scheme and
   * proof, when `dpop` is configured) and verifies it, with its proof.
   */
  authenticate(request: BearerRequest): Promise<AccessTokenClaims>;
  /** The RFC 6750 §3 response for a failure, with this verifier's realm. */
  errorResponse(error: BearerError): BearerErrorResponse;
  /**
   * RFC 8693: exchanges an access token this API received (verify it first) for a token of another API, on the same
   * user's behalf; needs `tokenExchange`. Rejects with TokenExchangeError (`error` = the authorization server's code).
   */
  exchangeToken(subjectToken: string, request: TokenExchangeRequest): Promise<ExchangedToken>;
}

const MAX_TOKEN_LENGTH = 16_384;
const CONTROL_CHARACTER = /[\x00-\x1F\x7F]/;

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new VerifierConfigurationError(`${name} must be a non-negative number`);
  }
  return value;
}

function checkIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) throw new VerifierConfigurationError('issuer must be an absolute URL');
  const url = new URL(issuer);
  // RFC 8414 §2: a URL using the https scheme with no query or fragment (http allowed for local development).
  if (!/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '' || issuer.includes('#') || issuer.includes('?')) {
    throw new VerifierConfigurationError('issuer must be an http(s) URL without query or fragment');
  }
  return issuer;
}

/** A confidential client's credentials, both non-empty strings. */
function checkCredentials<T extends { clientId: string; clientSecret: string }>(options: T | undefined, what: string): T | undefined {
  if (options === undefined) return undefined;
  if (typeof options.clientId !== 'string' || options.clientId === '' || typeof options.clientSecret !== 'string' || options.clientSecret === '') {
    throw new VerifierConfigurationError(`${what} needs a clientId and a clientSecret`);
  }
  return options;
}

function checkIntrospection(options: IntrospectionOptions | undefined): IntrospectionOptions | undefined {
  if (options === undefined) return undefined;
  checkCredentials(options, 'introspection');
  nonNegative(options.cacheTtlSeconds, 0, 'introspection.cacheTtlSeconds');
  const max = options.maxCacheEntries;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new VerifierConfigurationError('introspection.maxCacheEntries must be a non-negative integer');
  }
  return options;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = checkIssuer(options.issuer);
  const audience = checkResourceIdentifier(options.audience);
  const resourceMetadata = options.resourceMetadata === undefined
    ? undefined
    : protectedResourceMetadata(audience, issuer, options.resourceMetadata);
  const algorithms = checkAlgorithms(options.algorithms);
  const clockToleranceSeconds = nonNegative(options.clockToleranceSeconds, 5, 'clockToleranceSeconds');
  const realm = options.realm ?? audience;
  if (typeof realm !== 'string' || CONTROL_CHARACTER.test(realm)) throw new VerifierConfigurationError('realm must be a string without control characters');
  const introspectionOptions = checkIntrospection(options.introspection);
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = Math.ceil(nonNegative(options.httpTimeoutSeconds, 5, 'httpTimeoutSeconds') * 1000);
  const cooldownMs = nonNegative(options.jwksCooldownSeconds, 30, 'jwksCooldownSeconds') * 1000;
  const retryAfterFailureMs = nonNegative(options.retryAfterFailureSeconds, 5, 'retryAfterFailureSeconds') * 1000;

  const loadMetadata = createMetadataLoader({ issuer, fetch: fetchImpl, timeoutMs, retryAfterFailureMs });
  let keyResolver: JwksKeyResolver | undefined;
  async function getKeyResolver(): Promise<JwksKeyResolver> {
    if (keyResolver !== undefined) return keyResolver;
    const { jwks_uri: jwksUri } = await loadMetadata();
    if (jwksUri === undefined) throw new MetadataError('issuer metadata has no jwks_uri');
    keyResolver ??= createJwksKeyResolver({ jwksUri, fetch: fetchImpl, timeoutMs, cooldownMs, retryAfterFailureMs });
    return keyResolver;
  }

  const introspector: TokenIntrospector | undefined = introspectionOptions && createTokenIntrospector({
    ...introspectionOptions,
    fetch: fetchImpl,
    timeoutMs,
    endpoint: async () => {
      const { introspection_endpoint: endpoint } = await loadMetadata();
      if (endpoint === undefined) throw new MetadataError('issuer metadata has no introspection_endpoint');
      return endpoint;
    },
  });

  const exchangeOptions = checkCredentials(options.tokenExchange, 'tokenExchange');
  const exchanger = exchangeOptions && createTokenExchanger({
    ...exchangeOptions,
    fetch: fetchImpl,
    timeoutMs,
    endpoint: async () => {
      const { token_endpoint: endpoint } = await loadMetadata();
      if (typeof endpoint !== 'string') throw new MetadataError('issuer metadata has no token_endpoint');
      return endpoint;
    },
  });

  const dpop = options.dpop === undefined ? undefined : createDpopProofChecker(options.dpop);

  async function verifyToken(token: string): Promise<AccessTokenClaims> {
    if (!isB64Token(token) || token.length > MAX_TOKEN_LENGTH) {
      throw new TokenInvalidError('the access token is malformed');
    }
    const isJwt = token.split('.').length === 3;
    if (!isJwt) {
      // RFC 7662: an opaque token means nothing locally; only the issuer can say what it is.
      if (introspector === undefined) throw new TokenInvalidError('the access token is malformed');
      const response = await introspector.introspect(token);
      return claimsFromIntrospection(response, { issuer, audience, clockToleranceSeconds, nowSeconds: Math.floor(Date.now() / 1000) });
    }
    const claims = await verifyJwtAccessToken(token, { issuer, audience, algorithms, clockToleranceSeconds, keys: await getKeyResolver() });
    // Local checks first: forged or expired tokens never cost an introspection call; a revoked one is caught here.
    if (introspector !== undefined) await introspector.introspect(token, claims.exp);
    return claims;
  }

  /** RFC 9449 §7.1/§7.2: a bound token needs its proof, an unbound one is a bearer token (unless DPoP is required). */
  async function verifyPresented(request: BearerRequest, presented: PresentedToken): Promise<AccessTokenClaims> {
    if (presented.scheme === 'Bearer') {
      if (dpop?.required === true) throw new TokenBindingError('this resource accepts only DPoP-bound access tokens');
      const claims = await verifyToken(presented.token);
      if (boundKeyThumbprint(claims) !== undefined) throw new TokenBindingError('a DPoP-bound access token must be sent with the DPoP scheme and a proof');
      return claims;
    }
    if (dpop === undefined) throw new Error('a DPoP credential was extracted while DPoP is not accepted');
    const claims = await verifyToken(presented.token);
    const jkt = boundKeyThumbprint(claims);
    if (jkt === undefined) throw new TokenBindingError('the access token is not DPoP-bound');
    await dpop.check(request, presented.token, jkt);
    return claims;
  }

  return {
    issuer,
    audience,
    realm,
    resourceMetadata,
    verify: (token) => verifyPresented({ headers: {} }, { token, scheme: 'Bearer' }),
    async authenticate(request) {
      const presented = extractAccessToken(request, dpop !== undefined);
      if (presented === undefined) throw new TokenMissingError();
      try {
        return await verifyPresented(request, presented);
      } catch (error) {
        // The challenge that carries the error is the one of the scheme the request used (RFC 9449 §7.1).
        if (error instanceof BearerError) error.scheme = presented.scheme;
        throw error;
      }
    },
    errorResponse(error) {
      return bearerErrorResponse(error, {
        realm,
        resourceMetadata: resourceMetadata?.url,
        scope: resourceMetadata?.challengeScope,
        dpop: dpop && { algorithms: dpop.algorithms, required: dpop.required },
      });
    },
    async exchangeToken(subjectToken, request) {
      if (exchanger === undefined) throw new VerifierConfigurationError('exchangeToken needs createVerifier({ tokenExchange: { clientId, clientSecret } })');
      checkResourceIdentifier(request.audience);
      return exchanger(subjectToken, request);
    },
  };
}
