// JWS signature verification with node:crypto, synchronously (RFC 7518 §3.3-§3.5, RFC 8037 §3.1): no WebCrypto
// thread-pool hop, which costs more than the signature itself (docs/decisions.md, 2026-11-30).
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { MetadataError } from './errors.ts';

interface SignatureScheme {
  /** The JWK kty (and crv) a key must have to serve this alg (RFC 7518 §6, RFC 8037 §2). */
  kty: 'RSA' | 'EC' | 'OKP';
  crv?: string;
  digest: string | null;
  pss?: boolean;
  ecdsa?: boolean;
}

// Every alg signing-algorithms.ts can allow; shared-secret (HS*) and none have no entry, so they can never verify.
const SCHEMES: ReadonlyMap<string, SignatureScheme> = new Map(Object.entries({
  RS256: { kty: 'RSA', digest: 'sha256' },
  RS384: { kty: 'RSA', digest: 'sha384' },
  RS512: { kty: 'RSA', digest: 'sha512' },
  PS256: { kty: 'RSA', digest: 'sha256', pss: true },
  PS384: { kty: 'RSA', digest: 'sha384', pss: true },
  PS512: { kty: 'RSA', digest: 'sha512', pss: true },
  ES256: { kty: 'EC', crv: 'P-256', digest: 'sha256', ecdsa: true },
  ES384: { kty: 'EC', crv: 'P-384', digest: 'sha384', ecdsa: true },
  ES512: { kty: 'EC', crv: 'P-521', digest: 'sha512', ecdsa: true },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', digest: null },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', digest: null },
} satisfies Record<string, SignatureScheme>));

// RFC 7518 §3.5 (PSS salt = hash length) and §3.4 (ECDSA signature = R || S, not DER).
const SALT_LENGTH: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };
// RFC 7518 §3.3 and §3.5: "A key of size 2048 bits or larger MUST be used".
const MIN_RSA_BITS = 2048;

// The KeyObject types and OpenSSL curve names of the JWK kty and crv values (RFC 7518 §6.2.1.1, RFC 8037 §2).
const KEY_TYPES: Readonly<Record<SignatureScheme['kty'], string>> = { RSA: 'rsa', EC: 'ec', OKP: 'ed25519' };
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

function keyFits(scheme: SignatureScheme, key: KeyObject): boolean {
  if (key.type !== 'public' || key.asymmetricKeyType !== KEY_TYPES[scheme.kty]) return false;
  return scheme.kty !== 'EC' || key.asymmetricKeyDetails?.namedCurve === CURVES[scheme.crv ?? ''];
}

/** The key type an alg needs, or undefined for an alg this kit cannot verify. */
export function signatureScheme(alg: string): SignatureScheme | undefined {
  return SCHEMES.get(alg);
}

/**
 * A public KeyObject for a JWK of the issuer's set; throws for a private or unusable one. key_ops may only name
 * "verify", as WebCrypto's import of a public key demands.
 */
export function publicKeyFromJwk(jwk: Record<string, unknown>): KeyObject {
  // RFC 7518 §6.2.2.1 / §6.3.2.1: a JWK with "d" is a private key (and "priv" one of jose's AKP keys).
  if (Boolean(jwk['d']) || Boolean(jwk['priv'])) throw new TypeError('JSON Web Key Set members must be public keys');
  const keyOps = jwk['key_ops'];
  if (Array.isArray(keyOps) && keyOps.some((operation) => operation !== 'verify')) throw new TypeError('a public key can only verify');
  return createPublicKey({ key: jwk as never, format: 'jwk' });
}

/**
 * Whether `signature` is `alg`'s signature of `signingInput` under `key` (a key whose kty and crv fit the alg).
 * A malformed signature (wrong length, bad encoding) is simply not valid. An RSA key under 2048 bits throws MetadataError.
 */
export function verifyJwsSignature(alg: string, key: KeyObject, signingInput: Uint8Array, signature: Uint8Array): boolean {
  const scheme = SCHEMES.get(alg);
  // node:crypto takes the scheme from the key (an RSA key under "ES256" would verify as RSA): the key must fit the alg.
  if (scheme === undefined || !keyFits(scheme, key)) return false;
  if (scheme.kty === 'RSA') {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    // The issuer's set is at fault, not the token: 503 without a challenge, like a JWKS that cannot be fetched.
    if (typeof bits !== 'number' || bits < MIN_RSA_BITS) throw new MetadataError(`the issuer's ${alg} key is under 2048 bits (RFC 7518 §3.3): its signatures are not trusted`);
  }
  try {
    if (scheme.ecdsa === true) return verify(scheme.digest, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (scheme.pss === true) {
      return verify(scheme.digest, signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH[scheme.digest ?? ''] }, signature);
    }
    return verify(scheme.digest, signingInput, key, signature);
  } catch {
    return false;
  }
}
