// The error page shown when no safe redirect back to the client exists (RFC 6749 §4.1.2.1: an invalid client or
// redirect URI must not be redirected to). Developer details appear only in dev mode.
import { html } from './html.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export interface ErrorPageInput {
  title: string;
  message: string;
  /** Extra lines for developers; the caller passes them only in dev mode. */
  details?: string[];
  requestId: string;
}

export function errorPage(input: ErrorPageInput): RenderedPage {
  return renderPage({ title: input.title }, html`
<h1>${input.title}</h1>
<p>${input.message}</p>
${input.details && input.details.length > 0 ? html`<ul>${input.details.map((d) => html`<li><code>${d}</code></li>`)}</ul>` : ''}
<p class="muted">Request id: ${input.requestId}</p>`);
}
