// The login, second-factor and consent steps of an authorization request (OpenID Connect Core §3.1.2.3 and §3.1.2.4).
// Forms carry a CSRF token bound to the browser cookie; the request itself is read from the server-side
// interaction, never from form fields. Successful POSTs answer 303 (RFC 9700 §4.12).
// An interaction is in one of three states: nobody signed in yet (login page: password or passkey); a known user who
// must confirm a second factor (step-up: the record has the user and no auth time); signed in (consent page).
import { currentSession } from '../accounts/login-session.ts';
import { signInWithPasskey } from '../accounts/passkey-sign-in.ts';
import { authenticationOptions } from '../accounts/passkeys.ts';
import { signInWithPassword, signInWithSecondFactor } from '../accounts/password-sign-in.ts';
import { AuthorizationFailure } from '../authorization/authorization-failure.ts';
import {
  browserSecret, createInteraction, findInteraction, takeInteraction, type PendingInteraction,
} from '../authorization/interactions.ts';
import { completeAuthorization } from '../authorization/issue-code.ts';
import { needsStepUp, requirementOf, secondFactorsOf } from '../authorization/step-up.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import { consentLines, previouslyGranted, rememberConsent, scopesToAsk } from '../consent/consent.ts';
import { isUnvetted, unverifiedClient } from '../clients/unvetted-client-policy.ts';
import { AccessDenied } from '../oauth/errors.ts';
import type { Authentication } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';
import type { UnverifiedClient } from './page-models.ts';
import { authorizationResponse, errorPageResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';
import { consentQuestion, targetOf } from '../authorization/authorization-request.ts';

const expired = (requestId: string) => errorPageResponse(400, 'This sign-in request is no longer valid',
  'It has expired, was already completed, or was started in another browser. Go back to the application and start again.', requestId);

const forbidden = (requestId: string) => errorPageResponse(403, 'The form could not be accepted',
  'The form was missing its security token or it did not match this browser. Reload the page and try again (cookies must be enabled).', requestId);

/**
 * After authentication: step up when the sign-in is weaker than the request asks, else ask for consent if some scope
 * is not approved yet, else issue the code.
 */
async function continueAfterLogin(ctx: ServerContext, secret: string, pending: PendingInteraction, auth: Authentication, cookies: string[]): Promise<BrowserResponse> {
  try {
    const { request } = pending;
    if (await needsStepUp(ctx, request, auth)) {
      const id = await createInteraction(ctx, secret, request, auth, { stepUp: true });
      return { kind: 'redirect', location: ctx.urls.interaction(id), cookies };
    }
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
      ...unverifiedMark(ctx, client, pending),
      username: options.username ?? pending.request.loginHint, ...(options.error ? { error: options.error } : {}),
      passkey: {
        action: ctx.urls.interaction(pending.record.id, 'passkey'), scripts: ctx.urls.passkeyScripts,
        options: JSON.stringify(await authenticationOptions(ctx, secret)),
      },
    },
  };
}

/** The second step for the interaction's user: their passkeys, their authenticator app, or where to add one. */
async function renderSecondFactor(ctx: ServerContext, csrf: CsrfTokens, secret: string, pending: PendingInteraction, requestId: string,
  options: { status?: number; error?: string; headers?: Record<string, string> } = {}): Promise<BrowserResponse> {
  const userId = pending.record.userId;
  const client = await ctx.clients.get(pending.record.clientId);
  const user = userId === null ? undefined : await ctx.store.getUser(userId);
  if (!client || !user) return expired(requestId);
  const factors = await secondFactorsOf(ctx, user.id);
  const requirement = await requirementOf(ctx, pending.request);
  const reason = requirement.requireMfa || requirement.acrValues.length > 0
    ? `${client.name} asks for a stronger sign-in: confirm with a second factor.`
    : 'Your account has a second factor: confirm with it to continue.';
  return {
    kind: 'page', status: options.status ?? 200, cookies: [], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'second-factor', clientName: client.name, username: user.username, csrfToken: csrf.tokenFor(secret), reason,
      ...(factors.totp ? { codeAction: ctx.urls.interaction(pending.record.id, 'second-factor') } : {}),
      ...(factors.passkeys > 0 ? {
        passkey: {
          action: ctx.urls.interaction(pending.record.id, 'passkey'), scripts: ctx.urls.passkeyScripts,
          options: JSON.stringify(await authenticationOptions(ctx, secret, user.id)),
        },
      } : {}),
      ...(!factors.totp && factors.passkeys === 0 ? { accountUrl: ctx.urls.account } : {}),
      ...(options.error ? { error: options.error } : {}),
    },
  };
}

/** The mark the login and consent pages show for a client nobody vetted (nothing for an operator's client). */
function unverifiedMark(ctx: ServerContext, client: ClientRecord, pending: PendingInteraction): { unverified?: UnverifiedClient } {
  return isUnvetted(client) ? { unverified: unverifiedClient(client, pending.request.redirectUri, ctx.config.operatorName) } : {};
}

/** A second step is pending for this interaction: a user is known but has not finished signing in. */
const awaitingSecondFactor = (pending: PendingInteraction) => pending.record.userId !== null && pending.record.authTime === null;

/** GET /interaction/:id — the login page, the second-factor page, or the consent page once the user is known. */
export async function showInteraction(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, id: string): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  const pending = await findInteraction(ctx, id, secret);
  if (!pending || !secret) return expired(browser.requestId);
  if (pending.record.userId === null) return renderLogin(ctx, csrf, secret, pending, browser.requestId);
  if (awaitingSecondFactor(pending)) return renderSecondFactor(ctx, csrf, secret, pending, browser.requestId);

  const userId = pending.record.userId;
  const authTime = pending.record.authTime ?? 0;
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
    return continueAfterLogin(ctx, secret, taken, { userId, authTime, sid: session.sid, amr: pending.record.amr ?? ['pwd'] }, []);
  }
  const describe = (scopes: string[]) => consentLines(ctx.scopes, scopes);
  const earlier = (await previouslyGranted(ctx.store, userId, client.id, consentQuestion(request))).filter((s) => !missing.includes(s));
  return {
    kind: 'page', status: 200, cookies: [],
    page: {
      view: 'consent', action: ctx.urls.interaction(pending.record.id, 'consent'), clientName: client.name, username: user.username,
      csrfToken: csrf.tokenFor(secret), scopeDescriptions: describe(missing), alreadyGranted: describe(earlier),
      ...unverifiedMark(ctx, client, pending),
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
    case 'second-factor': {
      // The password is right; the same request continues at the second step, for this user only.
      if (!taken) return expired(browser.requestId);
      const next = await createInteraction(ctx, secret, taken.request, { userId: result.user.id, authTime: ctx.now(), amr: ['pwd'] }, { stepUp: true });
      return { kind: 'redirect', location: ctx.urls.interaction(next), cookies: result.cookies };
    }
    case 'signed-in':
      if (!taken) return expired(browser.requestId);
      return continueAfterLogin(ctx, secret, taken, { userId: result.user.id, authTime: result.authTime, sid: result.sid, amr: result.amr }, result.cookies);
  }
}

/** POST /interaction/:id/second-factor — a TOTP or recovery code for the interaction's user, then the request continues. */
export async function submitSecondFactor(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, id: string): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!csrf.verify(secret, browser.params.get('csrf')) || !secret) return forbidden(browser.requestId);
  const pending = await findInteraction(ctx, id, secret);
  if (!pending) return expired(browser.requestId);
  if (!awaitingSecondFactor(pending) || pending.record.userId === null) return { kind: 'redirect', location: ctx.urls.interaction(id), cookies: [] };
  const user = await ctx.store.getUser(pending.record.userId);
  if (!user) return expired(browser.requestId);

  let taken: PendingInteraction | undefined;
  const result = await signInWithSecondFactor(ctx, {
    user, code: browser.params.get('code'), ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies, clientId: pending.record.clientId,
  }, async () => (taken = await takeInteraction(ctx, pending)) !== undefined);
  switch (result.status) {
    case 'throttled':
      return renderSecondFactor(ctx, csrf, secret, pending, browser.requestId, { status: 429, error: result.message, headers: { 'retry-after': String(result.retryAfter) } });
    case 'rejected':
      return renderSecondFactor(ctx, csrf, secret, pending, browser.requestId, { status: 400, error: result.message });
    case 'abandoned':
      return expired(browser.requestId);
    case 'signed-in':
      if (!taken) return expired(browser.requestId);
      return continueAfterLogin(ctx, secret, taken, { userId: result.user.id, authTime: result.authTime, sid: result.sid, amr: result.amr }, result.cookies);
  }
}

/**
 * POST /interaction/:id/passkey — a passkey sign-in (accounts/passkey-sign-in.ts): the first step (no password), or
 * the second step of a known user (the passkey must be theirs); a passkey counts as two factors.
 */
export async function submitPasskey(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, id: string): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!csrf.verify(secret, browser.params.get('csrf')) || !secret) return forbidden(browser.requestId);
  const pending = await findInteraction(ctx, id, secret);
  if (!pending) return expired(browser.requestId);
  const stepUp = awaitingSecondFactor(pending);
  // A second step is bound to this browser and user by the interaction itself (made after the password, or from the session).
  if (pending.record.userId !== null && !stepUp) return { kind: 'redirect', location: ctx.urls.interaction(id), cookies: [] };

  let taken: PendingInteraction | undefined;
  const result = await signInWithPasskey(ctx, {
    credential: browser.params.get('credential'), browserSecret: secret, ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies, clientId: pending.record.clientId,
    ...(stepUp && pending.record.userId !== null ? { expectedUser: pending.record.userId } : {}),
  }, async () => (taken = await takeInteraction(ctx, pending)) !== undefined);
  switch (result.status) {
    case 'rejected':
      return stepUp
        ? renderSecondFactor(ctx, csrf, secret, pending, browser.requestId, { status: 400, error: result.message })
        : renderLogin(ctx, csrf, secret, pending, browser.requestId, { status: 400, error: result.message });
    case 'abandoned':
      return expired(browser.requestId);
    case 'signed-in':
      if (!taken) return expired(browser.requestId);
      return continueAfterLogin(ctx, secret, taken, { userId: result.user.id, authTime: result.authTime, sid: result.sid, amr: result.amr }, result.cookies);
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
    return authorizationResponse(await completeAuthorization(ctx, taken.request, { userId, authTime, sid: session.sid, amr: pending.record.amr ?? ['pwd'] }), []);
  } catch (error) {
    throw new AuthorizationFailure(error, targetOf(taken.request));
  }
}
