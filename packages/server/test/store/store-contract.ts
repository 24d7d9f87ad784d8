// The Store contract (design.md "Store contract"), written once and run against every implementation
// (sqlite-store.test.ts, postgres-store.test.ts). Atomic operations are tested by racing them: on PostgreSQL
// the store's own connection pool runs the calls on separate connections, so the database decides the winner.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../src/store/store.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';
import type {
  ApiRecord, AuthorizationCodeRecord, ClientRecord, GrantRecord, InteractionRecord, RefreshTokenRecord, SessionRecord,
  SigningAlg, SigningKeyRecord, UserRecord,
} from '../../src/store/records.ts';

export interface FreshStore {
  /** A migrated, empty store. */
  store: SqlStore;
  /** Closes the store and removes whatever backs it (file, schema). */
  close(): Promise<void>;
}

export type OpenFreshStore = () => Promise<FreshStore>;

export interface StoreContractOptions {
  /** A reason to skip the whole suite (shown in the test report), e.g. a missing database URL. */
  skip?: string;
}

const NOW = 1_900_000_000;
const HOUR = 3600;
const DAY = 86400;

// ---- record builders: complete records with overridable fields
function clientRecord(id: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id, name: `Client ${id}`, secretHash: `secret-hash-${id}`, isPublic: false,
    redirectUris: ['https://app.example/callback', 'http://127.0.0.1/cb'], grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'contacts:read'], requirePkce: true, idTokenAlg: 'RS256', registration: 'operator', createdAt: NOW, updatedAt: NOW, ...overrides,
  };
}

function userRecord(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id, username: `user-${id}`, email: `${id}@example.com`, name: `User ${id}`, passwordHash: `$argon2id$fake$${id}`,
    createdAt: NOW, updatedAt: NOW, ...overrides,
  };
}

function apiRecord(id: string, identifier: string, scopes: string[], introspectors: string[] = []): ApiRecord {
  return { id, identifier, name: `API ${id}`, createdAt: NOW, scopes: scopes.map((name) => ({ name, description: `may ${name}` })), introspectors };
}

function keyRecord(kid: string, alg: SigningAlg, createdAt: number): SigningKeyRecord {
  return {
    kid, alg, publicJwk: JSON.stringify({ kty: 'EC', kid }), privateJwkSealed: `sealed-${kid}`, createdAt, retiredAt: null, expiresAt: null,
  };
}

function sessionRecord(idHash: string, userId: string, expiresAt: number): SessionRecord {
  return { idHash, userId, authTime: NOW - 10, createdAt: NOW - 10, expiresAt };
}

function interactionRecord(id: string, clientId: string, overrides: Partial<InteractionRecord> = {}): InteractionRecord {
  return {
    id, browserHash: `browser-${id}`, clientId, request: JSON.stringify({ response_type: 'code', state: id }), userId: null,
    authTime: null, createdAt: NOW, expiresAt: NOW + 600, ...overrides,
  };
}

function codeRecord(codeHash: string, clientId: string, userId: string, overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    codeHash, clientId, userId, redirectUri: 'https://app.example/callback', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    nonce: 'n-0S6_WzA2Mj', scopes: ['openid', 'contacts:read'], audience: 'https://contacts.example', authTime: NOW - 5,
    createdAt: NOW, expiresAt: NOW + 60, consumedAt: null, grantId: null, ...overrides,
  };
}

function grantRecord(id: string, clientId: string, userId: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id, clientId, userId, scopes: ['openid', 'offline_access', 'contacts:read'], audience: 'https://contacts.example',
    authTime: NOW - 5, createdAt: NOW, lastUsedAt: NOW, expiresAt: NOW + 90 * DAY, revokedAt: null, ...overrides,
  };
}

function refreshRecord(tokenHash: string, grantId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { tokenHash, grantId, createdAt: NOW, expiresAt: NOW + 14 * DAY, rotatedAt: null, ...overrides };
}

/** Runs `work(i)` for i in 0..count-1 all at once (the store's pool decides how many really run in parallel). */
function race<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => work(i)));
}

/** Inserts in chunks so a pool is kept busy without queueing thousands of promises at once. */
async function inChunks(count: number, work: (i: number) => Promise<unknown>, chunk = 100): Promise<void> {
  for (let start = 0; start < count; start += chunk) {
    await Promise.all(Array.from({ length: Math.min(chunk, count - start) }, (_, j) => work(start + j)));
  }
}

async function countRows(store: SqlStore, table: keyof Database): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const isConflict = (error: unknown) => error instanceof StoreConflict;

export function runStoreContract(name: string, openFreshStore: OpenFreshStore, options: StoreContractOptions = {}): void {
  describe(`Store contract: ${name}`, { skip: options.skip }, () => {
    let fresh: FreshStore;
    let store: SqlStore;

    beforeEach(async () => {
      fresh = await openFreshStore();
      store = fresh.store;
    });
    afterEach(async () => {
      await fresh.close();
    });

    /** A client and a user, the parents most records need. */
    async function seedClientAndUser(clientId = 'c1', userId = 'u1'): Promise<void> {
      await store.createClient(clientRecord(clientId));
      await store.createUser(userRecord(userId));
    }

    describe('lifecycle', () => {
      it('ping answers and migrate is idempotent', async () => {
        await store.ping();
        assert.deepEqual(await store.migrate(), { applied: [] });
      });
    });

    describe('clients', () => {
      it('round-trips every field of a client', async () => {
        const confidential = clientRecord('c1', { idTokenAlg: 'ES256', requirePkce: false });
        const pub = clientRecord('c2', { secretHash: null, isPublic: true, grantTypes: ['authorization_code'], scopes: [], registration: 'dynamic', createdAt: NOW + 1 });
        await store.createClient(confidential);
        await store.createClient(pub);
        assert.deepEqual(await store.getClient('c1'), confidential);
        assert.deepEqual(await store.getClient('c2'), pub);
        assert.equal(await store.getClient('nope'), undefined);
        assert.deepEqual((await store.listClients()).map((c) => c.id), ['c1', 'c2']);
      });

      it('a client stored before its registration kind was recorded counts as operator-registered (migration 0004)', async () => {
        await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
          values ('old', 'Old', null, 1, '[]', '[]', '[]', 1, 'RS256', ${NOW}, ${NOW})`.execute(store.db);
        assert.equal((await store.getClient('old'))?.registration, 'operator');
      });

      it('refuses a duplicate client id with StoreConflict and keeps the original', async () => {
        await store.createClient(clientRecord('c1'));
        await assert.rejects(store.createClient(clientRecord('c1', { name: 'Impostor' })), isConflict);
        assert.equal((await store.getClient('c1'))?.name, 'Client c1');
        assert.equal((await store.listClients()).length, 1);
      });

      it('updates the secret of a confidential client only', async () => {
        await store.createClient(clientRecord('c1'));
        await store.createClient(clientRecord('pub', { secretHash: null, isPublic: true }));
        assert.equal(await store.updateClientSecret('c1', 'new-hash', NOW + 5), true);
        const updated = await store.getClient('c1');
        assert.equal(updated?.secretHash, 'new-hash');
        assert.equal(updated?.updatedAt, NOW + 5);
        assert.equal(await store.updateClientSecret('pub', 'new-hash', NOW + 5), false);
        assert.equal((await store.getClient('pub'))?.secretHash, null);
        assert.equal(await store.updateClientSecret('missing', 'new-hash', NOW + 5), false);
      });

      it('deletes a client once', async () => {
        await store.createClient(clientRecord('c1'));
        assert.equal(await store.deleteClient('c1'), true);
        assert.equal(await store.getClient('c1'), undefined);
        assert.equal(await store.deleteClient('c1'), false);
      });
    });

    describe('apis', () => {
      it('stores an API with its scopes', async () => {
        await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:write', 'contacts:read']));
        await store.createApi(apiRecord('a2', 'https://files.example', []));
        const apis = await store.listApis();
        assert.deepEqual(apis.map((a) => a.identifier), ['https://contacts.example', 'https://files.example']);
        assert.deepEqual(apis[0]?.scopes, [
          { name: 'contacts:read', description: 'may contacts:read' },
          { name: 'contacts:write', description: 'may contacts:write' },
        ]);
        assert.deepEqual(apis[1]?.scopes, []);
      });

      it('refuses a duplicate identifier with StoreConflict', async () => {
        await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read']));
        await assert.rejects(store.createApi(apiRecord('a2', 'https://contacts.example', ['other:read'])), isConflict);
        assert.deepEqual((await store.listApis()).map((a) => a.id), ['a1']);
        assert.equal(await countRows(store, 'api_scopes'), 1, 'no scope of the refused API was written');
      });

      it('refuses a scope name another API owns, writing nothing of the new API', async () => {
        await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read']));
        await assert.rejects(store.createApi(apiRecord('a2', 'https://files.example', ['files:read', 'contacts:read'])), isConflict);
        assert.deepEqual((await store.listApis()).map((a) => a.id), ['a1'], 'the API row must not exist after its scope insert failed');
        assert.equal(await countRows(store, 'apis'), 1);
        assert.equal(await countRows(store, 'api_scopes'), 1);
        // Nothing half-written: the same identifier and scope are still free.
        await store.createApi(apiRecord('a2', 'https://files.example', ['files:read']));
        assert.deepEqual((await store.listApis()).map((a) => a.identifier), ['https://contacts.example', 'https://files.example']);
      });

      it('refuses a scope named twice in one API', async () => {
        await assert.rejects(store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read', 'contacts:read'])), isConflict);
        assert.equal(await countRows(store, 'apis'), 0);
        assert.equal(await countRows(store, 'api_scopes'), 0);
      });

      it('deleting an API frees its identifier and scope names', async () => {
        await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read']));
        assert.equal(await store.deleteApi('https://contacts.example'), true);
        assert.equal(await store.deleteApi('https://contacts.example'), false);
        assert.equal(await countRows(store, 'api_scopes'), 0);
        await store.createApi(apiRecord('a9', 'https://contacts.example', ['contacts:read']));
      });

      it('introspectors: created with the API, added idempotently, removed, and gone with their client or API', async () => {
        await store.createClient(clientRecord('rs1'));
        await store.createClient(clientRecord('rs2'));
        await store.createApi(apiRecord('a1', 'https://contacts.example', ['contacts:read'], ['rs1']));
        assert.equal(await store.addApiIntrospector('https://contacts.example', 'rs2'), true);
        assert.equal(await store.addApiIntrospector('https://contacts.example', 'rs2'), true, 'adding twice is not an error');
        assert.equal(await store.addApiIntrospector('https://unknown.example', 'rs2'), false);
        assert.deepEqual((await store.listApis())[0]?.introspectors, ['rs1', 'rs2']);
        assert.equal(await store.removeApiIntrospector('https://contacts.example', 'rs1'), true);
        assert.equal(await store.removeApiIntrospector('https://contacts.example', 'rs1'), false);
        assert.deepEqual((await store.listApis())[0]?.introspectors, ['rs2']);
        await store.deleteClient('rs2');
        assert.deepEqual((await store.listApis())[0]?.introspectors, [], 'a deleted client is no longer an introspector');
        await store.addApiIntrospector('https://contacts.example', 'rs1');
        await store.deleteApi('https://contacts.example');
        assert.equal(await countRows(store, 'api_introspectors'), 0);
      });
    });

    describe('users', () => {
      it('finds users by id and username and lists them by username', async () => {
        const bob = userRecord('u2', { username: 'bob', email: null, name: null });
        const alice = userRecord('u1', { username: 'alice' });
        await store.createUser(bob);
        await store.createUser(alice);
        assert.deepEqual(await store.getUser('u2'), bob);
        assert.deepEqual(await store.findUserByUsername('alice'), alice);
        assert.equal(await store.findUserByUsername('carol'), undefined);
        assert.equal(await store.getUser('u3'), undefined);
        assert.deepEqual((await store.listUsers()).map((u) => u.username), ['alice', 'bob']);
      });

      it('refuses a taken username or id with StoreConflict', async () => {
        await store.createUser(userRecord('u1', { username: 'alice' }));
        await assert.rejects(store.createUser(userRecord('u2', { username: 'alice' })), isConflict);
        await assert.rejects(store.createUser(userRecord('u1', { username: 'other' })), isConflict);
        assert.equal((await store.listUsers()).length, 1);
      });

      it('sets a password and deletes a user', async () => {
        await store.createUser(userRecord('u1'));
        assert.equal(await store.updateUserPassword('u1', 'new-hash', NOW + 9), true);
        const user = await store.getUser('u1');
        assert.equal(user?.passwordHash, 'new-hash');
        assert.equal(user?.updatedAt, NOW + 9);
        assert.equal(await store.updateUserPassword('nobody', 'x', NOW), false);
        assert.equal(await store.deleteUser('u1'), true);
        assert.equal(await store.getUser('u1'), undefined);
        assert.equal(await store.deleteUser('u1'), false);
      });
    });

    describe('signing keys', () => {
      it('adding a key retires the previous key of the same alg only', async () => {
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW), NOW + 1000);
        await store.createSigningKey(keyRecord('rs-1', 'RS256', NOW + 1), NOW + 1000);
        assert.equal((await store.findActiveSigningKey('ES256'))?.kid, 'es-1');

        await store.createSigningKey(keyRecord('es-2', 'ES256', NOW + 100), NOW + 100 + 1200);
        assert.equal((await store.findActiveSigningKey('ES256'))?.kid, 'es-2');
        assert.equal((await store.findActiveSigningKey('RS256'))?.kid, 'rs-1');
        assert.equal(await store.findActiveSigningKey('EdDSA'), undefined);

        const keys = await store.listSigningKeys(NOW + 100);
        const byKid = new Map(keys.map((k) => [k.kid, k]));
        assert.deepEqual([...byKid.keys()].sort(), ['es-1', 'es-2', 'rs-1']);
        assert.deepEqual(byKid.get('es-1'), { ...keyRecord('es-1', 'ES256', NOW), retiredAt: NOW + 100, expiresAt: NOW + 1300 });
        assert.deepEqual(byKid.get('es-2'), keyRecord('es-2', 'ES256', NOW + 100));
        assert.equal(byKid.get('rs-1')?.retiredAt, null, 'another alg is untouched');
      });

      it('stops listing a retired key once it has expired', async () => {
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW), NOW + 500);
        await store.createSigningKey(keyRecord('es-2', 'ES256', NOW + 10), NOW + 500);
        assert.deepEqual((await store.listSigningKeys(NOW + 499)).map((k) => k.kid).sort(), ['es-1', 'es-2']);
        assert.deepEqual((await store.listSigningKeys(NOW + 500)).map((k) => k.kid), ['es-2']);
        assert.deepEqual((await store.listSigningKeys(NOW + 10 * DAY)).map((k) => k.kid), ['es-2'], 'an active key never expires');
      });
    });

    describe('consents', () => {
      it('adds scopes as a union and keeps the first grant time', async () => {
        await seedClientAndUser();
        assert.equal(await store.getConsent('u1', 'c1'), undefined);
        const first = await store.addConsentScopes('u1', 'c1', ['openid', 'contacts:read'], NOW);
        assert.deepEqual(first, { userId: 'u1', clientId: 'c1', scopes: ['contacts:read', 'openid'], grantedAt: NOW, updatedAt: NOW });
        const second = await store.addConsentScopes('u1', 'c1', ['contacts:write', 'openid'], NOW + 60);
        assert.deepEqual(second, { userId: 'u1', clientId: 'c1', scopes: ['contacts:read', 'contacts:write', 'openid'], grantedAt: NOW, updatedAt: NOW + 60 });
        assert.deepEqual(await store.getConsent('u1', 'c1'), second);
        assert.deepEqual(await store.listConsents('u1'), [second]);
      });

      it('loses no scope when many additions race on a new consent', async () => {
        await seedClientAndUser();
        await race(30, (i) => store.addConsentScopes('u1', 'c1', [`scope:${i}`], NOW + i));
        const consent = await store.getConsent('u1', 'c1');
        assert.ok(consent);
        assert.equal(consent.scopes.length, 30, `kept ${consent.scopes.length} of 30 scopes`);
        assert.deepEqual(consent.scopes, Array.from({ length: 30 }, (_, i) => `scope:${i}`).sort());
      });

      it('loses no scope when many additions race on an existing consent', async () => {
        await seedClientAndUser();
        await store.addConsentScopes('u1', 'c1', ['openid'], NOW);
        await race(30, (i) => store.addConsentScopes('u1', 'c1', [`scope:${i}`, 'openid'], NOW + 1));
        const consent = await store.getConsent('u1', 'c1');
        assert.ok(consent);
        assert.equal(consent.scopes.length, 31);
        assert.equal(consent.grantedAt, NOW);
      });

      it('deletes a consent', async () => {
        await seedClientAndUser();
        await store.createClient(clientRecord('c2'));
        await store.addConsentScopes('u1', 'c1', ['openid'], NOW);
        await store.addConsentScopes('u1', 'c2', ['openid'], NOW + 1);
        assert.equal(await store.deleteConsent('u1', 'c1'), true);
        assert.equal(await store.deleteConsent('u1', 'c1'), false);
        assert.deepEqual((await store.listConsents('u1')).map((c) => c.clientId), ['c2']);
      });
    });

    describe('sessions', () => {
      it('returns a session until it expires, and not after deletion', async () => {
        await seedClientAndUser();
        const session = sessionRecord('sess-hash', 'u1', NOW + 100);
        await store.createSession(session);
        assert.deepEqual(await store.getSession('sess-hash', NOW + 99), session);
        assert.equal(await store.getSession('sess-hash', NOW + 100), undefined, 'expired at expiresAt');
        assert.equal(await store.getSession('other', NOW), undefined);
        await store.deleteSession('sess-hash');
        assert.equal(await store.getSession('sess-hash', NOW), undefined);
        await store.deleteSession('sess-hash');
      });
    });

    describe('interactions', () => {
      it('returns a pending interaction until it expires', async () => {
        await seedClientAndUser();
        const pending = interactionRecord('i1', 'c1');
        const signedIn = interactionRecord('i2', 'c1', { userId: 'u1', authTime: NOW - 3 });
        await store.createInteraction(pending);
        await store.createInteraction(signedIn);
        assert.deepEqual(await store.getInteraction('i1', NOW + 599), pending);
        assert.deepEqual(await store.getInteraction('i2', NOW), signedIn);
        assert.equal(await store.getInteraction('i1', NOW + 600), undefined, 'expired at expiresAt');
        assert.equal(await store.getInteraction('nope', NOW), undefined);
      });

      it('consumes an interaction exactly once, and never an expired one', async () => {
        await seedClientAndUser();
        await store.createInteraction(interactionRecord('i1', 'c1'));
        await store.createInteraction(interactionRecord('i-old', 'c1', { expiresAt: NOW + 10 }));
        assert.deepEqual(await store.consumeInteraction('i1', NOW), interactionRecord('i1', 'c1'));
        assert.equal(await store.consumeInteraction('i1', NOW), undefined);
        assert.equal(await store.getInteraction('i1', NOW), undefined);
        assert.equal(await store.consumeInteraction('i-old', NOW + 10), undefined);
      });

      it('gives exactly one of 50 concurrent submissions the interaction', async () => {
        await seedClientAndUser();
        await store.createInteraction(interactionRecord('i-race', 'c1'));
        const results = await race(50, () => store.consumeInteraction('i-race', NOW + 1));
        assert.equal(results.filter((r) => r !== undefined).length, 1);
      });
    });

    describe('authorization codes', () => {
      const redeem = (codeHash: string, grantId: string, now: number, clientId = 'c1') =>
        store.consumeCode(codeHash, now, grantRecord(grantId, clientId, 'u1', { createdAt: now, lastUsedAt: now }), refreshRecord(`rt-${grantId}`, grantId, { createdAt: now }));

      it('redeems a code once, storing its grant and first refresh token with it; then reports reuse naming that grant', async () => {
        await seedClientAndUser();
        const code = codeRecord('code-1', 'c1', 'u1');
        await store.createCode(code);
        assert.deepEqual(await store.getCode('code-1'), code);
        assert.deepEqual(await redeem('code-1', 'g1', NOW + 3), { status: 'ok' });
        assert.deepEqual(await store.getCode('code-1'), { ...code, consumedAt: NOW + 3, grantId: 'g1' });
        assert.equal((await store.getGrant('g1'))?.clientId, 'c1');
        assert.equal((await store.getRefreshToken('rt-g1'))?.grantId, 'g1');

        assert.deepEqual(await redeem('code-1', 'g1-again', NOW + 4), { status: 'reused', grantId: 'g1' });
        assert.equal(await store.getGrant('g1-again'), undefined, 'a reused code writes nothing');
        assert.equal((await store.getCode('code-1'))?.consumedAt, NOW + 3, 'the first consumption time is kept');
        assert.equal(await store.getCode('never-issued'), undefined);
        assert.deepEqual(await redeem('never-issued', 'g2', NOW), { status: 'not_found' });
      });

      it('writes nothing for an expired code, or for a code of another client', async () => {
        await seedClientAndUser();
        await store.createClient(clientRecord('c2'));
        await store.createCode(codeRecord('code-old', 'c1', 'u1', { expiresAt: NOW + 60 }));
        assert.deepEqual(await redeem('code-old', 'g-old', NOW + 60), { status: 'expired' });
        assert.deepEqual(await redeem('code-old', 'g-thief', NOW, 'c2'), { status: 'not_found' });
        assert.equal((await store.getCode('code-old'))?.consumedAt, null, 'neither consumed the code');
        assert.equal(await countRows(store, 'grants'), 0);
        assert.equal(await countRows(store, 'refresh_tokens'), 0);
      });

      it('is all or nothing: a grant that cannot be stored leaves the code unconsumed', async () => {
        await seedClientAndUser();
        await store.createCode(codeRecord('code-1', 'c1', 'u1'));
        await store.createGrant(grantRecord('g-taken', 'c1', 'u1'), refreshRecord('rt-taken', 'g-taken'));
        await assert.rejects(redeem('code-1', 'g-taken', NOW + 1));
        assert.deepEqual(await store.getCode('code-1'), codeRecord('code-1', 'c1', 'u1'), 'the code is still unused');
        assert.deepEqual(await redeem('code-1', 'g1', NOW + 2), { status: 'ok' });
      });

      it('gives exactly one of 50 concurrent redemptions the code, and stores exactly one grant', async () => {
        await seedClientAndUser();
        await store.createCode(codeRecord('code-race', 'c1', 'u1'));
        const results = await race(50, (i) => redeem('code-race', `g-${i}`, NOW + 1));
        const winners = results.flatMap((r, i) => (r.status === 'ok' ? [i] : []));
        assert.equal(winners.length, 1);
        for (const r of results) if (r.status !== 'ok') assert.deepEqual(r, { status: 'reused', grantId: `g-${winners[0]}` });
        assert.equal(await countRows(store, 'grants'), 1);
        await assertStoreInvariants(store.db, { now: NOW + 1, grantsFromCodes: true });
      });
    });

    describe('grants and refresh tokens', () => {
      it('creates a grant with its first refresh token and finds both', async () => {
        await seedClientAndUser();
        const grant = grantRecord('g1', 'c1', 'u1');
        await store.createGrant(grant, refreshRecord('rt-1', 'g1'));
        assert.deepEqual(await store.getGrant('g1'), grant);
        assert.deepEqual(await store.getRefreshToken('rt-1'), { ...refreshRecord('rt-1', 'g1'), grant });
        assert.equal(await store.getRefreshToken('rt-unknown'), undefined);
        assert.equal(await store.getGrant('g-unknown'), undefined);
        await store.createGrant(grantRecord('g2', 'c1', 'u1'), null);
        assert.equal((await store.getGrant('g2'))?.id, 'g2');
      });

      it('rotates a refresh token once: the successor works, the predecessor is marked rotated', async () => {
        await seedClientAndUser();
        await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-1', 'g1'));
        const rotated = await store.rotateRefreshToken('rt-1', refreshRecord('rt-2', 'g1', { createdAt: NOW + 10, expiresAt: NOW + 10 + 14 * DAY }), NOW + 10);
        assert.equal(rotated.status, 'ok');
        assert.equal(rotated.status === 'ok' && rotated.grant.id, 'g1');
        assert.equal(rotated.status === 'ok' && rotated.grant.lastUsedAt, NOW + 10);
        assert.equal((await store.getGrant('g1'))?.lastUsedAt, NOW + 10);
        assert.equal((await store.getRefreshToken('rt-1'))?.rotatedAt, NOW + 10);
        assert.equal((await store.getRefreshToken('rt-2'))?.rotatedAt, null);
        const next = await store.rotateRefreshToken('rt-2', refreshRecord('rt-3', 'g1'), NOW + 20);
        assert.equal(next.status, 'ok');
      });

      it('replaying a rotated token reports reuse and revokes the whole family', async () => {
        await seedClientAndUser();
        await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-1', 'g1'));
        assert.equal((await store.rotateRefreshToken('rt-1', refreshRecord('rt-2', 'g1'), NOW + 10)).status, 'ok');
        assert.equal((await store.rotateRefreshToken('rt-2', refreshRecord('rt-3', 'g1'), NOW + 20)).status, 'ok');

        // The attacker replays the first token.
        assert.deepEqual(await store.rotateRefreshToken('rt-1', refreshRecord('rt-evil', 'g1'), NOW + 30), { status: 'reused', grantId: 'g1' });
        assert.equal((await store.getGrant('g1'))?.revokedAt, NOW + 30);
        assert.equal(await store.getRefreshToken('rt-evil'), undefined, 'no successor for a replayed token');
        // The legitimate client's newest token is dead too.
        const newest = await store.rotateRefreshToken('rt-3', refreshRecord('rt-4', 'g1'), NOW + 40);
        assert.notEqual(newest.status, 'ok');
        const found = await store.getRefreshToken('rt-3');
        assert.ok(found === undefined || found.grant.revokedAt !== null, 'the newest token no longer leads to a live grant');
        assert.deepEqual(await store.listActiveGrants('u1', NOW + 40), []);
      });

      it('gives exactly one of 50 concurrent rotations of one token a successor (no retry window)', async () => {
        await seedClientAndUser();
        await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
        const results = await race(50, (i) => store.rotateRefreshToken('rt-0', refreshRecord(`rt-next-${i}`, 'g1'), NOW + 1));
        const winners = results.flatMap((r, i) => (r.status === 'ok' ? [i] : []));
        assert.equal(winners.length, 1, `${winners.length} rotations succeeded`);
        assert.deepEqual(new Set(results.filter((r) => r.status !== 'ok').map((r) => r.status)), new Set(['reused']));
        for (let i = 0; i < 50; i++) {
          if (i !== winners[0]) assert.equal(await store.getRefreshToken(`rt-next-${i}`), undefined, `loser ${i} got no successor`);
        }
        // Concurrent presentation of one token is reuse (RFC 9700 §4.14.2): the family is revoked.
        assert.notEqual((await store.getGrant('g1'))?.revokedAt, null);
        await assertStoreInvariants(store.db, { now: NOW + 1 });
      });

      it('a retry within the window while the successor is unused: a new successor replaces it, the family keeps one live token', async () => {
        await seedClientAndUser();
        await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
        const first = await store.rotateRefreshToken('rt-0', refreshRecord('rt-1', 'g1'), NOW + 10, 30);
        assert.equal(first.status === 'ok' && first.retried, false);
        // The answer carrying rt-1 was lost; the client presents rt-0 again.
        const retry = await store.rotateRefreshToken('rt-0', refreshRecord('rt-2', 'g1'), NOW + 20, 30);
        assert.equal(retry.status, 'ok');
        assert.equal(retry.status === 'ok' && retry.retried, true);
        assert.equal((await store.getRefreshToken('rt-1'))?.rotatedAt, NOW + 20, 'the unused successor is superseded');
        assert.equal((await store.getRefreshToken('rt-2'))?.rotatedAt, null);
        await assertStoreInvariants(store.db, { now: NOW + 20 });
        // The superseded successor is never a retry: presenting it is reuse, and the family dies.
        assert.deepEqual(await store.rotateRefreshToken('rt-1', refreshRecord('rt-x', 'g1'), NOW + 21, 30), { status: 'reused', grantId: 'g1' });
        assert.notEqual((await store.getGrant('g1'))?.revokedAt, null);
        await assertStoreInvariants(store.db, { now: NOW + 21 });
      });

      it('no retry once the successor was used, after the window, or with the window off: reuse', async () => {
        await seedClientAndUser();
        for (const [grant, setup] of [
          ['g-used', async () => {
            assert.equal((await store.rotateRefreshToken('rt-g-used-1', refreshRecord('rt-g-used-2', 'g-used'), NOW + 2, 30)).status, 'ok');
          }],
          ['g-late', async () => {}],
        ] as const) {
          await store.createGrant(grantRecord(grant, 'c1', 'u1'), refreshRecord(`rt-${grant}-0`, grant));
          assert.equal((await store.rotateRefreshToken(`rt-${grant}-0`, refreshRecord(`rt-${grant}-1`, grant), NOW + 1, 30)).status, 'ok');
          await setup();
          const late = grant === 'g-late' ? NOW + 31 : NOW + 3;
          assert.deepEqual(await store.rotateRefreshToken(`rt-${grant}-0`, refreshRecord(`rt-${grant}-x`, grant), late, 30), { status: 'reused', grantId: grant });
          assert.notEqual((await store.getGrant(grant))?.revokedAt, null);
        }
        await store.createGrant(grantRecord('g-off', 'c1', 'u1'), refreshRecord('rt-off-0', 'g-off'));
        assert.equal((await store.rotateRefreshToken('rt-off-0', refreshRecord('rt-off-1', 'g-off'), NOW + 1)).status, 'ok');
        assert.deepEqual(await store.rotateRefreshToken('rt-off-0', refreshRecord('rt-off-x', 'g-off'), NOW + 2), { status: 'reused', grantId: 'g-off' });
        await assertStoreInvariants(store.db, { now: NOW + 40 });
      });

      it('50 concurrent presentations of one token within the retry window leave exactly one live token', async () => {
        await seedClientAndUser();
        await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
        const results = await race(50, (i) => store.rotateRefreshToken('rt-0', refreshRecord(`rt-next-${i}`, 'g1'), NOW + 1, 30));
        assert.ok(results.every((r) => r.status === 'ok'), 'each is the first rotation or a retry of it');
        assert.equal(results.filter((r) => r.status === 'ok' && !r.retried).length, 1);
        assert.equal((await store.getGrant('g1'))?.revokedAt, null);
        await assertStoreInvariants(store.db, { now: NOW + 1 });
      });

      it('rotation racing revocation: never a deadlock, never a live token in a revoked grant', async () => {
        await seedClientAndUser();
        for (let round = 0; round < 10; round++) {
          const g = `g-${round}`;
          await store.createGrant(grantRecord(g, 'c1', 'u1'), refreshRecord(`rt-${g}-0`, g));
          const [rotated] = await Promise.all([
            store.rotateRefreshToken(`rt-${g}-0`, refreshRecord(`rt-${g}-1`, g), NOW + 1, 30),
            store.revokeGrant(g, NOW + 1),
          ]);
          assert.ok(['ok', 'not_found', 'expired'].includes(rotated.status), rotated.status);
          assert.notEqual((await store.getGrant(g))?.revokedAt, null);
        }
        await assertStoreInvariants(store.db, { now: NOW + 1 });
      });

      it('refuses an idle-expired token and a token of an expired or revoked grant', async () => {
        await seedClientAndUser();
        await store.createGrant(grantRecord('g-idle', 'c1', 'u1'), refreshRecord('rt-idle', 'g-idle', { expiresAt: NOW + 100 }));
        assert.deepEqual(await store.rotateRefreshToken('rt-idle', refreshRecord('rt-x', 'g-idle'), NOW + 100), { status: 'expired' });

        await store.createGrant(grantRecord('g-old', 'c1', 'u1', { expiresAt: NOW + 50 }), refreshRecord('rt-old', 'g-old'));
        assert.deepEqual(await store.rotateRefreshToken('rt-old', refreshRecord('rt-y', 'g-old'), NOW + 50), { status: 'expired' });
        assert.equal(await store.getRefreshToken('rt-y'), undefined);
        assert.equal((await store.getRefreshToken('rt-old'))?.rotatedAt, null, 'a refused rotation writes nothing');
        assert.equal((await store.getRefreshToken('rt-idle'))?.rotatedAt, null);

        await store.createGrant(grantRecord('g-rev', 'c1', 'u1'), refreshRecord('rt-rev', 'g-rev'));
        assert.equal(await store.revokeGrant('g-rev', NOW + 1), true);
        assert.equal(await store.revokeGrant('g-rev', NOW + 2), false, 'revoking twice changes nothing');
        assert.equal((await store.getGrant('g-rev'))?.revokedAt, NOW + 1);
        const afterRevoke = await store.rotateRefreshToken('rt-rev', refreshRecord('rt-z', 'g-rev'), NOW + 3);
        assert.ok(afterRevoke.status === 'not_found' || afterRevoke.status === 'expired', `got ${afterRevoke.status}`);
        assert.equal(await store.getRefreshToken('rt-z'), undefined);
        assert.deepEqual(await store.rotateRefreshToken('rt-never', refreshRecord('rt-w', 'g-rev'), NOW), { status: 'not_found' });
      });

      it('revokes every live grant of one user for one client, and lists only live grants', async () => {
        await seedClientAndUser();
        await store.createClient(clientRecord('c2'));
        await store.createUser(userRecord('u2'));
        await store.createGrant(grantRecord('g1', 'c1', 'u1', { createdAt: NOW }), refreshRecord('rt-1', 'g1'));
        await store.createGrant(grantRecord('g2', 'c1', 'u1', { createdAt: NOW + 1 }), refreshRecord('rt-2', 'g2'));
        await store.createGrant(grantRecord('g3', 'c2', 'u1', { createdAt: NOW + 2 }), refreshRecord('rt-3', 'g3'));
        await store.createGrant(grantRecord('g4', 'c1', 'u2', { createdAt: NOW + 3 }), refreshRecord('rt-4', 'g4'));
        await store.createGrant(grantRecord('g5', 'c2', 'u1', { createdAt: NOW + 4, expiresAt: NOW + 10 }), null);
        assert.deepEqual((await store.listActiveGrants('u1', NOW + 5)).map((g) => g.id), ['g1', 'g2', 'g3', 'g5']);
        assert.deepEqual((await store.listActiveGrants('u1', NOW + 10)).map((g) => g.id), ['g1', 'g2', 'g3']);

        assert.equal(await store.revokeGrantsFor('u1', 'c1', NOW + 20), 2);
        assert.equal(await store.revokeGrantsFor('u1', 'c1', NOW + 21), 0);
        assert.deepEqual((await store.listActiveGrants('u1', NOW + 20)).map((g) => g.id), ['g3']);
        assert.deepEqual((await store.listActiveGrants('u2', NOW + 20)).map((g) => g.id), ['g4']);
        assert.notEqual((await store.rotateRefreshToken('rt-1', refreshRecord('rt-1b', 'g1'), NOW + 22)).status, 'ok');
        assert.equal((await store.rotateRefreshToken('rt-3', refreshRecord('rt-3b', 'g3'), NOW + 22)).status, 'ok');
      });
    });

    describe('revoked access tokens', () => {
      it('remembers a revoked token id; revoking twice is harmless', async () => {
        assert.equal(await store.isAccessTokenRevoked('jti-1'), false);
        await store.revokeAccessToken('jti-1', NOW + 900);
        await store.revokeAccessToken('jti-1', NOW + 900);
        assert.equal(await store.isAccessTokenRevoked('jti-1'), true);
        assert.equal(await store.isAccessTokenRevoked('jti-2'), false);
      });
    });

    describe('login throttling', () => {
      it('counts failures inside the window and starts over after it', async () => {
        assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW, 300), { count: 1, resetAt: NOW + 300 });
        assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW + 10, 300), { count: 2, resetAt: NOW + 300 });
        assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW + 299, 300), { count: 3, resetAt: NOW + 300 }, 'the window is fixed');
        assert.deepEqual(await store.getFailureCount('alice|10.0.0.1', NOW + 299, 300), { count: 3, resetAt: NOW + 300 });
        assert.equal((await store.getFailureCount('bob|10.0.0.1', NOW, 300)).count, 0);
        assert.equal((await store.getFailureCount('alice|10.0.0.1', NOW + 300, 300)).count, 0, 'the window has passed');
        assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW + 300, 300), { count: 1, resetAt: NOW + 600 }, 'a new window starts at 1');
        assert.equal((await store.getFailureCount('alice|10.0.0.1', NOW + 301, 300)).count, 1);
        await store.deleteFailures('alice|10.0.0.1');
        assert.equal((await store.getFailureCount('alice|10.0.0.1', NOW + 301, 300)).count, 0);
      });

      it('counts every one of many concurrent failures', async () => {
        const counts = (await race(40, () => store.recordFailure('key', NOW, 300))).map((c) => c.count);
        assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
        assert.equal((await store.getFailureCount('key', NOW, 300)).count, 40);
      });
    });

    describe('audit events', () => {
      it('appends events with their detail', async () => {
        await store.recordAuditEvent({ type: 'client.created', clientId: 'c1', detail: { name: 'Importer' } }, NOW);
        await store.recordAuditEvent({ type: 'login.failed' }, NOW + 1);
        const rows = await store.db.selectFrom('audit_events').selectAll().orderBy('at').execute();
        assert.deepEqual(rows.map((r) => ({ at: Number(r.at), type: r.type, client_id: r.client_id, user_id: r.user_id, detail: r.detail })), [
          { at: NOW, type: 'client.created', client_id: 'c1', user_id: null, detail: '{"name":"Importer"}' },
          { at: NOW + 1, type: 'login.failed', client_id: null, user_id: null, detail: null },
        ]);
      });
    });

    describe('cache versions', () => {
      it('starts at zero and counts every bump, also concurrent ones', async () => {
        assert.deepEqual(await store.listCacheVersions(), { clients: 0, apis: 0, keys: 0 });
        await store.bumpCacheVersion('keys');
        assert.deepEqual(await store.listCacheVersions(), { clients: 0, apis: 0, keys: 1 });
        await race(25, () => store.bumpCacheVersion('clients'));
        assert.deepEqual(await store.listCacheVersions(), { clients: 25, apis: 0, keys: 1 });
      });
    });

    describe('cascading deletes', () => {
      async function seedFamily(clientId: string, userId: string): Promise<void> {
        await store.addConsentScopes(userId, clientId, ['openid'], NOW);
        await store.createCode(codeRecord(`code-${clientId}-${userId}`, clientId, userId));
        await store.createGrant(grantRecord(`g-${clientId}-${userId}`, clientId, userId), refreshRecord(`rt-${clientId}-${userId}`, `g-${clientId}-${userId}`));
        await store.createInteraction(interactionRecord(`i-${clientId}-${userId}`, clientId, { userId, authTime: NOW }));
      }

      async function assertFamilyGone(clientId: string, userId: string): Promise<void> {
        assert.equal(await store.getConsent(userId, clientId), undefined);
        assert.equal(await store.getCode(`code-${clientId}-${userId}`), undefined);
        assert.equal(await store.getGrant(`g-${clientId}-${userId}`), undefined);
        assert.equal(await store.getRefreshToken(`rt-${clientId}-${userId}`), undefined);
        assert.equal(await store.getInteraction(`i-${clientId}-${userId}`, NOW), undefined);
      }

      it('deleting a client removes its consents, codes, grants, refresh tokens and interactions only', async () => {
        await seedClientAndUser('c1', 'u1');
        await store.createClient(clientRecord('c2'));
        await seedFamily('c1', 'u1');
        await seedFamily('c2', 'u1');
        assert.equal(await store.deleteClient('c1'), true);
        await assertFamilyGone('c1', 'u1');
        assert.ok(await store.getConsent('u1', 'c2'));
        assert.ok(await store.getRefreshToken('rt-c2-u1'));
        assert.ok(await store.getCode('code-c2-u1'));
        assert.equal(await countRows(store, 'refresh_tokens'), 1);
      });

      it('deleting a user removes their sessions, consents, codes, grants, refresh tokens and interactions only', async () => {
        await seedClientAndUser('c1', 'u1');
        await store.createUser(userRecord('u2'));
        await seedFamily('c1', 'u1');
        await seedFamily('c1', 'u2');
        await store.createSession(sessionRecord('sess-u1', 'u1', NOW + 100));
        await store.createSession(sessionRecord('sess-u2', 'u2', NOW + 100));
        assert.equal(await store.deleteUser('u1'), true);
        await assertFamilyGone('c1', 'u1');
        assert.equal(await store.getSession('sess-u1', NOW), undefined);
        assert.ok(await store.getSession('sess-u2', NOW));
        assert.ok(await store.getRefreshToken('rt-c1-u2'));
        assert.deepEqual((await store.listConsents('u2')).map((c) => c.clientId), ['c1']);
      });
    });

    describe('deleteExpired', () => {
      it('removes only expired rows, at most one batch of each kind per call', async () => {
        const EXPIRED = 1200;
        const LIVE = 7;
        const BATCH = 500;
        await seedClientAndUser();
        // Expired rows of every kind.
        await inChunks(EXPIRED, (i) => store.createSession(sessionRecord(`sess-old-${i}`, 'u1', NOW - 1)));
        await inChunks(EXPIRED, (i) => store.createCode(codeRecord(`code-old-${i}`, 'c1', 'u1', { expiresAt: NOW - 2 * HOUR })));
        await inChunks(EXPIRED, (i) => store.createGrant(grantRecord(`g-old-${i}`, 'c1', 'u1', { expiresAt: NOW - 2 * DAY }), null));
        await inChunks(EXPIRED, (i) => store.createGrant(grantRecord(`g-idle-${i}`, 'c1', 'u1'), refreshRecord(`rt-old-${i}`, `g-idle-${i}`, { expiresAt: NOW - 1 })));
        await inChunks(EXPIRED, (i) => store.revokeAccessToken(`jti-old-${i}`, NOW - 1));
        await inChunks(EXPIRED, (i) => store.createInteraction(interactionRecord(`i-old-${i}`, 'c1', { expiresAt: NOW - 1 })));
        await store.recordFailure('old-key', NOW - 2 * DAY, 300);
        await store.recordAuditEvent({ type: 'ancient' }, NOW - 91 * DAY);
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW - 3 * DAY), NOW);
        await store.createSigningKey(keyRecord('es-2', 'ES256', NOW - 2 * DAY), NOW - 1); // es-1 left the JWKS a second ago
        // Live rows (some expired only recently enough that they must stay).
        await inChunks(LIVE, (i) => store.createSession(sessionRecord(`sess-live-${i}`, 'u1', NOW + 100)));
        await inChunks(LIVE, (i) => store.createCode(codeRecord(`code-live-${i}`, 'c1', 'u1', { expiresAt: i === 0 ? NOW - 60 : NOW + 60 })));
        await inChunks(LIVE, (i) => store.createGrant(grantRecord(`g-live-${i}`, 'c1', 'u1', { revokedAt: i === 0 ? NOW - HOUR : null }), refreshRecord(`rt-live-${i}`, `g-live-${i}`)));
        await inChunks(LIVE, (i) => store.revokeAccessToken(`jti-live-${i}`, NOW + 900));
        await inChunks(LIVE, (i) => store.createInteraction(interactionRecord(`i-live-${i}`, 'c1')));
        await store.recordFailure('recent-key', NOW - 10, 300);
        await store.recordAuditEvent({ type: 'recent' }, NOW - DAY);
        await store.createSigningKey(keyRecord('es-3', 'ES256', NOW - 10), NOW + 1000); // es-2 stays published

        const tables = ['sessions', 'interactions', 'auth_codes', 'grants', 'refresh_tokens', 'revoked_tokens', 'login_failures', 'audit_events', 'signing_keys'] as const;
        const counts = async () => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await countRows(store, t)] as const))) as Record<typeof tables[number], number>;
        const live = { sessions: LIVE, interactions: LIVE, auth_codes: LIVE, grants: EXPIRED + LIVE, refresh_tokens: LIVE, revoked_tokens: LIVE, login_failures: 1, audit_events: 1, signing_keys: 2 };

        let before = await counts();
        let calls = 0;
        for (;;) {
          const removed = await store.deleteExpired(NOW, BATCH);
          calls++;
          const after = await counts();
          let sum = 0;
          for (const t of tables) {
            const gone = before[t] - after[t];
            assert.ok(gone >= 0 && gone <= BATCH, `${t}: ${gone} rows removed in one call (batch ${BATCH})`);
            sum += gone;
          }
          assert.equal(removed, sum, 'deleteExpired reports what it removed');
          if (calls === 1) assert.equal(before.sessions - after.sessions, BATCH, 'a full batch goes when there is a backlog');
          before = after;
          if (removed === 0) break;
          assert.ok(calls < 10, 'the backlog drains in a few calls');
        }
        assert.equal(calls, Math.ceil(EXPIRED / BATCH) + 1);
        assert.deepEqual(before, live);
        assert.ok(await store.getSession('sess-live-0', NOW));
        assert.ok(await store.getRefreshToken('rt-live-1'));
        assert.ok(await store.getGrant('g-live-0'), 'a grant revoked an hour ago is kept for reuse detection');
        assert.deepEqual((await store.listSigningKeys(NOW)).map((k) => k.kid).sort(), ['es-2', 'es-3']);
        assert.ok(await store.getCode('code-live-0'), 'a code expired a minute ago is still recognised');
      });
    });
  });
}
