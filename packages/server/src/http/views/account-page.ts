// The account page: how the user signs in (passkeys: add with a name, see when each was created and last used,
// remove; the password: remove once a passkey exists) and the apps they authorized, each with "Revoke access".
// Changing how one signs in needs a recent sign-in (reauthenticateUrl otherwise).
import { html } from './html.ts';
import type { AccountPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';
import { passkeyStatus } from './passkey-parts.ts';

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function signInMethods(input: AccountPageModel) {
  const canChange = input.reauthenticateUrl === undefined;
  return html`<h2 id="sign-in-methods">How you sign in</h2>
${passkeyStatus}
${input.passkeys.length === 0 ? html`<p class="muted">No passkeys yet. A passkey signs you in with your device's screen lock instead of a password, and cannot be phished.</p>` : html`<ul class="items" aria-labelledby="sign-in-methods">${input.passkeys.map((p) => html`
<li class="item">
<h3>${p.name}</h3>
<p class="muted">Passkey${p.synced ? ' (synced)' : ''} · added ${when(p.createdAt)} · ${p.lastUsedAt === null ? 'never used' : html`last used ${when(p.lastUsedAt)}`}</p>
${canChange ? html`<form method="post" action="${input.passkeyRemoveAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="passkey" value="${p.id}">
<button type="submit" class="secondary" aria-label="Remove passkey ${p.name}">Remove</button>
</form>` : ''}
</li>`)}</ul>`}
${canChange && input.passkeyAdd ? html`<form method="post" action="${input.passkeyAdd.action}" id="passkey-register" data-passkey="register" data-options="${input.passkeyAdd.options}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="credential" value="">
<label for="passkey-name">Name for a new passkey</label>
<input id="passkey-name" name="name" type="text" maxlength="60" placeholder="e.g. Work laptop" autocomplete="off">
<button type="submit">Add a passkey</button>
</form>` : ''}
<p class="muted">${input.hasPassword ? 'You also have a password.' : 'You have no password: you sign in with a passkey.'}</p>
${canChange && input.hasPassword && input.passkeys.length > 0 ? html`<form method="post" action="${input.passwordRemoveAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<button type="submit" class="secondary">Remove my password</button>
</form>` : ''}
${canChange ? '' : html`<p><a href="${input.reauthenticateUrl ?? ''}">Confirm it's you</a> to add or remove passkeys or your password (needed when you signed in more than 10 minutes ago).</p>`}`;
}

export function accountPage(input: AccountPageModel): RenderedPage {
  return renderPage({ title: 'Your account', hasForms: true, ...(input.passkeyAdd ? { scripts: input.passkeyAdd.scripts } : {}) }, html`
<h1>Your account</h1>
<p>Signed in as <strong>${input.username}</strong>.</p>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${input.revoked ? html`<p class="notice" role="status">Access for <strong>${input.revoked}</strong> was revoked.</p>` : ''}
${signInMethods(input)}
<h2>Connected apps</h2>
<p class="muted">These apps can act for you. Revoking one ends its access at once; your password is not involved.</p>
${input.apps.length === 0 ? html`<p class="muted">No app has access to your account.</p>` : html`<ul class="items">${input.apps.map((app) => html`
<li class="item">
<h3>${app.name}</h3>
<p>Can:</p>
<ul>${app.scopes.map((s) => html`<li>${s}</li>`)}</ul>
<p class="muted">Allowed ${when(app.grantedAt)}${app.lastUsedAt !== null ? html` · last active ${when(app.lastUsedAt)}` : ''}</p>
<form method="post" action="${input.revokeAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" class="secondary" aria-label="Revoke access for ${app.name}">Revoke access</button>
</form>
</li>`)}</ul>`}
<form method="post" action="${input.signOutAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<button type="submit" class="secondary">Sign out</button>
</form>`);
}
