// Checks an access token this server issued (RFC 9068 §4): signature against our own published keys,
// typ at+jwt, iss, exp; then whether it was revoked (its jti, or the grant it came from).
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { ServerContext } from '../server-context.ts';
import type { ActorClaim } from './access-token.ts';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
  exp: number;
  iat: number;
  aud: string;
  auth_time?: number;
  /** The grant (refresh-token family) the token came from; absent for client credentials. */
  gid?: string;
  /** RFC 8693 §4.1: present on tokens issued by a token exchange. */
  act?: ActorClaim;
}

type Jwks = ReturnType<ServerContext['keys']['jwks']>;

/** At most this many verified tokens are remembered (the oldest leaves first). */
export const VERIFIED_TOKENS_KEPT = 1024;

/**
 * The imported key set, and the tokens it verified (by their exact text). The entry is replaced when the published
 * keys change (KeyRing.jwks() returns a new object: a key revoked or removed), so a token no published key verifies
 * is never answered from it. What depends on the time (exp, nbf) is checked again at each use; revocation (the jti,
 * the grant) is not cached here at all: isAccessTokenLive asks the store every time.
 */
let cached: { jwks: Jwks; issuer: string; keySet: ReturnType<typeof createLocalJWKSet>; verified: Map<string, AccessTokenClaims> } | undefined;

function verifierFor(ctx: ServerContext) {
  const jwks = ctx.keys.jwks();
  const issuer = ctx.config.issuer;
  if (cached?.jwks !== jwks || cached.issuer !== issuer) cached = { jwks, issuer, keySet: createLocalJWKSet(jwks), verified: new Map() };
  return cached;
}

/** RFC 7519 §4.1.4 and §4.1.5, as jwtVerify checks them (no clock tolerance). */
function withinLifetime(claims: AccessTokenClaims, now: number): boolean {
  if (typeof claims.exp === 'number' && claims.exp <= now) return false;
  return !(typeof claims.nbf === 'number' && claims.nbf > now);
}

/** The token's claims when its signature, type, issuer and lifetime are valid; undefined otherwise. */
export async function verifyOwnAccessToken(ctx: ServerContext, token: string): Promise<AccessTokenClaims | undefined> {
  if (token.length > 8192 || token.split('.').length !== 3) return undefined;
  const verifier = verifierFor(ctx);
  const now = ctx.now();
  // The same text verified already under the same keys: its signature, typ and iss hold; only the time can have moved.
  const known = verifier.verified.get(token);
  if (known) return withinLifetime(known, now) ? { ...known } : undefined;
  try {
    const { payload } = await jwtVerify(token, verifier.keySet, {
      issuer: verifier.issuer, typ: 'at+jwt', algorithms: ['RS256', 'ES256', 'EdDSA'],
      currentDate: new Date(now * 1000),
    });
    if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string' || typeof payload.jti !== 'string') return undefined;
    const claims = payload as AccessTokenClaims;
    if (verifier.verified.size >= VERIFIED_TOKENS_KEPT) verifier.verified.delete(verifier.verified.keys().next().value!);
    verifier.verified.set(token, { ...claims });
    return claims;
  } catch {
    return undefined;
  }
}

/** True unless the token's id was revoked or the grant it came from has ended (RFC 7009 §2, RFC 7662 §2.2). */
export async function isAccessTokenLive(ctx: ServerContext, claims: AccessTokenClaims): Promise<boolean> {
  return ctx.store.isAccessTokenLive(claims.jti, claims.gid, ctx.now());
}
