// The single-page app of oidc-client-ts-browser.test.ts, as an app developer would write it with oidc-client-ts's
// UserManager (the browser build defines the global `oidc`; /config.js defines SPA_CONFIG). `/` waits for the test
// to call window.spa.signIn or signOut; `/callback` finishes a sign-in, `/signed-out` a sign-out; each shows its
// outcome as JSON in #result.
/* global oidc, SPA_CONFIG */
'use strict';

const manager = new oidc.UserManager({
  authority: SPA_CONFIG.authority,
  client_id: SPA_CONFIG.clientId,
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: `${location.origin}/signed-out`,
  response_type: 'code',
  scope: 'openid profile email',
  loadUserInfo: true,
  revokeTokensOnSignout: true,
});

function show(value) {
  document.getElementById('result').textContent = JSON.stringify(value);
}

function showError(error) {
  show({ error: error.error ?? String(error.message ?? error), description: error.error_description ?? null });
}

/** The ID token's claims, as the app would read them (oidc-client-ts checked iss, aud, sub and the state). */
function idTokenClaims(jwt) {
  const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(payload));
}

window.spa = {
  signIn: (args) => manager.signinRedirect(args),
  signOut: (args) => manager.signoutRedirect(args),
};

if (location.pathname === '/callback') {
  manager.signinRedirectCallback().then(
    (user) => show({ profile: user.profile, idToken: idTokenClaims(user.id_token), idTokenJwt: user.id_token, scope: user.scope }),
    showError,
  );
} else if (location.pathname === '/signed-out') {
  manager.signoutRedirectCallback().then(
    async (response) => show({ signedOut: true, userState: response.userState ?? null, user: await manager.getUser() }),
    showError,
  );
} else {
  show('ready');
}
