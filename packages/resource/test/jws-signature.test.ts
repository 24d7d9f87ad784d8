// Synchronous JWS signature checks (RFC 7518 §3, RFC 8037 §3.1) from the attacker's side: tampered input, tampered or
// truncated signatures, a key of another type, weak RSA keys, private JWKs in the issuer's set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataError } from '../src/errors.ts';
import { publicKeyFromJwk, signatureScheme, verifyJwsSignature } from '../src/jws-signature.ts';
import { createTestKey, signatureOf, type TestAlgorithm } from './helpers/raw-jws.ts';

const INPUT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ';
const bytes = (value: string) => Buffer.from(value, 'ascii');
const ALGORITHMS: TestAlgorithm[] = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];
const keys = Object.fromEntries(ALGORITHMS.map((alg) => [alg, createTestKey(alg)])) as Record<TestAlgorithm, ReturnType<typeof createTestKey>>;

for (const alg of ALGORITHMS) {
  test(`${alg}: the issuer's signature verifies; a changed input, a flipped bit or a wrong length does not`, () => {
    const key = keys[alg];
    const publicKey = publicKeyFromJwk(key.publicJwk);
    const signature = signatureOf(key, INPUT);
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(INPUT), signature), true);
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(`${INPUT}x`), signature), false);
    const flipped = Buffer.from(signature);
    flipped[flipped.length - 1]! ^= 1;
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(INPUT), flipped), false);
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(INPUT), signature.subarray(0, signature.length - 1)), false);
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(INPUT), Buffer.concat([signature, Buffer.from([0])])), false);
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(INPUT), Buffer.alloc(0)), false);
  });
}

test('ES256 signatures are R || S (RFC 7518 §3.4): a DER-encoded signature of the same input is refused', async () => {
  const { sign } = await import('node:crypto');
  const der = sign('sha256', bytes(INPUT), keys.ES256.privateKey);
  assert.equal(verifyJwsSignature('ES256', publicKeyFromJwk(keys.ES256.publicJwk), bytes(INPUT), der), false);
});

test('PS256 and RS256 are different schemes over the same RSA key', () => {
  const publicKey = publicKeyFromJwk(keys.RS256.publicJwk);
  assert.equal(verifyJwsSignature('PS256', publicKey, bytes(INPUT), signatureOf(keys.RS256, INPUT, 'RS256')), false);
  assert.equal(verifyJwsSignature('RS256', publicKey, bytes(INPUT), signatureOf(keys.PS256, INPUT, 'PS256')), false);
});

test('a signature checked under an alg of another key type is not valid (no algorithm confusion)', () => {
  const rsa = publicKeyFromJwk(keys.RS256.publicJwk);
  assert.equal(verifyJwsSignature('ES256', rsa, bytes(INPUT), signatureOf(keys.RS256, INPUT)), false);
  const ec = publicKeyFromJwk(keys.ES256.publicJwk);
  assert.equal(verifyJwsSignature('EdDSA', ec, bytes(INPUT), signatureOf(keys.ES256, INPUT)), false);
  assert.equal(verifyJwsSignature('ES384', ec, bytes(INPUT), signatureOf(keys.ES256, INPUT)), false, 'P-256 key under ES384');
  const p384 = publicKeyFromJwk(keys.ES384.publicJwk);
  assert.equal(verifyJwsSignature('ES256', p384, bytes(INPUT), signatureOf(keys.ES384, INPUT)), false, 'P-384 key under ES256');
});

test('none, HS256 and unknown algs have no scheme and never verify', () => {
  const publicKey = publicKeyFromJwk(keys.ES256.publicJwk);
  for (const alg of ['none', 'HS256', 'HS512', 'ES256K', '']) {
    assert.equal(signatureScheme(alg), undefined);
    assert.equal(verifyJwsSignature(alg, publicKey, bytes(INPUT), signatureOf(keys.ES256, INPUT)), false);
  }
  assert.equal(signatureScheme('constructor'), undefined);
});

test('an RSA key under 2048 bits is refused (RFC 7518 §3.3), even for a valid signature', () => {
  const weak = createTestKey('RS256', 'weak', 1024);
  assert.throws(() => verifyJwsSignature('RS256', publicKeyFromJwk(weak.publicJwk), bytes(INPUT), signatureOf(weak, INPUT)),
    (error: unknown) => error instanceof MetadataError && error.status === 503 && /under 2048 bits/.test(error.description));
});

test('a private JWK, or one whose key_ops allow more than verify, is not imported as a verification key', () => {
  const privateJwk = { ...keys.ES256.privateKey.export({ format: 'jwk' }), kid: 'leaked' };
  assert.throws(() => publicKeyFromJwk(privateJwk), /public keys/);
  assert.throws(() => publicKeyFromJwk({ ...keys.ES256.publicJwk, key_ops: ['verify', 'sign'] }), /only verify/);
  assert.throws(() => publicKeyFromJwk({ ...keys.ES256.publicJwk, y: keys.ES256.publicJwk['x'] }));
  assert.equal(publicKeyFromJwk({ ...keys.ES256.publicJwk, key_ops: ['verify'] }).type, 'public');
});
