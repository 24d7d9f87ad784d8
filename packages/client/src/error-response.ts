// How the kit answers an error (RFC 9110 §15 statuses, RFC 6750 §3 insufficient_scope challenge): a small HTML page for
// page navigations, JSON for API calls. Unknown errors give no details.
import { CallbackError, InsufficientScopeError, LatchkeyError, NotAuthenticatedError, ReauthenticationRequiredError } from './errors.ts';
import { escapeHtml } from './html-escape.ts';
import { KIT_PAGE_CSP, kitHeaders } from './kit-response-headers.ts';

export interface ErrorResponseOptions {
  /** Answer with a page (a browser navigation) rather than JSON (an API call). */
  html: boolean;
  /** Where the page's "sign in again" link, and the JSON `login` member, point. */
  loginPath: string;
}

export function errorResponse(error: unknown, options: ErrorResponseOptions): Response {
  const known = error instanceof LatchkeyError;
  const status = known ? error.status : 500;
  const message = error instanceof CallbackError ? error.userMessage : known ? error.message : 'Something went wrong.';
  const headers = kitHeaders();
  if (error instanceof InsufficientScopeError) headers.set('www-authenticate', `Bearer error="insufficient_scope", scope="${error.missingScopes.join(' ')}"`);
  if (!options.html) {
    const body: Record<string, unknown> = { error: known ? error.responseError : 'internal_error', message };
    if (error instanceof InsufficientScopeError) body.missing_scopes = error.missingScopes;
    if (error instanceof ReauthenticationRequiredError || error instanceof NotAuthenticatedError) body.login = options.loginPath;
    headers.set('content-type', 'application/json; charset=utf-8');
    return new Response(JSON.stringify(body), { status, headers });
  }
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in problem</title></head>`
    + `<body><main><h1>${status === 500 ? 'Something went wrong' : 'Sign-in problem'}</h1><p>${escapeHtml(message)}</p>`
    + `<p><a href="${escapeHtml(options.loginPath)}">Sign in again</a></p></main></body></html>`;
  headers.set('content-type', 'text/html; charset=utf-8');
  headers.set('content-security-policy', KIT_PAGE_CSP);
  return new Response(page, { status, headers });
}
