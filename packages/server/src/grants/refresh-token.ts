// RFC 6749 §6: the refresh token grant, with rotation and reuse detection (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1):
// every use returns a new refresh token; presenting a rotated one revokes the whole family. Narrower scope is
// allowed, wider is invalid_scope. Idle and absolute lifetimes (the client's, else the server's) bound the family.
// All or nothing (issue 11): the answer is signed first, then one store call rotates the token and stores its
// successor. The grace window (issue 15, docs/refresh-tokens.md): the same client presenting a just-rotated token
// again (two tabs, a retry after a lost answer) gets one more complete answer, and the family stays alive; at most
// MAX_ANSWERS_PER_REFRESH_TOKEN answers per token, so at most that many live tokens per family.
import { hashSecret, randomSecret } from '../crypto/random.ts';
import { InvalidGrant, InvalidScope, InvalidTarget } from '../oauth/errors.ts';
import { parseScope } from '../oauth/scope.ts';
import { effectiveLifetimes } from '../clients/client-lifetimes.ts';
import { MAX_ANSWERS_PER_REFRESH_TOKEN } from '../store/grant-store.ts';
import type { GrantHandler } from './grant-handler.ts';
import { narrowedAudience, signUserTokens } from './user-tokens.ts';

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  parameters: new Set(['refresh_token', 'scope', 'resource']),
  credentials: new Set(['refresh_token']),

  async handle(ctx, { client, params, dpopJkt }) {
    const presented = params.require('refresh_token');
    const oldHash = hashSecret(presented);
    const now = ctx.now();
    // The token with its grant and user, in one read (deleting a user deletes their grants and tokens).
    const found = await ctx.store.getRefreshTokenWithUser(oldHash);
    // Checked before rotating, so another client cannot burn (or learn about) this client's token. Past this point the
    // request proves it is the client: a confidential client has authenticated; for a public client the refresh token
    // is itself the proof (OAuth 2.1 §4.3.1), so a replay of a rotated one revokes the family.
    if (!found || found.grant.clientId !== client.id) {
      throw new InvalidGrant('the refresh token is invalid', { debug: found ? `token of client ${found.grant.clientId} presented by ${client.id}` : 'unknown token' });
    }
    const grant = found.grant;
    // RFC 9449 §5: a refresh token bound to a DPoP key is refused without a proof of that key (a thief has only the token).
    if (grant.dpopJkt !== null && dpopJkt !== grant.dpopJkt) {
      throw new InvalidGrant(dpopJkt === undefined ? 'this refresh token is bound to a DPoP key: send a DPoP proof signed with it'
        : 'the DPoP proof key is not the key this refresh token is bound to');
    }
    const requested = parseScope(params.get('scope'));
    const wider = requested.filter((s) => !grant.scopes.includes(s));
    if (wider.length > 0) throw new InvalidScope(`scope exceeds what was originally granted: ${wider.join(' ')}`);
    const scopes = requested.length > 0 ? requested : grant.scopes;
    const resource = params.get('resource');
    if (resource !== undefined && resource !== grant.audience) throw new InvalidTarget('resource differs from the API this grant is for');
    const user = found.user;

    const next = randomSecret();
    const lifetimes = effectiveLifetimes(ctx.config, client);
    const answer = await signUserTokens(ctx, { client, grant, user, scopes, audience: narrowedAudience(grant, scopes), refreshToken: next, dpopJkt, now });
    const result = await ctx.store.rotateRefreshToken(oldHash, {
      tokenHash: hashSecret(next), grantId: grant.id, createdAt: now, expiresAt: Math.min(now + lifetimes.refreshIdleTtl, grant.expiresAt), rotatedAt: null,
    }, now, lifetimes.refreshGrace, MAX_ANSWERS_PER_REFRESH_TOKEN);
    if (result.status === 'reused') {
      ctx.metrics.reuseDetected('refresh_token');
      await ctx.store.recordAuditEvent({ type: 'refresh_token.reused', clientId: client.id, userId: grant.userId, detail: { grantId: result.grantId } }, now);
      throw new InvalidGrant('the refresh token was already used; every token of this grant has been revoked');
    }
    if (result.status === 'grace_exhausted') {
      throw new InvalidGrant('the refresh token was already used; its grace window allows no more answers', { debug: 'grace answers exhausted; family kept' });
    }
    if (result.status !== 'ok') throw new InvalidGrant('the refresh token is invalid or has expired', { debug: result.status });
    return answer;
  },
};
