// Every route path of the server, in one place. Only http/ reads it: endpoints and grants that need an absolute URL
// (discovery metadata, form actions, redirects, the UserInfo audience) take it from ServerContext.urls, built here.
import type { ServerUrls } from '../server-context.ts';

/** RFC 8414 §3 and OpenID Connect Discovery 1.0 §4: one metadata document at both well-known paths. */
export const DISCOVERY_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'] as const;

export const PATHS = {
  authorization: '/authorize',
  token: '/token',
  /** RFC 9126 pushed authorization requests. */
  pushedAuthorizationRequest: '/par',
  userinfo: '/userinfo',
  jwks: '/jwks',
  introspection: '/introspect',
  revocation: '/revoke',
  /** The login and consent steps of a pending authorization request (`:id` is the interaction). */
  interaction: '/interaction/:id',
  interactionLogin: '/interaction/:id/login',
  interactionConsent: '/interaction/:id/consent',
  interactionPasskey: '/interaction/:id/passkey',
  interactionSecondFactor: '/interaction/:id/second-factor',
  account: '/account',
  accountLogin: '/account/login',
  accountRevoke: '/account/revoke',
  accountSignOut: '/account/sign-out',
  /** RFC 8628: the device authorization endpoint, and the verification page with its login and decision steps. */
  deviceAuthorization: '/device/authorize',
  device: '/device',
  deviceLogin: '/device/login',
  deviceDecision: '/device/decision',
  /** RFC 7591 dynamic registration and RFC 7592 client configuration (only when enabled). */
  registration: '/register',
  registrationClient: '/register/:clientId',
  accountSessionsSignOut: '/account/sessions/sign-out',
  /** RP-Initiated Logout 1.0 end_session_endpoint, and where its confirmation page posts. */
  endSession: '/session/end',
  endSessionConfirm: '/session/end/confirm',
  accountPasskeyLogin: '/account/passkey-login',
  accountPasskeyAdd: '/account/passkeys/add',
  accountPasskeyRemove: '/account/passkeys/remove',
  accountPasswordRemove: '/account/password/remove',
  accountPasswordChange: '/account/password',
  accountSecondFactor: '/account/second-factor',
  accountTotpStart: '/account/totp/start',
  accountTotpConfirm: '/account/totp/confirm',
  accountTotpRemove: '/account/totp/remove',
  /** The browser part of @simplewebauthn, served from the installed package (no third-party script). */
  webauthnBrowserScript: '/assets/webauthn-browser.js',
  /** Our page script for passkeys (http/assets/passkey-script.ts). */
  passkeyScript: '/assets/passkeys.js',
  home: '/',
  healthz: '/healthz',
  readyz: '/readyz',
  /** Prometheus metrics (only when enabled). */
  metrics: '/metrics',
} as const;

/** The absolute URLs of this server's endpoints under `issuer` (which has no trailing slash). */
export function serverUrls(issuer: string): ServerUrls {
  const at = (path: string) => `${issuer}${path}`;
  return {
    discovery: at(DISCOVERY_PATHS[0]),
    authorization: at(PATHS.authorization),
    token: at(PATHS.token),
    pushedAuthorizationRequest: at(PATHS.pushedAuthorizationRequest),
    userinfo: at(PATHS.userinfo),
    jwks: at(PATHS.jwks),
    introspection: at(PATHS.introspection),
    revocation: at(PATHS.revocation),
    account: at(PATHS.account),
    accountLogin: at(PATHS.accountLogin),
    accountRevoke: at(PATHS.accountRevoke),
    accountSignOut: at(PATHS.accountSignOut),
    deviceAuthorization: at(PATHS.deviceAuthorization),
    device: at(PATHS.device),
    deviceLogin: at(PATHS.deviceLogin),
    deviceDecision: at(PATHS.deviceDecision),
    registration: at(PATHS.registration),
    registrationClient: (clientId) => at(PATHS.registrationClient.replace(':clientId', encodeURIComponent(clientId))),
    accountSessionsSignOut: at(PATHS.accountSessionsSignOut),
    endSession: at(PATHS.endSession),
    endSessionConfirm: at(PATHS.endSessionConfirm),
    accountPasskeyLogin: at(PATHS.accountPasskeyLogin),
    accountPasskeyAdd: at(PATHS.accountPasskeyAdd),
    accountPasskeyRemove: at(PATHS.accountPasskeyRemove),
    accountPasswordRemove: at(PATHS.accountPasswordRemove),
    accountPasswordChange: at(PATHS.accountPasswordChange),
    accountSecondFactor: at(PATHS.accountSecondFactor),
    accountTotpStart: at(PATHS.accountTotpStart),
    accountTotpConfirm: at(PATHS.accountTotpConfirm),
    accountTotpRemove: at(PATHS.accountTotpRemove),
    passkeyScripts: [at(PATHS.webauthnBrowserScript), at(PATHS.passkeyScript)],
    interaction: (id, step) => {
      const path = {
        login: PATHS.interactionLogin, passkey: PATHS.interactionPasskey, 'second-factor': PATHS.interactionSecondFactor, consent: PATHS.interactionConsent,
      }[step ?? 'login'];
      return at((step === undefined ? PATHS.interaction : path).replace(':id', encodeURIComponent(id)));
    },
  };
}
