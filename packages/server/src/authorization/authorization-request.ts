// The validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1), as kept
// server-side between the authorization endpoint, the login page and the consent page.
import type { ConsentQuestion } from '../consent/consent.ts';
import { scopesOfRequestedClaims, type RequestedClaims } from '../oidc/claims-request.ts';
import type { PromptValue } from '../oidc/prompt.ts';
import type { ResponseMode } from './authorization-response.ts';

export interface AuthorizationRequest {
  clientId: string;
  /** Where the response goes: the redirect_uri sent, or the client's only registered URI. */
  redirectUri: string;
  /** Whether redirect_uri was in the request (then the token request must repeat it, RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  state: string | undefined;
  /** How the response travels: query (default) or form_post. */
  responseMode: ResponseMode;
  scopes: string[];
  /** The API the access token is for, or null when only OpenID Connect scopes were requested. */
  audience: string | null;
  codeChallenge: string | null;
  nonce: string | undefined;
  prompt: PromptValue[];
  maxAge: number | undefined;
  loginHint: string | undefined;
  /** OpenID Connect Core §3.1.2.1 acr_values, in order of preference (oidc/authentication-context.ts). */
  acrValues: string[];
  /** The subject of a valid id_token_hint: the user the client expects. */
  idTokenHintSubject: string | undefined;
  /** Claims asked for by name with the `claims` parameter (OpenID Connect Core §5.5), when any. */
  claims?: RequestedClaims | undefined;
  /** `sub.value` of the `claims` parameter: the user the client expects. */
  claimsSubject?: string | undefined;
  /** RFC 9449 §10: the thumbprint of the DPoP key the code will be bound to. */
  dpopJkt?: string | undefined;
}

/** Where error responses may be redirected once client_id and redirect_uri are known to be good. */
export interface RedirectTarget {
  redirectUri: string;
  state: string | undefined;
  responseMode: ResponseMode;
}

/** Where a validated request's response (or error) goes. */
export function targetOf(request: AuthorizationRequest): RedirectTarget {
  return { redirectUri: request.redirectUri, state: request.state, responseMode: request.responseMode };
}

export function serializeRequest(request: AuthorizationRequest): string {
  return JSON.stringify(request);
}

/** Reads a request this server stored itself (interaction records); missing optional members come back undefined. */
export function deserializeRequest(json: string): AuthorizationRequest {
  const r = JSON.parse(json) as AuthorizationRequest;
  return {
    clientId: r.clientId, redirectUri: r.redirectUri, redirectUriSent: r.redirectUriSent, state: r.state ?? undefined, responseMode: r.responseMode ?? 'query',
    scopes: r.scopes, audience: r.audience ?? null, codeChallenge: r.codeChallenge ?? null, nonce: r.nonce ?? undefined,
    prompt: r.prompt ?? [], maxAge: r.maxAge ?? undefined, loginHint: r.loginHint ?? undefined, acrValues: r.acrValues ?? [],
    idTokenHintSubject: r.idTokenHintSubject ?? undefined, claims: r.claims ?? undefined, claimsSubject: r.claimsSubject ?? undefined, dpopJkt: r.dpopJkt ?? undefined,
  };
}

/** What consent is asked for: the requested scopes and the scopes of claims requested by name (oidc/claims-request.ts). */
export function consentQuestion(request: AuthorizationRequest): ConsentQuestion {
  const extra = scopesOfRequestedClaims(request.claims).filter((s) => !request.scopes.includes(s));
  return { scopes: [...request.scopes, ...extra], prompt: request.prompt };
}
