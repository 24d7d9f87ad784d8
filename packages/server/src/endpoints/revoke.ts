// RFC 7009 token revocation: a client revokes its own refresh or access token.
// Revoking a refresh token ends its whole grant (§2.1); unknown tokens answer 200 (§2.2). Another client's token
// is answered exactly like an unknown one and stays valid: the caller learns nothing about tokens that are not its
// own (the same rule as introspection, RFC 7662 §2.2; see docs/decisions.md).
import { hashSecret } from '../crypto/random.ts';
import type { FormParams } from '../oauth/form-params.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.ts';
import { authenticatedClient } from './client-authentication.ts';

/** What happened, for the log and the failure counters; the client sees 200 either way. */
export type RevocationOutcome = { revoked: true } | { revoked: false; debug: string };

export async function handleRevocation(ctx: ServerContext, ip: string, authorization: string | undefined, body: FormParams): Promise<RevocationOutcome> {
  const now = ctx.now();
  ctx.limits.admitAddress(ip, now);
  body.assertNoRepeats();
  const client = await authenticatedClient(ctx, { ip, authorization, body }, now, 'revocation requires client authentication (RFC 7009 §2.1)');
  const token = body.require('token');
  const outcome = await revokeOwnToken(ctx, client, token, now);
  // Unknown or another client's token: a guess, counted like one.
  if (!outcome.revoked) await ctx.limits.recordFailure(ip, client, now);
  return outcome;
}

async function revokeOwnToken(ctx: ServerContext, client: ClientRecord, token: string, now: number): Promise<RevocationOutcome> {
  const refresh = token.length <= 256 ? await ctx.store.getRefreshToken(hashSecret(token)) : undefined;
  if (refresh) {
    if (refresh.grant.clientId !== client.id) return { revoked: false, debug: `client ${client.id} presented a refresh token of ${refresh.grant.clientId}` };
    await ctx.store.revokeGrant(refresh.grantId, now);
    await ctx.store.recordAuditEvent({ type: 'grant.revoked', clientId: client.id, userId: refresh.grant.userId, detail: { by: 'client', grantId: refresh.grantId } }, now);
    return { revoked: true };
  }
  const claims = await verifyOwnAccessToken(ctx, token);
  if (!claims) return { revoked: false, debug: 'unknown token' };
  if (claims.client_id !== client.id) return { revoked: false, debug: `client ${client.id} presented an access token of ${claims.client_id}` };
  // Remembered until the token would have expired anyway.
  await ctx.store.revokeAccessToken(claims.jti, claims.exp);
  return { revoked: true };
}
