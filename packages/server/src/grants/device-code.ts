// RFC 8628 §3.4-3.5: the device code grant. The device polls with its device code: authorization_pending until the
// user decides, slow_down when it polls sooner than its interval (which then grows by 5 seconds), access_denied,
// expired_token; once approved, one redemption gets the tokens of the user who approved (access token, refresh token
// when the client has the refresh_token grant, ID token with openid). Redeemed once (a conditional update with the
// grant in the same transaction); a later presentation is invalid_grant, and another client's code is invalid_grant
// before anything about it is read or changed.
import { hashSecret, randomSecret } from '../crypto/random.ts';
import { AccessDenied, AuthorizationPending, ExpiredToken, InvalidGrant, SlowDown } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import { DEVICE_CODE_GRANT_TYPE, type ConsumeDeviceCodeResult, type DeviceCodeRecord, type GrantRecord } from '../store/records.ts';
import type { GrantHandler, TokenResponse } from './grant-handler.ts';
import { effectiveLifetimes } from '../clients/client-lifetimes.ts';
import { derivedGrantId } from './derived-grant-id.ts';
import { signUserTokens } from './user-tokens.ts';

/** RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_INCREASE = 5;

const INVALID = 'the device code is invalid';
const REDEEMED = 'the device code was already redeemed';


/** The answer for a code that gives no tokens (now, or ever). */
function refusal(status: Exclude<ConsumeDeviceCodeResult['status'], 'ok'>): never {
  switch (status) {
    case 'pending': throw new AuthorizationPending('the user has not yet approved this device; poll again after the interval');
    // §3.5 errors are token endpoint errors: 400 (RFC 6749 §5.2), not the 403 of a page.
    case 'denied': throw new AccessDenied('the user denied the authorization request', { status: 400 });
    case 'expired': throw new ExpiredToken('the device code has expired; start a new device authorization');
    case 'consumed': throw new InvalidGrant(REDEEMED);
    case 'not_found': throw new InvalidGrant(INVALID, { debug: 'the device code was deleted meanwhile' });
  }
}

async function redeem(ctx: ServerContext, code: DeviceCodeRecord, client: Parameters<GrantHandler['handle']>[1]['client'], now: number): Promise<TokenResponse> {
  const userId = code.userId;
  const user = userId === null ? undefined : await ctx.store.getUser(userId);
  if (!user || code.authTime === null) throw new InvalidGrant(INVALID, { debug: 'the approving user no longer exists' });
  const withRefresh = client.grantTypes.includes('refresh_token');
  const lifetimes = effectiveLifetimes(ctx.config, client);
  const grant: GrantRecord = {
    id: derivedGrantId(`device:${code.deviceCodeHash}`), clientId: client.id, userId: user.id, scopes: code.scopes, audience: code.audience, authTime: code.authTime,
    createdAt: now, lastUsedAt: now, expiresAt: now + (withRefresh ? lifetimes.refreshAbsoluteTtl : lifetimes.accessTokenTtl), revokedAt: null,
    // A device's tokens are not tied to the browser session that approved them (no sid), and take no claims request.
    sid: null, claims: null, dpopJkt: null,
    // The approving session's methods are not kept with the device code: claim the weakest (decisions.md 2026-11-29).
    amr: ['pwd'],
  };
  const refreshToken = withRefresh ? randomSecret() : undefined;
  // Signed before anything is consumed: if signing fails, the code can still be redeemed.
  const answer = await signUserTokens(ctx, { client, grant, user, scopes: code.scopes, audience: code.audience, refreshToken, dpopJkt: undefined, now });
  const result = await ctx.store.consumeDeviceCode(code.deviceCodeHash, now, grant, refreshToken === undefined ? null : {
    tokenHash: hashSecret(refreshToken), grantId: grant.id, createdAt: now, expiresAt: Math.min(now + lifetimes.refreshIdleTtl, grant.expiresAt), rotatedAt: null,
  });
  if (result.status !== 'ok') refusal(result.status);
  await ctx.store.recordAuditEvent({ type: 'device_code.redeemed', clientId: client.id, userId: user.id, detail: { grantId: grant.id } }, now);
  return answer;
}

export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT_TYPE,
  parameters: new Set(['device_code']),
  credentials: new Set(['device_code']),

  async handle(ctx, { client, params }) {
    const deviceCodeHash = hashSecret(params.require('device_code'));
    const now = ctx.now();
    const code = await ctx.store.getDeviceCode(deviceCodeHash);
    // §3.4 "the client ... MUST authenticate": another client's code is refused before it is touched.
    if (!code || code.clientId !== client.id) {
      throw new InvalidGrant(INVALID, { debug: code ? `device code of client ${code.clientId} presented by ${client.id}` : 'unknown device code' });
    }
    if (code.status === 'consumed') throw new InvalidGrant(REDEEMED);
    if (code.expiresAt <= now) refusal('expired');
    const poll = await ctx.store.pollDeviceCode(deviceCodeHash, now, SLOW_DOWN_INCREASE);
    if (!poll) refusal('not_found');
    if (poll.status === 'slow_down') throw new SlowDown(`polling too fast: wait at least ${poll.interval} seconds between requests`);
    if (code.status !== 'approved') refusal(code.status);
    return redeem(ctx, code, client, now);
  },
};
