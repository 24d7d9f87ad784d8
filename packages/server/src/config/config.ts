// Typed server configuration: defaults <- config file <- environment (LATCHKEY_*) <- command-line flags, validated once at start.
import { readFileSync } from 'node:fs';
import { DEFAULT_DATABASE_URL } from '../store/open-store.ts';
import { SIGNING_ALGS, type SigningAlg } from '../store/records.ts';

export interface ServerConfig {
  /** The issuer identifier (RFC 8414 §2): https URL (http for loopback, or any host in dev mode), no query or fragment. */
  issuer: string;
  host: string;
  port: number;
  /** Dev mode: http issuers allowed, a generated secret, the demo. Never in production. */
  dev: boolean;
  /** LATCHKEY_SECRET: master secret for encryption at rest (private keys). */
  secret: string;
  databaseUrl: string;
  /** PostgreSQL connections per instance (ignored for SQLite). */
  databasePoolMax: number;
  accessTokenTtl: number;
  accessTokenAlg: SigningAlg;
  idTokenTtl: number;
  /** Authorization code lifetime; RFC 6749 §4.1.2 recommends at most 10 minutes. */
  codeTtl: number;
  /** RFC 8628 §3.2 `expires_in`: how long a device code and its user code live (default 10 minutes). */
  deviceCodeTtl: number;
  /** RFC 8628 §3.2 `interval`: the seconds a device waits between polls (default 5; each slow_down adds 5). */
  deviceCodeInterval: number;
  /** Wrong user codes on the device page: per address, and from all addresses together, inside `failureWindow`
   *  seconds; then the page answers 429 until the window ends (RFC 8628 §5.1). 0 turns a limit off. */
  userCodeFailureLimitPerAddress: number;
  userCodeFailureLimitGlobal: number;
  refreshIdleTtl: number;
  refreshAbsoluteTtl: number;
  /**
   * The refresh grace window (docs/refresh-tokens.md): seconds after a rotation during which the same client presenting
   * the rotated refresh token again, while none of its answers was used, gets one more answer instead of revoking the
   * family. Default 10; 0 turns it off; a client's own setting (`latchkey client add|update --refresh-grace`) wins.
   */
  refreshRetryWindow: number;
  sessionTtl: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Trust X-Forwarded-* from a reverse proxy (for the client IP used by login throttling and rate limits). */
  trustProxy: boolean;
  /** Rate limits of /token, /introspect, /revoke (shared by every instance): failures per address / per authenticated
   *  confidential client inside `failureWindow` seconds, then 429 until the window ends. 0 turns a limit off. */
  failureLimitPerAddress: number;
  failureLimitPerClient: number;
  failureWindow: number;
  /** Requests per second at those endpoints, per address and per authenticated confidential client, counted by each
   *  instance in memory (no database round trip); 0 turns a limit off. */
  requestsPerSecondPerAddress: number;
  requestsPerSecondPerClient: number;
  /** Seconds to receive a request's headers, and its whole request (headers and body), before the connection is cut. */
  headersTimeout: number;
  requestTimeout: number;
  /** Seconds an idle keep-alive connection stays open between requests. */
  keepAliveTimeout: number;
  /** Seconds a socket may see no traffic at all (a client that neither sends nor reads) before it is destroyed. */
  idleTimeout: number;
  /** Open connections per TCP peer address; 0 means no bound. Default 100, or 0 when trustProxy is set (every
   *  connection then comes from the proxy, which should bound its clients itself). */
  maxConnectionsPerAddress: number;
  /** Serve /metrics (Prometheus text format). Default: on in dev mode, off otherwise. */
  metricsEnabled: boolean;
  /** When set, /metrics requires `Authorization: Bearer <metricsToken>` (at least 16 characters). */
  metricsToken: string;
  /** Outside dev mode, enabled metrics need a token unless this explicit choice says they are public. */
  metricsPublic: boolean;
  /** Accept client_ids that are https URLs of OAuth Client ID Metadata Documents (fetched, validated, unvetted). Off by default. */
  clientMetadataDocuments: boolean;
  /** Dev mode only: also fetch http:// client_id URLs and loopback/private addresses (for a client on localhost). */
  clientMetadataDocumentsAllowPrivate: boolean;
  /** RFC 7591 dynamic client registration at /register (and RFC 7592 management). Off by default. */
  dynamicRegistration: boolean;
  /** When set, /register requires `Authorization: Bearer <token>` (an RFC 7591 §3 initial access token, 32+ characters). */
  registrationInitialAccessToken: string;
  /** Registrations per address inside `registrationWindow` seconds (shared by every instance); 0 turns the limit off. */
  registrationLimitPerAddress: number;
  registrationWindow: number;
  /** Seconds after which a dynamic registration that never obtained a token is removed; 0 keeps them. */
  unusedClientTtl: number;
  /** Scopes (or API identifiers, meaning all their scopes) that unvetted clients may request, space-separated; empty: any. */
  unvettedClientScopes: string;
  /** Who vets clients, as the consent page says it ("not verified by ..."); default: the issuer's host name. */
  operatorName: string;
  /** RFC 9126 §6: every client must push its authorization requests (clients can also require it one by one). */
  requirePushedAuthorizationRequests: boolean;
  /** RFC 9449 §8: DPoP proofs at the token and PAR endpoints must carry a server nonce (answered use_dpop_nonce). */
  dpopNonceRequired: boolean;
  /** The name the pages show and passkeys are registered under (the WebAuthn relying party name). */
  productName: string;
  /** An https (or, in dev mode, http) URL of the operator's logo shown on every page; '' for none. */
  logoUrl: string;
  /** The accent colour of the pages (#rrggbb); text on it is white, so it must be dark enough (checked at start). */
  brandColor: string;
  /** Seconds a new signing key is in the JWKS before it signs. Default 3600: longer than the resource kit (jose) caches a
   *  JWKS (600 s) and than /jwks may be cached (300 s), so no verifier meets an unknown kid. */
  keyPublishLeadTime: number;
  /** Seconds between automatic rotations, per algorithm; 0 = never. Default 90 days each outside dev mode, off in dev
   *  mode. Set as one number for every algorithm or `ES256=2592000,RS256=7776000` (unnamed algorithms: 0). */
  keyRotationInterval: Record<SigningAlg, number>;
  /** Where audit events also go as JSON lines (docs/audit-events.md): '' (nowhere), `stdout`, or a file path. */
  auditLogStream: string;
  /** Seconds audit events are kept in the database (default 90 days). */
  auditRetention: number;
  /** Seconds the diagnostic events of failed requests (`request.failed`, for `latchkey explain`) are kept (default 7 days). */
  diagnosticRetention: number;
}

export type ConfigInput = Partial<{ [K in keyof ServerConfig]: ServerConfig[K] | string }>;

export const DEFAULTS: Omit<ServerConfig, 'issuer' | 'secret'> = {
  host: '127.0.0.1',
  port: 4000,
  dev: false,
  databaseUrl: DEFAULT_DATABASE_URL,
  databasePoolMax: 10,
  accessTokenTtl: 900,
  accessTokenAlg: 'ES256',
  idTokenTtl: 3600,
  codeTtl: 60,
  deviceCodeTtl: 600,
  deviceCodeInterval: 5,
  userCodeFailureLimitPerAddress: 10,
  userCodeFailureLimitGlobal: 500,
  refreshIdleTtl: 14 * 86400,
  refreshAbsoluteTtl: 90 * 86400,
  refreshRetryWindow: 10,
  sessionTtl: 12 * 3600,
  logLevel: 'info',
  trustProxy: false,
  failureLimitPerAddress: 50,
  failureLimitPerClient: 50,
  failureWindow: 300,
  requestsPerSecondPerAddress: 100,
  requestsPerSecondPerClient: 100,
  headersTimeout: 10,
  requestTimeout: 30,
  keepAliveTimeout: 72,
  idleTimeout: 75,
  maxConnectionsPerAddress: 100,
  metricsEnabled: false,
  metricsToken: '',
  metricsPublic: false,
  clientMetadataDocuments: false,
  clientMetadataDocumentsAllowPrivate: false,
  dynamicRegistration: false,
  registrationInitialAccessToken: '',
  registrationLimitPerAddress: 20,
  registrationWindow: 3600,
  unusedClientTtl: 7 * 86400,
  unvettedClientScopes: '',
  operatorName: '',
  requirePushedAuthorizationRequests: false,
  dpopNonceRequired: false,
  productName: 'Latchkey',
  logoUrl: '',
  brandColor: '#1f5fbf',
  keyPublishLeadTime: 3600,
  keyRotationInterval: { RS256: 90 * 86400, ES256: 90 * 86400, EdDSA: 90 * 86400 },
  auditLogStream: '',
  auditRetention: 90 * 86400,
  diagnosticRetention: 7 * 86400,
};

/** The environment variable of each setting (docs/deployment.md documents each one once). */
export const ENV_NAMES: Record<keyof ServerConfig, string> = {
  issuer: 'LATCHKEY_ISSUER', host: 'LATCHKEY_HOST', port: 'LATCHKEY_PORT', dev: 'LATCHKEY_DEV', secret: 'LATCHKEY_SECRET',
  databaseUrl: 'LATCHKEY_DATABASE_URL', databasePoolMax: 'LATCHKEY_DATABASE_POOL_MAX', accessTokenTtl: 'LATCHKEY_ACCESS_TOKEN_TTL', accessTokenAlg: 'LATCHKEY_ACCESS_TOKEN_ALG',
  idTokenTtl: 'LATCHKEY_ID_TOKEN_TTL', codeTtl: 'LATCHKEY_CODE_TTL', deviceCodeTtl: 'LATCHKEY_DEVICE_CODE_TTL',
  deviceCodeInterval: 'LATCHKEY_DEVICE_CODE_INTERVAL', userCodeFailureLimitPerAddress: 'LATCHKEY_USER_CODE_FAILURE_LIMIT_PER_ADDRESS',
  userCodeFailureLimitGlobal: 'LATCHKEY_USER_CODE_FAILURE_LIMIT_GLOBAL', refreshIdleTtl: 'LATCHKEY_REFRESH_IDLE_TTL',
  refreshAbsoluteTtl: 'LATCHKEY_REFRESH_ABSOLUTE_TTL', refreshRetryWindow: 'LATCHKEY_REFRESH_RETRY_WINDOW', sessionTtl: 'LATCHKEY_SESSION_TTL', logLevel: 'LATCHKEY_LOG_LEVEL',
  trustProxy: 'LATCHKEY_TRUST_PROXY', failureLimitPerAddress: 'LATCHKEY_FAILURE_LIMIT_PER_ADDRESS',
  failureLimitPerClient: 'LATCHKEY_FAILURE_LIMIT_PER_CLIENT', failureWindow: 'LATCHKEY_FAILURE_WINDOW',
  requestsPerSecondPerAddress: 'LATCHKEY_REQUESTS_PER_SECOND_PER_ADDRESS', requestsPerSecondPerClient: 'LATCHKEY_REQUESTS_PER_SECOND_PER_CLIENT',
  headersTimeout: 'LATCHKEY_HEADERS_TIMEOUT', requestTimeout: 'LATCHKEY_REQUEST_TIMEOUT', keepAliveTimeout: 'LATCHKEY_KEEP_ALIVE_TIMEOUT',
  idleTimeout: 'LATCHKEY_IDLE_TIMEOUT', maxConnectionsPerAddress: 'LATCHKEY_MAX_CONNECTIONS_PER_ADDRESS',
  metricsEnabled: 'LATCHKEY_METRICS_ENABLED', metricsToken: 'LATCHKEY_METRICS_TOKEN', metricsPublic: 'LATCHKEY_METRICS_PUBLIC',
  clientMetadataDocuments: 'LATCHKEY_CLIENT_METADATA_DOCUMENTS', clientMetadataDocumentsAllowPrivate: 'LATCHKEY_CLIENT_METADATA_DOCUMENTS_ALLOW_PRIVATE',
  dynamicRegistration: 'LATCHKEY_DYNAMIC_REGISTRATION', registrationInitialAccessToken: 'LATCHKEY_REGISTRATION_INITIAL_ACCESS_TOKEN',
  registrationLimitPerAddress: 'LATCHKEY_REGISTRATION_LIMIT_PER_ADDRESS', registrationWindow: 'LATCHKEY_REGISTRATION_WINDOW',
  unusedClientTtl: 'LATCHKEY_UNUSED_CLIENT_TTL', unvettedClientScopes: 'LATCHKEY_UNVETTED_CLIENT_SCOPES', operatorName: 'LATCHKEY_OPERATOR_NAME',
  requirePushedAuthorizationRequests: 'LATCHKEY_REQUIRE_PUSHED_AUTHORIZATION_REQUESTS',
  dpopNonceRequired: 'LATCHKEY_DPOP_NONCE_REQUIRED',
  productName: 'LATCHKEY_PRODUCT_NAME', logoUrl: 'LATCHKEY_LOGO_URL', brandColor: 'LATCHKEY_BRAND_COLOR',
  keyPublishLeadTime: 'LATCHKEY_KEY_PUBLISH_LEAD_TIME', keyRotationInterval: 'LATCHKEY_KEY_ROTATION_INTERVAL',
  auditLogStream: 'LATCHKEY_AUDIT_LOG_STREAM', auditRetention: 'LATCHKEY_AUDIT_RETENTION', diagnosticRetention: 'LATCHKEY_DIAGNOSTIC_RETENTION',
};

/** A configuration problem, explained in one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const input: ConfigInput = {};
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof ServerConfig, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') (input as Record<string, unknown>)[key] = value;
  }
  return input;
}

export function configFromFile(path: string): ConfigInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  const unknown = Object.keys(parsed).filter((k) => !(k in ENV_NAMES));
  if (unknown.length > 0) throw new ConfigError(`config file ${path} has unknown setting(s): ${unknown.join(', ')}`);
  return parsed as ConfigInput;
}

function integer(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  return n;
}

function boolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${name} must be true or false (got ${String(value)})`);
}

const MAX_ROTATION_INTERVAL = 5 * 365 * 86400;

/** `7776000` (every algorithm), `ES256=2592000,RS256=0`, or an object from a config file. */
function rotationIntervals(value: unknown, fallback: Record<SigningAlg, number>, lead: number): Record<SigningAlg, number> {
  if (value === undefined) return fallback;
  const check = (name: string, seconds: unknown) => {
    const n = integer(`keyRotationInterval${name}`, seconds, 0, MAX_ROTATION_INTERVAL);
    if (n !== 0 && n <= lead) throw new ConfigError(`keyRotationInterval${name} (${n}) must be 0 (off) or longer than keyPublishLeadTime (${lead})`);
    return n;
  };
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = check('', value);
    return { RS256: n, ES256: n, EdDSA: n };
  }
  const entries: [string, unknown][] = typeof value === 'string'
    ? value.split(',').map((part) => part.trim().split('=') as [string, unknown])
    : value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
  if (entries.length === 0 || entries.some((e) => e.length !== 2)) {
    throw new ConfigError(`keyRotationInterval must be seconds, or ALG=seconds pairs separated by commas (got ${JSON.stringify(value)})`);
  }
  const result: Record<SigningAlg, number> = { RS256: 0, ES256: 0, EdDSA: 0 };
  for (const [alg, seconds] of entries) {
    if (!SIGNING_ALGS.includes(alg as SigningAlg)) throw new ConfigError(`keyRotationInterval names ${alg}; algorithms are ${SIGNING_ALGS.join(', ')}`);
    result[alg as SigningAlg] = check(` for ${alg}`, seconds);
  }
  return result;
}

/** The issuer is https: cookies get Secure and the __Host- prefix, responses get Strict-Transport-Security. */
export function issuerIsHttps(config: Pick<ServerConfig, 'issuer'>): boolean {
  return config.issuer.startsWith('https:');
}

/** WCAG 2.2 contrast ratio of white against a #rrggbb colour (relative luminance, §1.4.3 definitions). */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

const isLoopbackHost = (hostname: string) => ['localhost', '127.0.0.1', '[::1]'].includes(hostname);

/** Merges layers (later wins) and validates; throws ConfigError with a one-line explanation. */
export function resolveConfig(...layers: ConfigInput[]): ServerConfig {
  const merged: ConfigInput = Object.assign({}, ...layers);
  const dev = boolean('dev', merged.dev ?? DEFAULTS.dev);
  const port = integer('port', merged.port ?? DEFAULTS.port, 0, 65535);
  const host = String(merged.host ?? DEFAULTS.host);
  const issuer = String(merged.issuer ?? `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`);
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new ConfigError(`issuer "${issuer}" is not an absolute URL`);
  }
  if (issuerUrl.search || issuerUrl.hash) throw new ConfigError('issuer must not have a query or fragment (RFC 8414 §2)');
  if (issuer.endsWith('/')) throw new ConfigError(`issuer must not end with "/" (got ${issuer})`);
  if (issuerUrl.protocol !== 'https:' && !(issuerUrl.protocol === 'http:' && (dev || isLoopbackHost(issuerUrl.hostname)))) {
    throw new ConfigError(`issuer must use https (http is allowed only for localhost/127.0.0.1, or any host with --dev): ${issuer}`);
  }
  const secret = merged.secret === undefined ? '' : String(merged.secret);
  if (!dev && !secret) throw new ConfigError('LATCHKEY_SECRET is required outside dev mode: set it to a random value of at least 32 characters (for example: openssl rand -base64 48)');
  if (secret && secret.length < 32) throw new ConfigError('LATCHKEY_SECRET must be at least 32 characters');
  const accessTokenAlg = String(merged.accessTokenAlg ?? DEFAULTS.accessTokenAlg) as SigningAlg;
  if (!SIGNING_ALGS.includes(accessTokenAlg)) throw new ConfigError(`accessTokenAlg must be one of ${SIGNING_ALGS.join(', ')}`);
  const logLevel = String(merged.logLevel ?? DEFAULTS.logLevel) as ServerConfig['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`logLevel "${logLevel}" is not a pino level`);
  const trustProxy = boolean('trustProxy', merged.trustProxy ?? DEFAULTS.trustProxy);
  const setting = (name: keyof typeof DEFAULTS & keyof ServerConfig, min: number, max: number, fallback?: number) =>
    integer(name, merged[name] ?? fallback ?? DEFAULTS[name], min, max);
  const headersTimeout = setting('headersTimeout', 1, 600);
  const requestTimeout = setting('requestTimeout', 1, 3600);
  if (requestTimeout < headersTimeout) throw new ConfigError(`requestTimeout (${requestTimeout}) must be at least headersTimeout (${headersTimeout})`);
  const metricsEnabled = boolean('metricsEnabled', merged.metricsEnabled ?? dev);
  const metricsToken = merged.metricsToken === undefined ? '' : String(merged.metricsToken);
  const metricsPublic = boolean('metricsPublic', merged.metricsPublic ?? DEFAULTS.metricsPublic);
  if (metricsToken && (metricsToken.length < 16 || !/^[A-Za-z0-9\-._~+/]+=*$/.test(metricsToken))) {
    throw new ConfigError('LATCHKEY_METRICS_TOKEN must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + / (a bearer token, RFC 6750 §2.1), e.g. openssl rand -base64 32');
  }
  if (metricsToken && metricsPublic) throw new ConfigError('set either LATCHKEY_METRICS_TOKEN or LATCHKEY_METRICS_PUBLIC=true, not both');
  if (metricsEnabled && !dev && !metricsToken && !metricsPublic) {
    throw new ConfigError('LATCHKEY_METRICS_ENABLED outside dev mode needs LATCHKEY_METRICS_TOKEN (scrapers send Authorization: Bearer <token>) or an explicit LATCHKEY_METRICS_PUBLIC=true');
  }
  const productName = String(merged.productName ?? DEFAULTS.productName).trim();
  if (!productName || productName.length > 60) throw new ConfigError('productName must be 1 to 60 characters');
  const logoUrl = String(merged.logoUrl ?? DEFAULTS.logoUrl);
  if (logoUrl) {
    let logo: URL;
    try {
      logo = new URL(logoUrl);
    } catch {
      throw new ConfigError(`logoUrl "${logoUrl}" is not an absolute URL`);
    }
    if (logo.protocol !== 'https:' && !(logo.protocol === 'http:' && (dev || isLoopbackHost(logo.hostname)))) throw new ConfigError('logoUrl must use https');
  }
  const brandColor = String(merged.brandColor ?? DEFAULTS.brandColor).toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(brandColor)) throw new ConfigError(`brandColor must be a #rrggbb colour (got ${brandColor})`);
  // WCAG 2.2 §1.4.3: white text on the accent colour needs a contrast ratio of at least 4.5:1.
  if (contrastWithWhite(brandColor) < 4.5) throw new ConfigError(`brandColor ${brandColor} is too light: white text on it has a contrast below 4.5:1 (WCAG 1.4.3); choose a darker colour`);
  const clientMetadataDocumentsAllowPrivate = boolean('clientMetadataDocumentsAllowPrivate', merged.clientMetadataDocumentsAllowPrivate ?? false);
  if (clientMetadataDocumentsAllowPrivate && !dev) throw new ConfigError('clientMetadataDocumentsAllowPrivate lets strangers make the server fetch private addresses: it is allowed only with --dev');
  const registrationInitialAccessToken = merged.registrationInitialAccessToken === undefined ? '' : String(merged.registrationInitialAccessToken);
  if (registrationInitialAccessToken && (registrationInitialAccessToken.length < 32 || !/^[A-Za-z0-9\-._~+/]+=*$/.test(registrationInitialAccessToken))) {
    throw new ConfigError('LATCHKEY_REGISTRATION_INITIAL_ACCESS_TOKEN must be at least 32 characters of A-Z a-z 0-9 - . _ ~ + / (a bearer token), e.g. openssl rand -base64 32');
  }
  const operatorName = String(merged.operatorName ?? '').trim() || issuerUrl.hostname;
  if (operatorName.length > 100) throw new ConfigError('operatorName must be at most 100 characters');
  const keyPublishLeadTime = setting('keyPublishLeadTime', 0, 30 * 86400);
  const keyRotationInterval = rotationIntervals(merged.keyRotationInterval, dev ? { RS256: 0, ES256: 0, EdDSA: 0 } : DEFAULTS.keyRotationInterval, keyPublishLeadTime);
  return {
    issuer, host, port, dev, secret, productName, logoUrl, brandColor,
    clientMetadataDocuments: boolean('clientMetadataDocuments', merged.clientMetadataDocuments ?? DEFAULTS.clientMetadataDocuments),
    clientMetadataDocumentsAllowPrivate,
    dynamicRegistration: boolean('dynamicRegistration', merged.dynamicRegistration ?? DEFAULTS.dynamicRegistration),
    registrationInitialAccessToken,
    registrationLimitPerAddress: setting('registrationLimitPerAddress', 0, 1_000_000),
    registrationWindow: setting('registrationWindow', 1, 86400),
    unusedClientTtl: setting('unusedClientTtl', 0, 365 * 86400),
    unvettedClientScopes: String(merged.unvettedClientScopes ?? '').trim(),
    operatorName,
    databaseUrl: String(merged.databaseUrl ?? DEFAULTS.databaseUrl),
    databasePoolMax: integer('databasePoolMax', merged.databasePoolMax ?? DEFAULTS.databasePoolMax, 1, 1000),
    accessTokenTtl: integer('accessTokenTtl', merged.accessTokenTtl ?? DEFAULTS.accessTokenTtl, 30, 86400),
    accessTokenAlg,
    idTokenTtl: integer('idTokenTtl', merged.idTokenTtl ?? DEFAULTS.idTokenTtl, 30, 86400),
    codeTtl: integer('codeTtl', merged.codeTtl ?? DEFAULTS.codeTtl, 5, 600),
    deviceCodeTtl: setting('deviceCodeTtl', 60, 3600),
    deviceCodeInterval: setting('deviceCodeInterval', 1, 60),
    userCodeFailureLimitPerAddress: setting('userCodeFailureLimitPerAddress', 0, 1_000_000),
    userCodeFailureLimitGlobal: setting('userCodeFailureLimitGlobal', 0, 1_000_000),
    refreshIdleTtl: integer('refreshIdleTtl', merged.refreshIdleTtl ?? DEFAULTS.refreshIdleTtl, 60, 365 * 86400),
    refreshAbsoluteTtl: integer('refreshAbsoluteTtl', merged.refreshAbsoluteTtl ?? DEFAULTS.refreshAbsoluteTtl, 60, 3 * 365 * 86400),
    refreshRetryWindow: integer('refreshRetryWindow', merged.refreshRetryWindow ?? DEFAULTS.refreshRetryWindow, 0, 300),
    sessionTtl: integer('sessionTtl', merged.sessionTtl ?? DEFAULTS.sessionTtl, 60, 30 * 86400),
    logLevel,
    trustProxy,
    failureLimitPerAddress: setting('failureLimitPerAddress', 0, 1_000_000),
    failureLimitPerClient: setting('failureLimitPerClient', 0, 1_000_000),
    failureWindow: setting('failureWindow', 1, 86400),
    requestsPerSecondPerAddress: setting('requestsPerSecondPerAddress', 0, 1_000_000),
    requestsPerSecondPerClient: setting('requestsPerSecondPerClient', 0, 1_000_000),
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: setting('keepAliveTimeout', 1, 3600),
    idleTimeout: setting('idleTimeout', 1, 3600),
    maxConnectionsPerAddress: setting('maxConnectionsPerAddress', 0, 1_000_000, trustProxy ? 0 : undefined),
    metricsEnabled, metricsToken, metricsPublic,
    requirePushedAuthorizationRequests: boolean('requirePushedAuthorizationRequests', merged.requirePushedAuthorizationRequests ?? DEFAULTS.requirePushedAuthorizationRequests),
    dpopNonceRequired: boolean('dpopNonceRequired', merged.dpopNonceRequired ?? DEFAULTS.dpopNonceRequired),
    keyPublishLeadTime, keyRotationInterval,
    auditLogStream: String(merged.auditLogStream ?? DEFAULTS.auditLogStream),
    auditRetention: setting('auditRetention', 86400, 10 * 365 * 86400),
    diagnosticRetention: setting('diagnosticRetention', 3600, 90 * 86400),
  };
}
