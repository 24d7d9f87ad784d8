// The DER to R‖S conversion (RFC 7518 §3.4) must give signatures that verify as IEEE P1363, for every length of R and S.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { derToJoseSignature } from '../../src/tokens/ecdsa-signature.ts';

test('2,000 P-256 signatures converted from DER verify as R‖S (covers short and sign-padded integers)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const derLengths = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const data = Buffer.from(`message ${i}`);
    const der = sign('sha256', data, privateKey);
    derLengths.add(der.length);
    const jose = derToJoseSignature(der, 32);
    assert.equal(jose.length, 64);
    assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose), `signature ${i}`);
  }
  assert.ok(derLengths.size >= 3, `DER lengths seen: ${[...derLengths].join(', ')}`);
});

test('malformed DER is refused', () => {
  assert.throws(() => derToJoseSignature(Buffer.from([0x31, 0x00]), 32), /malformed/);
  assert.throws(() => derToJoseSignature(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x03, 0x01, 0x01]), 32), /malformed/);
  const tooLong = Buffer.concat([Buffer.from([0x30, 0x46, 0x02, 0x21, 0x01]), Buffer.alloc(32, 1), Buffer.from([0x02, 0x21, 0x01]), Buffer.alloc(32, 1)]);
  assert.throws(() => derToJoseSignature(tooLong, 32), /longer than the curve size/);
});
