// The login page (OpenID Connect Core §3.1.2.3): the only place a user types a password, and where a passkey signs in
// (a button, and autofill in the username field: WebAuthn Level 3 conditional mediation, `autocomplete="username webauthn"`).
import { html } from './html.ts';
import type { LoginPageModel } from '../../endpoints/page-models.ts';
import { unverifiedClientNotice } from './unverified-client.ts';
import { renderPage, type RenderedPage } from './layout.ts';
import { passkeyForm, passkeyStatus } from './passkey-parts.ts';

export function loginPage(input: LoginPageModel): RenderedPage {
  return renderPage({ title: 'Sign in', hasForms: true, ...(input.passkey ? { scripts: input.passkey.scripts } : {}) }, html`
<h1>Sign in</h1>
<p>to continue to <strong>${input.clientName}</strong></p>
${unverifiedClientNotice(input.unverified)}
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${passkeyStatus}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="${input.passkey ? 'username webauthn' : 'username'}" autocapitalize="none" spellcheck="false" required value="${input.username ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="wide">Sign in</button>
</form>
${input.passkey ? html`<p class="or" id="passkey-or" hidden>or</p>
<button type="button" class="secondary wide" id="passkey-button" hidden>Sign in with a passkey</button>
${passkeyForm(input.passkey, input.csrfToken, 'autofill-sign-in')}` : ''}`);
}
