// The login page (OpenID Connect Core §3.1.2.3): the only place a user types a password.
import { html } from './html.ts';
import type { LoginPageModel } from '../../endpoints/page-models.ts';
import { unverifiedClientNotice } from './unverified-client.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function loginPage(input: LoginPageModel): RenderedPage {
  return renderPage({ title: 'Sign in', hasForms: true }, html`
<h1>Sign in</h1>
<p>to continue to <strong>${input.clientName}</strong></p>
${unverifiedClientNotice(input.unverified)}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${input.username ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`);
}
