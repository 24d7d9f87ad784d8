// RFC 7591 §2 fields (client_name, client_uri, logo_uri, scope), read the same way from a registration request and
// from a client ID metadata document; `problem` makes the error each of them throws. Also the settings both kinds of
// unvetted client start with.
import { parseScope } from '../oauth/scope.ts';
import type { ClientRecord } from '../store/records.ts';

type DynamicClientDefaults = Pick<ClientRecord, 'requirePkce' | 'idTokenAlg' | 'registration' | 'idTokenClaims' | 'requireMfa' | 'requirePar'
  | 'requireDpop' | 'jwks' | 'jwksUri' | 'profile' | 'postLogoutRedirectUris' | 'backchannelLogoutUri' | 'backchannelLogoutSessionRequired'>;

/** What a client nobody vetted (registered at /register, or a metadata document) gets where it said nothing: PKCE,
 *  RS256 ID tokens with claims, no logout URIs, no keys, no profile. A fresh object each call. */
export function dynamicClientDefaults(): DynamicClientDefaults {
  return {
    requirePkce: true, idTokenAlg: 'RS256', registration: 'dynamic', idTokenClaims: true, requireMfa: false, requirePar: false, requireDpop: false,
    jwks: null, jwksUri: null, profile: null, postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false,
  };
}

type Problem = (message: string) => Error;

export function optionalString(body: Record<string, unknown>, name: string, max: number, problem: Problem): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw problem(`${name} must be a string of 1 to ${max} characters`);
  return value;
}

/** An https URL (client_uri, logo_uri: shown to users, so never javascript:, data: or plain http). */
export function optionalHttpsUrl(body: Record<string, unknown>, name: string, problem: Problem): string | undefined {
  const value = optionalString(body, name, 2000, problem);
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') throw problem(`${name} must be an https URL`);
  return value;
}

/** The `scope` field: a space-separated list of scope tokens (RFC 6749 §3.3); [] when absent. */
export function optionalScope(body: Record<string, unknown>, problem: Problem): string[] {
  if (body.scope === undefined) return [];
  if (typeof body.scope !== 'string') throw problem('scope must be a space-separated string');
  try {
    return parseScope(body.scope);
  } catch (error) {
    throw problem((error as Error).message);
  }
}
