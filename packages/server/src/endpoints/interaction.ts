// The login and consent steps of an authorization request (OpenID Connect Core §3.1.2.3 and §3.1.2.4).
// Forms carry a CSRF token bound to the browser cookie; the request itself is read from the server-side
// interaction, never from form fields. Successful POSTs answer 303 (RFC 9700 §4.12).
import { currentSession } from '../accounts/login-session.ts';
import { signInWithPassword } from '../accounts/password-sign-in.ts';
import { AuthorizationFailure } from '../authorization/authorization-failure.ts';
import {
  browserSecret, createInteraction, findInteraction, takeInteraction, type PendingInteraction,
} from '../authorization/interactions.ts';
import { completeAuthorization } from '../authorization/issue-code.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import { consentLines, previouslyGranted, rememberConsent, scopesToAsk } from '../consent/consent.ts';
import { isUnvetted, unverifiedClient } from '../clients/unvetted-client-policy.ts';
import { AccessDenied } from '../oauth/errors.ts';
import type { Authentication } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';
import { authorizationResponse, errorPageResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';
import { consentQuestion, targetOf } from '../authorization/authorization-request.ts';

const expired = (requestId: string) => errorPageResponse(400, 'This sign-in request is no longer valid',
  'It has expired, was already completed, or was started in another browser. Go back to the application and start again.', requestId);

const forbidden = (requestId: string) => errorPageResponse(403, 'The form could not be accepted',
  'The form was missing its security token or it did not match this browser. Reload the page and try again (cookies must be enabled).', requestId);


/** After authentication: ask for consent if some scope is not approved yet, else issue the code. */
async function continueAfterLogin(ctx: ServerContext, secret: string, pending: PendingInteraction, auth: Authentication, cookies: string[]): Promise<BrowserResponse> {
  try {
    const { request } = pending;
    const client = await ctx.clients.get(request.clientId);
    if (!client) throw new AccessDenied('the application is no longer registered');
    const missing = await scopesToAsk(ctx.store, auth.userId, client, consentQuestion(request));
    if (missing.length > 0) {
      const id = await createInteraction(ctx, secret, request, auth);
      return { kind: 'redirect', location: ctx.urls.interaction(id), cookies };
    }
    return authorizationResponse(await completeAuthorization(ctx, request, auth), cookies);
  } catch (error) {
    throw new AuthorizationFailure(error, targetOf(pending.request), { cookies });
  }
}

async function renderLogin(ctx: ServerContext, csrf: CsrfTokens, secret: string, pending: PendingInteraction, requestId: string,
  options: { status?: number; username?: string; error?: string; headers?: Record<string, string> } = {}): Promise<BrowserResponse> {
  const client = await ctx.clients.get(pending.record.clientId);
  if (!client) return expired(requestId);
  return {
    kind: 'page', status: options.status ?? 200, cookies: [], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'login', action: ctx.urls.interaction(pending.record.id, 'login'), clientName: client.name, csrfToken: csrf.tokenFor(secret),
      ...(isUnvetted(client) ? { unverified: unverifiedClient(client, pending.request.redirectUri, ctx.config.operatorName) } : {}),
      username: options.username ?? pending.request.loginHint, ...(options.error ? { error: options.error } : {}),
    },
  };
}

/** GET /interaction/:id — the login page, or the consent page once the user is known. */
export async function showInteraction(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, id: string): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  const pending = await findInteraction(ctx, id, secret);
  if (!pending || !secret) return expired(browser.requestId);
  if (pending.record.userId === null || pending.record.authTime === null) return renderLogin(ctx, csrf, secret, pending, browser.requestId);

  const userId = pending.record.userId;
  const session = await currentSession(ctx, browser.cookies);
  if (!session || session.userId !== userId) return expired(browser.requestId);
  const client = await ctx.clients.get(pending.record.clientId);
  const user = await ctx.store.getUser(userId);
  if (!client || !user) return expired(browser.requestId);
  const { request } = pending;
  const missing = await scopesToAsk(ctx.store, userId, client, consentQuestion(request));
  if (missing.length === 0) {
    // Approved meanwhile (another tab): nothing left to ask.
    const taken = await takeInteraction(ctx, pending);
    if (!taken) return expired(browser.requestId);
    return continueAfterLogin(ctx, secret, taken, { userId, authTime: pending.record.authTime, sid: session.sid }, []);
  }
  const describe = (scopes: string[]) => consentLines(ctx.scopes, scopes);
  const earlier = (await previouslyGranted(ctx.store, userId, client.id, consentQuestion(request))).filter((s) => !missing.includes(s));
  return {
    kind: 'page', status: 200, cookies: [],
    page: {
      view: 'consent', action: ctx.urls.interaction(pending.record.id, 'consent'), clientName: client.name, username: user.username,
      csrfToken: csrf.tokenFor(secret), scopeDescriptions: describe(missing), alreadyGranted: describe(earlier),
      ...(isUnvetted(client) ? { unverified: unverifiedClient(client, pending.request.redirectUri, ctx.config.operatorName) } : {}),
    },
  };
}

/** POST /interaction/:id/login — the password sign-in (accounts/password-sign-in.ts), then the request continues. */
export async function submitLogin(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, id: string): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!csrf.verify(secret, browser.params.get('csrf')) || !secret) return forbidden(browser.requestId);
  const pending = await findInteraction(ctx, id, secret);
  if (!pending) return expired(browser.requestId);
  if (pending.record.userId !== null) return { kind: 'redirect', location: ctx.urls.interaction(id), cookies: [] };

  let taken: PendingInteraction | undefined;
  const result = await signInWithPassword(ctx, {
    username: browser.params.get('username'), password: browser.params.get('password'), ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies,
    clientId: pending.record.clientId,
  }, async () => (taken = await takeInteraction(ctx, pending)) !== undefined);
  switch (result.status) {
    case 'throttled':
      return renderLogin(ctx, csrf, secret, pending, browser.requestId,
        { status: 429, username: result.username, error: result.message, headers: { 'retry-after': String(result.retryAfter) } });
    case 'rejected':
      return renderLogin(ctx, csrf, secret, pending, browser.requestId, { status: 400, username: result.username, error: result.message });
    case 'abandoned':
      return expired(browser.requestId);
    case 'signed-in':
      if (!taken) return expired(browser.requestId);
      return continueAfterLogin(ctx, secret, taken, { userId: result.user.id, authTime: result.authTime, sid: result.sid }, result.cookies);
  }
}

/** POST /interaction/:id/consent — Allow remembers the scopes and issues the code; Deny returns access_denied. */
export async function submitConsent(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, id: string): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!csrf.verify(secret, browser.params.get('csrf')) || !secret) return forbidden(browser.requestId);
  const pending = await findInteraction(ctx, id, secret);
  if (!pending) return expired(browser.requestId);
  const { userId, authTime } = pending.record;
  if (userId === null || authTime === null) return { kind: 'redirect', location: ctx.urls.interaction(id), cookies: [] };
  const session = await currentSession(ctx, browser.cookies);
  if (!session || session.userId !== userId) return expired(browser.requestId);
  const decision = browser.params.get('decision');
  if (decision !== 'allow' && decision !== 'deny') return errorPageResponse(400, 'Choose Allow or Deny', 'The form did not say whether you allow the request.', browser.requestId);

  const taken = await takeInteraction(ctx, pending);
  if (!taken) return expired(browser.requestId);
  const now = ctx.now();
  if (decision === 'deny') {
    await ctx.store.recordAuditEvent({ type: 'consent.denied', userId, clientId: taken.request.clientId }, now);
    throw new AuthorizationFailure(new AccessDenied('the user denied the request'), targetOf(taken.request));
  }
  try {
    await rememberConsent(ctx.store, userId, taken.request.clientId, [...consentQuestion(taken.request).scopes], now);
    return authorizationResponse(await completeAuthorization(ctx, taken.request, { userId, authTime, sid: session.sid }), []);
  } catch (error) {
    throw new AuthorizationFailure(error, targetOf(taken.request));
  }
}
