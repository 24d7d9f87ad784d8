// The BFF cycle and the cross-instance single refresh with the PostgreSQL store (runs when LATCHKEY_TEST_POSTGRES_URL is set).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore } from '../src/index.ts';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { logIn, startHarness } from './support/test-harness.ts';

test('PostgreSQL: login, proxy, and one refresh for 40 callers over two client instances', { timeout: 30_000 }, async (t) => {
  const url = process.env.LATCHKEY_TEST_POSTGRES_URL;
  if (!url) {
    t.skip('LATCHKEY_TEST_POSTGRES_URL not set');
    return;
  }
  const schema = `latchkey_test_${randomBytes(6).toString('hex')}`;
  // Each instance gets its own pool, as separate processes would.
  const harness = await startHarness({ accessTokenTtlSeconds: 2, storeFactory: () => createPostgresStore({ connectionString: url, schema }) });
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const browser = createBrowser();
    const { callbackResponse } = await logIn(browser, harness);
    assert.equal(callbackResponse.status, 200);
    const { rows } = await admin.query(`select access_token, refresh_token from "${schema}".latchkey_sessions`);
    assert.equal(rows.length, 1);
    assert.match(rows[0].access_token, /^v1\.k1\./);
    const api = await browser.request(`${harness.appOrigin}/api/orders/ping`);
    assert.equal(api.status, 200);

    const id = harness.sessionIdOf(browser)!;
    const second = await harness.secondClient();
    const before = await harness.client.getAccessToken(id);
    // A 2 s token is refreshed after half its lifetime.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refreshes = harness.provider.counts.refreshGrants;
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? second : harness.client).getAccessToken(id)));
    assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
    assert.equal(new Set(tokens).size, 1);
    assert.notEqual(tokens[0], before);
  } finally {
    await harness.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
});
