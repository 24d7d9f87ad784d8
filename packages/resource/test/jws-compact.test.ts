// RFC 7515 §7.1 compact serialization from the attacker's side: extra segments, stray characters, non-JSON headers, crit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJsonObject, decodeSegment, parseCompactJws } from '../src/jws-compact.ts';
import { base64url } from './helpers/raw-jws.ts';

const header = (value: unknown) => base64url(JSON.stringify(value));
const PAYLOAD = base64url('{"sub":"user-1"}');

function assertMalformed(run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'ERR_TOKEN_INVALID');
    assert.equal((error as { description?: unknown }).description, 'the access token is malformed');
    return true;
  });
}

test('a well-formed token splits into header, alg, signing input and the still-encoded payload and signature', () => {
  const token = `${header({ alg: 'ES256', kid: 'k' })}.${PAYLOAD}.c2ln`;
  const jws = parseCompactJws(token);
  assert.deepEqual(jws.header, { alg: 'ES256', kid: 'k' });
  assert.equal(jws.alg, 'ES256');
  assert.equal(jws.signingInput.toString('ascii'), token.slice(0, token.lastIndexOf('.')));
  assert.equal(jws.encodedPayload, PAYLOAD);
  assert.equal(jws.encodedSignature, 'c2ln');
});

test('two or four segments are not a compact JWS', () => {
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256' })}.${PAYLOAD}`));
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256' })}.${PAYLOAD}.c2ln.c2ln`));
});

test('a header that is not base64url JSON of an object is refused', () => {
  assertMalformed(() => parseCompactJws(`${base64url('not json')}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header(['alg', 'ES256'])}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header('ES256')}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${base64url(Buffer.from([0x7b, 0xff, 0x7d]))}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256' })}~.${PAYLOAD}.c2ln`));
});

test('a header without a string alg is refused', () => {
  assertMalformed(() => parseCompactJws(`${header({ typ: 'at+jwt' })}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header({ alg: '' })}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header({ alg: 256 })}.${PAYLOAD}.c2ln`));
});

test('any crit header is refused: this kit understands no extension (RFC 7515 §4.1.11), b64=false included (RFC 7797)', () => {
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256', crit: ['exp'], exp: 1 })}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256', crit: ['b64'], b64: false })}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256', crit: [] })}.${PAYLOAD}.c2ln`));
  assertMalformed(() => parseCompactJws(`${header({ alg: 'ES256', crit: null })}.${PAYLOAD}.c2ln`));
});

test('base64url segments are decoded strictly: no characters outside the alphabet, padding only where it belongs', () => {
  assert.deepEqual(decodeSegment('YWJj'), Buffer.from('abc'));
  assert.deepEqual(decodeSegment('YQ'), Buffer.from('a'));
  assert.deepEqual(decodeSegment('YQ=='), Buffer.from('a'));
  assert.deepEqual(decodeSegment(''), Buffer.alloc(0));
  for (const bad of ['YW+j', 'YW/j', 'YW~j', 'Y', 'YWJjZ', 'YQ=', 'YWJ==', '====', 'YQ==YQ']) assertMalformed(() => decodeSegment(bad));
});

test('claims must be UTF-8 JSON of an object', () => {
  assert.deepEqual(decodeJsonObject(Buffer.from('{"a":1}')), { a: 1 });
  assert.deepEqual(decodeJsonObject(Buffer.from('\uFEFF{"a":1}')), { a: 1 }, 'a leading BOM is dropped, as jose does');
  for (const bad of ['', 'null', '[1]', '"s"', '42', '{"a":', '{"a":1}x']) assertMalformed(() => decodeJsonObject(Buffer.from(bad)));
  assertMalformed(() => decodeJsonObject(Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x3a, 0x31, 0x7d])));
});
