// OAuth error codes: RFC 6749 §4.1.2.1 and §5.2, RFC 8628 §3.5, RFC 6750 §3.1, RFC 8707 §2, OpenID Connect Core §3.1.2.6 and §6.2
// (invalid_request_uri, also RFC 9126 §4), RFC 9449 §5, §8 (invalid_dpop_proof, use_dpop_nonce).
// Domain code throws these; ONE serializer (http/error-response.ts) decides how they reach a client.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'login_required'
  | 'interaction_required'
  | 'consent_required'
  | 'request_not_supported'
  | 'invalid_request_uri'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

export interface OAuthErrorOptions {
  /** Server-only detail for the log; never sent to the client. */
  debug?: string;
  /** For invalid_client after a failed Basic authentication: answer 401 with WWW-Authenticate (RFC 6749 §5.2). */
  basicChallenge?: boolean;
  /** Overrides the code's usual HTTP status (for example 405 for a wrong method). */
  status?: number;
  /** Seconds until a retry can succeed: sent as Retry-After (RFC 9110 §10.2.3). */
  retryAfter?: number;
  /** A fresh DPoP nonce for the DPoP-Nonce header (RFC 9449 §8). */
  dpopNonce?: string;
  cause?: unknown;
}

/** A protocol error with a client-safe description and an optional server-only debug detail. */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly description: string;
  readonly debug: string | undefined;
  readonly basicChallenge: boolean;
  readonly retryAfter: number | undefined;
  readonly dpopNonce: string | undefined;

  constructor(code: OAuthErrorCode, status: number, description: string, options: OAuthErrorOptions = {}) {
    super(description, { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? status;
    this.description = description;
    this.debug = options.debug;
    this.basicChallenge = options.basicChallenge ?? false;
    this.retryAfter = options.retryAfter;
    this.dpopNonce = options.dpopNonce;
  }
}

const define = (code: OAuthErrorCode, status: number) =>
  class extends OAuthError {
    constructor(description: string, options?: OAuthErrorOptions) {
      super(code, status, description, options);
    }
  };

export class InvalidRequest extends define('invalid_request', 400) {}
export class InvalidClient extends define('invalid_client', 401) {}
export class InvalidGrant extends define('invalid_grant', 400) {}
export class UnauthorizedClient extends define('unauthorized_client', 400) {}
export class UnsupportedGrantType extends define('unsupported_grant_type', 400) {}
export class UnsupportedResponseType extends define('unsupported_response_type', 400) {}
export class InvalidScope extends define('invalid_scope', 400) {}
export class InvalidTarget extends define('invalid_target', 400) {}
export class AccessDenied extends define('access_denied', 403) {}
export class LoginRequired extends define('login_required', 400) {}
export class ConsentRequired extends define('consent_required', 400) {}
/** OpenID Connect Core §3.1.2.6: the user must interact (here: a stronger sign-in) and prompt=none forbids it. */
export class InteractionRequired extends define('interaction_required', 400) {}
export class RequestNotSupported extends define('request_not_supported', 400) {}
export class InvalidRequestUri extends define('invalid_request_uri', 400) {}
/** RFC 9449 §5 (token endpoint, 400) and §7.1 (protected resources, 401). */
export class InvalidDpopProof extends define('invalid_dpop_proof', 400) {}
/** RFC 9449 §8: retry with the nonce in the DPoP-Nonce header. */
export class UseDpopNonce extends define('use_dpop_nonce', 400) {}
export class InvalidToken extends define('invalid_token', 401) {}
export class InsufficientScope extends define('insufficient_scope', 403) {}
/** RFC 8628 §3.5: the user has not decided yet; the device polls again after its interval. */
export class AuthorizationPending extends define('authorization_pending', 400) {}
/** RFC 8628 §3.5: polled too soon; the interval grew by 5 seconds. */
export class SlowDown extends define('slow_down', 400) {}
/** RFC 8628 §3.5: the device code expired; the device starts a new authorization. */
export class ExpiredToken extends define('expired_token', 400) {}
export class ServerError extends define('server_error', 500) {}
export class TemporarilyUnavailable extends define('temporarily_unavailable', 503) {}
/** RFC 7591 §3.2.2: a redirect URI the registration refuses. */
export class InvalidRedirectUri extends define('invalid_redirect_uri', 400) {}
/** RFC 7591 §3.2.2: other client metadata the registration refuses. */
export class InvalidClientMetadata extends define('invalid_client_metadata', 400) {}

/** RFC 6585 §4 429 Too Many Requests: no OAuth error code exists for it, so `temporarily_unavailable` carries it. */
export class TooManyRequests extends TemporarilyUnavailable {
  constructor(retryAfter: number, what: string) {
    super(`too many ${what}; retry after ${retryAfter} seconds`, { status: 429, retryAfter });
  }
}
