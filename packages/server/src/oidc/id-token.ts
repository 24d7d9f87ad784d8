// ID tokens: OpenID Connect Core §2 (claims), §3.1.3.6 (at_hash), §3.1.3.7 (validation the RP performs) and
// §12.2 (a refreshed ID token keeps iss, sub, aud and auth_time); `sid` from Back-Channel Logout 1.0 §2.1. Signed with the client's algorithm, RS256 by default.
import { createHash } from 'node:crypto';
import type { SigningAlg } from '../store/records.ts';
import { acrFor } from './authentication-context.ts';
import type { JwsSigner } from '../tokens/jws.ts';

export interface IdTokenInput {
  issuer: string;
  /** The stable, opaque user id. */
  subject: string;
  clientId: string;
  authTime: number;
  /** RFC 8176 methods of that authentication: `amr`, and the `acr` they reach (oidc/authentication-context.ts). */
  amr: readonly string[];
  nonce?: string | undefined;
  /** The session's id (Back-Channel Logout 1.0 §2.1, Front-Channel Logout 1.0 §3): lets the client match a logout token. */
  sid?: string | undefined;
  /** The access token issued alongside, for at_hash. */
  accessToken?: string | undefined;
  /** Claims of the granted scopes (OpenID Connect Core §5.4), when the client takes them in the ID token. */
  userClaims?: Record<string, unknown> | undefined;
  ttl: number;
  now: number;
}

/** §3.1.3.6: the left-most half of the hash of the access token's ASCII octets, base64url. The hash is the one
 *  of the JWS alg (SHA-256 for RS256/ES256); for EdDSA with Ed25519 it is SHA-512, as common practice agrees. */
function atHash(accessToken: string, alg: SigningAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

function idTokenClaims(signer: JwsSigner, input: IdTokenInput): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    ...input.userClaims,
    iss: input.issuer, sub: input.subject, aud: input.clientId, azp: input.clientId,
    exp: input.now + input.ttl, iat: input.now, auth_time: input.authTime,
    amr: [...input.amr], acr: acrFor(input.amr),
  };
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  if (input.sid !== undefined) claims.sid = input.sid;
  if (input.accessToken !== undefined) claims.at_hash = atHash(input.accessToken, signer.alg);
  return claims;
}

/** The signed ID token; an RSA signature (the default) is computed off the event loop (JwsSigner.signAsync). */
export function signIdToken(signer: JwsSigner, input: IdTokenInput): Promise<string> {
  return signer.signAsync(idTokenClaims(signer, input), 'JWT');
}
