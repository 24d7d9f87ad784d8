// Issuing the authorization code (RFC 6749 §4.1.2): 256 random bits, stored only as a SHA-256 hash, single use,
// short-lived, and bound to the client, redirect URI, PKCE challenge, nonce, scopes, user and auth time.
import { hashSecret, randomSecret } from '../crypto/random.ts';
import { LoginRequired } from '../oauth/errors.ts';
import { serializeRequestedClaims } from '../oidc/claims-request.ts';
import { FAPI2_MAX_CODE_LIFETIME, isFapi2 } from '../clients/client-profile.ts';
import { isHintedUser } from '../oidc/id-token-hint.ts';
import type { Authentication } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';
import { targetOf, type AuthorizationRequest } from './authorization-request.ts';
import { successResponse, type AuthorizationResponse } from './authorization-response.ts';

/** Issues a code for the authenticated user and returns the response that carries it. */
export async function completeAuthorization(ctx: ServerContext, request: AuthorizationRequest, auth: Authentication): Promise<AuthorizationResponse> {
  // OpenID Connect Core §3.1.2.1 id_token_hint: the client expects a particular user.
  if (!isHintedUser(request.idTokenHintSubject, auth.userId)) {
    throw new LoginRequired('the signed-in user is not the user named by id_token_hint');
  }
  // OpenID Connect Core §5.5.1: a requested sub value names the only user the client accepts.
  if (!isHintedUser(request.claimsSubject, auth.userId)) throw new LoginRequired('the signed-in user is not the sub the claims parameter asks for');
  const now = ctx.now();
  const code = randomSecret();
  const client = await ctx.clients.get(request.clientId);
  // FAPI 2.0 §5.3.2.1: at most 60 seconds for a FAPI 2.0 client, whatever the server's code lifetime.
  const lifetime = client && isFapi2(client) ? Math.min(ctx.config.codeTtl, FAPI2_MAX_CODE_LIFETIME) : ctx.config.codeTtl;
  // Back-Channel Logout 1.0 §2.3: under a session, the client becomes its participant with the code (store/code-store.ts).
  await ctx.store.createCode({
    codeHash: hashSecret(code), clientId: request.clientId, userId: auth.userId,
    redirectUri: request.redirectUriSent ? request.redirectUri : '',
    codeChallenge: request.codeChallenge, nonce: request.nonce ?? null, scopes: request.scopes, audience: request.audience,
    authTime: auth.authTime, amr: auth.amr, createdAt: now, expiresAt: now + lifetime, consumedAt: null, grantId: null, sid: auth.sid ?? null, dpopJkt: request.dpopJkt ?? null,
    claims: serializeRequestedClaims(request.claims),
  });
  return successResponse(ctx.config.issuer, targetOf(request), code);
}
