// An error at the authorization endpoint or its login/consent pages, with where it may be sent: RFC 6749 §4.1.2.1
// redirects errors to the client only once client_id and redirect_uri are validated; otherwise a page is shown.
// The reason is whatever was thrown; http/error-response.ts decides what it looks like (an OAuthError passes through,
// anything unexpected becomes server_error).
import type { RedirectTarget } from './authorization-request.ts';

export class AuthorizationFailure extends Error {
  /** What went wrong: usually an OAuthError, or anything thrown below the endpoint. */
  readonly reason: unknown;
  /** Where the error may be redirected; undefined means "show an error page, never redirect". */
  readonly target: RedirectTarget | undefined;
  /** Lines that help a developer (for example the registered redirect URIs); shown in dev mode only, always logged. */
  readonly developerDetails: string[];
  /** What the request sent that was wrong (e.g. the redirect_uri received); shown in dev mode, always logged. */
  readonly received: string[];
  /** Set-Cookie headers that must still reach the browser (a session started before the failure). */
  readonly cookies: string[];

  constructor(reason: unknown, target: RedirectTarget | undefined, options: { developerDetails?: string[]; received?: string[]; cookies?: string[] } = {}) {
    super(reason instanceof Error ? reason.message : 'the authorization request failed', { cause: reason });
    this.name = 'AuthorizationFailure';
    this.reason = reason;
    this.target = target;
    this.developerDetails = options.developerDetails ?? [];
    this.received = options.received ?? [];
    this.cookies = options.cookies ?? [];
  }
}
