// Before a server is measured, one real token request must succeed: 200, an RFC 6749 §5.1 body, and
// an RFC 9068 access token (typ at+jwt) signed with the configured algorithm (ES256 or RS256) that verifies against the server's own JWKS with
// the expected iss, aud, client_id and scope. Anything else stops the bench: a fast wrong answer is no result.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ACCESS_TOKEN_TTL, API_SCOPE, basicAuthorization, TOKEN_REQUEST_BODY, type ReadyMessage } from './child-protocol.ts';

export interface VerifiedToken {
  alg: string;
  typ: string;
  /** The claim names of the access token, sorted (for the report: what each server puts in). */
  claims: string[];
  /** Bytes of the whole JSON response body. */
  responseBytes: number;
}

export class VerificationError extends Error {
  constructor(server: string, message: string) {
    super(`${server}: ${message}`);
    this.name = 'VerificationError';
  }
}

export async function verifyTokenEndpoint(server: ReadyMessage): Promise<VerifiedToken> {
  const fail = (message: string): never => {
    throw new VerificationError(server.name, message);
  };
  const response = await fetch(server.tokenUrl, {
    method: 'POST',
    headers: { authorization: basicAuthorization(server.clientId, server.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: TOKEN_REQUEST_BODY,
  });
  const text = await response.text();
  if (response.status !== 200) fail(`token request answered ${response.status}, not 200: ${text.slice(0, 500)}`);
  if (!/\bno-store\b/.test(response.headers.get('cache-control') ?? '')) fail('token response lacks Cache-Control: no-store (RFC 6749 §5.1)');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail(`token response is not JSON: ${text.slice(0, 200)}`);
  }
  const token = body.access_token;
  if (typeof token !== 'string' || token.split('.').length !== 3) return fail(`no JWT access_token in ${text.slice(0, 300)}`);
  if (String(body.token_type).toLowerCase() !== 'bearer') fail(`token_type is ${String(body.token_type)}, not Bearer`);
  if (body.expires_in !== ACCESS_TOKEN_TTL) fail(`expires_in is ${String(body.expires_in)}, not ${ACCESS_TOKEN_TTL}`);
  if (body.scope !== API_SCOPE) fail(`scope is ${String(body.scope)}, not ${API_SCOPE}`);

  const alg = server.accessTokenAlg;
  const header = decodeProtectedHeader(token);
  if (header.alg !== alg) fail(`access token is signed ${String(header.alg)}, not ${alg}`);
  if (header.typ !== 'at+jwt') fail(`access token typ is ${String(header.typ)}, not at+jwt (RFC 9068 §2.1)`);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, createRemoteJWKSet(new URL(server.jwksUrl)), {
      algorithms: [alg], typ: 'at+jwt', issuer: server.issuer, audience: server.audience,
      requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
    }));
  } catch (error) {
    return fail(`access token does not verify against ${server.jwksUrl}: ${(error as Error).message}`);
  }
  if (payload.client_id !== server.clientId) fail(`client_id claim is ${String(payload.client_id)}, not ${server.clientId}`);
  if (payload.scope !== API_SCOPE) fail(`scope claim is ${String(payload.scope)}, not ${API_SCOPE}`);
  if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat !== ACCESS_TOKEN_TTL) {
    fail(`token lifetime (exp - iat) is not ${ACCESS_TOKEN_TTL} s`);
  }
  return { alg: header.alg as string, typ: header.typ as string, claims: Object.keys(payload).sort(), responseBytes: Buffer.byteLength(text) };
}
