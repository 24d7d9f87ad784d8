// An issuer (or attacker) that signs compact JWS by hand with node:crypto, so any header, payload bytes or signature
// can be produced: crit, b64, non-JSON payloads, wrong lengths. Keys for every algorithm the kit accepts.
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export type TestAlgorithm = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface TestKey {
  alg: TestAlgorithm;
  kid: string;
  privateKey: KeyObject;
  /** The public JWK as an issuer publishes it (kid, alg, use). */
  publicJwk: Record<string, unknown>;
}

const DIGEST: Record<TestAlgorithm, string | null> = { ES256: 'sha256', ES384: 'sha384', RS256: 'sha256', PS256: 'sha256', EdDSA: null };

export function createTestKey(alg: TestAlgorithm, kid: string = `${alg.toLowerCase()}-key`, modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' })
    : alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength });
  return { alg, kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function base64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/** The RFC 7518 signature of `input` with `key` under `alg` (default the key's own). */
export function signatureOf(key: TestKey, input: string, alg: TestAlgorithm = key.alg): Buffer {
  const data = Buffer.from(input, 'ascii');
  const digest = DIGEST[alg];
  if (alg.startsWith('ES')) return sign(digest, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  if (alg === 'PS256') return sign(digest, data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return sign(digest, data, key.privateKey);
}

export interface RawTokenOptions {
  /** Header members over { alg, typ: 'at+jwt', kid }; a value of `undefined` removes that member. */
  header?: Record<string, unknown>;
  /** The payload segment exactly as sent (already encoded), instead of the encoded claims. */
  encodedPayload?: string;
}

/** A compact JWS of `claims` signed by `key` (RFC 7515 §7.1). */
export function signRaw(key: TestKey, claims: Record<string, unknown>, options: RawTokenOptions = {}): string {
  const header: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  const input = `${base64url(JSON.stringify(header))}.${options.encodedPayload ?? base64url(JSON.stringify(claims))}`;
  return `${input}.${signatureOf(key, input).toString('base64url')}`;
}
