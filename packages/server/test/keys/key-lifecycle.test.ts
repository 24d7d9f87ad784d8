// A signing key's state from its dates, and when the schedule rotates it (issue 18).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { resolveConfig } from '../../src/config/config.ts';
import { keyState, lifecyclePolicy, rotationDue } from '../../src/keys/key-lifecycle.ts';
import type { SigningKeyRecord } from '../../src/store/records.ts';
import { storeBeforeMigration } from '../helpers/store-before-migration.ts';

const key = (fields: Partial<SigningKeyRecord>): SigningKeyRecord => ({
  kid: 'k', alg: 'ES256', publicJwk: '{}', privateJwkSealed: 'v1.x', createdAt: 1000, activatesAt: 1000, retiredAt: null, expiresAt: null, ...fields,
});

test('published before activation, active until retirement, retired until removal, removed at expiry', () => {
  const k = key({ activatesAt: 2000, retiredAt: 5000, expiresAt: 6000 });
  assert.deepEqual([1000, 1999, 2000, 4999, 5000, 5999, 6000].map((t) => keyState(k, t)),
    ['published', 'published', 'active', 'active', 'retired', 'retired', 'removed']);
  assert.equal(keyState(key({}), 10 ** 10), 'active', 'a current key never retires by itself');
});

test('the schedule stages a successor lead seconds before the interval is up; never for a waiting key or with no interval', () => {
  const policy = { leadSeconds: 600, retiredKeySeconds: 1200, rotationIntervals: { ES256: 86400 } };
  assert.equal(rotationDue(key({}), policy, 1000 + 86400 - 601), false);
  assert.equal(rotationDue(key({}), policy, 1000 + 86400 - 600), true);
  assert.equal(rotationDue(key({ activatesAt: 10 ** 9 }), policy, 10 ** 9 - 1), false, 'waiting');
  assert.equal(rotationDue(key({ alg: 'RS256' }), policy, 10 ** 9), false, 'no schedule for RS256');
});

test('configuration: lead time an hour, rotation every 90 days outside dev mode and off in dev mode, per-algorithm overrides', () => {
  const secret = 'x'.repeat(40);
  const production = resolveConfig({ secret, issuer: 'https://auth.example' });
  assert.equal(production.keyPublishLeadTime, 3600);
  assert.deepEqual(production.keyRotationInterval, { RS256: 7776000, ES256: 7776000, EdDSA: 7776000 });
  assert.deepEqual(resolveConfig({ dev: true }).keyRotationInterval, { RS256: 0, ES256: 0, EdDSA: 0 });
  assert.deepEqual(resolveConfig({ dev: true, keyRotationInterval: 'ES256=2592000, RS256=0' }).keyRotationInterval, { RS256: 0, ES256: 2592000, EdDSA: 0 });
  assert.deepEqual(resolveConfig({ dev: true, keyRotationInterval: '86400' }).keyRotationInterval, { RS256: 86400, ES256: 86400, EdDSA: 86400 });
  assert.throws(() => resolveConfig({ dev: true, keyRotationInterval: 'HS256=100000' }), /names HS256/);
  assert.throws(() => resolveConfig({ dev: true, keyRotationInterval: 'ES256=3600' }), /longer than keyPublishLeadTime \(3600\)/);
  assert.throws(() => resolveConfig({ dev: true, keyRotationInterval: 'often' }), /ALG=seconds pairs/);
  // Retired keys stay published for the longest token lifetime plus five minutes.
  assert.equal(lifecyclePolicy(resolveConfig({ dev: true, accessTokenTtl: 900, idTokenTtl: 7200 })).retiredKeySeconds, 7500);
});

test('migration 0020: existing keys activated when created; extra current keys of an alg (an old startup race) are retired', async () => {
  const store = await storeBeforeMigration('0020');
  try {
    const db = store.db;
    for (const [kid, created] of [['old-a', 100], ['old-b', 200], ['rs', 150]] as const) {
      await sql`insert into signing_keys (kid, alg, public_jwk, private_jwk_sealed, created_at, retired_at, expires_at)
        values (${kid}, ${kid === 'rs' ? 'RS256' : 'ES256'}, '{}', 'v1.x', ${created}, null, null)`.execute(db);
    }
    assert.ok((await store.migrate()).applied.includes('0020-key-lifecycle'));
    const keys = Object.fromEntries((await store.listSigningKeys(0)).map((k) => [k.kid, k]));
    assert.equal(keys['old-a']!.activatesAt, 100);
    assert.equal(keys['old-b']!.retiredAt, null, 'the newest stays current');
    assert.notEqual(keys['old-a']!.retiredAt, null, 'the older one is retired');
    assert.ok(keys['old-a']!.expiresAt! > keys['old-a']!.retiredAt!, 'and stays published for a while');
    assert.equal(keys.rs!.retiredAt, null);
    await assert.rejects(sql`insert into signing_keys (kid, alg, public_jwk, private_jwk_sealed, created_at, activates_at, retired_at, expires_at)
      values ('dup', 'ES256', '{}', 'v1.x', 300, 300, null, null)`.execute(db), /UNIQUE/, 'one current key per alg, enforced');
  } finally {
    await store.close();
  }
});
