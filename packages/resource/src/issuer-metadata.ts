// Authorization server metadata discovery (RFC 8414 §3, falling back to OpenID Connect Discovery 1.0 §4), with the §3.3 issuer check.
import { MetadataError } from './errors.ts';
import { createFailureBackoff } from './failure-backoff.ts';
import { fetchWithTimeout, type FetchLike } from './fetch-with-timeout.ts';

export interface IssuerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
  token_endpoint?: string;
  [field: string]: unknown;
}

export interface MetadataLoaderOptions {
  issuer: string;
  fetch: FetchLike;
  timeoutMs: number;
  retryAfterFailureMs: number;
}

/**
 * Candidate metadata URLs, most specific first. RFC 8414 §3.1 inserts the well-known segment before the issuer's
 * path; OIDC Discovery §4 appends it. For an issuer without a path both read `{issuer}/.well-known/...`.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

function optionalEndpoint(document: Record<string, unknown>, field: string): string | undefined {
  const value = document[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new MetadataError(`issuer metadata has an invalid ${field}`);
  }
  return value;
}

function validateMetadata(document: unknown, issuer: string): IssuerMetadata {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new MetadataError('issuer metadata is not a JSON object');
  }
  const fields = document as Record<string, unknown>;
  // RFC 8414 §3.3: the issuer value returned MUST be identical to the issuer the metadata was fetched for.
  if (fields['issuer'] !== issuer) throw new MetadataError('issuer metadata names a different issuer');
  optionalEndpoint(fields, 'jwks_uri');
  optionalEndpoint(fields, 'introspection_endpoint');
  return fields as IssuerMetadata;
}

async function fetchMetadataDocument(options: MetadataLoaderOptions): Promise<IssuerMetadata> {
  let lastCause: unknown;
  for (const url of metadataUrls(options.issuer)) {
    let response: Response;
    try {
      response = await fetchWithTimeout(options.fetch, url, { method: 'GET', headers: { accept: 'application/json' } }, options.timeoutMs);
    } catch (cause) {
      lastCause = cause;
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      lastCause = new Error(`${url} answered ${response.status}`);
      continue;
    }
    let document: unknown;
    try {
      document = await response.json();
    } catch (cause) {
      throw new MetadataError('issuer metadata is not valid JSON', { cause });
    }
    // A document that answers but names another issuer is a misconfiguration: no fallback past it.
    return validateMetadata(document, options.issuer);
  }
  throw new MetadataError('issuer metadata could not be fetched', { cause: lastCause });
}

/** Returns a loader that fetches once, caches success for the verifier's lifetime and backs off after failures. */
export function createMetadataLoader(options: MetadataLoaderOptions): () => Promise<IssuerMetadata> {
  const backoff = createFailureBackoff(options.retryAfterFailureMs);
  let loaded: IssuerMetadata | undefined;
  let pending: Promise<IssuerMetadata> | undefined;
  return async () => {
    if (loaded !== undefined) return loaded;
    if (pending === undefined) {
      backoff.assertOpen();
      pending = fetchMetadataDocument(options).then(
        (metadata) => {
          loaded = metadata;
          backoff.recordSuccess();
          return metadata;
        },
        (error: unknown) => {
          backoff.recordFailure(error);
          throw error;
        },
      ).finally(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}
