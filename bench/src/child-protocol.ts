// Messages between the bench harness (parent) and a server under test (child process, one at a time).
// The child starts its server on 127.0.0.1, then sends `ready`; the parent sends `stop` when it is done,
// and the child closes its server and exits 0 (so `--cpu-prof` can write its profile).

// latchkey-postgres is Latchkey on PostgreSQL (its own schema); it runs only when a PostgreSQL URL is given.
export const SERVER_NAMES = ['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** How a child configures its server: the access-token algorithm, and Latchkey's log level (see scenarios.ts). */
export interface ServerSetup {
  accessTokenAlg: 'ES256' | 'RS256';
  /** Latchkey's log level: 'warn' (no line per request) or 'info' (its default: one line per request). */
  latchkeyLogLevel: 'warn' | 'info';
  /** oidc-provider: the format of access tokens for users (opaque for the introspection scenario: it cannot introspect JWTs). */
  userAccessTokenFormat: 'jwt' | 'opaque';
}

/** A user-facing client (authorization code + refresh, client_secret_basic) and the user it signs in. */
export interface UserFlowSetup {
  authorizationUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  username: string;
  password: string;
}

/** What the parent needs to drive and verify a server. */
export interface ReadyMessage {
  type: 'ready';
  name: ServerName;
  /** Base URL, e.g. http://127.0.0.1:40123 (also the token's `iss`). */
  issuer: string;
  tokenUrl: string;
  jwksUrl: string;
  /** The client credentials client. */
  clientId: string;
  clientSecret: string;
  /** The API identifier: the expected `aud` of the access token. */
  audience: string;
  /** Library version of the server under test, for the report. */
  version: string;
  /** The access-token algorithm this server was configured with. */
  accessTokenAlg: 'ES256' | 'RS256';
  /** Authorization code flow and refresh (null: this server has no such flow, e.g. not configured). */
  userFlow: UserFlowSetup | null;
  /** RFC 7662 introspection by a resource server's confidential client (null: not offered). */
  introspection: { url: string; clientId: string; clientSecret: string } | null;
  /** Milliseconds the child spent on the bench's own setup before its server started (schema, registrations, keys):
   *  subtracted from the start-up time, since a server started on an existing database does not do it. */
  setupMillis: number;
}

export interface StopMessage {
  type: 'stop';
}

/** Asks the child for its process CPU time (process.cpuUsage()), to compute CPU time per request. */
export interface CpuUsageRequest {
  type: 'cpu-usage';
}

export interface CpuUsageMessage {
  type: 'cpu-usage';
  /** Microseconds of CPU time since the child started. */
  user: number;
  system: number;
}

/** Asks the child for its resident set size. */
export interface MemoryRequest {
  type: 'memory';
}

export interface MemoryMessage {
  type: 'memory';
  rss: number;
}

export type ParentMessage = StopMessage | CpuUsageRequest | MemoryRequest;

export interface FailedMessage {
  type: 'failed';
  error: string;
}

export type ChildMessage = ReadyMessage | FailedMessage | CpuUsageMessage | MemoryMessage;

/** The request every server answers: RFC 6749 §4.4.2 with client_secret_basic (§2.3.1). */
export const TOKEN_REQUEST_BODY = 'grant_type=client_credentials&scope=read';
export const API_IDENTIFIER = 'https://api.bench.example';
export const API_SCOPE = 'read';
export const ACCESS_TOKEN_TTL = 900;
/** What the user-facing client asks for: an ID token and the API's scope. */
export const USER_SCOPE = `openid ${API_SCOPE}`;
/** Where codes are sent (never contacted: the bench reads the Location header). */
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const BENCH_USERNAME = 'bench-user';
export const BENCH_PASSWORD = 'bench-password-0123456789';

/** Tells the latchkey child to use PostgreSQL at this URL (in a fresh schema) instead of a SQLite file. */
export const POSTGRES_URL_ENV = 'LATCHKEY_BENCH_POSTGRES_URL';
/** The ServerSetup, as JSON, for every child. */
export const SERVER_SETUP_ENV = 'LATCHKEY_BENCH_SERVER_SETUP';

export function serverSetupFromEnv(env: NodeJS.ProcessEnv = process.env): ServerSetup {
  const raw = env[SERVER_SETUP_ENV];
  const setup = raw ? (JSON.parse(raw) as Partial<ServerSetup>) : {};
  return { accessTokenAlg: setup.accessTokenAlg ?? 'ES256', latchkeyLogLevel: setup.latchkeyLogLevel ?? 'warn', userAccessTokenFormat: setup.userAccessTokenFormat ?? 'jwt' };
}

export function basicAuthorization(clientId: string, clientSecret: string): string {
  // §2.3.1: form-urlencode id and secret before joining them.
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
