// What the browser-facing endpoints (authorize, login, consent, account) take and answer: the parsed request, and a
// 303 redirect or a page model, plus Set-Cookie values. http/browser-response.ts turns the answer into HTTP.
import { queryResponseUrl, type AuthorizationResponse } from '../authorization/authorization-response.ts';
import type { FormParams } from '../oauth/form-params.ts';
import type { PageModel } from './page-models.ts';

export interface BrowserRequest {
  params: FormParams;
  cookies: Map<string, string>;
  /** The client IP (behind a proxy only when trustProxy is set), for login throttling. */
  ip: string;
  /** The User-Agent header, when the endpoint records it (sign-in). */
  userAgent?: string | undefined;
  requestId: string;
}

export type BrowserResponse =
  | { kind: 'redirect'; location: string; cookies: string[] }
  | { kind: 'page'; status: number; page: PageModel; cookies: string[]; headers?: Record<string, string> };

/** An error page model (no redirect is safe, or the problem is the browser's own). */
export function errorPageResponse(status: number, title: string, message: string, requestId: string, headers?: Record<string, string>): BrowserResponse {
  return { kind: 'page', status, page: { view: 'error', title, message, requestId }, cookies: [], ...(headers ? { headers } : {}) };
}

/** An authorization response in its mode: a 303 to the redirect URI with a query, or the form_post page. */
export function authorizationResponse(response: AuthorizationResponse, cookies: string[]): BrowserResponse {
  if (response.responseMode === 'form_post') {
    return { kind: 'page', status: 200, page: { view: 'form-post', action: response.redirectUri, fields: response.params }, cookies };
  }
  return { kind: 'redirect', location: queryResponseUrl(response), cookies };
}
