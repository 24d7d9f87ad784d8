// A DPoP client's side for tests: an RFC 9449 key pair, its RFC 7638 thumbprint, and proofs (§4.2) that can be bent.
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface DpopKey {
  alg: 'ES256' | 'RS256' | 'EdDSA';
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint: the token's cnf.jkt. */
  jkt: string;
}

export async function createDpopKey(alg: DpopKey['alg'] = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

export interface ProofOptions {
  htm: string;
  htu: string;
  /** The access token the proof goes with (its ath); `ath` overrides. */
  token: string;
  ath?: string;
  iat?: number;
  jti?: string;
  typ?: string;
  /** The jwk header; default the key's public JWK. */
  jwk?: JWK;
}

export async function signProof(key: DpopKey, options: ProofOptions): Promise<string> {
  return new SignJWT({
    htm: options.htm,
    htu: options.htu,
    ath: options.ath ?? accessTokenHash(options.token),
    jti: options.jti ?? randomUUID(),
    iat: options.iat ?? Math.floor(Date.now() / 1000),
  })
    .setProtectedHeader({ alg: key.alg, typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? key.publicJwk })
    .sign(key.privateKey);
}
