// The consent page: names the app and each requested scope by its human description (RFC 6749 §4.1.1 step B,
// OpenID Connect Core §3.1.2.4). Only scopes not yet granted are listed (incremental authorization).
import { html } from './html.ts';
import type { ConsentPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function consentPage(input: ConsentPageModel): RenderedPage {
  return renderPage({ title: `Allow ${input.clientName}?`, hasForms: true }, html`
<h1>Allow <strong>${input.clientName}</strong> access?</h1>
<p class="muted">Signed in as ${input.username}</p>
<p><strong>${input.clientName}</strong> would like to:</p>
<ul>
${input.scopeDescriptions.map((d) => html`<li>${d}</li>`)}
</ul>
${input.alreadyGranted.length > 0 ? html`<p class="muted">You already allowed it to: ${input.alreadyGranted.join('; ')}.</p>` : ''}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<div class="actions">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`);
}
