// An error at the authorization endpoint or its login/consent pages, with where it may be sent: RFC 6749 §4.1.2.1
// redirects errors to the client only once client_id and redirect_uri are validated; otherwise a page is shown.
import type { OAuthError } from '../oauth/errors.ts';
import type { RedirectTarget } from './authorization-request.ts';

export class AuthorizationFailure extends Error {
  readonly error: OAuthError;
  /** Where the error may be redirected; undefined means "show an error page, never redirect". */
  readonly target: RedirectTarget | undefined;
  /** Lines that help a developer (for example the registered redirect URIs); shown in dev mode only. */
  readonly developerDetails: string[];
  /** Set-Cookie headers that must still reach the browser (a session started before the failure). */
  readonly cookies: string[];

  constructor(error: OAuthError, target: RedirectTarget | undefined, options: { developerDetails?: string[]; cookies?: string[] } = {}) {
    super(error.description, { cause: error });
    this.name = 'AuthorizationFailure';
    this.error = error;
    this.target = target;
    this.developerDetails = options.developerDetails ?? [];
    this.cookies = options.cookies ?? [];
  }
}
