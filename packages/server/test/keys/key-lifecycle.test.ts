// A signing key's state from its dates, and when the schedule rotates it (issue 18).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/config.ts';
import { keyState, lifecyclePolicy, rotationDue } from '../../src/keys/key-lifecycle.ts';
import type { SigningKeyRecord } from '../../src/store/records.ts';

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
