// Compact JWS signing (RFC 7515 §7.1) with node:crypto KeyObjects: allocation-light, because signing is the hot path
// of every token request. Verification elsewhere uses jose.
// RSA signatures cost ~1 ms of CPU each: `signAsync` computes them on libuv's thread pool (node:crypto's callback form),
// off the event loop and on every core, with the KeyObject's key staying inside this process's native memory (nothing
// is copied to a worker or serialised). ES256 and EdDSA are fast enough that a thread hop would cost more than it saves:
// they are signed synchronously either way. docs/decisions.md 2026-11-29 "RSA signing off the event loop".
import { sign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../store/records.ts';
import { derToJoseSignature } from './ecdsa-signature.ts';

export interface JwsSigner {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** Signs `payload` as a compact JWS with header {alg, kid, typ}, on the calling thread. */
  sign(payload: object, typ: string): string;
  /** The same JWS; RSA is signed on the thread pool, the other algorithms synchronously. */
  signAsync(payload: object, typ: string): Promise<string>;
}

/** Algorithms whose signing is slow enough to send to the thread pool. */
function signsOffThread(alg: SigningAlg): boolean {
  return alg.startsWith('RS') || alg.startsWith('PS');
}

export function createJwsSigner(kid: string, alg: SigningAlg, privateKey: KeyObject): JwsSigner {
  const headers = new Map<string, string>();
  const encodedHeader = (typ: string): string => {
    let header = headers.get(typ);
    if (!header) {
      header = Buffer.from(JSON.stringify({ alg, kid, typ })).toString('base64url');
      headers.set(typ, header);
    }
    return header;
  };
  const signingInput = (payload: object, typ: string): string => `${encodedHeader(typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const digest = alg === 'EdDSA' ? null : 'sha256';
  // A bare KeyObject signs about 2.5x faster than an options object; ES256's DER output is converted instead.
  const toJose = alg === 'ES256' ? (der: Buffer) => derToJoseSignature(der, 32) : (signature: Buffer) => signature;
  const signSync = (payload: object, typ: string): string => {
    const input = signingInput(payload, typ);
    return `${input}.${toJose(sign(digest, Buffer.from(input), privateKey)).toString('base64url')}`;
  };
  const offThread = signsOffThread(alg);
  return {
    kid,
    alg,
    sign: signSync,
    signAsync(payload, typ) {
      if (!offThread) {
        try {
          return Promise.resolve(signSync(payload, typ));
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      return new Promise((resolve, reject) => {
        const input = signingInput(payload, typ);
        // node:crypto throws synchronously for a key that cannot sign at all; the executor turns that into a rejection.
        sign(digest, Buffer.from(input), privateKey, (error, signature) => {
          if (error) reject(error);
          else resolve(`${input}.${toJose(signature).toString('base64url')}`);
        });
      });
    },
  };
}
