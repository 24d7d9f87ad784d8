// Generates a signing key pair for a JWS algorithm (RFC 7518 §3.3 RS256, §3.4 ES256; RFC 8037 EdDSA/Ed25519).
import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../store/records.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';

export interface GeneratedKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JsonWebKey;
  privateJwk: JsonWebKey;
}

function pairFor(alg: SigningAlg): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (alg) {
    case 'RS256': return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'ES256': return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'EdDSA': return generateKeyPairSync('ed25519');
  }
}

export function generateSigningKey(alg: SigningAlg): GeneratedKey {
  const { publicKey, privateKey } = pairFor(alg);
  const publicJwk = publicKey.export({ format: 'jwk' });
  return { kid: jwkThumbprint(publicJwk), alg, publicJwk, privateJwk: privateKey.export({ format: 'jwk' }) };
}
