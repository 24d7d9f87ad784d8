// Options of createLatchkeyClient and their resolution (cookie rules from RFC 6265bis §4.1.3, BFF pattern from the IETF browser-based-apps BCP §6.1).
import type { CustomFetch } from 'openid-client';
import { ClientConfigurationError } from './errors.ts';
import type { LatchkeyStore } from './store/store-records.ts';
import type { EncryptionKey } from './token-encryption.ts';

/** An API the proxy may forward to. Requests go to `url` + the path after the upstream's name. */
export interface UpstreamOptions {
  /** Base URL, e.g. `https://api.example.com/v1`. Requests cannot escape this path. */
  url: string;
  /**
   * Resource indicator (RFC 8707) of this API. When set, the proxy sends a token obtained for this audience (a
   * refresh-token grant with `resource`), cached per session; without it, the session's main access token.
   */
  audience?: string;
  /** Scopes to ask for in the audience's token (they must be granted to the session). */
  scopes?: readonly string[];
  /** Extra request headers to forward (lowercase). Cookie, Authorization and Host are never forwarded. */
  forwardHeaders?: readonly string[];
  /** Timeout for one upstream call, in seconds. Default 30. */
  timeoutSeconds?: number;
}

export interface LatchkeyClientOptions {
  /** The provider's issuer identifier; its metadata is discovered from `/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Confidential clients authenticate with it (client_secret_basic by default). Omit for a public client. */
  clientSecret?: string;
  /**
   * private_key_jwt (RFC 7523) instead of a secret: the client's private signing key (PS256, ES256 or EdDSA for FAPI 2.0),
   * with the `kid` of its public half registered at the provider.
   */
  clientPrivateKey?: CryptoKey | { key: CryptoKey; kid?: string };
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /**
   * Push authorization requests (RFC 9126) instead of sending them through the browser. Default: when the provider
   * requires it (`require_pushed_authorization_requests`).
   */
  pushedAuthorizationRequests?: boolean;
  /**
   * Bind tokens to a key per session (DPoP, RFC 9449): the access token is useless without it, so a token that leaks
   * from the app or the API cannot be spent elsewhere. The key is stored encrypted with the session. Default false.
   */
  dpop?: boolean;
  /** Absolute callback URL registered at the provider; its origin is the application's origin. */
  redirectUri: string;
  /** Scopes asked for at login; must include `openid` (add `offline_access` if your provider needs it for refresh tokens). */
  scopes: readonly string[];
  store: LatchkeyStore;
  /** AES-256-GCM keys; the first encrypts, all decrypt. */
  encryptionKeys: readonly EncryptionKey[];
  /** Refresh an access token this long before it expires (capped at half its lifetime). Default 300. */
  refreshWindowSeconds?: number;
  /** Where the provider sends the browser after logout (must be registered there). */
  postLogoutRedirectUri?: string;
  /** Secure cookies with the `__Host-` prefix. Default: true when redirectUri is https. */
  cookieSecure?: boolean;
  /**
   * SameSite of the session cookie. Default `Strict` (IETF browser-based-apps BCP §6.1.3.2): a cross-site request
   * never carries it. The login-transaction cookie is always `Lax`, since the callback arrives cross-site.
   */
  sessionCookieSameSite?: 'Strict' | 'Lax';
  /** Allow-listed APIs for the proxy, by name. */
  upstreams?: Readonly<Record<string, UpstreamOptions>>;
  /** Absolute session lifetime in seconds. Default 7 days. */
  sessionMaxAgeSeconds?: number;
  /** How long a login attempt may take, in seconds. Default 600. */
  transactionMaxAgeSeconds?: number;
  /** Header a state-changing proxied request must carry with the value `1`. Default `x-latchkey-csrf`. */
  csrfHeaderName?: string;
  /** Timeout for calls to the provider, in seconds. Default 10. */
  httpTimeoutSeconds?: number;
  /**
   * fetch used for every call to the provider (discovery, JWKS, token, UserInfo, revocation); for tests and egress
   * proxies. Default: global fetch. Upstream APIs are called with global fetch.
   */
  fetch?: CustomFetch;
  /** Merge the UserInfo response into the session's claims at login when the provider has a userinfo endpoint. Default true. */
  fetchUserInfo?: boolean;
  /** Called with failures the kit tolerates (e.g. a failed revocation at logout). Never receives tokens. */
  onWarning?: (message: string, error: unknown) => void;
}

export interface ResolvedUpstream {
  name: string;
  url: URL;
  audience: string | undefined;
  scopes: readonly string[] | undefined;
  forwardHeaders: ReadonlySet<string>;
  timeoutMs: number;
}

export interface ResolvedOptions {
  issuer: URL;
  clientId: string;
  clientSecret: string | undefined;
  clientPrivateKey: CryptoKey | { key: CryptoKey; kid?: string } | undefined;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** undefined: follow the provider's require_pushed_authorization_requests. */
  pushedAuthorizationRequests: boolean | undefined;
  dpop: boolean;
  redirectUri: URL;
  appOrigin: string;
  scopes: readonly string[];
  refreshWindowMs: number;
  postLogoutRedirectUri: string | undefined;
  cookieSecure: boolean;
  sessionCookieSameSite: 'Strict' | 'Lax';
  sessionCookieName: string;
  transactionCookieName: string;
  upstreams: ReadonlyMap<string, ResolvedUpstream>;
  sessionMaxAgeMs: number;
  transactionMaxAgeMs: number;
  csrfHeaderName: string;
  httpTimeoutSeconds: number;
  allowInsecureHttp: boolean;
  fetchUserInfo: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const UPSTREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function absoluteUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientConfigurationError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ClientConfigurationError(`${name} must be http(s)`);
  return url;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new ClientConfigurationError(`${name} must be a non-negative number`);
  return value;
}

export function resolveOptions(options: LatchkeyClientOptions): ResolvedOptions {
  const issuer = absoluteUrl('issuer', options.issuer);
  // Plain http is accepted only on loopback (local development and tests); anything else must be https.
  const allowInsecureHttp = issuer.protocol === 'http:';
  if (allowInsecureHttp && !LOOPBACK_HOSTS.has(issuer.hostname)) throw new ClientConfigurationError('issuer must be https (http only on loopback)');
  const redirectUri = absoluteUrl('redirectUri', options.redirectUri);
  if (!options.clientId) throw new ClientConfigurationError('clientId is required');
  if (!options.scopes.includes('openid')) throw new ClientConfigurationError('scopes must include "openid"');
  const cookieSecure = options.cookieSecure ?? redirectUri.protocol === 'https:';
  const sessionCookieSameSite = options.sessionCookieSameSite ?? 'Strict';
  if (sessionCookieSameSite !== 'Strict' && sessionCookieSameSite !== 'Lax') throw new ClientConfigurationError('sessionCookieSameSite must be "Strict" or "Lax"');
  const method = options.tokenEndpointAuthMethod ?? (options.clientPrivateKey ? 'private_key_jwt' : options.clientSecret ? 'client_secret_basic' : 'none');
  if (method === 'private_key_jwt' && !options.clientPrivateKey) throw new ClientConfigurationError('private_key_jwt needs clientPrivateKey');
  if (method !== 'none' && method !== 'private_key_jwt' && !options.clientSecret) throw new ClientConfigurationError(`${method} needs clientSecret`);
  if (options.clientPrivateKey && options.clientSecret) throw new ClientConfigurationError('use either clientSecret or clientPrivateKey, not both');
  const upstreams = new Map<string, ResolvedUpstream>();
  for (const [name, upstream] of Object.entries(options.upstreams ?? {})) {
    if (!UPSTREAM_NAME.test(name)) throw new ClientConfigurationError(`upstream name "${name}" must match ${UPSTREAM_NAME}`);
    const url = absoluteUrl(`upstreams.${name}.url`, upstream.url);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.search = '';
    url.hash = '';
    upstreams.set(name, {
      name,
      url,
      audience: upstream.audience,
      scopes: upstream.scopes,
      forwardHeaders: new Set((upstream.forwardHeaders ?? []).map((h) => h.toLowerCase())),
      timeoutMs: positive(`upstreams.${name}.timeoutSeconds`, upstream.timeoutSeconds, 30) * 1000,
    });
  }
  const csrfHeaderName = (options.csrfHeaderName ?? 'x-latchkey-csrf').toLowerCase();
  return {
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientPrivateKey: options.clientPrivateKey,
    tokenEndpointAuthMethod: method,
    pushedAuthorizationRequests: options.pushedAuthorizationRequests,
    dpop: options.dpop ?? false,
    redirectUri,
    appOrigin: redirectUri.origin,
    scopes: [...new Set(options.scopes)],
    refreshWindowMs: positive('refreshWindowSeconds', options.refreshWindowSeconds, 300) * 1000,
    postLogoutRedirectUri: options.postLogoutRedirectUri,
    cookieSecure,
    sessionCookieSameSite,
    // Named for the app, not for Latchkey: the authorization server's own cookie may live on the same host.
    sessionCookieName: cookieSecure ? '__Host-app_session' : 'app_session',
    transactionCookieName: cookieSecure ? '__Host-app_login' : 'app_login',
    upstreams,
    sessionMaxAgeMs: positive('sessionMaxAgeSeconds', options.sessionMaxAgeSeconds, 7 * 24 * 3600) * 1000,
    transactionMaxAgeMs: positive('transactionMaxAgeSeconds', options.transactionMaxAgeSeconds, 600) * 1000,
    csrfHeaderName,
    httpTimeoutSeconds: positive('httpTimeoutSeconds', options.httpTimeoutSeconds, 10),
    allowInsecureHttp,
    fetchUserInfo: options.fetchUserInfo ?? true,
  };
}
