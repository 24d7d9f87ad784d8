// `node --conditions=latchkey-source bench/sqlite-checkpoints-ab.ts`: the store's part of a refresh rotation (the token
// read with its grant and user, then the rotation) on two SQLite stores, one with @latchkey/sqlite's background
// checkpoints and one with SQLite's automatic checkpoints only, alternating, ten chains each; the event loop turns
// between batches as a server's does (the checkpoint worker's messages need it). Prints µs per rotation.
// docs/decisions.md 2026-11-30 "SQLite checkpoints on a worker thread".
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { NodeSqliteDialect } from '@latchkey/sqlite';
import { hashSecret, randomSecret } from '../packages/server/src/crypto/random.ts';
import type { Database } from '../packages/server/src/store/schema.ts';
import { createSqlStore } from '../packages/server/src/store/sql/sql-store.ts';

const NOW = Math.floor(Date.now() / 1000);
const CHAINS = 10;
const LIFETIME = 10 * 365 * 86400;

async function rotationLoop(name: string, background: boolean): Promise<(rotations: number) => Promise<number>> {
  const path = join(tmpdir(), `latchkey-checkpoints-ab-${name}-${process.pid}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const store = createSqlStore(new Kysely<Database>({ dialect: new NodeSqliteDialect({ path, backgroundCheckpoints: background ? {} : false }) }), 'sqlite');
  await store.migrate();
  await store.createClient({
    id: 'c1', name: 'bench', secretHash: hashSecret('secret'), isPublic: false, redirectUris: ['https://app.example/cb'],
    grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid'], requirePkce: true, idTokenAlg: 'RS256', registration: 'operator',
    idTokenClaims: true, requireMfa: false,
    lifetimes: { accessTokenTtl: null, idTokenTtl: null, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: null },
    createdAt: NOW, updatedAt: NOW, postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false,
    requirePar: false, requireDpop: false, jwks: null, jwksUri: null, profile: null, clientUri: null, logoUri: null, applicationType: null,
    registrationTokenHash: null, firstUsedAt: null, blockedAt: null,
  });
  await store.createUser({
    id: 'u1', username: 'bench', email: null, emailVerified: false, name: null, phoneNumber: null, phoneNumberVerified: false, address: null,
    passwordHash: null, createdAt: NOW, updatedAt: NOW,
  });
  const tokens: string[] = [];
  for (let i = 0; i < CHAINS; i++) {
    const token = randomSecret();
    await store.createGrant({
      id: `g${i}`, clientId: 'c1', userId: 'u1', scopes: ['openid'], audience: null, authTime: NOW, amr: ['pwd'], createdAt: NOW, lastUsedAt: NOW,
      expiresAt: NOW + LIFETIME, revokedAt: null, sid: null, claims: null, dpopJkt: null,
    }, { tokenHash: hashSecret(token), grantId: `g${i}`, createdAt: NOW, expiresAt: NOW + LIFETIME, rotatedAt: null });
    tokens.push(token);
  }
  const rotate = async (chain: number): Promise<void> => {
    const oldHash = hashSecret(tokens[chain]!);
    const found = await store.getRefreshTokenWithUser(oldHash);
    if (!found) throw new Error('a chain broke: token not found');
    const next = randomSecret();
    const result = await store.rotateRefreshToken(oldHash, { tokenHash: hashSecret(next), grantId: found.grant.id, createdAt: NOW, expiresAt: NOW + LIFETIME, rotatedAt: null }, NOW);
    if (result.status !== 'ok') throw new Error(`a chain broke: ${result.status}`);
    tokens[chain] = next;
  };
  return async (rotations) => {
    const start = performance.now();
    for (let batch = 0; batch < rotations / CHAINS; batch++) {
      await Promise.all(tokens.map((_, chain) => rotate(chain)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return ((performance.now() - start) * 1000) / rotations;
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const automatic = await rotationLoop('automatic', false);
const background = await rotationLoop('background', true);
await automatic(3000);
await background(3000);
const runs = { automatic: [] as number[], background: [] as number[] };
for (let round = 0; round < 6; round++) {
  runs.automatic.push(await automatic(5000));
  runs.background.push(await background(5000));
}
for (const [name, values] of Object.entries(runs)) {
  console.log(`${name.padEnd(10)} ${median(values).toFixed(0)} µs per rotation (median of ${values.length}; each: ${values.map((v) => v.toFixed(0)).join(' ')})`);
}
process.exit(0);
