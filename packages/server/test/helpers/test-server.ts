// Test fixtures: an in-memory server with an API, clients and users created through the same domain
// functions the CLI uses, plus small helpers for form posts and Basic credentials.
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { addApiIntrospector } from '../../src/apis/api-introspectors.ts';
import { registerApi } from '../../src/apis/register-api.ts';
import { addUser, type AddUserInput } from '../../src/accounts/user-accounts.ts';
import { registerClient, type RegisterClientInput } from '../../src/clients/register-client.ts';
import { resolveConfig, type ConfigInput } from '../../src/config/config.ts';
import { createServer, type CreateServerOptions } from '../../src/http/app.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hkdf-0123456789';
export const TEST_ISSUER = 'http://127.0.0.1:4000';

export interface TestServer {
  app: FastifyInstance;
  store: SqlStore;
  logs: string[];
  close(): Promise<void>;
}

/** A server on a fresh in-memory SQLite store (or `databaseUrl`), with logs captured in `logs`. */
export async function startTestServer(config: ConfigInput = {}, options: CreateServerOptions = {}): Promise<TestServer> {
  const resolved = resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: 'sqlite::memory:', logLevel: 'info' }, config);
  const store = openStore(resolved.databaseUrl);
  const logs: string[] = [];
  const app = await createServer(resolved, { store, cacheSyncIntervalMs: 50, logStream: { write: (line) => void logs.push(line) }, ...options });
  await app.ready();
  return { app, store, logs, close: async () => { await app.close(); await store.close(); } };
}

/** Registers an API and tells every cache in `server` about it. */
export async function addApi(server: TestServer, identifier: string, scopes: Record<string, string>): Promise<void> {
  await registerApi(server.store, { identifier, scopes: Object.entries(scopes).map(([n, d]) => `${n}=${d}`) }, server.app.latchkeyServer.now());
  await server.app.latchkeyServer.scopes.load();
}

/** Lets `clientId` introspect the tokens of the API `identifier` (RFC 7662 §2.2), and tells the caches. */
export async function addIntrospector(server: TestServer, identifier: string, clientId: string): Promise<void> {
  await addApiIntrospector(server.store, identifier, clientId);
  await server.app.latchkeyServer.scopes.load();
}

export async function addClient(server: TestServer, input: RegisterClientInput): Promise<{ id: string; secret: string | undefined }> {
  const { client, clientSecret } = await registerClient(server.store, input, server.app.latchkeyServer.now());
  server.app.latchkeyServer.clients.invalidate();
  return { id: client.id, secret: clientSecret };
}

export async function addTestUser(server: TestServer, username: string, password: string, extra: Omit<AddUserInput, 'username' | 'password'> = {}) {
  return addUser(server.store, { username, password, ...extra }, server.app.latchkeyServer.now());
}

export function basic(id: string, secret: string): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** Verifies a JWT against the server's own published JWKS. */
export async function verifyWithServerJwks(app: FastifyInstance, token: string, options: { typ?: string; audience?: string } = {}): Promise<{ payload: JWTPayload; header: Record<string, unknown> }> {
  const jwks = (await app.inject({ method: 'GET', url: '/jwks' })).json() as { keys: [] };
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: app.latchkeyServer.config.issuer, typ: options.typ, audience: options.audience,
  });
  return { payload, header: protectedHeader as Record<string, unknown> };
}

/** Runs `work` while every signing attempt of `app` throws (a failed HSM, a corrupt key), then restores signing. */
export async function whileSigningFails<T>(app: FastifyInstance, work: () => Promise<T>): Promise<T> {
  const keys = app.latchkeyServer.keys;
  const original = keys.signer.bind(keys);
  keys.signer = () => {
    throw new Error('signing is broken');
  };
  try {
    return await work();
  } finally {
    keys.signer = original;
  }
}
