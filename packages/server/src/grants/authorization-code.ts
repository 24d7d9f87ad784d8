// RFC 6749 §4.1.3-4.1.4: the authorization code grant, with RFC 7636 §4.5-4.6 (PKCE) and RFC 9700 §2.1.1 / §4.2.4.
// A code is single use (RFC 6749 §4.1.2) and redeemed all or nothing: every check and the whole answer (tokens signed)
// come first, then one store call consumes the code and stores its grant and refresh token together. A request that
// fails, for whatever reason, consumes nothing. Reuse revokes what the code produced only when the replay proves it
// comes from the client (OAuth 2.1 §7.5.2); a code presented by another client is refused and left alone, as the
// refresh grant does (docs/decisions.md 2026-11-29).
import { effectiveLifetimes } from '../clients/client-lifetimes.ts';
import { hashSecret, randomSecret } from '../crypto/random.ts';
import { InvalidGrant, InvalidRequest } from '../oauth/errors.ts';
import { codeVerifierMatches, verifyCodeVerifier } from '../oauth/pkce.ts';
import type { ServerContext } from '../server-context.ts';
import type { AuthorizationCodeRecord, ClientRecord, GrantRecord } from '../store/records.ts';
import type { GrantHandler } from './grant-handler.ts';
import { derivedGrantId } from './derived-grant-id.ts';
import { signUserTokens } from './user-tokens.ts';

const INVALID_CODE = 'the authorization code is invalid';
const REUSED = 'the authorization code was already used; the tokens issued from it have been revoked';

/**
 * Whether a request presenting this (used) code proves it is the code's client: the client has authenticated and is
 * the code's (checked before), and, when the code is bound to a PKCE challenge, the verifier matches. A public client
 * proves nothing with its client_id alone, so a code without a challenge never counts for one.
 */
function provesCodeOwner(code: AuthorizationCodeRecord, client: ClientRecord, verifier: string | undefined): boolean {
  if (code.codeChallenge === null) return !client.isPublic;
  return codeVerifierMatches(code.codeChallenge, verifier);
}

/** RFC 6749 §4.1.2: deny the reused code and revoke everything issued from it. */
async function refuseReuse(ctx: ServerContext, code: AuthorizationCodeRecord, grantId: string | null, now: number): Promise<never> {
  const revoked = grantId ?? derivedGrantId(code.codeHash);
  await ctx.store.revokeGrant(revoked, now);
  ctx.metrics.reuseDetected('authorization_code');
  await ctx.store.recordAuditEvent({ type: 'code.reused', clientId: code.clientId, userId: code.userId, detail: { grantId: revoked } }, now);
  throw new InvalidGrant(REUSED);
}

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  parameters: new Set(['code', 'redirect_uri', 'code_verifier']),
  credentials: new Set(['code', 'code_verifier']),

  async handle(ctx, { client, params, dpopJkt }) {
    const codeHash = hashSecret(params.require('code'));
    const now = ctx.now();
    // The code with its user, in one read (a code's user always exists: deleting a user deletes their codes).
    const found = await ctx.store.getCodeWithUser(codeHash);
    // Another client's code: refused before anything happens to it, so a thief can neither burn it nor learn about it.
    if (!found || found.code.clientId !== client.id) {
      throw new InvalidGrant(INVALID_CODE, { debug: found ? `code of client ${found.code.clientId} presented by ${client.id}` : 'unknown code' });
    }
    const { code, user } = found;
    if (code.consumedAt !== null) {
      if (!provesCodeOwner(code, client, params.get('code_verifier'))) {
        throw new InvalidGrant(INVALID_CODE, { debug: 'a used code replayed without proof of possession: refused, nothing revoked' });
      }
      return refuseReuse(ctx, code, code.grantId, now);
    }
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
    // RFC 9449 §10: a code bound with dpop_jkt is redeemed only with a proof of that key.
    if (code.dpopJkt !== null && dpopJkt !== code.dpopJkt) {
      throw new InvalidGrant(dpopJkt === undefined ? 'this authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof signed with it'
        : 'the DPoP proof key is not the one named by dpop_jkt in the authorization request');
    }

    const withRefresh = client.grantTypes.includes('refresh_token');
    const lifetimes = effectiveLifetimes(ctx.config, client);
    const grant: GrantRecord = {
      id: derivedGrantId(codeHash), clientId: client.id, userId: user.id, scopes: code.scopes, audience: code.audience, authTime: code.authTime, amr: code.amr,
      createdAt: now, lastUsedAt: now,
      // Without a refresh token the grant only has to outlive its access token (so revocation can still name it).
      expiresAt: now + (withRefresh ? lifetimes.refreshAbsoluteTtl : lifetimes.accessTokenTtl), revokedAt: null, sid: code.sid, claims: code.claims,
      // RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key (a confidential client's are not).
      dpopJkt: client.isPublic ? dpopJkt ?? null : null,
    };
    const refreshToken = withRefresh ? randomSecret() : undefined;
    // The answer exists before anything is consumed: if signing fails, the code is still unused.
    const answer = await signUserTokens(ctx, { client, grant, user, scopes: code.scopes, audience: code.audience, nonce: code.nonce ?? undefined, refreshToken, dpopJkt, now });
    const result = await ctx.store.consumeCode(codeHash, now, grant, refreshToken === undefined ? null : {
      tokenHash: hashSecret(refreshToken), grantId: grant.id, createdAt: now,
      expiresAt: Math.min(now + lifetimes.refreshIdleTtl, grant.expiresAt), rotatedAt: null,
    });
    // A concurrent redemption committed first. This request passed every check a first redemption must (client and
    // verifier), so it proves possession: reuse, and the winner's tokens are revoked.
    if (result.status === 'reused') return refuseReuse(ctx, code, result.grantId, now);
    if (result.status === 'expired') throw new InvalidGrant('the authorization code has expired');
    if (result.status === 'not_found') throw new InvalidGrant(INVALID_CODE, { debug: 'the code was deleted meanwhile' });
    return answer;
  },
};
