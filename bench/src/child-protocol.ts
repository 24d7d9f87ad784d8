// Messages between the bench harness (parent) and a server under test (child process, one at a time).
// The child starts its server on 127.0.0.1, then sends `ready`; the parent sends `stop` when it is done,
// and the child closes its server and exits 0 (so `--cpu-prof` can write its profile).

// latchkey-postgres is Latchkey on PostgreSQL (its own schema); it runs only when a PostgreSQL URL is given.
export const SERVER_NAMES = ['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** What the parent needs to drive and verify a server. */
export interface ReadyMessage {
  type: 'ready';
  name: ServerName;
  /** Base URL, e.g. http://127.0.0.1:40123 (also the token's `iss`). */
  issuer: string;
  tokenUrl: string;
  jwksUrl: string;
  clientId: string;
  clientSecret: string;
  /** The API identifier: the expected `aud` of the access token. */
  audience: string;
  /** Library version of the server under test, for the report. */
  version: string;
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

export type ParentMessage = StopMessage | CpuUsageRequest;

export interface FailedMessage {
  type: 'failed';
  error: string;
}

export type ChildMessage = ReadyMessage | FailedMessage | CpuUsageMessage;

/** The request every server answers: RFC 6749 §4.4.2 with client_secret_basic (§2.3.1). */
export const TOKEN_REQUEST_BODY = 'grant_type=client_credentials&scope=read';
export const API_IDENTIFIER = 'https://api.bench.example';
export const API_SCOPE = 'read';
export const ACCESS_TOKEN_TTL = 900;

/** Tells the latchkey child to use PostgreSQL at this URL (in a fresh schema) instead of a SQLite file. */
export const POSTGRES_URL_ENV = 'LATCHKEY_BENCH_POSTGRES_URL';

export function basicAuthorization(clientId: string, clientSecret: string): string {
  // §2.3.1: form-urlencode id and secret before joining them.
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
