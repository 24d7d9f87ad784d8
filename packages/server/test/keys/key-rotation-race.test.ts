// Two instances on one database racing to rotate (issue 18): the store's conditional update and the partial unique
// index (migration 0020) let exactly one of them stage a successor, by hand (`keys rotate`) or on the schedule; the
// other instance picks the new key up through the cache versions and switches to it at the same moment.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { resolveConfig } from '../../src/config/config.ts';
import { createServer } from '../../src/http/app.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL } from '../store/postgres-test-schema.ts';

async function pollUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 10_000) assert.fail(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * node:sqlite is synchronous: two SQLite connections in ONE process cannot interleave write transactions (the second
 * one's busy wait blocks the event loop the first needs to commit), so on SQLite the instances take turns; on
 * PostgreSQL they really run at once. Separate processes on one SQLite file are serialised by SQLite's own lock.
 */
async function race<T>(concurrent: boolean, calls: (() => Promise<T>)[]): Promise<T[]> {
  if (concurrent) return Promise.all(calls.map((call) => call()));
  const results: T[] = [];
  for (const call of calls) results.push(await call());
  return results;
}

function raceSuite(name: string, database: () => Promise<{ url: string; drop(): Promise<void> }>, concurrent: boolean, skip?: string): void {
  describe(`two instances racing to rotate: ${name}`, { skip, timeout: 60_000 }, () => {
    it('exactly one new key per algorithm, by hand and on the schedule, and both instances switch to it', async () => {
      const db = await database();
      const clock = { now: 1_900_000_000 };
      const config = resolveConfig({
        dev: true, secret: 'x'.repeat(40), databaseUrl: db.url, logLevel: 'silent', keyPublishLeadTime: 600, keyRotationInterval: 'ES256=86400,EdDSA=86400',
      });
      const apps: FastifyInstance[] = [];
      try {
        // Sequential start: the first start's keys exist before the second looks (first starts racing are the index's job too).
        for (let i = 0; i < 2; i++) {
          const app = await createServer(config, { now: () => clock.now, cacheSyncIntervalMs: 50, keyRotationCheckIntervalMs: 3_600_000 });
          await app.ready();
          apps.push(app);
        }
        const [a, b] = apps as [FastifyInstance, FastifyInstance];
        const store = a.latchkeyServer.store;
        const count = async (alg: string) => (await store.listSigningKeys(clock.now)).filter((k) => k.alg === alg).length;
        assert.equal(await count('ES256'), 1);

        // By hand: both instances stage a rotation of ES256 at the same moment, five times over.
        const results = await race(concurrent, [a, b, a, b, a].map((app) => () => app.latchkeyServer.keys.rotate('ES256', clock.now)));
        assert.equal(results.filter((r) => r.staged).length, 1, 'exactly one rotation staged');
        assert.equal(new Set(results.map((r) => r.key.kid)).size, 1, 'every caller is told about the same successor');
        assert.equal(await count('ES256'), 2);
        const successor = results[0]!.key;

        // Both pick it up (cache versions) and switch when it activates, not before.
        await pollUntil('both instances publish the successor', async () => {
          const kids = await Promise.all(apps.map(async (app) => ((await app.inject({ method: 'GET', url: '/jwks' })).json() as { keys: { kid: string }[] }).keys.map((k) => k.kid)));
          return kids.every((k) => k.includes(successor.kid));
        });
        for (const app of apps) assert.notEqual(app.latchkeyServer.keys.signer('ES256').kid, successor.kid);
        clock.now = successor.activatesAt;
        for (const app of apps) assert.equal(app.latchkeyServer.keys.signer('ES256').kid, successor.kid);

        // On the schedule: the successor is due after 86400 - 600 s; both instances check at once.
        clock.now = successor.activatesAt + 86400 - 600;
        const scheduled = await race(concurrent, [a, b].map((app) => () => app.latchkeyServer.keys.rotateDueKeys(clock.now)));
        const staged = scheduled.flat();
        assert.deepEqual(staged.map((k) => k.alg).sort(), ['ES256', 'EdDSA'], 'one new ES256 key and one EdDSA key, RS256 has no schedule');
        assert.equal(await count('RS256'), 1);
        assert.equal(await count('EdDSA'), 2);
        assert.equal(await count('ES256'), 2, 'the successor and its scheduled successor (the first key has left the JWKS)');
        const audit = await (a.latchkeyServer.store as SqlStore).db.selectFrom('audit_events').select('id').where('type', '=', 'key.staged').execute();
        assert.equal(audit.length, 3, 'one audit event per staged key');
      } finally {
        for (const app of apps) await app.close();
        await db.drop();
      }
    });
  });
}

raceSuite('one SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-rotation-'));
  return { url: `sqlite:${join(dir, 'latchkey.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}, false);

raceSuite('one PostgreSQL schema', async () => {
  const schema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'rotation');
  return { url: schema.url, drop: schema.drop };
}, true, POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON);

describe('the schedule runs by itself', () => {
  it('a server whose key is due stages a successor on its own timer, and picks it up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-schedule-'));
    const clock = { now: 1_900_000_000 };
    const config = resolveConfig({ dev: true, secret: 'x'.repeat(40), databaseUrl: `sqlite:${join(dir, 'latchkey.db')}`, logLevel: 'silent', keyPublishLeadTime: 600, keyRotationInterval: 'ES256=86400' });
    const app = await createServer(config, { now: () => clock.now, cacheSyncIntervalMs: 20, keyRotationCheckIntervalMs: 20 });
    try {
      await app.ready();
      const store = app.latchkeyServer.store;
      const first = (await store.findCurrentSigningKey('ES256'))!;
      clock.now = first.activatesAt + 86400 - 600;
      await pollUntil('the timer staged an ES256 successor', async () => (await store.findCurrentSigningKey('ES256'))!.kid !== first.kid);
      const successor = (await store.findCurrentSigningKey('ES256'))!;
      assert.equal(successor.activatesAt, first.activatesAt + 86400);
      await pollUntil('the server published it', async () => app.latchkeyServer.keys.jwks().keys.some((k) => k.kid === successor.kid));
      assert.equal((await store.findCurrentSigningKey('RS256'))!.retiredAt, null, 'RS256 has no schedule');
      assert.equal((await store.listSigningKeys(clock.now)).filter((k) => k.alg === 'RS256').length, 1);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no timer in dev mode by default: keys stay as they are however old', async () => {
    const clock = { now: 1_900_000_000 };
    const app = await createServer(resolveConfig({ dev: true, secret: 'x'.repeat(40), databaseUrl: 'sqlite::memory:', logLevel: 'silent' }),
      { now: () => clock.now, keyRotationCheckIntervalMs: 10 });
    try {
      await app.ready();
      const kid = app.latchkeyServer.keys.signer('ES256').kid;
      clock.now += 10 * 365 * 86400;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual((await app.latchkeyServer.store.listSigningKeys(0)).filter((k) => k.alg === 'ES256').map((k) => k.kid), [kid]);
    } finally {
      await app.close();
    }
  });
});
