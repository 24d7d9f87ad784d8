// The login page (OpenID Connect Core §3.1.2.3): the only place a user types a password.
import { html } from './html.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export interface LoginPageInput {
  /** Where the form posts (absolute, under the issuer). */
  action: string;
  clientName: string;
  csrfToken: string;
  username?: string;
  /** A message shown above the form (wrong credentials, throttled). */
  error?: string;
  /** No longer used: form pages carry no form-action (see layout.ts). Accepted so existing callers compile. */
  formTargets?: string[];
}

export function loginPage(input: LoginPageInput): RenderedPage {
  return renderPage({ title: 'Sign in', hasForms: true }, html`
<h1>Sign in</h1>
<p>to continue to <strong>${input.clientName}</strong></p>
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
