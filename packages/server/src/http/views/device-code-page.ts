// RFC 8628 §3.3: the verification page where a signed-in user types the code their device shows, or checks the
// pre-filled one (verification_uri_complete). Continuing only leads to the consent page: nothing is approved here.
import { html } from './html.ts';
import type { DeviceCodePageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function deviceCodePage(input: DeviceCodePageModel): RenderedPage {
  return renderPage({ title: 'Connect a device', hasForms: true }, html`
<h1>Connect a device</h1>
<p class="muted">Signed in as ${input.username}</p>
<p>Enter the code shown on your device${input.userCode ? ', or check that it matches the one below' : ''}.</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required placeholder="XXXX-XXXX" value="${input.userCode ?? ''}">
<button type="submit">Continue</button>
</form>`);
}
