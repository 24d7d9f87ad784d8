// Building authorization responses: RFC 6749 §4.1.2 (code, state) and §4.1.2.1 (error, error_description,
// state), RFC 9207 §2 (iss on every response). With response_mode=query (the default) the parameters are appended to
// the redirect URI's own query; with form_post (OAuth 2.0 Form Post Response Mode §2) the browser POSTs them there.
import type { OAuthError } from '../oauth/errors.ts';
import type { RedirectTarget } from './authorization-request.ts';
import { safeDescription } from '../oauth/error-description.ts';

/** The response modes this server supports (OAuth 2.0 Multiple Response Type Encoding Practices §2.1, Form Post). */
export const RESPONSE_MODES = ['query', 'form_post'] as const;
export type ResponseMode = typeof RESPONSE_MODES[number];

export function isResponseMode(value: string | undefined): value is ResponseMode {
  return (RESPONSE_MODES as readonly (string | undefined)[]).includes(value);
}

/** An authorization response before it is encoded for its response mode. */
export interface AuthorizationResponse {
  redirectUri: string;
  responseMode: ResponseMode;
  params: Record<string, string>;
}

function response(target: RedirectTarget, params: Record<string, string | undefined>): AuthorizationResponse {
  const defined = Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { redirectUri: target.redirectUri, responseMode: target.responseMode, params: defined };
}

/** Appends the parameters to the redirect URI without re-encoding what the client registered (response_mode=query). */
export function queryResponseUrl(r: AuthorizationResponse): string {
  const query = Object.entries(r.params).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  const separator = !r.redirectUri.includes('?') ? '?' : r.redirectUri.endsWith('?') || r.redirectUri.endsWith('&') ? '' : '&';
  return `${r.redirectUri}${separator}${query}`;
}

export function successResponse(issuer: string, target: RedirectTarget, code: string): AuthorizationResponse {
  return response(target, { code, state: target.state, iss: issuer });
}

export function errorResponse(issuer: string, target: RedirectTarget, error: OAuthError, requestId: string): AuthorizationResponse {
  // The request id rides in the free-text error_description (RFC 6749 §4.1.2.1), not in a parameter of our own.
  const description = `${error.description} (request id ${requestId})`;
  return response(target, { error: error.code, error_description: safeDescription(description), state: target.state, iss: issuer });
}
