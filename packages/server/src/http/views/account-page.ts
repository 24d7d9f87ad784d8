// The account page: how the user signs in (passkeys: add with a name, see when each was created and last used,
// remove; the password: remove once a passkey exists) and the apps they authorized, each with "Revoke access".
// Changing how one signs in needs a recent sign-in (reauthenticateUrl otherwise).
// The user's active sessions, with "Sign out" for each and "Sign out everywhere".
import { html, raw } from './html.ts';
import type { AccountPageModel } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';
import { passkeyStatus } from './passkey-parts.ts';

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** The TOTP second factor (RFC 6238): set up with a QR code and the secret as text, confirmed by a first code. */
function authenticatorApp(input: AccountPageModel, canChange: boolean) {
  const csrf = html`<input type="hidden" name="csrf" value="${input.csrfToken}">`;
  return html`<h3 id="authenticator-app">Authenticator app</h3>
${input.recoveryCodes ? html`<div class="notice" role="status"><p><strong>Your recovery codes.</strong> Each works once, instead of a code from your app. Save them now somewhere safe: they are not shown again.</p>
<ul class="codes" aria-label="Recovery codes">${input.recoveryCodes.map((c) => html`<li>${c}</li>`)}</ul></div>` : ''}
${input.totp ? html`<p class="muted">On · added ${when(input.totp.confirmedAt)} · ${String(input.totp.recoveryCodesLeft)} recovery codes left. Signing in with your password also asks for a code.</p>
${canChange ? html`<form method="post" action="${input.totpRemoveAction}">${csrf}<button type="submit" class="secondary">Remove authenticator app</button></form>` : ''}`
    : input.totpSetup ? html`<p>Scan this QR code with your authenticator app, or type the key below into it. Then enter the code it shows.</p>
<div class="qr" role="img" aria-label="QR code for your authenticator app">${raw(input.totpSetup.qrSvg)}</div>
<p>Key: <span class="secret">${input.totpSetup.secret.replace(/(.{4})/g, '$1 ').trim()}</span></p>
<form method="post" action="${input.totpSetup.confirmAction}">${csrf}
<label for="totp-code">Code from the app</label>
<input id="totp-code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6">
<button type="submit">Turn on</button>
</form>`
      : canChange ? html`<p class="muted">Off. An app such as a password manager or authenticator gives a new 6-digit code every 30 seconds, asked after your password.</p>
<form method="post" action="${input.totpStartAction}">${csrf}<button type="submit" class="secondary">Set up an authenticator app</button></form>` : html`<p class="muted">Off.</p>`}`;
}

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
<h3>Password</h3>
<p class="muted">${input.hasPassword ? 'You have a password.' : 'You have no password: you sign in with a passkey.'}</p>
${canChange ? html`<details><summary>${input.hasPassword ? 'Change your password' : 'Set a password'}</summary>
<form method="post" action="${input.passwordChangeAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="text" name="username" value="${input.username}" autocomplete="username" hidden>
<label for="new-password">New password</label>
<input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength="8" required>
<label for="confirm-password">New password again</label>
<input id="confirm-password" name="confirm_password" type="password" autocomplete="new-password" minlength="8" required>
<button type="submit">Save password</button>
</form></details>` : ''}
${canChange && input.hasPassword && input.passkeys.length > 0 ? html`<form method="post" action="${input.passwordRemoveAction}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<button type="submit" class="secondary">Remove my password</button>
</form>` : ''}
${authenticatorApp(input, canChange)}
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
<h2>Where you are signed in</h2>
<ul class="items">${input.sessions.map((s) => html`
<li class="item">
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
<button type="submit" class="secondary">Sign out</button>
</form>`);
}
