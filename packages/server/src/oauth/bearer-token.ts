// Where a request's bearer token is: RFC 6750 §2.1 (Authorization header) or §2.2 (form body), never both (§2).
// The same rule as @latchkey/resource's extract-bearer-token.ts (the server does not depend on the kit); one table of
// cases, test/support/bearer-header-cases.ts, is run against both.
import { InvalidRequest } from './errors.ts';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME_AND_REST = /^(\S+)\s*([\s\S]*)$/;

function tokenFromHeader(header: string): string | undefined {
  const match = SCHEME_AND_REST.exec(header.trim());
  if (match === null) return undefined;
  const [, scheme = '', rest = ''] = match;
  // RFC 6750 §3.1: "an unsupported authentication method" (Basic, DPoP, ...) is a request that lacks authentication
  // information, answered with a bare challenge, not an error code.
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  if (rest === '') throw new InvalidRequest('the Authorization header has no bearer token (RFC 6750 §2.1)');
  if (/\s/.test(rest)) throw new InvalidRequest('the Authorization header carries more than one value (RFC 6750 §2.1)');
  if (!B64TOKEN.test(rest)) throw new InvalidRequest('the bearer token contains characters RFC 6750 §2.1 does not allow');
  return rest;
}

/**
 * The presented token, or undefined when the request carries no bearer credentials. `bodyToken` is the form body's
 * single `access_token` value (repeats are refused where the form is read). Malformed credentials, or a token in
 * both places, are invalid_request (RFC 6750 §3.1).
 */
export function presentedBearerToken(authorization: string | undefined, bodyToken: string | undefined): string | undefined {
  const fromHeader = authorization === undefined ? undefined : tokenFromHeader(authorization);
  if (bodyToken !== undefined && !B64TOKEN.test(bodyToken)) throw new InvalidRequest('the access_token parameter is malformed (RFC 6750 §2.2)');
  if (fromHeader !== undefined && bodyToken !== undefined) throw new InvalidRequest('send the access token in exactly one place (RFC 6750 §2)');
  return fromHeader ?? bodyToken;
}
