// Local validation of a JWT access token as RFC 9068 §4 lists it: typ, alg allow-list, signature, iss, aud, exp/nbf.
import type { KeyObject } from 'node:crypto';
import { toAccessTokenClaims, type AccessTokenClaims } from './access-token-claims.ts';
import { SignatureInvalidError, TokenInvalidError } from './errors.ts';
import type { CandidateKey, JwksKeyResolver } from './jwks-key-resolver.ts';
import { decodeJsonObject, decodeSegment, parseCompactJws, type CompactJws } from './jws-compact.ts';
import { verifyJwsSignature } from './jws-signature.ts';
import { checkAccessTokenClaims, checkAccessTokenTyp } from './jwt-claims-check.ts';

export interface JwtAccessTokenOptions {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  keys: JwksKeyResolver;
}

/** RFC 7515 §5.2: the signature must verify with the key; the first candidate that verifies wins (kid-less headers). */
function checkSignature(jws: CompactJws, candidates: readonly CandidateKey[]): void {
  let signature: Buffer | undefined;
  if (candidates.length === 1) {
    const key = candidates[0]!.publicKey();
    if (!verifyJwsSignature(jws.alg, key, jws.signingInput, decodeSegment(jws.encodedSignature))) throw new SignatureInvalidError();
    return;
  }
  for (const candidate of candidates) {
    let key: KeyObject;
    try {
      key = candidate.publicKey();
    } catch {
      continue; // a key of the set that cannot be imported is skipped when others may fit
    }
    signature ??= decodeSegment(jws.encodedSignature);
    if (verifyJwsSignature(jws.alg, key, jws.signingInput, signature)) return;
  }
  throw new SignatureInvalidError();
}

export async function verifyJwtAccessToken(token: string, options: JwtAccessTokenOptions): Promise<AccessTokenClaims> {
  const jws = parseCompactJws(token);
  // RFC 9068 §4 / RFC 8725 §3.1: only the configured asymmetric algorithms (never none or HS*).
  if (!options.algorithms.includes(jws.alg)) throw new TokenInvalidError('the access token signing algorithm is not allowed');
  checkSignature(jws, await options.keys.candidates(jws.alg, jws.header['kid']));
  const payload = decodeJsonObject(decodeSegment(jws.encodedPayload));
  checkAccessTokenTyp(jws.header);
  checkAccessTokenClaims(payload, options, Math.floor(Date.now() / 1000));
  return toAccessTokenClaims(payload, true);
}
