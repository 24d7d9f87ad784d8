// The authorization endpoint: RFC 6749 §3.1 and §4.1.1, RFC 7636 §4.3, RFC 9207, RFC 9700 §2.1 and §4.1,
// OpenID Connect Core §3.1.2.1-3.1.2.6. GET and POST take the same parameters (OpenID Connect Core §3.1.2.1).
// Order matters: client_id and redirect_uri are checked first, and only then may errors be redirected (§4.1.2.1).
import { currentSessionWithConsent } from '../accounts/login-session.ts';
import { AuthorizationFailure } from '../authorization/authorization-failure.ts';
import { mayRedirectErrorsBeforeSignIn } from '../authorization/error-redirect-policy.ts';
import { consentQuestion, targetOf, type AuthorizationRequest, type RedirectTarget } from '../authorization/authorization-request.ts';
import { mustPushRequests, takePushedRequest } from '../authorization/pushed-requests.ts';
import { isFapi2 } from '../clients/client-profile.ts';
import { createInteraction, ensureBrowserSecret } from '../authorization/interactions.ts';
import { completeAuthorization } from '../authorization/issue-code.ts';
import { requestedUserScopes } from '../authorization/requested-scopes.ts';
import { scopesToAskGiven } from '../consent/consent.ts';
import { needsStepUp } from '../authorization/step-up.ts';
import { authorizationResponse, type BrowserRequest, type BrowserResponse } from './browser-exchange.ts';
import { isResponseMode } from '../authorization/authorization-response.ts';
import type { FormParams } from '../oauth/form-params.ts';
import { resolveAudience } from '../oauth/audience.ts';
import { isUnvetted } from '../clients/unvetted-client-policy.ts';
import {
  AccessDenied, ConsentRequired, InteractionRequired, InvalidClient, InvalidRequest, InvalidRequestUri, InvalidScope, LoginRequired, RequestNotSupported,
  UnauthorizedClient, UnsupportedResponseType,
} from '../oauth/errors.ts';
import { readCodeChallenge } from '../oauth/pkce.ts';
import { findRegisteredRedirectUri } from '../oauth/redirect-uri.ts';
import { parseClaimsParameter } from '../oidc/claims-request.ts';
import { explainRedirectUriMismatch } from '../oauth/redirect-uri-difference.ts';
import { subjectFromIdTokenHint } from '../oidc/id-token-hint.ts';
import { parseMaxAge, parsePrompt, sessionSatisfies, type Authentication } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';

/** A single value, or undefined when absent or repeated (repeats are reported later, once a redirect is safe). */
function lenient(params: FormParams, name: string): string | undefined {
  try {
    return params.get(name);
  } catch {
    return undefined;
  }
}

/** In dev mode a developer reads the hint in the error itself; in production it stays in the log (debug) only. */
function developerHint(ctx: ServerContext, description: string, hint: string): string {
  return ctx.config.dev ? `${description}; ${hint}` : description;
}

/** Runs `work`; an InvalidRequest it throws gets `hint()` as its debug detail (and, in dev mode, in its description). */
function explained<T>(ctx: ServerContext, work: () => T, hint: () => string): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof InvalidRequest)) throw error;
    const text = hint();
    throw new InvalidRequest(developerHint(ctx, error.description, text), { debug: text, cause: error });
  }
}

/** In dev mode, the registered client ids closest to the one received (a typo, another environment's id). */
async function similarClientIds(ctx: ServerContext, received: string): Promise<string[]> {
  if (!ctx.config.dev) return [];
  const ids = (await ctx.store.listClients()).map((c) => c.id);
  const shared = (id: string) => {
    let i = 0;
    while (i < id.length && i < received.length && id[i] === received[i]) i++;
    return i;
  };
  const closest = ids.sort((a, b) => shared(b) - shared(a)).slice(0, 5);
  return [closest.length > 0 ? `registered client ids (closest first): ${closest.join('  ')}` : 'no client is registered yet (latchkey client add)'];
}

/**
 * Step 1: the client and the redirect URI. Every failure here is shown as a page; nothing is redirected to a URI
 * that is not registered (RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §4.1).
 */
async function resolveClientAndRedirect(ctx: ServerContext, params: FormParams): Promise<{ client: ClientRecord; target: RedirectTarget; redirectUriSent: boolean }> {
  let clientId: string | undefined;
  try {
    clientId = params.get('client_id');
  } catch (error) {
    throw new AuthorizationFailure(error, undefined);
  }
  if (clientId === undefined) throw new AuthorizationFailure(new InvalidRequest('the request has no client_id'), undefined);
  let client: ClientRecord | undefined;
  try {
    client = await ctx.clients.resolve(clientId, ctx.now());
  } catch (error) {
    // A client ID metadata document that cannot be fetched or is invalid: the page says why, nothing is redirected.
    throw new AuthorizationFailure(error, undefined, { received: [`client_id received: ${clientId}`] });
  }
  if (!client) {
    throw new AuthorizationFailure(new InvalidClient('client_id is not a registered client'), undefined,
      { received: [`client_id received: ${clientId}`], developerDetails: ['no registered client has this id (client ids are compared exactly)', ...await similarClientIds(ctx, clientId)] });
  }
  if (client.blockedAt) throw new AuthorizationFailure(new AccessDenied('this application has been blocked by the operator of this server'), undefined);
  return { client, ...resolveRedirect(client, params) };
}

/** The redirect URI of a request by a known client (also for pushed requests, RFC 9126 §2.1). */
function resolveRedirect(client: ClientRecord, params: FormParams): { target: RedirectTarget; redirectUriSent: boolean } {
  let requested: string | undefined;
  try {
    requested = params.get('redirect_uri');
  } catch (error) {
    throw new AuthorizationFailure(error, undefined);
  }
  const registered = [`registered redirect URIs of this client: ${client.redirectUris.length > 0 ? client.redirectUris.join('  ') : '(none)'}`];
  let redirectUri: string;
  if (requested === undefined) {
    const only = client.redirectUris.length === 1 ? client.redirectUris[0] : undefined;
    if (only === undefined) {
      const why = client.redirectUris.length === 0 ? 'the client has no registered redirect URI' : 'redirect_uri is required because the client registered several';
      throw new AuthorizationFailure(new InvalidRequest(why), undefined, { developerDetails: registered });
    }
    redirectUri = only;
  } else {
    if (!findRegisteredRedirectUri(requested, client.redirectUris)) {
      throw new AuthorizationFailure(new InvalidRequest('redirect_uri does not exactly match a redirect URI registered for this client'), undefined,
        { received: [`redirect_uri received: ${requested}`], developerDetails: explainRedirectUriMismatch(requested, client.redirectUris) });
    }
    redirectUri = requested;
  }
  // An unsupported or repeated response_mode is refused in step 2, through the default mode.
  const mode = lenient(params, 'response_mode');
  const responseMode = isResponseMode(mode) ? mode : 'query';
  return { target: { redirectUri, state: lenient(params, 'state'), responseMode }, redirectUriSent: requested !== undefined };
}

/** Step 2: everything else, into a typed request. Errors from here on are redirected to the client. */
async function validateAuthorizationRequest(
  ctx: ServerContext, params: FormParams, client: ClientRecord, target: RedirectTarget, redirectUriSent: boolean,
): Promise<AuthorizationRequest> {
  params.assertNoRepeats();
  // OpenID Connect Core §6: request objects are not supported, and say so precisely.
  if (params.has('request')) throw new RequestNotSupported('the request parameter (request objects) is not supported');

  const responseType = params.get('response_type');
  if (responseType === undefined) throw new InvalidRequest('missing required parameter "response_type"');
  const types = new Set(responseType.split(' ').filter((t) => t !== ''));
  if (types.size !== 1 || !types.has('code')) {
    throw new UnsupportedResponseType('only response_type=code is supported (no implicit or hybrid flows: tokens never travel in a redirect)');
  }
  const responseMode = params.get('response_mode');
  if (responseMode !== undefined && !isResponseMode(responseMode)) throw new InvalidRequest(`response_mode "${responseMode}" is not supported; use query or form_post`);
  if (!client.grantTypes.includes('authorization_code')) throw new UnauthorizedClient('this client is not registered for the authorization_code grant');

  let scopes: string[];
  try {
    scopes = requestedUserScopes(ctx.config, ctx.scopes, client, params.get('scope'));
  } catch (error) {
    if (!(error instanceof InvalidScope) || !error.description.startsWith('the client is not allowed')) throw error;
    const allowed = `the scopes client ${client.id} may request: ${client.scopes.join(' ') || '(none)'} (latchkey client show ${client.id})`;
    throw new InvalidScope(developerHint(ctx, error.description, allowed), { debug: allowed });
  }
  const audience = resolveAudience(scopes, params.get('resource'), ctx.scopes);

  // RFC 7636 + RFC 9700 §2.1.1: S256 PKCE for every client, relaxable only for a confidential client.
  const codeChallenge = explained(ctx, () => readCodeChallenge(params.get('code_challenge'), params.get('code_challenge_method'), client.isPublic || client.requirePkce),
    () => `client ${client.id} ${client.isPublic ? 'is public, so PKCE is always required' : 'is registered to require PKCE (latchkey client add --allow-without-pkce relaxes it for a confidential client)'};`
      + ` received code_challenge ${params.has('code_challenge') ? 'present' : '(missing)'}, code_challenge_method ${JSON.stringify(lenient(params, 'code_challenge_method') ?? '(missing)')}`);

  const prompt = parsePrompt(params.get('prompt'));
  const maxAge = parseMaxAge(params.get('max_age'));
  // OpenID Connect Core §3.1.2.1: display, ui_locales and claims_locales are accepted (repeated, refused like any
  // parameter by assertNoRepeats) and change nothing: one page layout, pages and claims in English. acr_values asks for
  // a sign-in at least as strong as one of our values (oidc/authentication-context.ts; unknown values ask nothing).
  // login_hint pre-fills the username.
  const acrValues = (params.get('acr_values') ?? '').split(' ').filter((v) => v !== '').slice(0, 10);
  const loginHint = params.get('login_hint');
  // RFC 9449 §10: dpop_jkt binds the code to the key of the token request's DPoP proof.
  const dpopJkt = params.get('dpop_jkt');
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) throw new InvalidRequest('dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10)');
  const hint = params.get('id_token_hint');
  const idTokenHintSubject = hint === undefined ? undefined : await subjectFromIdTokenHint(ctx, hint, client.id);
  // OpenID Connect Core §5.5: individual claims (oidc/claims-request.ts says what is released).
  const claims = parseClaimsParameter(params.get('claims'), client.scopes);

  return {
    clientId: client.id, redirectUri: target.redirectUri, redirectUriSent, state: target.state, responseMode: target.responseMode, scopes, audience, codeChallenge,
    nonce: params.get('nonce'), prompt, maxAge, loginHint: loginHint && loginHint.length <= 256 ? loginHint : undefined, acrValues, idTokenHintSubject,
    ...(claims ? { claims: claims.requested, claimsSubject: claims.subject } : {}),
    ...(dpopJkt === undefined ? {} : { dpopJkt }),
  };
}

/**
 * Step 3: with a valid request, decide. A session that satisfies prompt/max_age/id_token_hint and remembered
 * consent for every scope complete at once; otherwise the user is sent to the login or consent page, or with
 * prompt=none the client gets login_required / consent_required (OpenID Connect Core §3.1.2.6).
 */
async function decide(ctx: ServerContext, browser: BrowserRequest, client: ClientRecord, request: AuthorizationRequest): Promise<BrowserResponse> {
  // The session with its user's consent for this client: one read.
  const found = await currentSessionWithConsent(ctx, browser.cookies, client.id);
  const session = found?.session;
  const now = ctx.now();
  const auth: Authentication | undefined = session && { userId: session.userId, authTime: session.authTime, sid: session.sid, amr: session.amr };
  const silent = request.prompt.includes('none');
  if (!sessionSatisfies(auth, request, now)) {
    if (silent) throw new LoginRequired(auth ? 'the user must sign in again (max_age or id_token_hint) but prompt=none forbids it' : 'the user is not signed in and prompt=none forbids showing a login page');
    return toInteraction(ctx, browser, request, undefined);
  }
  // A session weaker than the client asks for is stepped up (a second factor for the signed-in user), not restarted.
  if (await needsStepUp(ctx, request, auth)) {
    if (silent) throw new InteractionRequired('the client asks for a stronger sign-in (acr_values or its second-factor setting) and prompt=none forbids asking');
    const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
    const id = await createInteraction(ctx, secret, request, auth, { stepUp: true });
    return { kind: 'redirect', location: ctx.urls.interaction(id), cookies: setCookie ? [setCookie] : [] };
  }
  const missing = scopesToAskGiven(found?.consent, client, consentQuestion(request));
  if (missing.length > 0) {
    if (silent) {
      throw new ConsentRequired(isUnvetted(client) ? 'consent is asked at every authorization of an application the operator did not verify, and prompt=none forbids asking'
        : 'the user has not approved every requested scope and prompt=none forbids asking');
    }
    return toInteraction(ctx, browser, request, auth);
  }
  return authorizationResponse(await completeAuthorization(ctx, request, auth), []);
}

async function toInteraction(ctx: ServerContext, browser: BrowserRequest, request: AuthorizationRequest, auth: Authentication | undefined): Promise<BrowserResponse> {
  const { secret, setCookie } = ensureBrowserSecret(ctx, browser.cookies);
  const id = await createInteraction(ctx, secret, request, auth);
  return { kind: 'redirect', location: ctx.urls.interaction(id), cookies: setCookie ? [setCookie] : [] };
}

/** GET or POST /authorize. Throws AuthorizationFailure; its target says whether a redirect is allowed. */
export async function handleAuthorize(ctx: ServerContext, browser: BrowserRequest): Promise<BrowserResponse> {
  if (browser.params.has('request_uri')) return authorizePushedRequest(ctx, browser);
  const { client, target, redirectUriSent } = await resolveClientAndRedirect(ctx, browser.params);
  try {
    if (mustPushRequests(ctx, client)) {
      throw new InvalidRequest('this client must push its authorization requests: POST them to the pushed_authorization_request_endpoint, then send only client_id and request_uri here (RFC 9126 §6)');
    }
    const request = await validateAuthorizationRequest(ctx, browser.params, client, target, redirectUriSent);
    return await decide(ctx, browser, client, request);
  } catch (error) {
    throw beforeSignIn(error, client, target);
  }
}

/** Nobody has signed in at this point (errors after the login page come from the interaction endpoints). */
function beforeSignIn(error: unknown, client: ClientRecord, target: RedirectTarget): AuthorizationFailure {
  const redirect = mayRedirectErrorsBeforeSignIn(client);
  return new AuthorizationFailure(error, redirect ? target : undefined,
    { developerDetails: redirect ? [] : ['errors before sign-in are shown here, not redirected, for a client the operator did not register'] });
}

/**
 * RFC 9126 §4: /authorize with client_id and request_uri. The pushed request is taken (once, by its own client) and
 * stands for the whole request: other parameters are ignored. An unusable request_uri is a page (no redirect URI is
 * known to be this request's).
 */
async function authorizePushedRequest(ctx: ServerContext, browser: BrowserRequest): Promise<BrowserResponse> {
  let clientId: string | undefined;
  let requestUri: string | undefined;
  try {
    clientId = browser.params.get('client_id');
    requestUri = browser.params.get('request_uri');
  } catch (error) {
    throw new AuthorizationFailure(error, undefined);
  }
  if (clientId === undefined) throw new AuthorizationFailure(new InvalidRequest('the request has no client_id (it must accompany request_uri, RFC 9126 §4)'), undefined);
  const client = await ctx.clients.get(clientId);
  if (!client) throw new AuthorizationFailure(new InvalidClient('client_id is not a registered client'), undefined, { received: [`client_id received: ${clientId}`] });
  if (client.blockedAt) throw new AuthorizationFailure(new AccessDenied('this application has been blocked by the operator of this server'), undefined);
  const request = requestUri === undefined ? undefined : await takePushedRequest(ctx, requestUri, client.id);
  if (!request) {
    throw new AuthorizationFailure(new InvalidRequestUri('the request_uri is unknown, expired, already used, or was pushed by another client'), undefined);
  }
  try {
    return await decide(ctx, browser, client, request);
  } catch (error) {
    throw beforeSignIn(error, client, targetOf(request));
  }
}

/**
 * A pushed authorization request's parameters, validated as /authorize validates them (RFC 9126 §2.1), for the client
 * that authenticated at the PAR endpoint. Errors are thrown as they are (the PAR endpoint answers JSON, §2.3).
 */
export async function validatePushedAuthorizationRequest(ctx: ServerContext, params: FormParams, client: ClientRecord): Promise<AuthorizationRequest> {
  try {
    if (params.has('request_uri')) throw new InvalidRequest('request_uri must not be sent to the pushed authorization request endpoint (RFC 9126 §2.1)');
    if (isFapi2(client) && !params.has('redirect_uri')) throw new InvalidRequest('redirect_uri is required in pushed authorization requests of FAPI 2.0 clients (FAPI 2.0 §5.3.2.2)');
    const { target, redirectUriSent } = resolveRedirect(client, params);
    return await validateAuthorizationRequest(ctx, params, client, target, redirectUriSent);
  } catch (error) {
    throw error instanceof AuthorizationFailure ? error.reason : error;
  }
}
