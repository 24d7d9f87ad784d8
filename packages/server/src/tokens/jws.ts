// Compact JWS signing (RFC 7515 §7.1) with node:crypto KeyObjects: synchronous and allocation-light,
// because signing is the hot path of every token request. Verification elsewhere uses jose.
import { sign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../store/records.ts';

export interface JwsSigner {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** Signs `payload` as a compact JWS with header {alg, kid, typ}. */
  sign(payload: object, typ: string): string;
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
  const options = alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  const digest = alg === 'EdDSA' ? null : 'sha256';
  return {
    kid,
    alg,
    sign(payload, typ) {
      const input = `${encodedHeader(typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${input}.${sign(digest, Buffer.from(input), options).toString('base64url')}`;
    },
  };
}
