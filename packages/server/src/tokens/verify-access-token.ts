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
let cached: { jwks: Jwks; keySet: ReturnType<typeof createLocalJWKSet> } | undefined;

function keySetFor(ctx: ServerContext) {
  const jwks = ctx.keys.jwks();
  if (cached?.jwks !== jwks) cached = { jwks, keySet: createLocalJWKSet(jwks) };
  return cached.keySet;
}

/** The token's claims when its signature, type, issuer and lifetime are valid; undefined otherwise. */
export async function verifyOwnAccessToken(ctx: ServerContext, token: string): Promise<AccessTokenClaims | undefined> {
  if (token.length > 8192 || token.split('.').length !== 3) return undefined;
  try {
    const { payload } = await jwtVerify(token, keySetFor(ctx), {
      issuer: ctx.config.issuer, typ: 'at+jwt', algorithms: ['RS256', 'ES256', 'EdDSA'],
      currentDate: new Date(ctx.now() * 1000),
    });
    if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string' || typeof payload.jti !== 'string') return undefined;
    return payload as AccessTokenClaims;
  } catch {
    return undefined;
  }
}

/** True unless the token's id was revoked or the grant it came from has ended (RFC 7009 §2, RFC 7662 §2.2). */
export async function isAccessTokenLive(ctx: ServerContext, claims: AccessTokenClaims): Promise<boolean> {
  return ctx.store.isAccessTokenLive(claims.jti, claims.gid, ctx.now());
}
