// The UserInfo endpoint: OpenID Connect Core §5.3 (GET and POST, claims by scope), with Bearer tokens per
// RFC 6750 §2.1 (header) and §2.2 (form body). The access token is our own RFC 9068 JWT; its grant must still be
// live, so revoking a refresh-token family ends its access tokens here too.
import type { FormParams } from '../oauth/form-params.ts';
import { presentedBearerToken } from '../oauth/bearer-token.ts';
import { InsufficientScope, InvalidToken } from '../oauth/errors.ts';
import { userClaims } from '../oidc/claims.ts';
import { deserializeRequestedClaims, requestedUserClaims } from '../oidc/claims-request.ts';
import type { ServerContext } from '../server-context.ts';
import { isAccessTokenLive, verifyOwnAccessToken } from '../tokens/verify-access-token.ts';

export interface UserinfoRequest {
  authorization: string | undefined;
  /** The form body of a POST, if any. */
  body: FormParams | undefined;
}

/** The presented token; undefined when the request carried no bearer credentials at all (RFC 6750 §3.1). */
export function presentedBearer(request: UserinfoRequest): string | undefined {
  return presentedBearerToken(request.authorization, request.body?.get('access_token'));
}

export async function handleUserinfo(ctx: ServerContext, token: string): Promise<Record<string, unknown>> {
  // Signature against our own keys, typ at+jwt, iss, exp (RFC 9068 §4). The audience is not checked: UserInfo
  // serves any of our user tokens that carry openid (see grants/user-tokens.ts for the audience of such tokens).
  const payload = await verifyOwnAccessToken(ctx, token);
  if (!payload) throw new InvalidToken('the access token is invalid or has expired');
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
