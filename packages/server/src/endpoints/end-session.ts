// The end-session endpoint: OpenID Connect RP-Initiated Logout 1.0 §2 (GET and POST, id_token_hint, client_id,
// post_logout_redirect_uri, state, ui_locales, logout_hint), §3 (post_logout_redirect_uri matches a registered value
// exactly, or there is no redirect) and §4 (the OP asks the user when the request may not come from the user).
// A hint that is ours (our key, our issuer), unexpired and names the browser's current session signs out at once;
// anything doubtful (no hint, another session's, an expired one, one we did not sign) is a CSRF-protected
// confirmation page. The browser is only ever sent to a post-logout redirect URI registered for the client.
import { currentSession, endSession } from '../accounts/login-session.ts';
import { browserSecret, ensureBrowserSecret } from '../authorization/interactions.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import { InvalidRequest } from '../oauth/errors.ts';
import { hintAudiences, readIdTokenHint } from '../oidc/id-token-hint.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';
import { errorPageResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';

/** What the id_token_hint proved: nothing (absent or not ours), or who, which session and which client. */
type LogoutHint =
  | { kind: 'none' }
  | { kind: 'untrusted' }
  | { kind: 'ours'; sub: string; sid: string | undefined; clientId: string | undefined; expired: boolean };

/** A logout request with its client and post-logout redirect URI validated. */
interface LogoutRequest {
  hint: LogoutHint;
  client: ClientRecord | undefined;
  /** A post_logout_redirect_uri registered for `client` (never anything else). */
  redirectUri: string | undefined;
  state: string | undefined;
}

class LogoutRefused extends Error {
  readonly title: string;
  readonly details: string[];
  constructor(title: string, message: string, details: string[] = []) {
    super(message);
    this.title = title;
    this.details = details;
  }
}

const MAX_STATE = 2048;

async function readHint(ctx: ServerContext, hint: string | undefined): Promise<LogoutHint> {
  if (hint === undefined) return { kind: 'none' };
  let payload: Record<string, unknown>;
  try {
    payload = await readIdTokenHint(ctx, hint);
  } catch {
    return { kind: 'untrusted' };
  }
  const audiences = hintAudiences(payload).filter((a): a is string => typeof a === 'string');
  const clientId = typeof payload.azp === 'string' ? payload.azp : audiences.length === 1 ? audiences[0] : undefined;
  return {
    kind: 'ours', sub: payload.sub as string, sid: typeof payload.sid === 'string' ? payload.sid : undefined, clientId,
    expired: typeof payload.exp !== 'number' || payload.exp <= ctx.now(),
  };
}

/** §2-§3: reads and checks the parameters; throws LogoutRefused (an error page, no redirect) for what cannot be right. */
async function validateLogoutRequest(ctx: ServerContext, browser: BrowserRequest): Promise<LogoutRequest> {
  const params = browser.params;
  let clientIdParam: string | undefined;
  let requested: string | undefined;
  let state: string | undefined;
  let hintValue: string | undefined;
  try {
    params.assertNoRepeats();
    clientIdParam = params.get('client_id');
    requested = params.get('post_logout_redirect_uri');
    state = params.get('state');
    hintValue = params.get('id_token_hint');
    // §2: ui_locales and logout_hint are accepted; the pages are in English and the session to end is the browser's.
    params.get('ui_locales');
    params.get('logout_hint');
  } catch (error) {
    throw new LogoutRefused('The sign-out request is not valid', error instanceof InvalidRequest ? error.description : 'The request could not be read.');
  }
  if (state !== undefined && state.length > MAX_STATE) throw new LogoutRefused('The sign-out request is not valid', 'state is too long.');
  const hint = await readHint(ctx, hintValue);
  if (hint.kind === 'ours' && clientIdParam !== undefined && hint.clientId !== undefined && hint.clientId !== clientIdParam) {
    throw new LogoutRefused('The sign-out request is not valid', 'client_id does not match the client the id_token_hint was issued to.');
  }
  // An untrusted hint identifies nobody: only client_id may name the client then.
  const clientId = clientIdParam ?? (hint.kind === 'ours' ? hint.clientId : undefined);
  const client = clientId === undefined ? undefined : await ctx.clients.get(clientId);
  if (clientIdParam !== undefined && !client) throw new LogoutRefused('Unknown application', 'client_id is not a registered client.');

  let redirectUri: string | undefined;
  if (requested !== undefined) {
    if (!client) throw new LogoutRefused('The sign-out request is not valid', 'post_logout_redirect_uri needs client_id or id_token_hint to say which application it belongs to.');
    // §3.1: the value must exactly match one the client registered; no normalisation, no port or query latitude.
    if (!client.postLogoutRedirectUris.includes(requested)) {
      throw new LogoutRefused('The sign-out request is not valid', 'post_logout_redirect_uri is not registered for this application.',
        [`post_logout_redirect_uri received: ${requested}`, `registered: ${client.postLogoutRedirectUris.join('  ') || '(none)'}`]);
    }
    redirectUri = requested;
  }
  return { hint, client, redirectUri, state };
}

/** §3: the registered URI with `state` appended to whatever query it has. */
function redirectBack(uri: string, state: string | undefined, cookies: string[]): BrowserResponse {
  const location = state === undefined ? uri : `${uri}${uri.includes('?') ? '&' : '?'}state=${encodeURIComponent(state)}`;
  return { kind: 'redirect', location, cookies };
}

function signedOutPage(client: ClientRecord | undefined, cookies: string[], stillSignedIn = false): BrowserResponse {
  return { kind: 'page', status: 200, cookies, page: { view: 'signed-out', ...(client ? { clientName: client.name } : {}), stillSignedIn } };
}

function refusedPage(ctx: ServerContext, refused: LogoutRefused, requestId: string): BrowserResponse {
  const response = errorPageResponse(400, refused.title, refused.message, requestId);
  if (ctx.config.dev && response.kind === 'page' && response.page.view === 'error') response.page.details = refused.details;
  return response;
}

/** GET or POST /session/end. */
export async function handleEndSession(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  let request: LogoutRequest;
  try {
    request = await validateLogoutRequest(ctx, browser);
  } catch (error) {
    if (error instanceof LogoutRefused) return refusedPage(ctx, error, browser.requestId);
    throw error;
  }
  const { hint, client, redirectUri, state } = request;
  const session = await currentSession(ctx, browser.cookies);
  if (!session) {
    // Nothing to end. Without asking, the browser goes back only with a hint of ours (§3: no post-logout redirection
    // without id_token_hint unless the OP has other means of confirming the target: here, the user's confirmation).
    return redirectUri !== undefined && hint.kind === 'ours' ? redirectBack(redirectUri, state, []) : signedOutPage(client, []);
  }
  const trusted = hint.kind === 'ours' && !hint.expired && hint.sid !== undefined && hint.sid === session.sid && hint.sub === session.userId;
  if (trusted) {
    const cleared = await endSession(ctx, browser.cookies, 'rp-logout');
    return redirectUri !== undefined ? redirectBack(redirectUri, state, [cleared]) : signedOutPage(client, [cleared]);
  }
  // §4: ask. A distrusted hint also loses the way back: the confirmation signs out and stays here.
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const user = await ctx.store.getUser(session.userId);
  const fields: Record<string, string> = {};
  if (hint.kind !== 'untrusted' && client) {
    fields.client_id = client.id;
    if (redirectUri !== undefined) fields.post_logout_redirect_uri = redirectUri;
    if (state !== undefined) fields.state = state;
  }
  return {
    kind: 'page', status: 200, cookies: setCookie ? [setCookie] : [],
    page: {
      view: 'logout-confirm', action: ctx.urls.endSessionConfirm, csrfToken: csrf.tokenFor(secret), username: user?.username ?? '',
      ...(client && hint.kind !== 'untrusted' ? { clientName: client.name } : {}), fields,
    },
  };
}

/** POST /session/end/confirm — the user's answer on the confirmation page (CSRF-checked; fields re-validated). */
export async function confirmEndSession(ctx: ServerContext, csrf: CsrfTokens, browser: BrowserRequest): Promise<BrowserResponse> {
  if (!csrf.verify(browserSecret(ctx, browser.cookies), browser.params.get('csrf'))) {
    return errorPageResponse(403, 'The form could not be accepted',
      'The form was missing its security token or it did not match this browser. You are still signed in; sign out from the account page.', browser.requestId);
  }
  let client: ClientRecord | undefined;
  let redirectUri: string | undefined;
  let state: string | undefined;
  let decision: string | undefined;
  try {
    const clientId = browser.params.get('client_id');
    client = clientId === undefined ? undefined : await ctx.clients.get(clientId);
    const requested = browser.params.get('post_logout_redirect_uri');
    redirectUri = requested !== undefined && client?.postLogoutRedirectUris.includes(requested) ? requested : undefined;
    state = browser.params.get('state');
    decision = browser.params.get('decision');
  } catch {
    return errorPageResponse(400, 'The form could not be accepted', 'The form was changed. Sign out from the account page.', browser.requestId);
  }
  if (decision !== 'logout') return signedOutPage(client, [], true);
  const cleared = await endSession(ctx, browser.cookies, 'rp-logout');
  return redirectUri !== undefined ? redirectBack(redirectUri, state, [cleared]) : signedOutPage(client, [cleared]);
}
