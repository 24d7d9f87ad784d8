// Logout: revoke the refresh token (RFC 7009 §2.1), delete the session, RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2).
import * as oidc from 'openid-client';
import { expireCookie, parseCookieHeader } from './cookies.ts';
import { cookieAttributes, type KitContext } from './kit-context.ts';
import { sha256Hex } from './opaque-ids.ts';
import { openSessionSecret } from './session-secrets.ts';
import { revokeAtProvider } from './token-revocation.ts';

export interface LogoutResult {
  /** Where to send the browser: the provider's end_session_endpoint, or the post-logout URI, or `/`. */
  redirectUrl: string;
  setCookies: string[];
  /** Whether a session was found and ended. */
  endedSession: boolean;
}

export async function endSession(context: KitContext, cookieHeader: string | null): Promise<LogoutResult> {
  const { options, store, cipher, provider } = context;
  const setCookies = [expireCookie(options.sessionCookieName, cookieAttributes(context, 'session'))];
  const fallback = options.postLogoutRedirectUri ?? '/';
  const cookie = parseCookieHeader(cookieHeader).get(options.sessionCookieName);
  if (!cookie) return { redirectUrl: fallback, setCookies, endedSession: false };
  const sessionId = sha256Hex(cookie);
  const record = await store.getSession(sessionId, context.now());
  if (!record) return { redirectUrl: fallback, setCookies, endedSession: false };
  const metadata = provider.serverMetadata();
  const refreshToken = openSessionSecret(cipher, record, 'refreshToken');
  await revokeAtProvider(context, [refreshToken !== null
    ? { token: refreshToken, hint: 'refresh_token' }
    : { token: openSessionSecret(cipher, record, 'accessToken'), hint: 'access_token' }]);
  await store.deleteSession(sessionId);
  if (!metadata.end_session_endpoint) return { redirectUrl: fallback, setCookies, endedSession: true };
  const parameters: Record<string, string> = {};
  const idToken = openSessionSecret(cipher, record, 'idToken');
  if (idToken) parameters.id_token_hint = idToken;
  if (options.postLogoutRedirectUri) parameters.post_logout_redirect_uri = options.postLogoutRedirectUri;
  return { redirectUrl: oidc.buildEndSessionUrl(provider, parameters).href, setCookies, endedSession: true };
}
