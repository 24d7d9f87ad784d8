// RFC 7662 token introspection: an authenticated confidential client asks whether a token is active.
// Anything not active — expired, revoked, unknown, malformed — is exactly {"active": false} (§2.2), and so is a
// token the caller may not learn about: only the token's own client, or a client the operator registered as an
// introspector of the token's API, sees a live token (§2.2: "a resource server ... tokens meant for it").
import { hashSecret } from '../crypto/random.ts';
import type { FormParams } from '../oauth/form-params.ts';
import { InvalidClient } from '../oauth/errors.ts';
import { boundThumbprint } from '../oauth/dpop-proof.ts';
import type { ServerContext } from '../server-context.ts';
import { authenticatedClient } from './client-authentication.ts';
import { isAccessTokenLive, verifyOwnAccessToken } from '../tokens/verify-access-token.ts';

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

export async function handleIntrospection(ctx: ServerContext, ip: string, authorization: string | undefined, body: FormParams): Promise<IntrospectionResponse> {
  const now = ctx.now();
  ctx.limits.admitAddress(ip, now);
  body.assertNoRepeats();
  const caller = await authenticatedClient(ctx, { ip, authorization, body }, now, 'introspection requires client authentication (RFC 7662 §2.1)');
  if (caller.isPublic) throw new InvalidClient('introspection is for confidential clients (a resource server authenticates with its secret)');
  const token = body.require('token');
  // §2.1: token_type_hint is only a hint; an unknown or wrong hint widens the search instead of failing.
  const hint = body.get('token_type_hint');
  const order = hint === 'refresh_token' ? [introspectRefreshToken, introspectAccessToken] : [introspectAccessToken, introspectRefreshToken];
  for (const lookup of order) {
    const found = await lookup(ctx, caller.id, token);
    if (found === NOT_VISIBLE) break;
    if (found) return found;
  }
  // Unknown, or not the caller's to see: a guess, counted (both alike, so the counter tells nothing either). A token
  // the caller may see that has expired or was revoked is not counted: an API keeps being sent revoked tokens.
  await ctx.limits.recordFailure(ip, caller, now);
  return INACTIVE;
}

/** The token exists but the caller may not learn about it (answered exactly like an unknown token). */
const NOT_VISIBLE = Symbol('not visible');

/** Access tokens: their own client and the introspectors of their API (`aud`). Refresh tokens: their own client only. */
function mayIntrospect(ctx: ServerContext, callerId: string, token: { clientId: string; audience: string | null; kind: 'access' | 'refresh' }): boolean {
  if (token.clientId === callerId) return true;
  return token.kind === 'access' && token.audience !== null && ctx.scopes.introspectorsOf(token.audience).includes(callerId);
}

async function introspectAccessToken(ctx: ServerContext, callerId: string, token: string): Promise<IntrospectionResponse | typeof NOT_VISIBLE | undefined> {
  const claims = await verifyOwnAccessToken(ctx, token);
  if (!claims) return undefined;
  if (!mayIntrospect(ctx, callerId, { clientId: claims.client_id, audience: claims.aud, kind: 'access' })) return NOT_VISIBLE;
  if (!(await isAccessTokenLive(ctx, claims))) return INACTIVE;
  const { gid: _grant, ...visible } = claims;
  // RFC 9449 §6.2: a bound token's cnf (passed through in `visible`) and token_type DPoP.
  return { active: true, token_type: boundThumbprint(claims) === undefined ? 'Bearer' : 'DPoP', ...visible };
}

async function introspectRefreshToken(ctx: ServerContext, callerId: string, token: string): Promise<IntrospectionResponse | typeof NOT_VISIBLE | undefined> {
  if (token.length > 256) return undefined;
  const found = await ctx.store.getRefreshToken(hashSecret(token));
  if (!found) return undefined;
  const now = ctx.now();
  const { grant } = found;
  if (!mayIntrospect(ctx, callerId, { clientId: grant.clientId, audience: grant.audience, kind: 'refresh' })) return NOT_VISIBLE;
  if (found.rotatedAt !== null || found.expiresAt <= now || grant.revokedAt !== null || grant.expiresAt <= now) return INACTIVE;
  return {
    active: true, token_type: 'refresh_token', client_id: grant.clientId, sub: grant.userId, scope: grant.scopes.join(' '),
    iss: ctx.config.issuer, iat: found.createdAt, exp: Math.min(found.expiresAt, grant.expiresAt),
    ...(grant.audience ? { aud: grant.audience } : {}),
    ...(grant.dpopJkt ? { cnf: { jkt: grant.dpopJkt } } : {}),
  };
}
