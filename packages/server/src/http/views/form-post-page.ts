// OAuth 2.0 Form Post Response Mode §2 and §5: the authorization response as hidden fields POSTed to the client's
// redirect URI. A fixed script, allowed by its CSP hash, submits the form at once; without script the user presses the
// visible button. Every value is HTML-escaped; nothing from the request reaches the script.
import type { FormPostPageModel } from '../../endpoints/page-models.ts';
import { html } from './html.ts';
import { renderPage, type RenderedPage } from './layout.ts';

const SUBMIT = 'document.forms[0].submit();';

export function formPostPage(input: Omit<FormPostPageModel, 'view'>): RenderedPage {
  return renderPage({ title: 'Returning to the application', hasForms: true, script: SUBMIT }, html`
<h1>Returning to the application</h1>
<form method="post" action="${input.action}">
${Object.entries(input.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">
`)}<button type="submit">Continue</button>
</form>`);
}
