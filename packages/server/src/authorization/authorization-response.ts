// Building authorization responses: RFC 6749 §4.1.2 (code, state) and §4.1.2.1 (error, error_description,
// state), RFC 9207 §2 (iss on every response). Parameters are appended to the redirect URI's own query.
import type { OAuthError } from '../oauth/errors.ts';
import type { RedirectTarget } from './authorization-request.ts';
import { safeDescription } from '../oauth/error-description.ts';


/** Appends parameters to the redirect URI without re-encoding what the client registered. */
function withQueryParameters(redirectUri: string, params: Record<string, string | undefined>): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  const separator = !redirectUri.includes('?') ? '?' : redirectUri.endsWith('?') || redirectUri.endsWith('&') ? '' : '&';
  return `${redirectUri}${separator}${query}`;
}

export function successResponseUrl(issuer: string, target: RedirectTarget, code: string): string {
  return withQueryParameters(target.redirectUri, { code, state: target.state, iss: issuer });
}

export function errorResponseUrl(issuer: string, target: RedirectTarget, error: OAuthError, requestId: string): string {
  const description = error.status >= 500 ? `${error.description} (request id ${requestId})` : error.description;
  return withQueryParameters(target.redirectUri, {
    error: error.code, error_description: safeDescription(description), state: target.state, iss: issuer,
  });
}
