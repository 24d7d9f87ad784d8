// RFC 6749 §4.1.3-4.1.4: the authorization code grant, with RFC 7636 §4.5-4.6 (PKCE) and RFC 9700 §4.2.4 / §2.1.1.
// A code is single use: a second exchange fails and revokes every token issued from it (RFC 6749 §4.1.2).
import { hashSecret, randomId, randomSecret } from '../crypto/random.ts';
import { InvalidGrant, InvalidRequest, UnauthorizedClient } from '../oauth/errors.ts';
import { verifyCodeVerifier } from '../oauth/pkce.ts';
import type { GrantRecord } from '../store/records.ts';
import type { GrantHandler } from './grant-handler.ts';
import { issueUserTokens } from './user-tokens.ts';

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',

  async handle(ctx, { client, params }) {
    if (!client.grantTypes.includes('authorization_code')) throw new UnauthorizedClient('this client is not registered for the authorization_code grant');
    const presented = params.require('code');
    const codeHash = hashSecret(presented);
    const now = ctx.now();
    const result = await ctx.store.consumeCode(codeHash, now);
    if (result.status === 'not_found') throw new InvalidGrant('the authorization code is invalid');
    if (result.status === 'reused') {
      if (result.code.grantId) await ctx.store.revokeGrant(result.code.grantId, now);
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
      id: randomId(), clientId: client.id, userId: user.id, scopes: code.scopes, audience: code.audience, authTime: code.authTime,
      createdAt: now, lastUsedAt: now,
      // Without a refresh token the grant only has to outlive its access token (so revocation can still name it).
      expiresAt: now + (withRefresh ? ctx.config.refreshAbsoluteTtl : ctx.config.accessTokenTtl), revokedAt: null,
    };
    const refreshToken = withRefresh ? randomSecret() : undefined;
    await ctx.store.createGrant(grant, refreshToken === undefined ? null : {
      tokenHash: hashSecret(refreshToken), grantId: grant.id, createdAt: now,
      expiresAt: Math.min(now + ctx.config.refreshIdleTtl, grant.expiresAt), rotatedAt: null,
    });
    await ctx.store.attachGrantToCode(codeHash, grant.id);
    return issueUserTokens(ctx, { client, grant, scopes: code.scopes, audience: code.audience, nonce: code.nonce ?? undefined, refreshToken, now });
  },
};
