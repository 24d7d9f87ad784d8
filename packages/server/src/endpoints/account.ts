// The account page (/account): a signed-in user sees how they sign in (passkeys, password) and the apps they
// authorized, and revokes any of them. Revoking ends the app's grants (refresh tokens, and access tokens as
// introspection and UserInfo see them) and its remembered consent (RFC 7009 §2.1 semantics, initiated by the user
// instead of the client). Changing how one signs in (adding or removing a passkey, removing the password) needs a
// sign-in at most RECENT_SIGN_IN seconds old (NIST SP 800-63B §4.1.3 re-authentication before sensitive changes).
// The page also lists the user's active sessions; signing one or all of them out ends them with back-channel logout
// (Back-Channel Logout 1.0 §2.5: the deliveries are queued before the page answers).
import { describeDevice } from '../accounts/device-description.ts';
import { clearedSessionCookie, currentSession, endSession, endSessions } from '../accounts/login-session.ts';
import { signInWithPasskey } from '../accounts/passkey-sign-in.ts';
import { authenticationOptions, PasskeyRejected, registerPasskey, registrationOptions, removePasskey } from '../accounts/passkeys.ts';
import { hashPassword, passwordProblem } from '../accounts/password-hashing.ts';
import { signInWithPassword, signInWithSecondFactor } from '../accounts/password-sign-in.ts';
import {
  confirmTotpEnrolment, pendingTotpEnrolment, removeTotp, startPendingSecondFactor, startTotpEnrolment, takePendingSecondFactor,
} from '../accounts/second-factor.ts';
import { browserSecret, ensureBrowserSecret } from '../authorization/interactions.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import type { ServerContext } from '../server-context.ts';
import { errorPageResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';
import type { ActiveSession, ConnectedApp } from './page-models.ts';
import type { SessionRecord, UserRecord } from '../store/records.ts';

/** How old a sign-in may be for account changes (seconds). */
export const RECENT_SIGN_IN = 600;

const forbidden = (requestId: string): BrowserResponse => errorPageResponse(403, 'The form could not be accepted',
  'The form was missing its security token or it did not match this browser. Reload the account page and try again (cookies must be enabled).', requestId);

const toAccount = (ctx: ServerContext, cookies: string[] = [], query = ''): BrowserResponse =>
  ({ kind: 'redirect', location: `${ctx.urls.account}${query}`, cookies });

const REAUTHENTICATE = 'To change how you sign in, confirm it is you: sign in again.';

async function signInPage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest,
  options: { status?: number; username?: string; error?: string; notice?: string; headers?: Record<string, string> } = {}): Promise<BrowserResponse> {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  return {
    kind: 'page', status: options.status ?? 200, cookies: setCookie ? [setCookie] : [], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'login', action: ctx.urls.accountLogin, clientName: `your ${ctx.config.productName} account`, csrfToken: csrf.tokenFor(secret),
      ...(options.username !== undefined ? { username: options.username } : {}), ...(options.error ? { error: options.error } : {}),
      ...(options.notice ? { notice: options.notice } : {}),
      passkey: { action: ctx.urls.accountPasskeyLogin, scripts: ctx.urls.passkeyScripts, options: JSON.stringify(await authenticationOptions(ctx, secret)) },
    },
  };
}

/** The session's sign-in is recent enough to change how the user signs in. */
const isRecent = (ctx: ServerContext, session: SessionRecord) => ctx.now() - session.authTime < RECENT_SIGN_IN;

/** The apps with a live grant or a remembered consent, one entry per client. */
async function connectedApps(ctx: ServerContext, userId: string): Promise<ConnectedApp[]> {
  const now = ctx.now();
  const [consents, grants] = await Promise.all([ctx.store.listConsents(userId), ctx.store.listActiveGrants(userId, now)]);
  const byClient = new Map<string, { scopes: Set<string>; grantedAt: number; lastUsedAt: number | null }>();
  for (const c of consents) byClient.set(c.clientId, { scopes: new Set(c.scopes), grantedAt: c.grantedAt, lastUsedAt: null });
  for (const g of grants) {
    const entry = byClient.get(g.clientId) ?? { scopes: new Set<string>(), grantedAt: g.createdAt, lastUsedAt: null };
    for (const s of g.scopes) entry.scopes.add(s);
    entry.grantedAt = Math.min(entry.grantedAt, g.createdAt);
    entry.lastUsedAt = Math.max(entry.lastUsedAt ?? 0, g.lastUsedAt);
    byClient.set(g.clientId, entry);
  }
  const apps: ConnectedApp[] = [];
  for (const [clientId, entry] of byClient) {
    const client = await ctx.clients.get(clientId);
    if (!client) continue;
    apps.push({ clientId, name: client.name, scopes: [...entry.scopes].map((s) => ctx.scopes.get(s)?.description ?? s), grantedAt: entry.grantedAt, lastUsedAt: entry.lastUsedAt });
  }
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}

async function activeSessions(ctx: ServerContext, userId: string, currentSid: string): Promise<ActiveSession[]> {
  const sessions = await ctx.store.listSessionsForUser(userId, ctx.now());
  return sessions.map((s) => ({ sid: s.sid, device: describeDevice(s.userAgent), lastActiveAt: s.lastActiveAt, current: s.sid === currentSid }));
}

/** What GET /account reads from its query. */
export interface AccountQuery {
  revoked?: string | undefined;
  /** A confirmation to show: passkey-added, passkey-removed, password-removed. */
  done?: string | undefined;
  /** Ask for a fresh sign-in even with a session (before account changes). */
  reauth?: boolean | undefined;
}

const DONE: Record<string, string> = {
  'password-changed': 'Your password was changed.',
  'totp-removed': 'Your authenticator app was removed.',
  'passkey-added': 'Your passkey was added. You can now sign in with it.',
  'passkey-removed': 'The passkey was removed.',
  'password-removed': 'Your password was removed: you now sign in with a passkey.',
};

async function accountPage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, session: SessionRecord, user: UserRecord,
  options: { revoked?: string; notice?: string; error?: string; status?: number; recoveryCodes?: string[] } = {}): Promise<BrowserResponse> {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const passkeys = await ctx.store.listPasskeys(user.id);
  const recent = isRecent(ctx, session);
  const factor = await ctx.store.getTotpFactor(user.id);
  const setup = recent && factor && factor.confirmedAt === null ? await pendingTotpEnrolment(ctx, user) : undefined;
  return {
    kind: 'page', status: options.status ?? 200, cookies: setCookie ? [setCookie] : [],
    page: {
      view: 'account', username: user.username, apps: await connectedApps(ctx, user.id), csrfToken: csrf.tokenFor(secret),
      sessions: await activeSessions(ctx, user.id, session.sid), sessionsSignOutAction: ctx.urls.accountSessionsSignOut,
      revokeAction: ctx.urls.accountRevoke, signOutAction: ctx.urls.accountSignOut, ...(options.revoked ? { revoked: options.revoked } : {}),
      ...(options.notice ? { notice: options.notice } : {}), ...(options.error ? { error: options.error } : {}),
      passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt, synced: p.backedUp })),
      hasPassword: user.passwordHash !== null,
      ...(recent
        ? { passkeyAdd: { action: ctx.urls.accountPasskeyAdd, scripts: ctx.urls.passkeyScripts, options: JSON.stringify(await registrationOptions(ctx, user, secret)) } }
        : { reauthenticateUrl: `${ctx.urls.account}?reauth=1` }),
      passkeyRemoveAction: ctx.urls.accountPasskeyRemove, passwordRemoveAction: ctx.urls.accountPasswordRemove, passwordChangeAction: ctx.urls.accountPasswordChange,
      totp: factor?.confirmedAt != null ? { confirmedAt: factor.confirmedAt, recoveryCodesLeft: await ctx.store.countRecoveryCodes(user.id) } : undefined,
      totpStartAction: ctx.urls.accountTotpStart, totpRemoveAction: ctx.urls.accountTotpRemove,
      ...(setup ? {
        // The QR code is drawn here, as inline SVG (no third-party service, no image request): the otpauth URI never leaves.
        // qrcode (and pngjs under it) is loaded at the first TOTP set-up, not at start-up.
        totpSetup: { qrSvg: await (await import('qrcode')).default.toString(setup.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }), secret: setup.secret, confirmAction: ctx.urls.accountTotpConfirm },
      } : {}),
      ...(options.recoveryCodes ? { recoveryCodes: options.recoveryCodes } : {}),
    },
  };
}

/** GET /account — the sign-in form, or the sign-in methods and connected apps of the signed-in user. */
export async function showAccount(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, query: AccountQuery): Promise<BrowserResponse> {
  const session = await currentSession(ctx, browser.cookies);
  if (!session) return signInPage(ctx, csrf, browser);
  const user = await ctx.store.getUser(session.userId);
  if (!user) return signInPage(ctx, csrf, browser);
  if (query.reauth && !isRecent(ctx, session)) return signInPage(ctx, csrf, browser, { username: user.username, notice: REAUTHENTICATE });
  const revoked = query.revoked ? (await ctx.clients.get(query.revoked))?.name : undefined;
  const notice = query.done ? DONE[query.done] : undefined;
  return accountPage(ctx, csrf, browser, session, user, { ...(revoked ? { revoked } : {}), ...(notice ? { notice } : {}) });
}

/** The signed-in user of an account change, when their sign-in is recent; otherwise the page to answer. */
async function changer(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<{ session: SessionRecord; user: UserRecord } | BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const session = await currentSession(ctx, browser.cookies);
  const user = session && await ctx.store.getUser(session.userId);
  if (!session || !user) return toAccount(ctx);
  if (!isRecent(ctx, session)) return signInPage(ctx, csrf, browser, { status: 401, username: user.username, notice: REAUTHENTICATE });
  return { session, user };
}

/** POST /account/passkeys/add — verifies the registration (accounts/passkeys.ts) and stores the passkey under its name. */
export async function addPasskey(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  const secret = browserSecret(ctx, browser.cookies) ?? '';
  try {
    await registerPasskey(ctx, who.user, secret, browser.params.get('credential'), browser.params.get('name'));
  } catch (error) {
    if (!(error instanceof PasskeyRejected)) throw error;
    return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: error.userMessage });
  }
  return toAccount(ctx, [], '?done=passkey-added');
}

/** POST /account/passkeys/remove — removes one of the user's passkeys (never the last one of a user without a password). */
export async function deletePasskey(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  const outcome = await removePasskey(ctx, who.user, (browser.params.get('passkey') ?? '').slice(0, 2048));
  if (outcome === 'last') {
    return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: 'This is your only way to sign in: add another passkey before removing this one.' });
  }
  if (outcome === 'unknown') return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: 'That passkey is not one of yours (it may have been removed already).' });
  return toAccount(ctx, [], '?done=passkey-removed');
}

/** POST /account/password/remove — a user with a passkey may sign in without a password from now on. */
export async function removePassword(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  const now = ctx.now();
  if (!(await ctx.store.removePasswordOfPasskeyUser(who.user.id, now))) {
    return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: 'Add a passkey before removing your password: you would have no way to sign in.' });
  }
  await ctx.store.recordAuditEvent({ type: 'password.removed', userId: who.user.id }, now);
  return toAccount(ctx, [], '?done=password-removed');
}

/** POST /account/passkey-login — the account page's passkey sign-in (accounts/passkey-sign-in.ts). */
export async function submitAccountPasskeyLogin(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!secret || !csrf.verify(secret, browser.params.get('csrf'))) return forbidden(browser.requestId);
  const result = await signInWithPasskey(ctx, { credential: browser.params.get('credential'), browserSecret: secret, ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies, via: 'account' });
  if (result.status === 'rejected') return signInPage(ctx, csrf, browser, { status: 400, error: result.message });
  return toAccount(ctx, result.status === 'signed-in' ? result.cookies : []);
}

/** POST /account/login — the password sign-in of the authorization flow (accounts/password-sign-in.ts). */
export async function submitAccountLogin(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const result = await signInWithPassword(ctx, {
    username: browser.params.get('username'), password: browser.params.get('password'), ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies, via: 'account',
  });
  switch (result.status) {
    case 'throttled':
      return signInPage(ctx, csrf, browser, { status: 429, username: result.username, error: result.message, headers: { 'retry-after': String(result.retryAfter) } });
    case 'rejected':
      return signInPage(ctx, csrf, browser, { status: 400, username: result.username, error: result.message });
    case 'second-factor':
      return accountSecondFactorPage(ctx, csrf, browser, result.user.id, result.cookies);
    case 'abandoned':
    case 'signed-in':
      return toAccount(ctx, result.status === 'signed-in' ? result.cookies : []);
  }
}

/** POST /account/revoke — ends every grant of the app for this user and forgets the consent. */
export async function revokeApp(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const session = await currentSession(ctx, browser.cookies);
  if (!session) return toAccount(ctx);
  const clientId = (browser.params.get('client_id') ?? '').slice(0, 256);
  const now = ctx.now();
  const grants = await ctx.store.revokeGrantsFor(session.userId, clientId, now);
  const consent = await ctx.store.deleteConsent(session.userId, clientId);
  if (grants > 0 || consent) {
    await ctx.store.recordAuditEvent({ type: 'consent.revoked', clientId, userId: session.userId, detail: { grants } }, now);
  }
  return toAccount(ctx, [], `?revoked=${encodeURIComponent(clientId)}`);
}

/** POST /account/sign-out — ends the single sign-on session. */
export async function signOut(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  return toAccount(ctx, [await endSession(ctx, browser.cookies, 'sign-out')]);
}

/** POST /account/sessions/sign-out — ends one of the user's sessions (sid) or all of them (all=1), each with back-channel logout. */
export async function signOutSessions(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const session = await currentSession(ctx, browser.cookies);
  if (!session) return toAccount(ctx);
  if (browser.params.get('all') === '1') {
    await endSessions(ctx, { userId: session.userId }, 'account-page');
    return toAccount(ctx, [clearedSessionCookie(ctx)]);
  }
  const sid = (browser.params.get('sid') ?? '').slice(0, 64);
  // Only the signed-in user's own sessions can be named: the selector includes the user.
  const { ended } = await endSessions(ctx, { userId: session.userId, sid }, 'account-page');
  return toAccount(ctx, ended.some((s) => s.sid === session.sid) ? [clearedSessionCookie(ctx)] : []);
}

/** POST /account/totp/start — a new authenticator-app secret, shown as a QR code and as text until a first code confirms it. */
export async function startTotp(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  if (!(await startTotpEnrolment(ctx, who.user))) {
    return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: 'You have an authenticator app already: remove it first to set up another.' });
  }
  return toAccount(ctx, [], '#authenticator-app');
}

/**
 * POST /account/totp/confirm — the first code confirms the app; the ten recovery codes are shown in this answer,
 * once (a page, not a redirect: they are never stored in clear, so no later page can show them).
 */
export async function confirmTotp(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  const codes = await confirmTotpEnrolment(ctx, who.user, browser.params.get('code') ?? '');
  if (!codes) return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: 'That code is not right. Enter the 6-digit code your app shows now.' });
  return accountPage(ctx, csrf, browser, who.session, who.user, { notice: 'Your authenticator app is set up. Signing in with your password now also asks for a code.', recoveryCodes: codes });
}

/** POST /account/totp/remove — removes the authenticator app and its recovery codes. */
export async function deleteTotp(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  await removeTotp(ctx.store, who.user.id, 'user', ctx.now());
  return toAccount(ctx, [], '?done=totp-removed');
}

/** The account page's second step: the code form for `userId`, with a fresh pending token. */
async function accountSecondFactorPage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, userId: string, cookies: string[],
  options: { status?: number; error?: string; headers?: Record<string, string> } = {}): Promise<BrowserResponse> {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const user = await ctx.store.getUser(userId);
  if (!user) return signInPage(ctx, csrf, browser);
  return {
    kind: 'page', status: options.status ?? 200, cookies: [...cookies, ...(setCookie ? [setCookie] : [])], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'second-factor', clientName: `your ${ctx.config.productName} account`, username: user.username, csrfToken: csrf.tokenFor(secret),
      reason: 'Your account has a second factor: confirm with it to continue.', codeAction: ctx.urls.accountSecondFactor,
      pendingToken: await startPendingSecondFactor(ctx, secret, user.id), ...(options.error ? { error: options.error } : {}),
    },
  };
}

/** POST /account/second-factor — the code after the account page's password sign-in. */
export async function submitAccountSecondFactor(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!secret || !csrf.verify(secret, browser.params.get('csrf'))) return forbidden(browser.requestId);
  const userId = await takePendingSecondFactor(ctx, secret, browser.params.get('pending'));
  const user = userId === undefined ? undefined : await ctx.store.getUser(userId);
  if (!user) return signInPage(ctx, csrf, browser, { status: 400, error: 'That sign-in took too long or was already finished. Sign in again.' });
  const result = await signInWithSecondFactor(ctx, { user, code: browser.params.get('code'), ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies, via: 'account' });
  switch (result.status) {
    case 'throttled':
      return accountSecondFactorPage(ctx, csrf, browser, user.id, [], { status: 429, error: result.message, headers: { 'retry-after': String(result.retryAfter) } });
    case 'rejected':
      return accountSecondFactorPage(ctx, csrf, browser, user.id, [], { status: 400, error: result.message });
    case 'abandoned':
    case 'signed-in':
      return toAccount(ctx, result.status === 'signed-in' ? result.cookies : []);
  }
}

/** POST /account/password — a new password (typed twice), or a first one for a user who signs in with passkeys only. */
export async function changePassword(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const who = await changer(ctx, csrf, browser);
  if ('kind' in who) return who;
  const password = browser.params.get('new_password') ?? '';
  if (password !== (browser.params.get('confirm_password') ?? '')) {
    return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: 'The two passwords are not the same.' });
  }
  const problem = passwordProblem(password);
  if (problem) return accountPage(ctx, csrf, browser, who.session, who.user, { status: 400, error: `The new ${problem}.` });
  const now = ctx.now();
  await ctx.store.updateUserPassword(who.user.id, await hashPassword(password), now);
  await ctx.store.recordAuditEvent({ type: 'password.changed', userId: who.user.id, detail: { by: 'user', first: who.user.passwordHash === null } }, now);
  return toAccount(ctx, [], '?done=password-changed');
}
