// PostgreSQL outages (issue #7): when the database is unreachable the server keeps running, /readyz answers 503,
// token requests answer 503 temporarily_unavailable, and everything recovers by itself once the database is back.
// The database is cut and restored through a TCP proxy the test controls. Also: concurrent migrations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { registerApi } from '../../src/apis/register-api.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { resolveConfig } from '../../src/config/config.ts';
import { createServer } from '../../src/http/app.ts';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL, type TestSchema } from './postgres-test-schema.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const skip = POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON;
const NOW = () => Math.floor(Date.now() / 1000);

/** Polls `check` until it returns true or `ms` pass; returns how long it took. */
async function eventually(what: string, ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('PostgreSQL outage and recovery', { skip }, () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let app: FastifyInstance;
  const clients: { id: string; secret: string }[] = [];

  before(async () => {
    schema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'outage');
    // Seed an API and a few service clients directly, before the server starts.
    const seed = openPostgresStore(schema.url, { max: 2 });
    await seed.migrate();
    await registerApi(seed, { identifier: 'https://contacts.example', scopes: ['contacts:read=Read your contacts'] }, NOW());
    for (let i = 0; i < 4; i++) {
      const { client, clientSecret } = await registerClient(seed, { name: `service ${i}`, grantTypes: ['client_credentials'], scope: 'contacts:read' }, NOW());
      clients.push({ id: client.id, secret: clientSecret ?? '' });
    }
    await seed.close();

    const target = new URL(POSTGRES_TEST_URL ?? '');
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const config = resolveConfig({ dev: true, secret: 'x'.repeat(40), databaseUrl: proxy.url(schema.url), logLevel: 'silent' });
    app = await createServer(config, { cacheSyncIntervalMs: 100 });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await proxy?.close();
    await schema?.drop();
  });

  const readyz = () => app.inject({ method: 'GET', url: '/readyz' });
  const token = (client: { id: string; secret: string }) => app.inject({
    method: 'POST', url: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
    payload: 'grant_type=client_credentials&scope=contacts%3Aread',
  });

  it('serves while the database is reachable', async () => {
    assert.equal((await readyz()).statusCode, 200);
    const response = await token(clients[0]!);
    assert.equal(response.statusCode, 200, response.body);
  });

  it('keeps running with /readyz red and token requests answering 503 temporarily_unavailable', async () => {
    // A query in flight when the connection is cut must fail, not crash the process.
    const store = app.latchkeyServer.store as SqlStore;
    const inFlight = store.db.selectNoFrom((eb) => eb.fn<number>('pg_sleep', [eb.val(5)]).as('slept')).execute();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await proxy.cut();
    await assert.rejects(inFlight);

    const ready = await readyz();
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'unavailable', reason: 'store unreachable' });
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the process itself is alive');

    // A client this instance has not cached yet must be looked up in the database, which is gone.
    const refused = await token(clients[1]!);
    assert.equal(refused.statusCode, 503, refused.body);
    assert.match(String(refused.headers['content-type']), /^application\/json/);
    assert.equal(refused.headers['cache-control'], 'no-store');
    const body = refused.json() as { error: string; error_description: string };
    assert.equal(body.error, 'temporarily_unavailable');
    assert.doesNotMatch(body.error_description, /ECONNREFUSED|127\.0\.0\.1|postgres/i, 'no internals reach the client');

    // Still red a little later (the pool does not pretend), and the background tasks did not kill the process.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await readyz()).statusCode, 503);
    assert.equal((await token(clients[2]!)).statusCode, 503);
  });

  it('recovers by itself when the database is back', async () => {
    await proxy.restore();
    const took = await eventually('/readyz green again', 5000, async () => (await readyz()).statusCode === 200);
    assert.ok(took < 5000);
    const response = await token(clients[2]!);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((await token(clients[3]!)).statusCode, 200);
  });

  it('survives a second outage in a row', async () => {
    await proxy.cut();
    assert.equal((await readyz()).statusCode, 503);
    await proxy.restore();
    await eventually('/readyz green again', 5000, async () => (await readyz()).statusCode === 200);
  });
});

describe('PostgreSQL migrations', { skip }, () => {
  it('two stores migrating one fresh schema at once: one applies, the other finds nothing to do', async () => {
    const schema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'migrate');
    const a = openPostgresStore(schema.url, { max: 2 });
    const b = openPostgresStore(schema.url, { max: 2 });
    try {
      const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
      const applied = [ra.applied, rb.applied].sort((x, y) => y.length - x.length);
      assert.ok(applied[0]!.length > 0, 'one store applied the migrations');
      assert.deepEqual(applied[1], [], 'the other waited for the lock and found nothing left');
      const rows = await a.db.selectFrom('latchkey_migrations' as never).select('name' as never).execute();
      assert.equal(rows.length, applied[0]!.length, 'each migration recorded once');
      await a.ping();
      assert.deepEqual(await b.cacheVersions(), { clients: 0, apis: 0, keys: 0 });
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });
});
