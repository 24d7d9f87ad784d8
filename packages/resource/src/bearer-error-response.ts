// Maps a verification failure to its HTTP response: RFC 6750 §3 / §3.1 (status, challenge, JSON body, no-store),
// RFC 9449 §7.1 DPoP challenges next to or instead of Bearer, and RFC 9728 §5.1 resource_metadata.
import { formatBearerChallenge, type BearerChallenge } from './bearer-challenge.ts';
import { BearerError, InsufficientScopeError, type AuthScheme } from './errors.ts';

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

/** What every challenge of a verifier carries: its realm, the metadata URL, and which schemes it accepts. */
export interface ChallengeContext {
  realm: string;
  resourceMetadata?: string | undefined;
  /** The `scope` of 401 challenges (RFC 9728 metadata's challengeScopes); 403 insufficient_scope names its own. */
  scope?: string | undefined;
  /** Set when DPoP is accepted: its proof algorithms, and whether Bearer is refused altogether. */
  dpop?: { algorithms: readonly string[]; required: boolean } | undefined;
}

function errorAttributes(error: BearerError): Partial<BearerChallenge> {
  if (error.challengeError === undefined) return {};
  if (error instanceof InsufficientScopeError) return { error: error.challengeError, scope: error.requiredScopes.join(' ') };
  return { error: error.challengeError, errorDescription: error.description };
}

/** One challenge per accepted scheme (RFC 9110 §11.6.1 allows a list); the error goes on the scheme the request used. */
function challenges(error: BearerError, context: ChallengeContext): string {
  const schemes: AuthScheme[] = context.dpop === undefined ? ['Bearer'] : context.dpop.required ? ['DPoP'] : ['Bearer', 'DPoP'];
  const errorScheme = schemes.includes(error.scheme) ? error.scheme : schemes[0];
  return schemes.map((scheme) => formatBearerChallenge({
    scheme,
    realm: context.realm,
    ...(context.scope !== undefined && error.status === 401 ? { scope: context.scope } : {}),
    ...(scheme === errorScheme ? errorAttributes(error) : {}),
    resourceMetadata: context.resourceMetadata,
    algs: scheme === 'DPoP' ? context.dpop?.algorithms : undefined,
  })).join(', ');
}

export function bearerErrorResponse(error: BearerError, context: ChallengeContext): BearerErrorResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (error.challengeError === undefined && error.status !== 401) {
    // Our side failed (metadata, JWKS, introspection): no challenge, the client cannot fix this with another token.
    return { status: error.status, headers, body: { error: 'temporarily_unavailable', error_description: error.description } };
  }
  headers['www-authenticate'] = challenges(error, context);
  if (error.challengeError === undefined) return { status: 401, headers, body: undefined };
  return { status: error.status, headers, body: { error: error.challengeError, error_description: error.description } };
}
