// Maps a verification failure to its RFC 6750 §3 / §3.1 HTTP response (status, challenge, JSON body, no-store), RFC 9728 §5.1 resource_metadata included.
import { formatBearerChallenge } from './bearer-challenge.ts';
import { BearerError, InsufficientScopeError } from './errors.ts';

export interface BearerErrorBody {
  error: string;
  error_description: string;
}

/** Framework-neutral response; the adapters copy it onto their reply objects. */
export interface BearerErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** Absent for the no-credentials case (RFC 6750 §3.1: no error information is disclosed). */
  body: BearerErrorBody | undefined;
}

/** What every challenge of a verifier carries: its realm and, when it serves RFC 9728 metadata, the metadata URL. */
export interface ChallengeContext {
  realm: string;
  resourceMetadata?: string | undefined;
}

export function bearerErrorResponse(error: BearerError, context: ChallengeContext): BearerErrorResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const realm = context.realm;
  const resourceMetadata = context.resourceMetadata;
  if (error.challengeError === undefined && error.status === 401) {
    headers['www-authenticate'] = formatBearerChallenge({ realm, resourceMetadata });
    return { status: 401, headers, body: undefined };
  }
  if (error.challengeError === undefined) {
    // Our side failed (metadata, JWKS, introspection): no challenge, the client cannot fix this with another token.
    return { status: error.status, headers, body: { error: 'temporarily_unavailable', error_description: error.description } };
  }
  headers['www-authenticate'] = error instanceof InsufficientScopeError
    ? formatBearerChallenge({ realm, error: error.challengeError, scope: error.requiredScopes.join(' '), resourceMetadata })
    : formatBearerChallenge({ realm, error: error.challengeError, errorDescription: error.description, resourceMetadata });
  return { status: error.status, headers, body: { error: error.challengeError, error_description: error.description } };
}
