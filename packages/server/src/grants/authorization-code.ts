// RFC 6749 §4.1.3-4.1.4: the authorization code grant, with RFC 7636 §4.5-4.6 (PKCE) and RFC 9700 §4.2.4 / §2.1.1.
// A code is single use: a second exchange fails and revokes every token issued from it (RFC 6749 §4.1.2).
import { hashSecret, randomSecret } from '../crypto/random.ts';
import { InvalidGrant, InvalidRequest } from '../oauth/errors.ts';
import { verifyCodeVerifier } from '../oauth/pkce.ts';
import type { ServerContext } from '../server-context.ts';
import type { AuthorizationCodeRecord, GrantRecord } from '../store/records.ts';
import type { GrantHandler } from './grant-handler.ts';
import { issueUserTokens } from './user-tokens.ts';

/**
 * The grant a code produces has an id derived from the code's hash, so a replay can name it even while the first
 * exchange is still storing it (a grant id is not a secret; the code cannot be recovered from it).
 */
function grantIdFor(codeHash: string): string {
  return hashSecret(`grant:${codeHash}`).slice(0, 32);
}

/** RFC 6749 §4.1.2: on reuse, revoke everything issued from the code; if its grant is not stored yet, forbid it. */
async function revokeIssuedFrom(ctx: ServerContext, code: AuthorizationCodeRecord, now: number): Promise<void> {
  const grantId = code.grantId ?? grantIdFor(code.codeHash);
  if (await ctx.store.revokeGrant(grantId, now)) return;
  if (await ctx.store.getGrant(grantId)) return;
  try {
    await ctx.store.createGrant({
      id: grantId, clientId: code.clientId, userId: code.userId, scopes: code.scopes, audience: code.audience, authTime: code.authTime,
      createdAt: now, lastUsedAt: now, expiresAt: now + ctx.config.codeTtl, revokedAt: now,
    }, null);
  } catch {
    await ctx.store.revokeGrant(grantId, now);
  }
}

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',

  async handle(ctx, { client, params }) {
    const presented = params.require('code');
    const codeHash = hashSecret(presented);
    const now = ctx.now();
    const result = await ctx.store.consumeCode(codeHash, now);
    if (result.status === 'not_found') throw new InvalidGrant('the authorization code is invalid');
    if (result.status === 'reused') {
      await revokeIssuedFrom(ctx, result.code, now);
      await ctx.store.addAuditEvent({ type: 'code.reused', clientId: result.code.clientId, userId: result.code.userId, detail: { presentedBy: client.id, grantId: result.code.grantId } }, now);
      throw new InvalidGrant('the authorization code was already used; the tokens issued from it have been revoked');
    }
    const code = result.code;
    if (code.clientId !== client.id) throw new InvalidGrant('the authorization code is invalid', { debug: `code of client ${code.clientId} presented by ${client.id}` });
    if (code.expiresAt <= now) throw new InvalidGrant('the authorization code has expired');

    // §4.1.3: redirect_uri must repeat the authorization request's, when that request carried one.
    const redirectUri = params.get('redirect_uri');
    if (code.redirectUri !== '') {
      if (redirectUri === undefined) throw new InvalidRequest('redirect_uri is required: the authorization request included it');
      if (redirectUri !== code.redirectUri) throw new InvalidGrant('redirect_uri does not match the one in the authorization request');
    } else if (redirectUri !== undefined && !client.redirectUris.includes(redirectUri)) {
      throw new InvalidGrant('redirect_uri does not match the one used for the authorization request');
    }
    verifyCodeVerifier(code.codeChallenge, params.get('code_verifier'));

    const user = await ctx.store.getUserById(code.userId);
    if (!user) throw new InvalidGrant('the authorization code is invalid', { debug: 'user no longer exists' });

    const withRefresh = client.grantTypes.includes('refresh_token');
    const grant: GrantRecord = {
      id: grantIdFor(codeHash), clientId: client.id, userId: user.id, scopes: code.scopes, audience: code.audience, authTime: code.authTime,
      createdAt: now, lastUsedAt: now,
      // Without a refresh token the grant only has to outlive its access token (so revocation can still name it).
      expiresAt: now + (withRefresh ? ctx.config.refreshAbsoluteTtl : ctx.config.accessTokenTtl), revokedAt: null,
    };
    const refreshToken = withRefresh ? randomSecret() : undefined;
    let issuedFor = grant;
    try {
      await ctx.store.createGrant(grant, refreshToken === undefined ? null : {
        tokenHash: hashSecret(refreshToken), grantId: grant.id, createdAt: now,
        expiresAt: Math.min(now + ctx.config.refreshIdleTtl, grant.expiresAt), rotatedAt: null,
      });
    } catch (error) {
      // A concurrent replay got here first and left a revoked grant under this id. This request still consumed the
      // code, so it gets its answer, exactly as if the replay had come a moment later: tokens that are already
      // revoked (the access token is inactive at introspection and UserInfo; the refresh token was never stored).
      const revoked = await ctx.store.getGrant(grant.id);
      if (!revoked?.revokedAt) throw error;
      issuedFor = revoked;
    }
    await ctx.store.attachGrantToCode(codeHash, grant.id);
    return issueUserTokens(ctx, { client, grant: issuedFor, scopes: code.scopes, audience: code.audience, nonce: code.nonce ?? undefined, refreshToken, now });
  },
};
