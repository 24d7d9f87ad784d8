// The profile a session shows as `session.claims`: the ID token's claims over the UserInfo response (OIDC Core §5.3;
// §5.3.2: the UserInfo `sub` must equal the ID token's, which openid-client checks). Built the same way at sign-in
// and after a refresh that returns an ID token (OIDC Core §12.2), so UserInfo claims are never dropped on refresh.
import * as oidc from 'openid-client';
import type { KitContext } from './kit-context.ts';

/**
 * `previous` (the stored profile, after a refresh) stands in for UserInfo when the UserInfo request fails, so a
 * transient failure keeps the claims already known instead of dropping them.
 */
export async function buildProfile(
  context: KitContext,
  idTokenClaims: oidc.IDToken,
  accessToken: string,
  previous: Readonly<Record<string, unknown>> = {},
  dpop?: oidc.DPoPOptions,
): Promise<Record<string, unknown>> {
  const { options, provider } = context;
  if (!options.fetchUserInfo || !provider.serverMetadata().userinfo_endpoint) return { ...idTokenClaims };
  try {
    const userInfo = await oidc.fetchUserInfo(provider, accessToken, idTokenClaims.sub, dpop);
    return { ...userInfo, ...idTokenClaims };
  } catch (error) {
    context.warn('userinfo request failed; using ID token claims only', error);
    return { ...previous, ...idTokenClaims };
  }
}
