// RFC 9068: JWT profile for OAuth 2.0 access tokens (header typ "at+jwt"; iss, exp, aud, sub, client_id, iat, jti, scope),
// with RFC 9449 §6.1 cnf.jkt when the token is DPoP-bound.
import { randomId } from '../crypto/random.ts';
import type { JwsSigner } from './jws.ts';

export interface AccessTokenInput {
  issuer: string;
  audience: string;
  /** The resource owner: a user id, or the client id for client credentials (RFC 9068 §2.2). */
  subject: string;
  clientId: string;
  scopes: string[];
  ttl: number;
  now: number;
  authTime?: number;
  /** The grant (refresh-token family) the token came from, so revoking the grant ends it at introspection. */
  grantId?: string;
  /** RFC 9449 §6.1: the JWK thumbprint of the DPoP key the token is bound to (cnf.jkt). */
  dpopJkt?: string;
  /** RFC 8693 §4.1: who acts on the subject's behalf (a token exchange's client, earlier actors nested). */
  act?: ActorClaim;
}

/** RFC 8693 §4.1 `act`: the current actor, with the previous actors nested in `act`. */
export interface ActorClaim {
  sub: string;
  act?: ActorClaim;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: number;
  scope: string;
}

function accessTokenClaims(input: AccessTokenInput): { claims: Record<string, unknown>; jti: string; expiresAt: number; scope: string } {
  const jti = randomId();
  const scope = input.scopes.join(' ');
  const expiresAt = input.now + input.ttl;
  const claims: Record<string, unknown> = {
    iss: input.issuer, sub: input.subject, aud: input.audience, client_id: input.clientId,
    iat: input.now, exp: expiresAt, jti, scope,
  };
  if (input.authTime !== undefined) claims.auth_time = input.authTime;
  if (input.grantId !== undefined) claims.gid = input.grantId;
  if (input.act !== undefined) claims.act = input.act;
  if (input.dpopJkt !== undefined) claims.cnf = { jkt: input.dpopJkt };
  return { claims, jti, expiresAt, scope };
}

/** Signed on the calling thread. */
export function issueAccessToken(signer: JwsSigner, input: AccessTokenInput): IssuedAccessToken {
  const { claims, ...rest } = accessTokenClaims(input);
  return { token: signer.sign(claims, 'at+jwt'), ...rest };
}

/** The same token, an RSA signature computed off the event loop (JwsSigner.signAsync): what the token endpoint uses. */
export async function signAccessToken(signer: JwsSigner, input: AccessTokenInput): Promise<IssuedAccessToken> {
  const { claims, ...rest } = accessTokenClaims(input);
  return { token: await signer.signAsync(claims, 'at+jwt'), ...rest };
}
