// Issue 18: /metrics is off or protected by configuration. In production it is absent unless enabled, and enabled it
// needs `Authorization: Bearer <token>` (RFC 6750 §2.1; the challenge of §3) or an explicit public choice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/config.ts';
import { createServer } from '../../src/http/app.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL } from '../store/postgres-test-schema.ts';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { startTestServer, TEST_ISSUER, TEST_SECRET, type TestServer } from '../helpers/test-server.ts';

const TOKEN = 'scrape-token-0123456789abcdef';
const production = { dev: false, issuer: 'https://auth.example' };

async function withServer(config: Parameters<typeof startTestServer>[0], run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(config);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

const getMetrics = (server: TestServer, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url: '/metrics', headers });

describe('/metrics in production', () => {
  it('is absent by default (404 not_found), and so is it in dev mode when turned off', async () => {
    await withServer(production, async (server) => {
      const response = await getMetrics(server, { authorization: `Bearer ${TOKEN}` });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error, 'not_found');
    });
    await withServer({ metricsEnabled: false }, async (server) => assert.equal((await getMetrics(server)).statusCode, 404));
  });

  it('with a token: no credentials, a wrong token, another scheme and a malformed header are refused with 401; the token is let in', async () => {
    await withServer({ ...production, metricsEnabled: true, metricsToken: TOKEN }, async (server) => {
      const bare = await getMetrics(server);
      assert.equal(bare.statusCode, 401);
      assert.equal(bare.headers['www-authenticate'], 'Bearer realm="latchkey"');
      assert.deepEqual(bare.json(), {});
      assert.doesNotMatch(bare.body, /latchkey_/);

      const wrong = await getMetrics(server, { authorization: `Bearer ${TOKEN}x` });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().error, 'invalid_token');
      assert.match(String(wrong.headers['www-authenticate']), /^Bearer realm="latchkey", error="invalid_token"/);
      assert.doesNotMatch(wrong.body, /latchkey_/);

      const basic = await getMetrics(server, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` });
      assert.equal(basic.statusCode, 401);
      assert.deepEqual(basic.json(), {});

      const malformed = await getMetrics(server, { authorization: `Bearer ${TOKEN} ${TOKEN}` });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().error, 'invalid_request');

      const ok = await getMetrics(server, { authorization: `Bearer ${TOKEN}` });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.headers['cache-control'], 'no-store');
      const parsed = parsePrometheusText(ok.body);
      assert.equal(sampleValue(parsed, 'latchkey_http_requests_total', { route: '/metrics', status: '401' }), 3, 'the refusals were counted');
      assert.ok(!ok.body.includes(TOKEN));
    });
  });

  it('public only by explicit choice', async () => {
    await withServer({ ...production, metricsEnabled: true, metricsPublic: true }, async (server) => assert.equal((await getMetrics(server)).statusCode, 200));
  });

  it('refuses to start enabled without a token or the public choice, with a weak token, or with both', () => {
    assert.throws(() => resolveConfig({ ...production, secret: TEST_SECRET, metricsEnabled: true }), /LATCHKEY_METRICS_TOKEN .*LATCHKEY_METRICS_PUBLIC=true/);
    assert.throws(() => resolveConfig({ ...production, secret: TEST_SECRET, metricsEnabled: true, metricsToken: 'short' }), /at least 16 characters/);
    assert.throws(() => resolveConfig({ ...production, secret: TEST_SECRET, metricsEnabled: true, metricsToken: 'has spaces in it, sixteen+' }), /at least 16 characters of/);
    assert.throws(() => resolveConfig({ ...production, secret: TEST_SECRET, metricsEnabled: 'true', metricsToken: TOKEN, metricsPublic: 'true' }), /not both/);
    const fromEnv = resolveConfig({ ...production, secret: TEST_SECRET, metricsEnabled: 'true', metricsToken: TOKEN });
    assert.equal(fromEnv.metricsEnabled, true);
    assert.equal(resolveConfig({ dev: true }).metricsEnabled, true, 'on in dev mode by default');
    assert.equal(resolveConfig({ ...production, secret: TEST_SECRET }).metricsEnabled, false, 'off in production by default');
  });
});

describe('what a server that opens its own store reports', () => {
  it('store query latency and, with no connection pool (SQLite), no pool gauge', async () => {
    const app = await createServer(resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: 'sqlite::memory:', logLevel: 'silent' }));
    try {
      await app.ready();
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      const parsed = parsePrometheusText((await app.inject({ method: 'GET', url: '/metrics' })).body);
      assert.ok(sampleValue(parsed, 'latchkey_store_query_duration_seconds_count', { outcome: 'ok' }) > 0);
      assert.equal(parsed.types.has('latchkey_db_pool_connections'), false);
    } finally {
      await app.close();
    }
  });

  it('the pool gauge on PostgreSQL', { skip: POSTGRES_TEST_URL ? false : POSTGRES_SKIP_REASON }, async () => {
    const schema = await createTestSchema(POSTGRES_TEST_URL!, 'metrics');
    const app = await createServer(resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: schema.url, databasePoolMax: 3, logLevel: 'silent' }));
    try {
      await app.ready();
      const parsed = parsePrometheusText((await app.inject({ method: 'GET', url: '/metrics' })).body);
      const total = sampleValue(parsed, 'latchkey_db_pool_connections', { state: 'total' });
      assert.ok(total >= 1 && total <= 3, `total ${total}`);
      assert.equal(sampleValue(parsed, 'latchkey_db_pool_connections', { state: 'waiting' }), 0);
      assert.ok(sampleValue(parsed, 'latchkey_store_query_duration_seconds_count', { outcome: 'ok' }) > 0);
    } finally {
      await app.close();
      await schema.drop();
    }
  });
});
