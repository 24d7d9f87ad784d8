// Issue 15: the refresh grace window holds exactly-once across instances. Two real `latchkey start` processes share one
// database (a SQLite file, and a PostgreSQL schema when LATCHKEY_TEST_POSTGRES_URL is set); 100 presentations of one
// refresh token race over both. Afterwards the test counts the family's live tokens in the database: one rotation,
// MAX_ANSWERS_PER_REFRESH_TOKEN - 1 grace answers, every other presentation refused, the family alive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addUser } from '../../src/accounts/user-accounts.ts';
import { registerApi } from '../../src/apis/register-api.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { hashSecret, randomSecret } from '../../src/crypto/random.ts';
import { MAX_ANSWERS_PER_REFRESH_TOKEN } from '../../src/store/grant-store.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';
import { freePort, startLatchkey, type RunningServer } from '../helpers/latchkey-process.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL, type TestSchema } from '../store/postgres-test-schema.ts';
import { API, basic, InstancePair } from './instance-pair.ts';

const PRESENTATIONS = 100;

interface Setup {
  url: string;
  store: SqlStore;
  instances: { name: string; base: string; server: RunningServer }[];
  client: { id: string; secret: string };
  grantId: string;
  refreshToken: string;
  cleanup: () => Promise<void>;
}

async function setUp(url: string, cwd: string, cleanup: () => Promise<void>): Promise<Setup> {
  const now = Math.floor(Date.now() / 1000);
  const store = openStore(url);
  await store.migrate();
  await registerApi(store, { identifier: API, scopes: ['contacts:read=Read your contacts'] }, now);
  const { client, clientSecret } = await registerClient(store, { name: 'racer', redirectUris: ['https://app.example/cb'], scope: 'contacts:read' }, now);
  const user = await addUser(store, { username: 'grace', password: 'correct horse battery staple' }, now);
  // The grant a sign-in would have produced, with a refresh token whose raw value the test holds.
  const refreshToken = randomSecret();
  const grantId = `grace-${now}`;
  await store.createGrant({
    id: grantId, clientId: client.id, userId: user.id, scopes: ['contacts:read'], audience: API, authTime: now, createdAt: now, lastUsedAt: now,
    expiresAt: now + 86400, revokedAt: null, sid: null, claims: null, dpopJkt: null, amr: ['pwd'],
  }, { tokenHash: hashSecret(refreshToken), grantId, createdAt: now, expiresAt: now + 3600, rotatedAt: null });

  const [portA, portB] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${portA}`;
  const env = { ...InstancePair.env(), LATCHKEY_LOG_LEVEL: 'info', LATCHKEY_REFRESH_RETRY_WINDOW: '30' };
  const start = (port: number) => startLatchkey(['--database', url, '--port', String(port), '--issuer', issuer], { cwd, env });
  const a = await start(portA); // A first: it creates the signing keys; B loads them
  const b = await start(portB).catch((error: unknown) => {
    a.child.kill('SIGKILL');
    throw error;
  });
  return {
    url, store, client: { id: client.id, secret: clientSecret! }, grantId, refreshToken,
    instances: [{ name: 'A', base: issuer, server: a }, { name: 'B', base: `http://127.0.0.1:${portB}`, server: b }],
    cleanup: async () => {
      for (const { server } of [{ server: a }, { server: b }]) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      await store.close();
      await cleanup();
    },
  };
}

async function refresh(base: string, client: { id: string; secret: string }, refreshToken: string): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${base}/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: response.status, body: await response.json() as Record<string, string> };
}

const liveTokens = async (s: Setup): Promise<string[]> => (await s.store.db.selectFrom('refresh_tokens').select('token_hash')
  .where('grant_id', '=', s.grantId).where('rotated_at', 'is', null).execute()).map((r) => r.token_hash);

function raceSuite(kind: string, skip: string | undefined, make: () => Promise<Setup>): void {
  describe(`refresh grace across two instances on ${kind}`, { skip }, () => {
    let s: Setup;
    before(async () => { s = await make(); });
    after(async () => { await s?.cleanup(); });

    it(`${PRESENTATIONS} concurrent presentations of one token: one rotation, ${MAX_ANSWERS_PER_REFRESH_TOKEN - 1} grace answers, the rest refused; exactly ${MAX_ANSWERS_PER_REFRESH_TOKEN} live tokens`, async () => {
      const results = await Promise.all(Array.from({ length: PRESENTATIONS }, (_, i) => refresh(s.instances[i % 2]!.base, s.client, s.refreshToken)));
      const answered = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant');
      assert.equal(answered.length, MAX_ANSWERS_PER_REFRESH_TOKEN, `answers: ${JSON.stringify(results.filter((r) => r.status !== 200 && r.status !== 400).map((r) => r.body))}`);
      assert.equal(refused.length, PRESENTATIONS - MAX_ANSWERS_PER_REFRESH_TOKEN, 'every other presentation is invalid_grant');
      for (const r of refused) assert.equal(r.body.error_description, 'the refresh token was already used; its grace window allows no more answers');

      const issued = answered.map((r) => r.body.refresh_token!);
      assert.deepEqual((await liveTokens(s)).sort(), issued.map(hashSecret).sort(), 'the live tokens are exactly the answers handed out');
      const rotations = await s.store.db.selectFrom('refresh_tokens').select('successor_hash').where('token_hash', '=', hashSecret(s.refreshToken)).executeTakeFirstOrThrow();
      assert.ok(issued.map(hashSecret).includes(rotations.successor_hash!), 'one rotation, recorded once');
      assert.equal((await s.store.getGrant(s.grantId))?.revokedAt, null, 'the family is alive');
      await assertStoreInvariants(s.store.db, { now: Math.floor(Date.now() / 1000) });

      // Whichever answer the client kept goes on refreshing, at either instance; the other answers retire.
      const next = await refresh(s.instances[1]!.base, s.client, issued[2]!);
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.deepEqual(await liveTokens(s), [hashSecret(next.body.refresh_token!)]);
      // A retired answer presented later is reuse: the family is revoked, no live token is left.
      const reuse = await refresh(s.instances[0]!.base, s.client, issued[0]!);
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body.error_description, 'the refresh token was already used; every token of this grant has been revoked');
      assert.deepEqual(await liveTokens(s), []);
      assert.notEqual((await s.store.getGrant(s.grantId))?.revokedAt, null);
      await assertStoreInvariants(s.store.db, { now: Math.floor(Date.now() / 1000) });
    });
  });
}

raceSuite('one SQLite file', undefined, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'latchkey-grace-'));
  return setUp(`sqlite:${join(cwd, 'latchkey.db')}`, cwd, async () => rmSync(cwd, { recursive: true, force: true }));
});

raceSuite('one PostgreSQL schema', POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'latchkey-grace-'));
  const schema: TestSchema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'grace');
  return setUp(schema.url, cwd, async () => {
    rmSync(cwd, { recursive: true, force: true });
    await schema.drop();
  });
});
