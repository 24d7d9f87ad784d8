// After the decision on a device code (RFC 8628 §3.3): the user goes back to the device, which gets its answer at
// its next poll.
import { html } from './html.ts';
import type { DeviceDonePageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export function deviceDonePage(input: DeviceDonePageModel): RenderedPage {
  return input.approved
    ? renderPage({ title: 'Device connected' }, html`
<h1>Device connected</h1>
<p><strong>${input.clientName}</strong> is now signed in on your device. You can close this window and return to the device.</p>
<p class="muted">You can revoke its access at any time on your account page.</p>`)
    : renderPage({ title: 'Access denied' }, html`
<h1>Access denied</h1>
<p><strong>${input.clientName}</strong> did not get access to your account. You can close this window.</p>`);
}
