// RFC 9449 DPoP in the kit: one ES256 key per session, made when the login attempt starts, kept with the attempt and
// then the session, encrypted like the tokens (session-secrets.ts); it signs the proofs of the token requests and
// UserInfo (openid-client's DPoP handle, which also answers server nonces), and of calls to upstream APIs (§7.1, ath).
import { createHash, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { KitContext } from './kit-context.ts';

const ALG = 'ES256';

/** A new key, as the private JWK's JSON (what is encrypted and stored). */
export async function createDpopKey(): Promise<string> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  return JSON.stringify(await exportJWK(privateKey));
}

function publicJwk(serialized: string): JWK {
  const { kty, crv, x, y } = JSON.parse(serialized) as JWK;
  return { kty, crv, x, y } as JWK;
}

/** The key's RFC 7638 thumbprint: the `dpop_jkt` that binds the authorization code to it (§10). */
export function dpopThumbprint(serialized: string): Promise<string> {
  return calculateJwkThumbprint(publicJwk(serialized), 'sha256');
}

async function keyPair(serialized: string): Promise<CryptoKeyPair> {
  return {
    privateKey: await importJWK(JSON.parse(serialized) as JWK, ALG) as CryptoKey,
    publicKey: await importJWK(publicJwk(serialized), ALG, { extractable: true }) as CryptoKey,
  };
}

/** openid-client's options for a request made with the key, or none without a key. */
export async function dpopOptions(context: KitContext, serialized: string | null | undefined): Promise<oidc.DPoPOptions | undefined> {
  if (!serialized) return undefined;
  return { DPoP: oidc.getDPoPHandle(context.provider, await keyPair(serialized)) };
}

/** A proof for a call to an upstream API with a DPoP-bound access token (§4.2: htm, htu without query, ath). */
export async function upstreamProof(serialized: string, method: string, target: URL, accessToken: string): Promise<string> {
  const { privateKey } = await keyPair(serialized);
  return new SignJWT({
    htm: method.toUpperCase(), htu: `${target.origin}${target.pathname}`, jti: randomUUID(),
    ath: createHash('sha256').update(accessToken, 'ascii').digest('base64url'),
  }).setProtectedHeader({ alg: ALG, typ: 'dpop+jwt', jwk: publicJwk(serialized) }).setIssuedAt().sign(privateKey);
}
