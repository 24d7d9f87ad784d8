// Test helper: DPoP proofs (RFC 9449 §4.2) made with jose, with every field overridable so tests can tamper with them.
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jkt: string;
  alg: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256'), alg };
}

export interface ProofOptions {
  htm?: string;
  htu: string;
  iat: number;
  jti?: string;
  accessToken?: string;
  nonce?: string;
  typ?: string;
  /** Replace the header's jwk (for example with a private JWK). */
  jwk?: JWK;
  /** Extra or replaced payload members. */
  claims?: Record<string, unknown>;
}

export async function dpopProof(key: DpopKey, options: ProofOptions): Promise<string> {
  const payload: Record<string, unknown> = { htm: options.htm ?? 'POST', htu: options.htu, jti: options.jti ?? randomUUID(), ...options.claims };
  if (options.accessToken !== undefined) payload.ath = createHash('sha256').update(options.accessToken).digest('base64url');
  if (options.nonce !== undefined) payload.nonce = options.nonce;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? key.publicJwk }).setIssuedAt(options.iat).sign(key.privateKey);
}
