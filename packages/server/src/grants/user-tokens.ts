// The token response for a user's grant (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3): an RFC 9068 access token
// bound to the grant, an ID token when openid was granted, and the rotated refresh token if there is one.
import { effectiveLifetimes } from '../clients/client-lifetimes.ts';
import { isOidcScope } from '../oauth/scope.ts';
import { idTokenUserClaims } from '../oidc/claims.ts';
import { deserializeRequestedClaims, requestedUserClaims } from '../oidc/claims-request.ts';
import { signIdToken } from '../oidc/id-token.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord, GrantRecord, UserRecord } from '../store/records.ts';
import { signAccessToken } from '../tokens/access-token.ts';
import type { TokenResponse } from './grant-handler.ts';

/**
 * The `aud` of an access token. With an API scope it is that API (RFC 9068 §3). With OpenID Connect scopes only,
 * no API is the audience, so the token names the UserInfo endpoint (its URL): no resource server
 * accepts it, and UserInfo, which does not need an audience match, does.
 */
function accessTokenAudience(ctx: ServerContext, audience: string | null): string {
  return audience ?? ctx.urls.userinfo;
}

export interface UserTokenInput {
  client: ClientRecord;
  grant: GrantRecord;
  /** The grant's user, whose scope claims the ID token may carry. */
  user: UserRecord;
  /** The scopes of this response (the grant's, or fewer on refresh). */
  scopes: string[];
  audience: string | null;
  nonce?: string | undefined;
  refreshToken: string | undefined;
  /** The DPoP key the access token is bound to (RFC 9449 §5), or undefined for a bearer token. */
  dpopJkt: string | undefined;
  now: number;
}

/** Signs the whole answer (RSA off the event loop: tokens/jws.ts); callers await it before committing anything. */
export async function signUserTokens(ctx: ServerContext, input: UserTokenInput): Promise<TokenResponse> {
  const { client, grant, now } = input;
  const lifetimes = effectiveLifetimes(ctx.config, client);
  const access = await signAccessToken(ctx.keys.signer(ctx.config.accessTokenAlg), {
    issuer: ctx.config.issuer, audience: accessTokenAudience(ctx, input.audience), subject: grant.userId, clientId: client.id,
    scopes: input.scopes, ttl: lifetimes.accessTokenTtl, now, authTime: grant.authTime, grantId: grant.id,
    ...(input.dpopJkt === undefined ? {} : { dpopJkt: input.dpopJkt }),
  });
  const response: TokenResponse = { access_token: access.token, token_type: input.dpopJkt === undefined ? 'Bearer' : 'DPoP', expires_in: lifetimes.accessTokenTtl, scope: access.scope };
  if (input.refreshToken !== undefined) response.refresh_token = input.refreshToken;
  if (input.scopes.includes('openid')) {
    // The scope claims (unless the client chose UserInfo only), plus what the claims parameter asked for in the ID token.
    const userClaims = { ...idTokenUserClaims(input.user, input.scopes, client.idTokenClaims), ...requestedUserClaims(input.user, deserializeRequestedClaims(grant.claims)?.idToken ?? []) };
    response.id_token = await signIdToken(ctx.keys.signer(client.idTokenAlg), {
      issuer: ctx.config.issuer, subject: grant.userId, clientId: client.id, authTime: grant.authTime, amr: grant.amr, nonce: input.nonce, sid: grant.sid ?? undefined,
      accessToken: access.token, userClaims, ttl: lifetimes.idTokenTtl, now,
    });
  }
  return response;
}

/** The audience for a narrowed scope set: the grant's API while an API scope remains, else none. */
export function narrowedAudience(grant: GrantRecord, scopes: string[]): string | null {
  const grantHasApiScope = grant.scopes.some((s) => !isOidcScope(s));
  if (!grantHasApiScope) return grant.audience;
  return scopes.some((s) => !isOidcScope(s)) ? grant.audience : null;
}
