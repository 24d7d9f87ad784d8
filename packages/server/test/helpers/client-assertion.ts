// Test helper: a private_key_jwt client's key pair and RFC 7523 client assertions with every claim overridable.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface ClientKeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
  alg: string;
  kid: string;
}

export async function clientKeyPair(alg = 'ES256', kid: string = randomUUID()): Promise<ClientKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg }, alg, kid };
}

export interface AssertionOptions {
  clientId: string;
  aud: string | string[];
  now: number;
  /** Claims to replace (undefined removes one). */
  claims?: Record<string, unknown>;
}

export async function clientAssertion(key: ClientKeyPair, options: AssertionOptions): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: options.clientId, sub: options.clientId, aud: options.aud, jti: randomUUID(), iat: options.now, exp: options.now + 60, ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
