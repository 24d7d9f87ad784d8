// RFC 8628 §3.3 user interaction: at verification_uri a signed-in user types the code their device shows (or checks
// the one verification_uri_complete pre-filled), sees the app and the scopes on the consent page (remembered and
// incremental consent as in the code flow), and allows or denies with a click: a code in the URL never approves
// anything by itself (§5.4 remote phishing). Wrong codes are throttled per address and globally (§5.1,
// rate-limits/user-code-guesses.ts). The tokens belong to whoever approved; a decided code cannot be decided again.
// Forms carry the CSRF token of the browser cookie (browser/csrf.ts); successful POSTs answer 303 or a page.
import { currentSession } from '../accounts/login-session.ts';
import { signInWithPassword } from '../accounts/password-sign-in.ts';
import { browserSecret, ensureBrowserSecret } from '../authorization/interactions.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import { consentLines, previouslyGranted, rememberConsent, scopesNeedingConsent } from '../consent/consent.ts';
import { formatUserCode, normaliseUserCode, USER_CODE_ALPHABET, userCodeHash } from '../device/user-code.ts';
import { recordUserCodeFailure, userCodeRetryAfter } from '../rate-limits/user-code-guesses.ts';
import type { ServerContext } from '../server-context.ts';
import type { DeviceCodeRecord, SessionRecord, UserRecord } from '../store/records.ts';
import { errorPageResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';

const forbidden = (requestId: string): BrowserResponse => errorPageResponse(403, 'The form could not be accepted',
  'The form was missing its security token or it did not match this browser. Reload the page and try again (cookies must be enabled).', requestId);

const MALFORMED = `Codes have 8 letters, like ${formatUserCode(USER_CODE_ALPHABET.slice(0, 8))}. Check the code on your device and type it again.`;
const UNKNOWN = 'That code is not valid or has expired. Check the code on your device and type it again, or start again on the device.';
const DECIDED = 'That code has already been used. If you did not use it yourself, start again on your device to get a new code.';

/** The page a code given in the URL or the form leads back to, pre-filled when it looks like a code. */
const devicePageUrl = (ctx: ServerContext, code: string | undefined) => {
  const normalised = normaliseUserCode(code);
  return normalised ? `${ctx.urls.device}?user_code=${formatUserCode(normalised)}` : ctx.urls.device;
};

function loginPage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, code: string | undefined,
  options: { status?: number; username?: string; error?: string; headers?: Record<string, string> } = {}): BrowserResponse {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const normalised = normaliseUserCode(code);
  return {
    kind: 'page', status: options.status ?? 200, cookies: setCookie ? [setCookie] : [], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'login', action: normalised ? `${ctx.urls.deviceLogin}?user_code=${formatUserCode(normalised)}` : ctx.urls.deviceLogin,
      clientName: 'your device', csrfToken: csrf.tokenFor(secret),
      ...(options.username !== undefined ? { username: options.username } : {}), ...(options.error ? { error: options.error } : {}),
    },
  };
}

function codePage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, user: UserRecord, code: string | undefined,
  options: { status?: number; error?: string; headers?: Record<string, string> } = {}): BrowserResponse {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const normalised = normaliseUserCode(code);
  return {
    kind: 'page', status: options.status ?? 200, cookies: setCookie ? [setCookie] : [], ...(options.headers ? { headers: options.headers } : {}),
    page: {
      view: 'device-code', action: ctx.urls.device, username: user.username, csrfToken: csrf.tokenFor(secret),
      userCode: normalised ? formatUserCode(normalised) : undefined, ...(options.error ? { error: options.error } : {}),
    },
  };
}

/** The signed-in user of this browser, if any. */
async function signedIn(ctx: ServerContext, browser: BrowserRequest): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
  const session = await currentSession(ctx, browser.cookies);
  const user = session && await ctx.store.getUser(session.userId);
  return session && user ? { session, user } : undefined;
}

type CodeLookup =
  | { found: DeviceCodeRecord; hash: string; display: string }
  | { status: number; error: string; headers?: Record<string, string> };

/** The live device code the user typed, under the guess throttle: a wrong code counts, a malformed one is not a guess. */
async function lookUpUserCode(ctx: ServerContext, ip: string, typed: string | undefined): Promise<CodeLookup> {
  const now = ctx.now();
  const wait = await userCodeRetryAfter(ctx.store, ctx.config, ip, now);
  if (wait > 0) {
    const minutes = Math.max(1, Math.ceil(wait / 60));
    return { status: 429, headers: { 'retry-after': String(wait) },
      error: `Too many wrong codes were entered. Please wait up to ${minutes} minute${minutes === 1 ? '' : 's'} and try again.` };
  }
  const normalised = normaliseUserCode(typed);
  if (!normalised) return { status: 400, error: MALFORMED };
  const hash = userCodeHash(ctx.config.secret, normalised);
  const found = await ctx.store.findDeviceCodeByUserCode(hash, now);
  if (!found) {
    await recordUserCodeFailure(ctx.store, ctx.config, ip, now);
    return { status: 400, error: UNKNOWN };
  }
  if (found.status !== 'pending') return { status: 400, error: DECIDED };
  return { found, hash, display: formatUserCode(normalised) };
}

/** GET /device — the sign-in form first, then the code form (pre-filled from verification_uri_complete). */
export async function showDevicePage(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, code: string | undefined): Promise<BrowserResponse> {
  const current = await signedIn(ctx, browser);
  if (!current) return loginPage(ctx, csrf, browser, code);
  return codePage(ctx, csrf, browser, current.user, code);
}

/** POST /device/login — the password sign-in of the other login forms, then back to the code form. */
export async function submitDeviceLogin(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest, code: string | undefined): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const result = await signInWithPassword(ctx, {
    username: browser.params.get('username'), password: browser.params.get('password'), ip: browser.ip, userAgent: browser.userAgent, cookies: browser.cookies, via: 'device',
  });
  switch (result.status) {
    case 'throttled':
      return loginPage(ctx, csrf, browser, code, { status: 429, username: result.username, error: result.message, headers: { 'retry-after': String(result.retryAfter) } });
    case 'rejected':
      return loginPage(ctx, csrf, browser, code, { status: 400, username: result.username, error: result.message });
    case 'second-factor':
      // This form has no second step: the account page's sign-in has it, and its session serves this page too.
      return loginPage(ctx, csrf, browser, code, {
        status: 400, username: result.user.username, error: `Your account asks for a second factor: sign in at ${ctx.urls.account} first, then open this page again.`,
      });
    case 'abandoned':
    case 'signed-in':
      return { kind: 'redirect', location: devicePageUrl(ctx, code), cookies: result.status === 'signed-in' ? result.cookies : [] };
  }
}

/** POST /device — the typed code: the consent page for its app and scopes, or the code form with the reason. */
export async function submitUserCode(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  const secret = browserSecret(ctx, browser.cookies);
  if (!csrf.verify(secret, browser.params.get('csrf')) || !secret) return forbidden(browser.requestId);
  const typed = browser.params.get('user_code');
  const current = await signedIn(ctx, browser);
  if (!current) return { kind: 'redirect', location: devicePageUrl(ctx, typed), cookies: [] };
  const lookup = await lookUpUserCode(ctx, browser.ip, typed);
  if (!('found' in lookup)) return codePage(ctx, csrf, browser, current.user, typed, lookup);
  const client = await ctx.clients.get(lookup.found.clientId);
  if (!client) return codePage(ctx, csrf, browser, current.user, typed, { status: 400, error: UNKNOWN });
  const question = { scopes: lookup.found.scopes, prompt: [] };
  const missing = await scopesNeedingConsent(ctx.store, current.user.id, client.id, question);
  const earlier = await previouslyGranted(ctx.store, current.user.id, client.id, question);
  return {
    kind: 'page', status: 200, cookies: [],
    page: {
      view: 'consent', action: ctx.urls.deviceDecision, clientName: client.name, username: current.user.username, csrfToken: csrf.tokenFor(secret),
      scopeDescriptions: consentLines(ctx.scopes, missing), alreadyGranted: consentLines(ctx.scopes, earlier), device: { userCode: lookup.display },
    },
  };
}

/** POST /device/decision — Allow or Deny, once per code: the device gets the answer at its next poll. */
export async function submitDeviceDecision(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) return forbidden(browser.requestId);
  const typed = browser.params.get('user_code');
  const current = await signedIn(ctx, browser);
  if (!current) return { kind: 'redirect', location: devicePageUrl(ctx, typed), cookies: [] };
  const decision = browser.params.get('decision');
  if (decision !== 'allow' && decision !== 'deny') return errorPageResponse(400, 'Choose Allow or Deny', 'The form did not say whether you allow the request.', browser.requestId);
  // The decision names the code again, so it passes the same throttle: posting here directly is no shortcut for a guesser.
  const lookup = await lookUpUserCode(ctx, browser.ip, typed);
  if (!('found' in lookup)) return codePage(ctx, csrf, browser, current.user, typed, lookup);
  const client = await ctx.clients.get(lookup.found.clientId);
  if (!client) return codePage(ctx, csrf, browser, current.user, typed, { status: 400, error: UNKNOWN });
  const now = ctx.now();
  const userId = current.user.id;
  const decided = await ctx.store.decideDeviceCode(lookup.hash, decision === 'allow'
    ? { status: 'approved', userId, authTime: current.session.authTime } : { status: 'denied', userId }, now);
  // Decided meanwhile (another tab, another user): the first decision stands.
  if (!decided) return codePage(ctx, csrf, browser, current.user, undefined, { status: 400, error: DECIDED });
  if (decision === 'allow') {
    await rememberConsent(ctx.store, userId, client.id, decided.scopes, now);
    await ctx.store.recordAuditEvent({ type: 'device_code.approved', userId, clientId: client.id, detail: { scopes: decided.scopes } }, now);
  } else {
    await ctx.store.recordAuditEvent({ type: 'consent.denied', userId, clientId: client.id, detail: { device: true } }, now);
  }
  return { kind: 'page', status: 200, cookies: [], page: { view: 'device-done', clientName: client.name, approved: decision === 'allow' } };
}
