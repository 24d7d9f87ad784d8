// Page parts shared by the pages that offer passkeys: the hidden form the page script (http/assets/passkey-script.ts)
// fills with the browser's answer and submits, and the status line it reports problems in.
import type { PasskeyCeremony } from '../../endpoints/page-models.ts';
import { html, type Html } from './html.ts';

/** `kind` says which ceremony the script runs: sign-in (with `autofill`: conditional mediation too) or registration. */
export function passkeyForm(ceremony: PasskeyCeremony, csrfToken: string, kind: 'sign-in' | 'autofill-sign-in'): Html {
  return html`<form method="post" action="${ceremony.action}" id="passkey-form" data-passkey="${kind}" data-options="${ceremony.options}">
<input type="hidden" name="csrf" value="${csrfToken}">
<input type="hidden" name="credential" value="">
</form>`;
}

/** Where the script says what went wrong (announced to screen readers). */
export const passkeyStatus = html`<p class="error" id="passkey-error" role="alert" hidden></p>`;
