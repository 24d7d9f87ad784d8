// Before a user-facing flow is measured, one real answer of each server must be right. A token response of the code
// or refresh grant: 200, Cache-Control no-store (RFC 6749 §5.1), an RFC 9068 access token for the API and the web
// client, an ID token (OpenID Connect Core §3.1.3.7: iss, aud, nonce on the code exchange, sub of the access token)
// and a refresh token. An introspection answer (RFC 7662 §2.2): active, for the web client, the user and the API.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { API_SCOPE, basicAuthorization, type ReadyMessage } from './child-protocol.ts';
import { userFlowOf } from './user-flow.ts';
import { VerificationError } from './verify-token-endpoint.ts';

export interface VerifiedUserTokens {
  accessToken: string;
  refreshToken: string;
  /** What was checked, for the report. */
  checked: string;
}

export async function verifyUserTokens(server: ReadyMessage, answer: { status: number; headers: Headers; text: string; json: Record<string, unknown> | undefined },
  options: { nonce?: string; opaqueAccessToken?: boolean } = {}): Promise<VerifiedUserTokens> {
  const fail = (message: string): never => {
    throw new VerificationError(server.name, message);
  };
  const flow = userFlowOf(server);
  if (answer.status !== 200) fail(`token request answered ${answer.status}, not 200: ${answer.text.slice(0, 500)}`);
  if (!/\bno-store\b/.test(answer.headers.get('cache-control') ?? '')) fail('token response lacks Cache-Control: no-store (RFC 6749 §5.1)');
  const body = answer.json ?? fail(`token response is not JSON: ${answer.text.slice(0, 200)}`);
  const { access_token: accessToken, id_token: idToken, refresh_token: refreshToken } = body;
  if (typeof accessToken !== 'string' || accessToken.length < 20) return fail(`no access_token in ${answer.text.slice(0, 300)}`);
  if (typeof idToken !== 'string') return fail('no id_token although openid was granted');
  if (typeof refreshToken !== 'string' || refreshToken.length < 20) return fail('no refresh_token');
  if (String(body.token_type).toLowerCase() !== 'bearer') fail(`token_type is ${String(body.token_type)}, not Bearer`);
  const jwks = createRemoteJWKSet(new URL(server.jwksUrl));

  let subject: unknown;
  if (!options.opaqueAccessToken) {
    const alg = server.accessTokenAlg;
    if (decodeProtectedHeader(accessToken).alg !== alg) fail(`access token is not signed ${alg}`);
    try {
      const { payload } = await jwtVerify(accessToken, jwks, { algorithms: [alg], typ: 'at+jwt', issuer: server.issuer, audience: server.audience, requiredClaims: ['sub', 'client_id', 'jti'] });
      if (payload.client_id !== flow.clientId) fail(`access token client_id is ${String(payload.client_id)}, not the web client`);
      if (!String(payload.scope).split(' ').includes(API_SCOPE)) fail(`access token scope ${String(payload.scope)} lacks ${API_SCOPE}`);
      subject = payload.sub;
    } catch (error) {
      if (error instanceof VerificationError) throw error;
      fail(`access token does not verify against ${server.jwksUrl}: ${(error as Error).message}`);
    }
  }
  try {
    const { payload } = await jwtVerify(idToken, jwks, { algorithms: ['RS256'], issuer: server.issuer, audience: flow.clientId, requiredClaims: ['sub', 'iat', 'exp'] });
    if (options.nonce !== undefined && payload.nonce !== options.nonce) fail(`ID token nonce is ${String(payload.nonce)}, not the request's`);
    if (subject !== undefined && payload.sub !== subject) fail('ID token sub differs from the access token sub');
  } catch (error) {
    if (error instanceof VerificationError) throw error;
    fail(`ID token does not verify (RS256, iss, aud): ${(error as Error).message}`);
  }
  return {
    accessToken, refreshToken,
    checked: `200 no-store; ${options.opaqueAccessToken ? 'opaque' : `${server.accessTokenAlg} at+jwt`} access token, RS256 ID token${options.nonce ? ' with nonce' : ''}, refresh token`,
  };
}

export function introspectionBody(token: string): string {
  return new URLSearchParams({ token, token_type_hint: 'access_token' }).toString();
}

/** One introspection of a user's access token by the API's resource server must say active, with the right claims. */
export async function verifyIntrospection(server: ReadyMessage, accessToken: string): Promise<string> {
  const fail = (message: string): never => {
    throw new VerificationError(server.name, message);
  };
  const introspection = server.introspection ?? fail('offers no introspection endpoint');
  const response = await fetch(introspection.url, {
    method: 'POST', body: introspectionBody(accessToken),
    headers: { authorization: basicAuthorization(introspection.clientId, introspection.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
  });
  const text = await response.text();
  if (response.status !== 200) fail(`introspection answered ${response.status}, not 200: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (body.active !== true) fail(`introspection says ${text.slice(0, 200)}, not active`);
  if (body.client_id !== userFlowOf(server).clientId) fail(`introspection client_id is ${String(body.client_id)}, not the web client`);
  if (typeof body.sub !== 'string' || body.sub === '') fail('introspection names no sub');
  if (!String(body.scope).split(' ').includes(API_SCOPE)) fail(`introspection scope ${String(body.scope)} lacks ${API_SCOPE}`);
  const aud = Array.isArray(body.aud) ? body.aud : [body.aud];
  if (!aud.includes(server.audience)) fail(`introspection aud ${JSON.stringify(body.aud)} lacks ${server.audience}`);
  if (typeof body.exp !== 'number' || body.exp <= Date.now() / 1000) fail('introspection exp is missing or past');
  return '200 active, client_id, sub, scope, aud, exp';
}
