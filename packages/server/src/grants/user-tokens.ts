// The token response for a user's grant (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3): an RFC 9068 access token
// bound to the grant, an ID token when openid was granted, and the rotated refresh token if there is one.
import { isOidcScope } from '../oauth/scope.ts';
import { idTokenUserClaims } from '../oidc/claims.ts';
import { issueIdToken } from '../oidc/id-token.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord, GrantRecord, UserRecord } from '../store/records.ts';
import { issueAccessToken } from '../tokens/access-token.ts';
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
  now: number;
}

export function issueUserTokens(ctx: ServerContext, input: UserTokenInput): TokenResponse {
  const { client, grant, now } = input;
  const access = issueAccessToken(ctx.keys.signer(ctx.config.accessTokenAlg), {
    issuer: ctx.config.issuer, audience: accessTokenAudience(ctx, input.audience), subject: grant.userId, clientId: client.id,
    scopes: input.scopes, ttl: ctx.config.accessTokenTtl, now, authTime: grant.authTime, grantId: grant.id,
  });
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: ctx.config.accessTokenTtl, scope: access.scope };
  if (input.refreshToken !== undefined) response.refresh_token = input.refreshToken;
  if (input.scopes.includes('openid')) {
    response.id_token = issueIdToken(ctx.keys.signer(client.idTokenAlg), {
      issuer: ctx.config.issuer, subject: grant.userId, clientId: client.id, authTime: grant.authTime, amr: grant.amr, nonce: input.nonce,
      accessToken: access.token, userClaims: idTokenUserClaims(input.user, input.scopes, client.idTokenClaims), ttl: ctx.config.idTokenTtl, now,
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
