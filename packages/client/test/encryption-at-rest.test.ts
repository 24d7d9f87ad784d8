// Tokens at rest: unreadable without the key (AES-256-GCM, NIST SP 800-38D), and key rotation by key id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createLatchkeyClient, createSqliteStore, generateEncryptionKey } from '../src/index.ts';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { logIn, startHarness } from './support/test-harness.ts';

test('the SQLite file and its WAL never contain raw tokens or profile claims', async () => {
  const harness = await startHarness();
  try {
    const browser = createBrowser();
    await logIn(browser, harness);
    const id = harness.sessionIdOf(browser)!;
    harness.expireAccessToken(id);
    await harness.client.getAccessToken(id); // a refresh: new tokens written, old ones replaced
    const secrets = new Set<string>();
    for (const response of harness.tokenResponses) {
      for (const name of ['access_token', 'refresh_token', 'id_token']) {
        const value = response[name];
        if (typeof value === 'string') secrets.add(value);
      }
    }
    assert.ok(secrets.size >= 5, 'login and refresh tokens were captured');
    secrets.add('alice@example.test');
    const files = [harness.dbPath, `${harness.dbPath}-wal`, `${harness.dbPath}-shm`].filter((path) => existsSync(path));
    assert.ok(files.some((path) => path.endsWith('-wal')), 'the WAL is inspected too');
    for (const path of files) {
      const bytes = readFileSync(path);
      for (const secret of secrets) {
        assert.equal(bytes.includes(Buffer.from(secret)), false, `${secret.slice(0, 8)}… found in ${path}`);
        // Also no fragment long enough to be useful (a token's second half).
        assert.equal(bytes.includes(Buffer.from(secret.slice(Math.floor(secret.length / 2)))), false);
      }
    }
    const row = harness.sessionRow(id)!;
    assert.match(String(row.access_token), /^v1\.k1\./);
    assert.match(String(row.refresh_token), /^v1\.k1\./);
  } finally {
    await harness.close();
  }
});

test('rotation: a new first key encrypts, old keys still decrypt, reencryptSessions rewrites old rows', async () => {
  const harness = await startHarness();
  const k2 = generateEncryptionKey();
  const clientFor = (keys: Array<{ kid: string; key: string }>) => createLatchkeyClient({
    issuer: harness.provider.issuer,
    clientId: harness.provider.clientId,
    clientSecret: harness.provider.clientSecret,
    redirectUri: `${harness.appOrigin}/auth/callback`,
    scopes: ['openid'],
    store: createSqliteStore({ path: harness.dbPath }),
    encryptionKeys: keys,
  });
  try {
    const browser = createBrowser();
    await logIn(browser, harness);
    const id = harness.sessionIdOf(browser)!;
    const cookie = `app_session=${browser.cookies('127.0.0.1').get('app_session')}`;
    const token = await harness.client.getAccessToken(id);

    const onlyNew = await clientFor([{ kid: 'k2', key: k2 }]);
    await assert.rejects(onlyNew.getSession(cookie), /key "k1", which is not configured/);

    const rotated = await clientFor([{ kid: 'k2', key: k2 }, { kid: 'k1', key: harness.encryptionKey }]);
    assert.equal((await rotated.getSession(cookie))?.subject, 'alice');
    assert.equal(await rotated.getAccessToken(id), token);
    assert.equal(await rotated.reencryptSessions(), 1);
    assert.equal(await rotated.reencryptSessions(), 0);
    const row = harness.sessionRow(id)!;
    for (const column of ['access_token', 'refresh_token', 'id_token', 'profile']) assert.match(String(row[column]), /^v1\.k2\./);

    assert.equal((await onlyNew.getSession(cookie))?.subject, 'alice');
    assert.equal(await onlyNew.getAccessToken(id), token);
    // A tampered ciphertext fails authentication instead of decrypting to something else.
    await assert.rejects(onlyNew.getAccessToken('0'.repeat(64)), /Sign-in required/);
    await onlyNew.close();
    await rotated.close();
  } finally {
    await harness.close();
  }
});
