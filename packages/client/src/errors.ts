// Typed errors of the client kit (OAuth 2.1 draft §4.1.2.1 error responses, RFC 6750 §3.1 insufficient_scope).
// Like jose's and @latchkey/resource's: one `XxxError` class per kind, each with a stable `ERR_*` code to switch on.

/** Stable codes callers and tests can switch on. */
export type LatchkeyErrorCode =
  | CallbackErrorCode
  | 'ERR_REAUTHENTICATION_REQUIRED'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_CROSS_SITE_REQUEST'
  | 'ERR_UPSTREAM_NOT_ALLOWED'
  | 'ERR_UPSTREAM_UNAVAILABLE'
  | 'ERR_NOT_AUTHENTICATED'
  | 'ERR_TOKEN_REFRESH'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_PAYLOAD_TOO_LARGE';

/**
 * Base class: every error the kit raises on purpose. `status` is the HTTP status an adapter answers with, and
 * `responseError` the `error` member of its JSON answer (snake_case, unchanged since 0.1: browsers' scripts read it).
 */
export class LatchkeyError extends Error {
  readonly code: LatchkeyErrorCode;
  readonly responseError: string;
  readonly status: number;

  constructor(code: LatchkeyErrorCode, responseError: string, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.responseError = responseError;
    this.status = status;
  }
}

/** Why a login callback was refused (the `error` member of the JSON answer; the code is `ERR_CALLBACK_` + upper case). */
export type CallbackReason =
  | 'missing_state'
  | 'missing_transaction_cookie'
  | 'unknown_transaction'
  | 'issuer_mismatch'
  | 'missing_issuer'
  | 'token_in_callback_url'
  | 'provider_error'
  | 'token_exchange_failed'
  | 'subject_mismatch';

export type CallbackErrorCode = `ERR_CALLBACK_${Uppercase<CallbackReason>}`;

const CALLBACK_MESSAGES: Record<CallbackReason, string> = {
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
  declare readonly code: CallbackErrorCode;
  readonly reason: CallbackReason;
  /** The provider's `error` value, for `provider_error` (e.g. `access_denied`). */
  readonly providerError: string | undefined;
  /** The provider's `error_description`, for `provider_error`; untrusted text, escape before display. */
  readonly providerErrorDescription: string | undefined;

  constructor(reason: CallbackReason, options?: { cause?: unknown; providerError?: string; providerErrorDescription?: string }) {
    super(`ERR_CALLBACK_${reason.toUpperCase() as Uppercase<CallbackReason>}`, reason, CALLBACK_MESSAGES[reason], 400, options);
    this.reason = reason;
    this.providerError = options?.providerError;
    this.providerErrorDescription = options?.providerErrorDescription;
  }

  /** A message safe to show to the user (no secrets, no provider internals). */
  get userMessage(): string {
    if (this.reason === 'provider_error' && this.providerError === 'access_denied') return 'Sign-in was cancelled or access was denied.';
    return CALLBACK_MESSAGES[this.reason];
  }
}

/** The session's grant is gone (refresh refused, e.g. revoked or expired): the user must sign in again. */
export class ReauthenticationRequiredError extends LatchkeyError {
  constructor(message = 'The session must be re-authenticated.', options?: { cause?: unknown }) {
    super('ERR_REAUTHENTICATION_REQUIRED', 'reauthentication_required', message, 401, options);
  }
}

/** The session lacks scopes the caller needs; send the user through incremental authorization for `missingScopes`. */
export class InsufficientScopeError extends LatchkeyError {
  readonly missingScopes: readonly string[];

  constructor(missingScopes: readonly string[]) {
    super('ERR_INSUFFICIENT_SCOPE', 'insufficient_scope', `Additional authorization is required for: ${missingScopes.join(' ')}`, 403);
    this.missingScopes = missingScopes;
  }
}

/** A state-changing request that did not prove it came from the application's own pages. */
export class CrossSiteRequestError extends LatchkeyError {
  constructor(reason: string) {
    super('ERR_CROSS_SITE_REQUEST', 'cross_site_request', `Cross-site request refused: ${reason}`, 403);
  }
}

/** Proxy target that is not an allow-listed upstream (or escapes the upstream's base path). */
export class UpstreamNotAllowedError extends LatchkeyError {
  constructor(reason: string) {
    super('ERR_UPSTREAM_NOT_ALLOWED', 'upstream_not_allowed', reason, 404);
  }
}

/** An allow-listed upstream did not answer (network failure or timeout). */
export class UpstreamUnavailableError extends LatchkeyError {
  constructor(upstream: string, options?: { cause?: unknown }) {
    super('ERR_UPSTREAM_UNAVAILABLE', 'upstream_unavailable', `upstream "${upstream}" did not answer`, 502, options);
  }
}

/** No valid session cookie on a request that needs one. */
export class NotAuthenticatedError extends LatchkeyError {
  constructor() {
    super('ERR_NOT_AUTHENTICATED', 'not_authenticated', 'Sign-in required.', 401);
  }
}

/** A token refresh failed for a reason other than a refused grant (network, provider outage). Retryable. */
export class TokenRefreshError extends LatchkeyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TOKEN_REFRESH', 'token_refresh_failed', message, 502, options);
  }
}

/** A request the kit cannot read (e.g. a request target that is not a path on the app's origin). */
export class InvalidRequestError extends LatchkeyError {
  constructor(message: string) {
    super('ERR_INVALID_REQUEST', 'invalid_request', message, 400);
  }
}

/** A proxied request body over the adapter's limit. */
export class PayloadTooLargeError extends LatchkeyError {
  constructor() {
    super('ERR_PAYLOAD_TOO_LARGE', 'payload_too_large', 'Request body too large.', 413);
  }
}

/** Thrown synchronously for unsafe or unusable options (`createLatchkeyClient`, encryption keys). A TypeError, as before. */
export class ClientConfigurationError extends TypeError {
  readonly code = 'ERR_CLIENT_CONFIGURATION';

  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigurationError';
  }
}
