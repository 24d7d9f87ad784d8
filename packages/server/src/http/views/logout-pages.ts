// The logout pages (OpenID Connect RP-Initiated Logout 1.0 §4 and §3): "Sign out of Latchkey?" when the request may not
// be the user's, and "You are signed out" when there is no registered place to go back to.
import { html } from './html.ts';
import type { LogoutConfirmPageModel, SignedOutPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function logoutConfirmPage(input: LogoutConfirmPageModel): RenderedPage {
  return renderPage({ title: 'Sign out?', hasForms: true }, html`
<h1>Sign out?</h1>
<p>${input.clientName ? html`<strong>${input.clientName}</strong> asks to sign you out` : 'A request asks to sign you out'}${input.username ? html` of <strong>${input.username}</strong>` : ''}. Signing out also signs you out of the apps that use this sign-in.</p>
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
${Object.entries(input.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<div class="actions">
<button type="submit" name="decision" value="logout">Sign out</button>
<button type="submit" name="decision" value="stay">Stay signed in</button>
</div>
</form>`);
}

export function signedOutPage(input: SignedOutPageModel): RenderedPage {
  if (input.stillSignedIn) {
    return renderPage({ title: 'Still signed in' }, html`
<h1>You are still signed in</h1>
<p>Nothing changed. You can close this page.</p>`);
  }
  return renderPage({ title: 'Signed out' }, html`
<h1>You are signed out</h1>
<p>${input.clientName ? html`You signed out of <strong>${input.clientName}</strong> and of Latchkey.` : 'You signed out of Latchkey.'} You can close this page.</p>`);
}
