// RFC 8693 token exchange from the API's side: an API that received a user's access token asks the authorization
// server for a token of another API, on the user's behalf (the new token's `act` names this API's client). The
// request is authenticated with client_secret_basic (RFC 6749 §2.3.1), like introspection.
import { fetchWithTimeout, type FetchLike } from './fetch-with-timeout.ts';
import { basicCredentials } from './token-introspection.ts';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The API's confidential client at the authorization server, registered for token exchange. */
export interface TokenExchangeOptions {
  clientId: string;
  clientSecret: string;
}

/** What to ask for: the API the new token is for (its identifier, sent as `resource` and `audience`), and optionally fewer scopes. */
export interface TokenExchangeRequest {
  audience: string;
  /** Default: every scope the authorization server allows for this exchange. */
  scopes?: string[];
}

/** The token the authorization server issued (RFC 8693 §2.2.1). */
export interface ExchangedToken {
  accessToken: string;
  issuedTokenType: string;
  /** Seconds the token lives, as the authorization server said (undefined if it did not). */
  expiresInSeconds: number | undefined;
  scopes: string[];
}

/**
 * The exchange failed. `error` is the authorization server's RFC 8693 §2.2.2 error code (`invalid_target`,
 * `invalid_scope`, `invalid_request`, ...) when it answered with one, undefined when it could not be reached or
 * answered something else. `code` is always `ERR_TOKEN_EXCHANGE`.
 */
export class TokenExchangeError extends Error {
  readonly code = 'ERR_TOKEN_EXCHANGE';
  readonly error: string | undefined;

  constructor(message: string, error?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenExchangeError';
    this.error = error;
  }
}

export interface TokenExchangerOptions extends TokenExchangeOptions {
  endpoint: () => Promise<string>;
  fetch: FetchLike;
  timeoutMs: number;
}

export type TokenExchanger = (subjectToken: string, request: TokenExchangeRequest) => Promise<ExchangedToken>;

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const document: unknown = await response.json();
    return typeof document === 'object' && document !== null && !Array.isArray(document) ? document as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

export function createTokenExchanger(options: TokenExchangerOptions): TokenExchanger {
  const authorization = basicCredentials(options.clientId, options.clientSecret);
  return async (subjectToken, request) => {
    const body = new URLSearchParams({
      grant_type: GRANT_TYPE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE, resource: request.audience, audience: request.audience,
    });
    if (request.scopes !== undefined && request.scopes.length > 0) body.set('scope', request.scopes.join(' '));
    let response: Response;
    try {
      response = await fetchWithTimeout(options.fetch, await options.endpoint(), {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
      }, options.timeoutMs);
    } catch (cause) {
      throw new TokenExchangeError('the token endpoint could not be reached', undefined, { cause });
    }
    const document = await readJson(response);
    if (response.status !== 200) {
      const error = typeof document?.['error'] === 'string' ? document['error'] : undefined;
      const description = typeof document?.['error_description'] === 'string' ? `: ${document['error_description']}` : '';
      throw new TokenExchangeError(`the authorization server refused the token exchange (${error ?? `HTTP ${response.status}`})${description}`, error);
    }
    const accessToken = document?.['access_token'];
    const tokenType = document?.['token_type'];
    if (typeof accessToken !== 'string' || accessToken === '' || typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
      throw new TokenExchangeError('the token exchange response lacks a bearer access_token');
    }
    const expiresIn = document?.['expires_in'];
    const scope = document?.['scope'];
    return {
      accessToken,
      issuedTokenType: typeof document?.['issued_token_type'] === 'string' ? document['issued_token_type'] : ACCESS_TOKEN_TYPE,
      expiresInSeconds: typeof expiresIn === 'number' ? expiresIn : undefined,
      scopes: typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : request.scopes ?? [],
    };
  };
}
