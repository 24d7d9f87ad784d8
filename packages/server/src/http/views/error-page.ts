// The error page shown when no safe redirect back to the client exists (RFC 6749 §4.1.2.1: an invalid client or
// redirect URI must not be redirected to). Developer details appear only in dev mode.
import { html } from './html.ts';
import type { ErrorPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function errorPage(input: Omit<ErrorPageModel, 'view'>): RenderedPage {
  return renderPage({ title: input.title }, html`
<h1>${input.title}</h1>
<p>${input.message}</p>
${input.details && input.details.length > 0 ? html`<ul>${input.details.map((d) => html`<li><code>${d}</code></li>`)}</ul>` : ''}
<p class="muted">Request id: ${input.requestId}</p>`);
}
