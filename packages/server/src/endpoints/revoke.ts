// RFC 7009 token revocation: a client revokes its own refresh or access token.
// Revoking a refresh token ends its whole grant (§2.1); unknown tokens answer 200 (§2.2);
// another client's token is refused and stays valid (§2.1).
import { hashSecret } from '../crypto/random.ts';
import type { FormParams } from '../http/form-params.ts';
import { authenticateClient, readPresentedClient } from '../oauth/client-auth.ts';
import { InvalidClient, UnauthorizedClient } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import { verifyOwnAccessToken } from '../tokens/verify-access-token.ts';

const NOT_YOURS = 'the token was not issued to this client';

export async function handleRevocation(ctx: ServerContext, authorization: string | undefined, body: FormParams): Promise<void> {
  body.assertNoRepeats();
  const presented = readPresentedClient(authorization, body);
  if (!presented) throw new InvalidClient('revocation requires client authentication (RFC 7009 §2.1)');
  const client = authenticateClient(presented, await ctx.clients.get(presented.clientId));
  const token = body.require('token');
  const now = ctx.now();

  const refresh = token.length <= 256 ? await ctx.store.findRefreshToken(hashSecret(token)) : undefined;
  if (refresh) {
    if (refresh.grant.clientId !== client.id) throw new UnauthorizedClient(NOT_YOURS, { debug: `client ${client.id} tried to revoke a refresh token of ${refresh.grant.clientId}` });
    await ctx.store.revokeGrant(refresh.grantId, now);
    await ctx.store.addAuditEvent({ type: 'grant.revoked', clientId: client.id, userId: refresh.grant.userId, detail: { by: 'client', grantId: refresh.grantId } }, now);
    return;
  }
  const claims = await verifyOwnAccessToken(ctx, token);
  if (!claims) return;
  if (claims.client_id !== client.id) throw new UnauthorizedClient(NOT_YOURS, { debug: `client ${client.id} tried to revoke an access token of ${claims.client_id}` });
  // Remembered until the token would have expired anyway.
  await ctx.store.revokeAccessToken(claims.jti, claims.exp);
}
