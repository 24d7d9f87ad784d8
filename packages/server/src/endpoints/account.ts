// The account page (/account): a signed-in user sees the apps they authorized and revokes any of them.
// Revoking ends the app's grants (refresh tokens, and access tokens as introspection and UserInfo see them)
// and its remembered consent (RFC 7009 §2.1 semantics, initiated by the user instead of the client).
import { currentSession, endSession } from '../accounts/login-session.ts';
import { signInWithPassword } from '../accounts/password-sign-in.ts';
import { browserSecret, ensureBrowserSecret } from '../authorization/interactions.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import type { ServerContext } from '../server-context.ts';
import { errorPageResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';
import type { ConnectedApp } from './page-models.ts';

const forbidden = (requestId: string): BrowserResponse => errorPageResponse(403, 'The form could not be accepted',
  'The form was missing its security token or it did not match this browser. Reload the account page and try again (cookies must be enabled).', requestId);

const toAccount = (ctx: ServerContext, cookies: string[] = [], query = ''): BrowserResponse =>
  ({ kind: 'redirect', location: `${ctx.urls.account}${query}`, cookies });

function signInPage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, options: { status?: number; username?: string; error?: string; headers?: Record<string, string> } = {}): BrowserResponse {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  return {
    kind: 'page', status: options.status ?? 200, cookies: setCookie ? [setCookie] : [], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'login', action: ctx.urls.accountLogin, clientName: 'your Latchkey account', csrfToken: csrf.tokenFor(secret),
      ...(options.username !== undefined ? { username: options.username } : {}), ...(options.error ? { error: options.error } : {}),
    },
  };
}

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

/** GET /account — the sign-in form, or the connected apps of the signed-in user. */
export async function showAccount(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, revokedClientId: string | undefined): Promise<BrowserResponse> {
  const session = await currentSession(ctx, browser.cookies);
  if (!session) return signInPage(ctx, csrf, browser);
  const user = await ctx.store.getUser(session.userId);
  if (!user) return signInPage(ctx, csrf, browser);
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const revoked = revokedClientId ? (await ctx.clients.get(revokedClientId))?.name : undefined;
  return {
    kind: 'page', status: 200, cookies: setCookie ? [setCookie] : [],
    page: {
      view: 'account', username: user.username, apps: await connectedApps(ctx, user.id), csrfToken: csrf.tokenFor(secret),
      revokeAction: ctx.urls.accountRevoke, signOutAction: ctx.urls.accountSignOut, ...(revoked ? { revoked } : {}),
    },
  };
}

/** POST /account/login — the password sign-in of the authorization flow (accounts/password-sign-in.ts). */
export async function submitAccountLogin(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const result = await signInWithPassword(ctx, {
    username: browser.params.get('username'), password: browser.params.get('password'), ip: browser.ip, cookies: browser.cookies, via: 'account',
  });
  switch (result.status) {
    case 'throttled':
      return signInPage(ctx, csrf, browser, { status: 429, username: result.username, error: result.message, headers: { 'retry-after': String(result.retryAfter) } });
    case 'rejected':
      return signInPage(ctx, csrf, browser, { status: 400, username: result.username, error: result.message });
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
  return toAccount(ctx, [await endSession(ctx, browser.cookies)]);
}
