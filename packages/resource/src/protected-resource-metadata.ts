// RFC 9728 protected resource metadata: the document (§2), where it is served (§3, path-inserted well-known URI) and its URL.
import { VerifierConfigurationError } from './errors.ts';

export interface ResourceMetadataOptions {
  /** Issuer identifiers of the authorization servers that issue tokens for this resource. Default: [issuer]. */
  authorizationServers?: readonly string[];
  /** Scopes this resource understands, advertised as `scopes_supported` (RFC 9728 §2). */
  scopesSupported?: readonly string[];
  /**
   * Scopes named by the `scope` attribute of 401 challenges (RFC 6750 §3): what a client should ask for to use this
   * resource at all (MCP 2025-11-25: servers SHOULD include it; clients use it before `scopes_supported`). 403
   * insufficient_scope challenges name the scopes of the refused request instead. Default: no `scope` on 401.
   */
  challengeScopes?: readonly string[];
}

/** The RFC 9728 §2 document this kit serves. */
export interface ProtectedResourceMetadataDocument {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
}

export interface ProtectedResourceMetadata {
  /** Path the document is served at on the resource's own origin, e.g. `/.well-known/oauth-protected-resource/mcp`. */
  readonly path: string;
  /** Absolute URL of the document: the `resource_metadata` parameter of every challenge (RFC 9728 §5.1). */
  readonly url: string;
  /** The `scope` attribute of 401 challenges (space-separated), when `challengeScopes` was configured. */
  readonly challengeScope: string | undefined;
  readonly document: ProtectedResourceMetadataDocument;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';
// RFC 6749 §3.3 scope-token.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function httpUrlWithoutQuery(value: string, what: string): URL {
  if (!URL.canParse(value)) throw new VerifierConfigurationError(`${what} must be an absolute http(s) URL`);
  const url = new URL(value);
  // RFC 9728 §1.2 / §2: https (http for local development), no query, no fragment, so the well-known URL is well defined.
  if (!/^https?:$/.test(url.protocol) || value.includes('?') || value.includes('#')) {
    throw new VerifierConfigurationError(`${what} must be an http(s) URL without query or fragment (RFC 9728 §2)`);
  }
  return url;
}

function stringList(values: readonly string[] | undefined, what: string, check: (value: string) => void): string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length === 0) throw new VerifierConfigurationError(`${what} must be a non-empty array`);
  for (const value of values) {
    if (typeof value !== 'string') throw new VerifierConfigurationError(`${what} must hold strings`);
    check(value);
  }
  return [...new Set(values)];
}

/** Builds the metadata of `resource` (the verifier's audience). Throws VerifierConfigurationError for unusable options. */
export function protectedResourceMetadata(resource: string, issuer: string, options: ResourceMetadataOptions): ProtectedResourceMetadata {
  const url = httpUrlWithoutQuery(resource, 'audience (the resource identifier, when resourceMetadata is set)');
  const authorizationServers = stringList(options.authorizationServers, 'resourceMetadata.authorizationServers', (value) => {
    httpUrlWithoutQuery(value, 'each authorization server');
  }) ?? [issuer];
  const scopes = stringList(options.scopesSupported, 'resourceMetadata.scopesSupported', (value) => {
    if (!SCOPE_TOKEN.test(value)) throw new VerifierConfigurationError('each supported scope must be an RFC 6749 scope-token');
  });
  const challengeScopes = stringList(options.challengeScopes, 'resourceMetadata.challengeScopes', (value) => {
    if (!SCOPE_TOKEN.test(value)) throw new VerifierConfigurationError('each challenge scope must be an RFC 6749 scope-token');
  });
  // RFC 9728 §3.1: the well-known segment goes between host and path; a lone terminating "/" is dropped.
  const path = url.pathname === '/' ? WELL_KNOWN : `${WELL_KNOWN}${url.pathname}`;
  const document: ProtectedResourceMetadataDocument = {
    resource,
    authorization_servers: authorizationServers,
    ...(scopes === undefined ? {} : { scopes_supported: scopes }),
    bearer_methods_supported: ['header'],
  };
  return Object.freeze({ path, url: `${url.origin}${path}`, challengeScope: challengeScopes?.join(' '), document: Object.freeze(document) });
}
