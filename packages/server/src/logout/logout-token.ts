// The logout token: OpenID Connect Back-Channel Logout 1.0 §2.4. A JWT with iss, aud, iat, exp, jti, the back-channel
// logout event, sub and sid (we always send both, so clients with backchannel_logout_session_required get sid), never a
// nonce (§2.4: it would let a logout token pass for an ID token); typ logout+jwt (§2.4, RFC 8725 §3.11 explicit typing).
// Signed like the client's ID tokens.
import { randomId } from '../crypto/random.ts';
import type { JwsSigner } from '../tokens/jws.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const LOGOUT_TOKEN_TYP = 'logout+jwt';
/** Long enough for a slow receiver, short enough that a captured token is soon useless (§2.4 recommends minutes). */
export const LOGOUT_TOKEN_TTL = 120;

export interface LogoutTokenInput {
  issuer: string;
  clientId: string;
  subject: string;
  sid: string;
  now: number;
}

export function issueLogoutToken(signer: JwsSigner, input: LogoutTokenInput): string {
  return signer.sign({
    iss: input.issuer, aud: input.clientId, iat: input.now, exp: input.now + LOGOUT_TOKEN_TTL, jti: randomId(),
    sub: input.subject, sid: input.sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  }, LOGOUT_TOKEN_TYP);
}
