// The second step of a sign-in (NIST SP 800-63B §4.2: a second factor), after the password when the user has one, or
// when a client asks for more than the session has (step-up, OpenID Connect Core §3.1.2.1 acr_values): a code from
// the user's authenticator app (RFC 6238) or a recovery code, or one of the user's passkeys.
import { html } from './html.ts';
import type { SecondFactorPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';
import { passkeyForm, passkeyStatus } from './passkey-parts.ts';

export function secondFactorPage(input: SecondFactorPageModel): RenderedPage {
  return renderPage({ title: 'Confirm it is you', hasForms: true, ...(input.passkey ? { scripts: input.passkey.scripts } : {}) }, html`
<h1>Confirm it's you</h1>
<p class="muted">Signing in as ${input.username}</p>
<p>${input.reason}</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${passkeyStatus}
${input.codeAction ? html`<form method="post" action="${input.codeAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
${input.pendingToken ? html`<input type="hidden" name="pending" value="${input.pendingToken}">` : ''}
<label for="code">Code from your authenticator app, or a recovery code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="20">
<button type="submit" class="wide">Continue</button>
</form>` : ''}
${input.passkey ? html`${input.codeAction ? html`<p class="or">or</p>` : ''}
<button type="button" class="${input.codeAction ? 'secondary wide' : 'wide'}" id="passkey-button">Use a passkey</button>
${passkeyForm(input.passkey, input.csrfToken, 'sign-in')}` : ''}
${input.accountUrl ? html`<p>You have no second factor yet. <a href="${input.accountUrl}">Add a passkey on your account page</a>, then return to the application and try again.</p>` : ''}`);
}
