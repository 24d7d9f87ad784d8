// The account page: the apps a user has authorized, what each may do, and a "Revoke access" button per app; the
// user's active sessions with "Sign out" for each and "Sign out everywhere".
import { html } from './html.ts';
import type { AccountPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function accountPage(input: AccountPageModel): RenderedPage {
  return renderPage({ title: 'Connected apps', hasForms: true }, html`
<h1>Connected apps</h1>
<p>Signed in as <strong>${input.username}</strong>. These apps can act for you. Revoking one ends its access at once; your password is not involved.</p>
${input.revoked ? html`<p class="notice" role="status">Access for <strong>${input.revoked}</strong> was revoked.</p>` : ''}
${input.apps.length === 0 ? html`<p class="muted">No app has access to your account.</p>` : html`<ul class="apps">${input.apps.map((app) => html`
<li class="app">
<h2>${app.name}</h2>
<p>Can:</p>
<ul>${app.scopes.map((s) => html`<li>${s}</li>`)}</ul>
<p class="muted">Allowed ${when(app.grantedAt)}${app.lastUsedAt !== null ? html` · last active ${when(app.lastUsedAt)}` : ''}</p>
<form method="post" action="${input.revokeAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" aria-label="Revoke access for ${app.name}">Revoke access</button>
</form>
</li>`)}</ul>`}
<h2>Where you are signed in</h2>
<ul class="apps">${input.sessions.map((s) => html`
<li class="app">
<p><strong>${s.device}</strong>${s.current ? ' (this browser)' : ''}<br><span class="muted">last active ${when(s.lastActiveAt)}</span></p>
<form method="post" action="${input.sessionsSignOutAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="sid" value="${s.sid}">
<button type="submit" aria-label="Sign out of ${s.device}">Sign out</button>
</form>
</li>`)}</ul>
<form method="post" action="${input.sessionsSignOutAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="all" value="1">
<button type="submit">Sign out everywhere</button>
</form>
<form method="post" action="${input.signOutAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<button type="submit">Sign out</button>
</form>`);
}
