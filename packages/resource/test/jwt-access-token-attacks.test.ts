// Attacker-made JWT access tokens against createVerifier (RFC 9068 §4, RFC 8725 §2-§3, RFC 7515 §4.1.11), with an
// issuer that signs by hand so every header, payload and key can be bent, and every algorithm the kit accepts.
import { afterEach, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createVerifier, type FetchLike, type VerifierOptions } from '../src/index.ts';
import { base64url, createTestKey, signatureOf, signRaw, type TestAlgorithm, type TestKey } from './helpers/raw-jws.ts';

const ISSUER = 'https://as.example';
const AUDIENCE = 'https://api.example';
const nowSeconds = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const all: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', client_id: 'client-1', scope: 'read', iat: now, exp: now + 300, jti: 'jti-1', ...overrides };
  for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
  return all;
}

interface TestIssuer {
  /** The keys served at the jwks_uri; change it to rotate. */
  keys: Array<Record<string, unknown>>;
  jwksFetches: number;
  fetch: FetchLike;
}

function testIssuer(keys: TestKey[]): TestIssuer {
  const issuer: TestIssuer = {
    keys: keys.map((key) => key.publicJwk),
    jwksFetches: 0,
    fetch: async (url) => {
      if (url === `${ISSUER}/.well-known/oauth-authorization-server`) return Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` });
      if (url === `${ISSUER}/jwks`) {
        issuer.jwksFetches += 1;
        return Response.json({ keys: issuer.keys });
      }
      return new Response('not found', { status: 404 });
    },
  };
  return issuer;
}

function verifierFor(issuer: TestIssuer, options: Partial<VerifierOptions> = {}) {
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'], fetch: issuer.fetch, ...options });
}

async function assertRefused(promise: Promise<unknown>, code: string, description: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    assert.equal((error as { description?: unknown }).description, description);
    return true;
  });
}

const MALFORMED = 'the access token is malformed';
const NOT_ALLOWED = 'the access token signing algorithm is not allowed';
const BAD_SIGNATURE = 'the access token signature is invalid';
const UNKNOWN_KEY = 'the access token was signed with an unknown key';
const LACKS = 'the access token lacks a required claim or has a malformed one';

const es256 = createTestKey('ES256');
const rs256 = createTestKey('RS256');

afterEach(() => mock.timers.reset());

for (const alg of ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as TestAlgorithm[]) {
  test(`${alg}: a token signed by the issuer verifies; the same claims signed by another key of the same type do not`, async () => {
    const key = createTestKey(alg);
    const verifier = verifierFor(testIssuer([key]));
    const verified = await verifier.verify(signRaw(key, claims()));
    assert.equal(verified.sub, 'user-1');
    assert.deepEqual(verified.scopes, ['read']);
    const impostor = { ...createTestKey(alg), kid: key.kid };
    await assertRefused(verifier.verify(signRaw(impostor, claims())), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
  });
}

test('alg none with an empty signature is refused before any key is looked up', async () => {
  const issuer = testIssuer([es256]);
  const header = base64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: es256.kid }));
  await assertRefused(verifierFor(issuer).verify(`${header}.${base64url(JSON.stringify(claims()))}.`), 'ERR_TOKEN_INVALID', NOT_ALLOWED);
  assert.equal(issuer.jwksFetches, 0);
});

test('HS256 keyed with the issuer public key bytes (key confusion, RFC 8725 §2.1) is refused', async () => {
  const pem = String((await import('node:crypto')).createPublicKey({ key: rs256.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }));
  for (const secret of [pem, JSON.stringify(rs256.publicJwk)]) {
    const input = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: rs256.kid }))}.${base64url(JSON.stringify(claims()))}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    await assertRefused(verifierFor(testIssuer([rs256])).verify(token), 'ERR_TOKEN_INVALID', NOT_ALLOWED);
  }
});

test('header alg ES256 naming the RSA key: no key of the set fits, whatever the signature', async () => {
  const verifier = verifierFor(testIssuer([es256, rs256]));
  const input = `${base64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: rs256.kid }))}.${base64url(JSON.stringify(claims()))}`;
  await assertRefused(verifier.verify(`${input}.${signatureOf(rs256, input, 'RS256').toString('base64url')}`), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  // The RSA JWK without its alg member: still not an EC key.
  const bare = testIssuer([es256]);
  bare.keys.push({ ...rs256.publicJwk, alg: undefined });
  await assertRefused(verifierFor(bare).verify(`${input}.${signatureOf(rs256, input, 'RS256').toString('base64url')}`), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
});

test('header alg RS256 naming an alg-less EC key, or PS256 naming a key published for RS256: no key fits', async () => {
  const issuer = testIssuer([rs256]);
  issuer.keys.push({ ...es256.publicJwk, alg: undefined });
  const ecInput = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: es256.kid }))}.${base64url(JSON.stringify(claims()))}`;
  await assertRefused(verifierFor(issuer).verify(`${ecInput}.${signatureOf(es256, ecInput).toString('base64url')}`), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  // A correct PS256 signature by the RSA key, but the JWK says alg RS256 (RFC 7517 §4.4): that key is not for PS256.
  const psInput = `${base64url(JSON.stringify({ alg: 'PS256', typ: 'at+jwt', kid: rs256.kid }))}.${base64url(JSON.stringify(claims()))}`;
  await assertRefused(verifierFor(issuer).verify(`${psInput}.${signatureOf(rs256, psInput, 'PS256').toString('base64url')}`), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
});

test('an RS256-signed token relabelled PS256 (same RSA key, alg-less JWK) is refused', async () => {
  const issuer = testIssuer([]);
  issuer.keys.push({ ...rs256.publicJwk, alg: undefined });
  const input = `${base64url(JSON.stringify({ alg: 'PS256', typ: 'at+jwt', kid: rs256.kid }))}.${base64url(JSON.stringify(claims()))}`;
  await assertRefused(verifierFor(issuer).verify(`${input}.${signatureOf(rs256, input, 'RS256').toString('base64url')}`), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
});

test('a tampered payload or a tampered signature is refused', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  const [header, , signature] = signRaw(es256, claims()).split('.');
  await assertRefused(verifier.verify(`${header}.${base64url(JSON.stringify(claims({ scope: 'read admin' })))}.${signature}`), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
  const bytes = Buffer.from(signature!, 'base64url');
  bytes[0]! ^= 0x80;
  const [h, p] = signRaw(es256, claims()).split('.');
  await assertRefused(verifier.verify(`${h}.${p}.${bytes.toString('base64url')}`), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
});

test('a signature of the wrong length, a DER-encoded ECDSA signature, or an empty one is refused', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  const token = signRaw(es256, claims());
  const [header, payload, signature] = token.split('.');
  const raw = Buffer.from(signature!, 'base64url');
  for (const bad of [raw.subarray(0, 63), Buffer.concat([raw, Buffer.from([0])]), Buffer.alloc(0)]) {
    await assertRefused(verifier.verify(`${header}.${payload}.${bad.toString('base64url')}`), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
  }
  const { sign } = await import('node:crypto');
  const der = sign('sha256', Buffer.from(`${header}.${payload}`), es256.privateKey).toString('base64url');
  await assertRefused(verifier.verify(`${header}.${payload}.${der}`), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
});

test('a signature segment with characters outside base64url is malformed, not silently decoded', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  const token = signRaw(es256, claims());
  const [header, payload, signature] = token.split('.');
  await assertRefused(verifier.verify(`${header}.${payload}.${signature!.slice(0, 10)}~${signature!.slice(10)}`), 'ERR_TOKEN_INVALID', MALFORMED);
  await assertRefused(verifier.verify(`${header}.${payload}.${signature}=`), 'ERR_TOKEN_INVALID', MALFORMED);
});

test('a crit header, even signed by the issuer, is refused (RFC 7515 §4.1.11)', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  await assertRefused(verifier.verify(signRaw(es256, claims(), { header: { crit: ['exp'], exp: 1 } })), 'ERR_TOKEN_INVALID', MALFORMED);
  await assertRefused(verifier.verify(signRaw(es256, claims(), { header: { crit: ['b64'], b64: true } })), 'ERR_TOKEN_INVALID', MALFORMED);
});

test('b64=false (RFC 7797 unencoded payload) is refused: with crit it is malformed, without crit it is an ordinary JWS', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  await assertRefused(verifier.verify(signRaw(es256, claims(), { header: { crit: ['b64'], b64: false } })), 'ERR_TOKEN_INVALID', MALFORMED);
  // Signed over the raw payload, as RFC 7797 §3 would, but without crit: the signature covers other bytes.
  const header = base64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid, b64: false }));
  const payload = base64url(JSON.stringify(claims()));
  const rfc7797Signature = signatureOf(es256, `${header}.${JSON.stringify(claims())}`).toString('base64url');
  await assertRefused(verifier.verify(`${header}.${payload}.${rfc7797Signature}`), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
});

test('typ JWT or no typ, signed by the issuer, is not an access token (RFC 9068 §4)', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  for (const typ of ['JWT', undefined, 'dpop+jwt']) {
    await assertRefused(verifier.verify(signRaw(es256, claims(), { header: { typ } })), 'ERR_TOKEN_INVALID', 'the token is not a JWT access token (typ at+jwt)');
  }
  assert.equal((await verifier.verify(signRaw(es256, claims(), { header: { typ: 'application/AT+JWT' } }))).sub, 'user-1');
});

test('a signed payload that is not JSON of an object is malformed', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  for (const payload of ['not json', '[1,2]', 'null', '{"sub":']) {
    await assertRefused(verifier.verify(signRaw(es256, {}, { encodedPayload: base64url(payload) })), 'ERR_TOKEN_INVALID', MALFORMED);
  }
});

test('extra or missing segments are malformed', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  const token = signRaw(es256, claims());
  await assertRefused(verifier.verify(`${token}.${token.split('.')[2]}`), 'ERR_TOKEN_INVALID', MALFORMED);
  await assertRefused(verifier.verify(`${token}.`), 'ERR_TOKEN_INVALID', MALFORMED);
  await assertRefused(verifier.verify(token.split('.').slice(0, 2).join('.')), 'ERR_TOKEN_INVALID', MALFORMED);
  await assertRefused(verifier.verify(`e30.${token}`), 'ERR_TOKEN_INVALID', MALFORMED);
});

test('expired, not yet valid, another issuer or another audience, all signed by the issuer, are refused', async () => {
  const verifier = verifierFor(testIssuer([es256]));
  const now = nowSeconds();
  await assertRefused(verifier.verify(signRaw(es256, claims({ exp: now - 60 }))), 'ERR_TOKEN_EXPIRED', 'the access token expired');
  await assertRefused(verifier.verify(signRaw(es256, claims({ nbf: now + 60 }))), 'ERR_TOKEN_NOT_YET_VALID', 'the access token is not yet valid');
  await assertRefused(verifier.verify(signRaw(es256, claims({ iss: 'https://evil.example' }))), 'ERR_ISSUER_MISMATCH', 'the access token was not issued by the trusted issuer');
  await assertRefused(verifier.verify(signRaw(es256, claims({ aud: 'https://other.example' }))), 'ERR_AUDIENCE_MISMATCH', 'the access token is not intended for this resource');
  await assertRefused(verifier.verify(signRaw(es256, claims({ aud: ['https://other.example'] }))), 'ERR_AUDIENCE_MISMATCH', 'the access token is not intended for this resource');
});

for (const claim of ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'client_id']) {
  test(`a signed token without ${claim} is refused`, async () => {
    const verifier = verifierFor(testIssuer([es256]));
    await assertRefused(verifier.verify(signRaw(es256, claims({ [claim]: undefined }))), 'ERR_TOKEN_INVALID', LACKS);
  });
}

test('a kid-less header is tried against every key that fits the alg; the first valid signature wins', async () => {
  const first = createTestKey('ES256', 'first');
  const second = createTestKey('ES256', 'second');
  const verifier = verifierFor(testIssuer([first, second, rs256]));
  assert.equal((await verifier.verify(signRaw(second, claims(), { header: { kid: undefined } }))).sub, 'user-1');
  const stranger = createTestKey('ES256', 'stranger');
  await assertRefused(verifier.verify(signRaw(stranger, claims(), { header: { kid: undefined } })), 'ERR_SIGNATURE_INVALID', BAD_SIGNATURE);
  // The candidates' verdict is the signature's: claims are checked only after one verifies.
  await assertRefused(verifier.verify(signRaw(second, claims({ exp: nowSeconds() - 60 }), { header: { kid: undefined } })), 'ERR_TOKEN_EXPIRED', 'the access token expired');
});

test('a kid-less header with a single fitting key uses it; a non-string kid matches no key', async () => {
  const verifier = verifierFor(testIssuer([es256, rs256]));
  assert.equal((await verifier.verify(signRaw(es256, claims(), { header: { kid: undefined } }))).sub, 'user-1');
  await assertRefused(verifier.verify(signRaw(es256, claims(), { header: { kid: 1 } })), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
});

test('a key published for encryption (use enc) or whose key_ops lack verify is not used to verify (RFC 7517 §4.2-§4.3)', async () => {
  for (const restriction of [{ use: 'enc' }, { key_ops: ['encrypt'] }, { key_ops: ['verify', 'verify'] }, { ext: 'yes' }]) {
    const issuer = testIssuer([]);
    issuer.keys.push({ ...es256.publicJwk, ...restriction });
    await assertRefused(verifierFor(issuer).verify(signRaw(es256, claims())), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  }
});

test('a private key published in the set is not used to verify: the issuer signing keys are unusable (503)', async () => {
  const issuer = testIssuer([]);
  issuer.keys.push({ ...es256.privateKey.export({ format: 'jwk' }), kid: es256.kid, alg: 'ES256' });
  await assertRefused(verifierFor(issuer).verify(signRaw(es256, claims())), 'ERR_METADATA', 'the issuer signing keys could not be fetched');
});

test('an unknown kid refetches the set only after the cooldown, once, and stays unknown when the set lacks it', async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 10, 30, 12) });
  const issuer = testIssuer([es256]);
  const verifier = verifierFor(issuer, { jwksCooldownSeconds: 30 });
  await verifier.verify(signRaw(es256, claims()));
  assert.equal(issuer.jwksFetches, 1);
  const next = createTestKey('ES256', 'next');
  issuer.keys.push(next.publicJwk);
  mock.timers.tick(29_000);
  await assertRefused(verifier.verify(signRaw(next, claims())), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  assert.equal(issuer.jwksFetches, 1, 'inside the cooldown: no fetch');
  mock.timers.tick(1_001);
  assert.equal((await verifier.verify(signRaw(next, claims()))).sub, 'user-1');
  assert.equal(issuer.jwksFetches, 2);
  mock.timers.tick(31_000);
  const forged = createTestKey('ES256', 'forged');
  await assertRefused(verifier.verify(signRaw(forged, claims())), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  await assertRefused(verifier.verify(signRaw(forged, claims())), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  assert.equal(issuer.jwksFetches, 3, 'one refetch after the cooldown, then the cooldown again');
});

test('the cached set is refreshed after 10 minutes, and a key removed from it stops verifying', async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 10, 30, 12) });
  const issuer = testIssuer([es256]);
  const verifier = verifierFor(issuer, { jwksCooldownSeconds: 3600 });
  await verifier.verify(signRaw(es256, claims()));
  issuer.keys = [rs256.publicJwk];
  mock.timers.tick(599_000);
  await verifier.verify(signRaw(es256, claims()));
  assert.equal(issuer.jwksFetches, 1);
  mock.timers.tick(2_000);
  await assertRefused(verifier.verify(signRaw(es256, claims())), 'ERR_SIGNATURE_INVALID', UNKNOWN_KEY);
  assert.equal(issuer.jwksFetches, 2);
});
