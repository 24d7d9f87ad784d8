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
    interaction: (id, step) => {
      const path = step === 'login' ? PATHS.interactionLogin : step === 'consent' ? PATHS.interactionConsent : PATHS.interaction;
      return at(path.replace(':id', encodeURIComponent(id)));
    },
  };
}
