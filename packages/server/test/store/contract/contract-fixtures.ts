// Shared by the Store contract's parts (one file per artifact in this folder): fixed time, complete records with
// overridable fields, and helpers to race calls and count rows.
import type { Database } from '../../../src/store/schema.ts';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../../src/store/store.ts';
import type {
  ApiRecord, AuthorizationCodeRecord, ClientRecord, GrantRecord, InteractionRecord, RefreshTokenRecord, SessionRecord,
  SigningAlg, SigningKeyRecord, UserRecord,
} from '../../../src/store/records.ts';

export const NOW = 1_900_000_000;
export const HOUR = 3600;
export const DAY = 86400;

// ---- record builders: complete records with overridable fields
export function clientRecord(id: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id, name: `Client ${id}`, secretHash: `secret-hash-${id}`, isPublic: false,
    redirectUris: ['https://app.example/callback', 'http://127.0.0.1/cb'], grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'contacts:read'], requirePkce: true, idTokenAlg: 'RS256', registration: 'operator', idTokenClaims: true, requireMfa: false,
    lifetimes: { accessTokenTtl: null, idTokenTtl: null, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: null },
    createdAt: NOW, updatedAt: NOW, postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false,
    requirePar: false, requireDpop: false, jwks: null, jwksUri: null, profile: null,
    clientUri: null, logoUri: null, applicationType: null, registrationTokenHash: null, firstUsedAt: null, blockedAt: null, ...overrides,
  };
}

export function userRecord(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id, username: `user-${id}`, email: `${id}@example.com`, emailVerified: false, name: `User ${id}`, phoneNumber: null,
    phoneNumberVerified: false, address: null, passwordHash: `$argon2id$fake$${id}`,
    createdAt: NOW, updatedAt: NOW, ...overrides,
  };
}

export function apiRecord(id: string, identifier: string, scopes: string[], introspectors: string[] = [], exchangers: string[] = []): ApiRecord {
  return { id, identifier, name: `API ${id}`, createdAt: NOW, scopes: scopes.map((name) => ({ name, description: `may ${name}` })), introspectors, exchangers };
}

export function keyRecord(kid: string, alg: SigningAlg, createdAt: number): SigningKeyRecord {
  return {
    kid, alg, publicJwk: JSON.stringify({ kty: 'EC', kid }), privateJwkSealed: `sealed-${kid}`, createdAt, activatesAt: createdAt, retiredAt: null, expiresAt: null,
  };
}

export function sessionRecord(idHash: string, userId: string, expiresAt: number): SessionRecord {
  return { idHash, sid: `sid-${idHash}`, userId, authTime: NOW - 10, amr: ['pwd'], userAgent: null, createdAt: NOW - 10, lastActiveAt: NOW - 10, expiresAt };
}

export function interactionRecord(id: string, clientId: string, overrides: Partial<InteractionRecord> = {}): InteractionRecord {
  return {
    id, browserHash: `browser-${id}`, clientId, request: JSON.stringify({ response_type: 'code', state: id }), userId: null,
    authTime: null, amr: null, createdAt: NOW, expiresAt: NOW + 600, ...overrides,
  };
}

export function codeRecord(codeHash: string, clientId: string, userId: string, overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    codeHash, clientId, userId, redirectUri: 'https://app.example/callback', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    nonce: 'n-0S6_WzA2Mj', scopes: ['openid', 'contacts:read'], audience: 'https://contacts.example', authTime: NOW - 5, amr: ['pwd'],
    createdAt: NOW, expiresAt: NOW + 60, consumedAt: null, grantId: null, sid: null, claims: null, dpopJkt: null, ...overrides,
  };
}

export function grantRecord(id: string, clientId: string, userId: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id, clientId, userId, scopes: ['openid', 'offline_access', 'contacts:read'], audience: 'https://contacts.example',
    authTime: NOW - 5, amr: ['pwd'], createdAt: NOW, lastUsedAt: NOW, expiresAt: NOW + 90 * DAY, revokedAt: null, sid: null, claims: null, dpopJkt: null, ...overrides,
  };
}

export function refreshRecord(tokenHash: string, grantId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { tokenHash, grantId, createdAt: NOW, expiresAt: NOW + 14 * DAY, rotatedAt: null, ...overrides };
}

/** Runs `work(i)` for i in 0..count-1 all at once (the store's pool decides how many really run in parallel). */
export function race<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => work(i)));
}

/** Inserts in chunks so a pool is kept busy without queueing thousands of promises at once. */
export async function inChunks(count: number, work: (i: number) => Promise<unknown>, chunk = 100): Promise<void> {
  for (let start = 0; start < count; start += chunk) {
    await Promise.all(Array.from({ length: Math.min(chunk, count - start) }, (_, j) => work(start + j)));
  }
}

export async function countRows(store: SqlStore, table: keyof Database): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export const isConflict = (error: unknown) => error instanceof StoreConflict;

/** A client and a user, the parents most records need. */
export async function seedClientAndUser(store: SqlStore, clientId = 'c1', userId = 'u1'): Promise<void> {
  await store.createClient(clientRecord(clientId));
  await store.createUser(userRecord(userId));
}
