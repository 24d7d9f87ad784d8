// Typed errors of the client kit (OAuth 2.1 draft §4.1.2.1 error responses, RFC 6750 §3.1 insufficient_scope).

/** Base class: every error the kit raises on purpose. `status` is the HTTP status an adapter should answer with. */
export class LatchkeyError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LatchkeyError';
    this.code = code;
    this.status = status;
  }
}

/** Why a login callback was refused. */
export type CallbackErrorCode =
  | 'missing_state'
  | 'missing_transaction_cookie'
  | 'unknown_transaction'
  | 'issuer_mismatch'
  | 'missing_issuer'
  | 'token_in_callback_url'
  | 'provider_error'
  | 'token_exchange_failed'
  | 'subject_mismatch';

const CALLBACK_MESSAGES: Record<CallbackErrorCode, string> = {
  missing_state: 'The sign-in response is missing its state parameter.',
  missing_transaction_cookie: 'This sign-in was not started in this browser (or it took too long). Please sign in again.',
  unknown_transaction: 'This sign-in response is unknown, expired or was already used. Please sign in again.',
  issuer_mismatch: 'The sign-in response came from an unexpected identity provider.',
  missing_issuer: 'The sign-in response did not name its identity provider.',
  token_in_callback_url: 'The sign-in response carried tokens in the URL, which is never allowed.',
  provider_error: 'The identity provider did not complete the sign-in.',
  token_exchange_failed: 'The sign-in could not be verified with the identity provider.',
  subject_mismatch: 'The additional authorization was granted by a different user than the one signed in.',
};

/** A login callback that was refused: no session was created. Adapters render `userMessage` on an error page. */
export class CallbackError extends LatchkeyError {
  override readonly code: CallbackErrorCode;
  /** The provider's `error` value, for `provider_error` (e.g. `access_denied`). */
  readonly providerError: string | undefined;
  /** The provider's `error_description`, for `provider_error`; untrusted text, escape before display. */
  readonly providerErrorDescription: string | undefined;

  constructor(code: CallbackErrorCode, options?: { cause?: unknown; providerError?: string; providerErrorDescription?: string }) {
    super(code, CALLBACK_MESSAGES[code], 400, options);
    this.name = 'CallbackError';
    this.code = code;
    this.providerError = options?.providerError;
    this.providerErrorDescription = options?.providerErrorDescription;
  }

  /** A message safe to show to the user (no secrets, no provider internals). */
  get userMessage(): string {
    if (this.code === 'provider_error' && this.providerError === 'access_denied') return 'Sign-in was cancelled or access was denied.';
    return CALLBACK_MESSAGES[this.code];
  }
}

/** The session's grant is gone (refresh refused, e.g. revoked or expired): the user must sign in again. */
export class ReauthenticationRequired extends LatchkeyError {
  constructor(message = 'The session must be re-authenticated.', options?: { cause?: unknown }) {
    super('reauthentication_required', message, 401, options);
    this.name = 'ReauthenticationRequired';
  }
}

/** The session lacks scopes the caller needs; send the user through incremental authorization for `missingScopes`. */
export class ScopesRequired extends LatchkeyError {
  readonly missingScopes: readonly string[];

  constructor(missingScopes: readonly string[]) {
    super('insufficient_scope', `Additional authorization is required for: ${missingScopes.join(' ')}`, 403);
    this.name = 'ScopesRequired';
    this.missingScopes = missingScopes;
  }
}

/** A state-changing request that did not prove it came from the application's own pages. */
export class CrossSiteRequestRejected extends LatchkeyError {
  constructor(reason: string) {
    super('cross_site_request', `Cross-site request refused: ${reason}`, 403);
    this.name = 'CrossSiteRequestRejected';
  }
}

/** Proxy target that is not an allow-listed upstream (or escapes the upstream's base path). */
export class UpstreamNotAllowed extends LatchkeyError {
  constructor(reason: string) {
    super('upstream_not_allowed', reason, 404);
    this.name = 'UpstreamNotAllowed';
  }
}

/** No valid session cookie on a request that needs one. */
export class NotAuthenticated extends LatchkeyError {
  constructor() {
    super('not_authenticated', 'Sign-in required.', 401);
    this.name = 'NotAuthenticated';
  }
}

/** A token refresh failed for a reason other than a refused grant (network, provider outage). Retryable. */
export class TokenRefreshFailed extends LatchkeyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('token_refresh_failed', message, 502, options);
    this.name = 'TokenRefreshFailed';
  }
}
