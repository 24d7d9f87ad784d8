// The consent page: names the app and each requested scope by its human description (RFC 6749 §4.1.1 step B,
// OpenID Connect Core §3.1.2.4). Only scopes not yet granted are listed (incremental authorization). The device flow
// (RFC 8628 §3.3, §5.4) uses it too, with the user code and a warning against remote phishing.
import { html } from './html.ts';
import type { ConsentPageModel } from '../../endpoints/page-models.ts';
import { unverifiedClientNotice } from './unverified-client.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function consentPage(input: ConsentPageModel): RenderedPage {
  return renderPage({ title: `Allow ${input.clientName}?`, hasForms: true }, html`
<h1>Allow <strong>${input.clientName}</strong> access?</h1>
<p class="muted">Signed in as ${input.username}</p>
${input.device ? html`<p class="notice" role="note">Only allow this if <strong>you</strong> started signing in on a device and it shows the code <strong>${input.device.userCode}</strong>. If someone sent you this code, deny.</p>` : ''}
${unverifiedClientNotice(input.unverified)}
${input.scopeDescriptions.length > 0 ? html`<p><strong>${input.clientName}</strong> would like to:</p>
<ul>
${input.scopeDescriptions.map((d) => html`<li>${d}</li>`)}
</ul>` : html`<p>It asks for nothing you have not allowed it before.</p>`}
${input.alreadyGranted.length > 0 ? html`<p class="muted">You already allowed it to: ${input.alreadyGranted.join('; ')}.</p>` : ''}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
${input.device ? html`<input type="hidden" name="user_code" value="${input.device.userCode}">` : ''}
<div class="actions">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`);
}
