// Signing keys: generated on first start, private parts sealed at rest, rotation keeps the old key published until its tokens expire.
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { KeyRing } from '../../src/keys/key-ring.ts';
import { openStore } from '../../src/store/open-store.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';
import { verifyOwnAccessToken } from '../../src/tokens/verify-access-token.ts';
import { addApi, addClient, basic, form, FORM_HEADERS, startTestServer, TEST_SECRET } from '../helpers/test-server.ts';

const POLICY = { leadSeconds: 3600, retiredKeySeconds: 3900, rotationIntervals: {} };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

test('first start creates RS256, ES256 and EdDSA keys; the JWKS is public-only with distinct kid, alg and use', async () => {
  const server = await startTestServer();
  try {
    const res = await server.app.inject({ method: 'GET', url: '/jwks' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/jwk-set\+json/);
    const { keys } = res.json() as { keys: Record<string, unknown>[] };
    assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length);
    for (const key of keys) {
      assert.equal(key.use, 'sig');
      for (const member of PRIVATE_MEMBERS) assert.ok(!(member in key), `JWKS must not expose "${member}"`);
    }
    // Private parts are sealed in the database: no private JWK member appears in clear.
    const rows = await server.store.db.selectFrom('signing_keys').select(['kid', 'private_jwk_sealed']).execute();
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.match(row.private_jwk_sealed, /^v1\./);
      assert.ok(!row.private_jwk_sealed.includes('"d"'));
    }
  } finally {
    await server.close();
  }
});

test('keys survive a restart with the same secret and are unreadable with another', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const url = `sqlite:${join(dir, 'keys.db')}`;
  const store = openStore(url);
  await store.migrate();
  const ring = new KeyRing(store, TEST_SECRET, POLICY, () => 1001);
  await ring.ensureInitialKeys(1000);
  await ring.load(1000);
  const kid = ring.signer('ES256').kid;
  const again = new KeyRing(store, TEST_SECRET, POLICY, () => 1001);
  assert.deepEqual(await again.ensureInitialKeys(1001), [], 'no new keys on a second start');
  await again.load(1001);
  assert.equal(again.signer('ES256').kid, kid);
  await assert.rejects(new KeyRing(store, `${TEST_SECRET}-other`, POLICY, () => 1001).load(1001), /LATCHKEY_SECRET differs/);
  await store.close();
});

test('an immediate rotation: the new key signs at once, the old one stays in the JWKS until every token it signed has expired', async () => {
  let clock = 1_800_000_000;
  const server = await startTestServer({ accessTokenTtl: 600, idTokenTtl: 600 }, { now: () => clock });
  try {
    await addApi(server, 'https://api.example', { read: 'read things' });
    const client = await addClient(server, { name: 'svc', scope: 'read' });
    const ctx = server.app.latchkeyServer;
    const oldSigner = ctx.keys.signer('ES256');
    const oldToken = issueAccessToken(oldSigner, { issuer: ctx.config.issuer, audience: 'https://api.example', subject: 'x', clientId: 'x', scopes: ['read'], ttl: 600, now: clock });

    await ctx.keys.rotate('ES256', clock, { immediately: true });
    await ctx.keys.load(clock);
    const res = await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, client.secret!) }, payload: form({ grant_type: 'client_credentials' }) });
    const newKid = JSON.parse(Buffer.from(res.json().access_token.split('.')[0], 'base64url').toString()).kid;
    assert.notEqual(newKid, oldSigner.kid, 'tokens are signed with the new key');

    const jwks = (await server.app.inject({ method: 'GET', url: '/jwks' })).json();
    assert.ok(jwks.keys.some((k: { kid: string }) => k.kid === oldSigner.kid), 'old key still published');
    await jwtVerify(oldToken.token, createLocalJWKSet(jwks), { currentDate: new Date(clock * 1000) });

    // After the longest token lifetime (plus margin) the old key leaves the JWKS and is deleted.
    clock += 600 + 301;
    await ctx.keys.load(clock);
    const later = (await server.app.inject({ method: 'GET', url: '/jwks' })).json();
    assert.ok(!later.keys.some((k: { kid: string }) => k.kid === oldSigner.kid), 'old key no longer published');
    assert.ok(later.keys.some((k: { kid: string }) => k.kid === newKid));
    await server.store.deleteExpired(clock, 100);
    assert.equal((await server.store.db.selectFrom('signing_keys').select('kid').where('kid', '=', oldSigner.kid).execute()).length, 0);
  } finally {
    await server.close();
  }
});

const kidOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

test('a staged rotation: published first (in the JWKS, not signing), active after the lead time, the old key retired then removed', async () => {
  let clock = 1_800_000_000;
  const server = await startTestServer({ accessTokenTtl: 600, idTokenTtl: 900, keyPublishLeadTime: 3600 }, { now: () => clock });
  try {
    await addApi(server, 'https://api.example', { read: 'read things' });
    const client = await addClient(server, { name: 'svc', scope: 'read' });
    const ctx = server.app.latchkeyServer;
    const token = async () => (await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, client.secret!) }, payload: form({ grant_type: 'client_credentials' }) })).json().access_token as string;
    const jwksKids = async () => ((await server.app.inject({ method: 'GET', url: '/jwks' })).json().keys as { kid: string }[]).map((k) => k.kid);
    const oldKid = ctx.keys.signer('ES256').kid;

    const { staged, key } = await ctx.keys.rotate('ES256', clock);
    assert.equal(staged, true);
    assert.equal(key.activatesAt, clock + 3600);
    await ctx.keys.load(clock);
    assert.ok((await jwksKids()).includes(key.kid), 'published at once');
    assert.equal(kidOf(await token()), oldKid, 'the old key still signs during the lead time');
    assert.deepEqual(ctx.keys.states().filter((s) => s.alg === 'ES256').map((s) => s.state).sort(), ['active', 'published']);
    // A second rotation while one waits stages nothing new.
    const again = await ctx.keys.rotate('ES256', clock + 10);
    assert.deepEqual([again.staged, again.key.kid], [false, key.kid]);

    clock += 3599;
    assert.equal(kidOf(await token()), oldKid, 'one second before activation: still the old key');
    clock += 1;
    assert.equal(kidOf(await token()), key.kid, 'at activation the new key signs, without a reload');
    assert.deepEqual(ctx.keys.states().filter((s) => s.alg === 'ES256').map((s) => s.state).sort(), ['active', 'retired']);
    assert.ok((await jwksKids()).includes(oldKid), 'retired: still published');

    // Retired for the longest token lifetime (900) plus the 300 s margin, then gone from the JWKS and the database.
    clock += 900 + 299;
    assert.ok((await jwksKids()).includes(oldKid));
    clock += 1;
    assert.ok(!(await jwksKids()).includes(oldKid), 'removed');
    await server.store.deleteExpired(clock + 1, 100);
    assert.equal((await server.store.listSigningKeys(0)).some((k) => k.kid === oldKid), false);
    const audit = await server.store.db.selectFrom('audit_events').select(['type', 'detail']).where('type', '=', 'key.staged').execute();
    assert.equal(audit.length, 1);
    assert.equal(JSON.parse(audit[0]!.detail!).kid, key.kid);
  } finally {
    await server.close();
  }
});

test('automatic rotation: due once the key is interval minus lead old; the successor activates when the interval is up', async () => {
  let clock = 1_800_000_000;
  const server = await startTestServer({ keyPublishLeadTime: 600, keyRotationInterval: 'ES256=86400' }, { now: () => clock });
  try {
    const ctx = server.app.latchkeyServer;
    const first = ctx.keys.signer('ES256').kid;
    const created = (await server.store.findCurrentSigningKey('ES256'))!.activatesAt;
    clock = created + 86400 - 600 - 1;
    assert.deepEqual(await ctx.keys.rotateDueKeys(clock), [], 'not yet due');
    clock += 1;
    const staged = await ctx.keys.rotateDueKeys(clock);
    assert.deepEqual(staged.map((k) => [k.alg, k.activatesAt]), [['ES256', created + 86400]], 'only ES256 has a schedule');
    assert.deepEqual(await ctx.keys.rotateDueKeys(clock + 5), [], 'a waiting successor is not rotated again');
    await ctx.keys.load(clock);
    assert.equal(ctx.keys.signer('ES256').kid, first);
    clock = created + 86400;
    assert.equal(ctx.keys.signer('ES256').kid, staged[0]!.kid);
  } finally {
    await server.close();
  }
});

test('the JWKS object is reused while the published keys stay the same (introspection imports no key again), and replaced when one leaves: a revoked key verifies nothing', async () => {
  const clock = 1_800_000_000;
  const server = await startTestServer({ keyPublishLeadTime: 3600 }, { now: () => clock });
  try {
    const ctx = server.app.latchkeyServer;
    const first = ctx.keys.jwks();
    assert.equal(ctx.keys.jwks(), first, 'nothing changed: the same object');
    const signer = ctx.keys.signer('ES256');
    const token = issueAccessToken(signer, { issuer: ctx.config.issuer, audience: 'https://api.example', subject: 'x', clientId: 'x', scopes: ['read'], ttl: 600, now: clock });
    assert.equal((await verifyOwnAccessToken(ctx, token.token))?.jti, token.jti);
    await ctx.keys.revoke(signer.kid, clock, 'cli');
    await ctx.keys.load(clock);
    const after = ctx.keys.jwks();
    assert.notEqual(after, first);
    assert.ok(!after.keys.some((k) => k.kid === signer.kid));
    assert.equal(await verifyOwnAccessToken(ctx, token.token), undefined, 'the revoked key no longer verifies');
  } finally {
    await server.close();
  }
});

test('emergency revocation: the compromised key leaves the JWKS at once and a new key signs at once, without lead time', async () => {
  const clock = 1_800_000_000;
  const server = await startTestServer({ keyPublishLeadTime: 3600 }, { now: () => clock });
  try {
    const ctx = server.app.latchkeyServer;
    const compromised = ctx.keys.signer('ES256').kid;
    const result = await ctx.keys.revoke(compromised, clock, 'cli');
    assert.equal(result?.alg, 'ES256');
    await ctx.keys.load(clock);
    assert.notEqual(ctx.keys.signer('ES256').kid, compromised);
    assert.equal(ctx.keys.signer('ES256').kid, result?.signingKid);
    const kids = ((await server.app.inject({ method: 'GET', url: '/jwks' })).json().keys as { kid: string }[]).map((k) => k.kid);
    assert.ok(!kids.includes(compromised));
    assert.equal(await ctx.keys.revoke('no-such-kid', clock), undefined);
  } finally {
    await server.close();
  }
});

test('a clock behind the key\'s creation (another instance\'s, or set back) still signs with the first key; a staged key never signs early', async () => {
  let clock = 1_800_000_000;
  const server = await startTestServer({ keyPublishLeadTime: 3600 }, { now: () => clock });
  try {
    const ctx = server.app.latchkeyServer;
    const first = ctx.keys.signer('ES256').kid;
    clock -= 120;
    assert.equal(ctx.keys.signer('ES256').kid, first, 'the only key, though it "activates" two minutes from this clock');
    clock += 120;
    const { key } = await ctx.keys.rotate('ES256', clock);
    await ctx.keys.load(clock);
    clock -= 120;
    assert.equal(ctx.keys.signer('ES256').kid, first, 'the waiting successor does not sign for a clock that is behind');
    assert.notEqual(ctx.keys.signer('ES256').kid, key.kid);
  } finally {
    await server.close();
  }
});

test('an immediate rotation while a successor waits: the new key signs at once, the waiting one never signs, one key is active', async () => {
  const clock = 1_800_000_000;
  const server = await startTestServer({ keyPublishLeadTime: 3600 }, { now: () => clock });
  try {
    const ctx = server.app.latchkeyServer;
    const first = ctx.keys.signer('ES256').kid;
    const waiting = (await ctx.keys.rotate('ES256', clock)).key;
    const now = (await ctx.keys.rotate('ES256', clock, { immediately: true })).key;
    await ctx.keys.load(clock);
    assert.equal(ctx.keys.signer('ES256').kid, now.kid);
    const states = Object.fromEntries((await server.store.listSigningKeys(clock - 1)).filter((k) => k.alg === 'ES256').map((k) => [k.kid, [k.activatesAt, k.retiredAt]]));
    assert.deepEqual(states[waiting.kid], [clock + 3600, clock], 'retired before it ever signed');
    assert.deepEqual(states[first], [states[first]![0], clock], 'the old key hands over now, not at the waiting key\'s activation');
    assert.deepEqual(ctx.keys.states().filter((s) => s.alg === 'ES256' && s.state === 'active').map((s) => s.count), [1]);
  } finally {
    await server.close();
  }
});
