// The UserInfo endpoint: OpenID Connect Core §5.3 (GET and POST, claims by scope), with Bearer tokens per
// RFC 6750 §2.1 (header) and §2.2 (form body), and DPoP-bound tokens per RFC 9449 §7.1. The access token is our own RFC 9068 JWT; its grant must still be
// live, so revoking a refresh-token family ends its access tokens here too.
import type { FormParams } from '../oauth/form-params.ts';
import { presentedBearerToken } from '../oauth/bearer-token.ts';
import { InsufficientScope, InvalidRequest, InvalidToken } from '../oauth/errors.ts';
import { boundThumbprint, verifyDpopProof } from '../oauth/dpop-proof.ts';
import { userClaims } from '../oidc/claims.ts';
import { deserializeRequestedClaims, requestedUserClaims } from '../oidc/claims-request.ts';
import type { ServerContext } from '../server-context.ts';
import { isAccessTokenLive, verifyOwnAccessToken } from '../tokens/verify-access-token.ts';

export interface UserinfoRequest {
  authorization: string | undefined;
  /** The form body of a POST, if any. */
  body: FormParams | undefined;
  method: string;
  /** The DPoP header(s) (RFC 9449 §7.1). */
  dpop: string | string[] | undefined;
}

/** How the token came: RFC 6750 Bearer (header or body), or RFC 9449 §7.1 `Authorization: DPoP`. */
export interface PresentedToken {
  token: string;
  scheme: 'Bearer' | 'DPoP';
}

const DPOP_SCHEME = /^DPoP(?:\s+([\s\S]*))?$/i;

/** The presented token; undefined when the request carried no credentials at all (RFC 6750 §3.1). */
export function presentedToken(request: UserinfoRequest): PresentedToken | undefined {
  const dpop = request.authorization === undefined ? null : DPOP_SCHEME.exec(request.authorization.trim());
  if (dpop) {
    const token = dpop[1] ?? '';
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new InvalidRequest('the Authorization header has no well-formed DPoP token (RFC 9449 §7.1)');
    if (request.body?.get('access_token') !== undefined) throw new InvalidRequest('send the access token in exactly one place (RFC 6750 §2)');
    return { token, scheme: 'DPoP' };
  }
  const token = presentedBearerToken(request.authorization, request.body?.get('access_token'));
  return token === undefined ? undefined : { token, scheme: 'Bearer' };
}

export async function handleUserinfo(ctx: ServerContext, presented: PresentedToken, request: Pick<UserinfoRequest, 'method' | 'dpop'>): Promise<Record<string, unknown>> {
  const { token } = presented;
  // Signature against our own keys, typ at+jwt, iss, exp (RFC 9068 §4). The audience is not checked: UserInfo
  // serves any of our user tokens that carry openid (see grants/user-tokens.ts for the audience of such tokens).
  const payload = await verifyOwnAccessToken(ctx, token);
  if (!payload) throw new InvalidToken('the access token is invalid or has expired');
  // RFC 9449 §7.1: a bound token only with a proof of its key, never as a bearer token (a thief has only the token).
  const jkt = boundThumbprint(payload);
  if (jkt !== undefined && presented.scheme !== 'DPoP') throw new InvalidToken('this access token is DPoP-bound: present it with Authorization: DPoP and a DPoP proof');
  if (presented.scheme === 'DPoP') {
    if (jkt === undefined) throw new InvalidToken('this access token is not DPoP-bound: present it as a Bearer token');
    const proof = await verifyDpopProof(ctx, { header: request.dpop, method: request.method, url: ctx.urls.userinfo, accessToken: token, requireNonce: false, status: 401 });
    if (proof.jkt !== jkt) throw new InvalidToken('the access token is bound to another key than the DPoP proof');
  }
  // Tokens from client credentials have no user (sub is the client, no grant): they get no identity here.
  if (typeof payload.gid !== 'string' || payload.sub === payload.client_id) throw new InvalidToken('this access token was not issued for a user');
  if (!(await isAccessTokenLive(ctx, payload))) throw new InvalidToken('the access token has been revoked');
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (!scopes.includes('openid')) throw new InsufficientScope('the access token lacks the openid scope');
  const user = await ctx.store.getUser(payload.sub);
  if (!user) throw new InvalidToken('the access token has been revoked', { debug: 'user no longer exists' });
  // OpenID Connect Core §5.5: plus the claims the authorization request asked for by name for UserInfo.
  const requested = deserializeRequestedClaims((await ctx.store.getGrant(payload.gid))?.claims ?? null);
  return { ...requestedUserClaims(user, requested?.userinfo ?? []), ...userClaims(user, scopes) };
}
