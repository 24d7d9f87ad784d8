// RFC 6749 §3.2 token endpoint: authenticate the client, dispatch on grant_type, answer §5.1 / §5.2.
// Parameters (§3.2): unknown ones are ignored, a grant reads only the parameters it declares (grants/grant-handler.ts),
// and a request carrying another grant's credential (a code with grant_type=refresh_token) is refused.
import { GrantParams, type TokenResponse } from '../grants/grant-handler.ts';
import { credentialsOfOtherGrants, grantRegistry } from '../grants/registry.ts';
import type { FormParams } from '../oauth/form-params.ts';
import { InvalidGrant, InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import { authenticatedClient } from './client-authentication.ts';
import { verifyDpopProof } from '../oauth/dpop-proof.ts';
import { InvalidDpopProof } from '../oauth/errors.ts';
import type { ClientRecord } from '../store/records.ts';
import { isFapi2 } from '../clients/client-profile.ts';

/**
 * RFC 9449 §5: the key of the request's DPoP proof (htu = this token endpoint), which the access token will be bound
 * to; undefined without a proof, unless the client must use DPoP.
 */
async function tokenRequestDpopKey(ctx: ServerContext, client: ClientRecord, header: string | string[] | undefined): Promise<string | undefined> {
  if (header === undefined) {
    if (client.requireDpop || isFapi2(client)) throw new InvalidDpopProof('this client must send a DPoP proof with every token request (sender-constrained tokens only)');
    return undefined;
  }
  const proof = await verifyDpopProof(ctx, { header, method: 'POST', url: ctx.urls.token, requireNonce: ctx.config.dpopNonceRequired, status: 400 });
  return proof.jkt;
}

export interface TokenRequest {
  /** The client's address (for rate limits). */
  ip: string;
  authorization: string | undefined;
  body: FormParams;
  /** Names of URL query parameters; credentials there are refused (RFC 6749 §2.3.1, §3.2). */
  queryNames: string[];
  /** The DPoP header(s), RFC 9449 §4.1. */
  dpop: string | string[] | undefined;
}

const FORBIDDEN_IN_QUERY = ['client_secret', 'client_assertion', 'code', 'code_verifier', 'refresh_token', 'password', 'device_code', 'subject_token', 'actor_token'];

const PASSWORD_GRANT_REFUSAL =
  'the resource owner password credentials grant is not supported by design (OAuth 2.1 removes it): ' +
  'use the authorization code flow with PKCE, so passwords are typed only at the authorization server';

export async function handleTokenRequest(ctx: ServerContext, request: TokenRequest): Promise<TokenResponse> {
  const now = ctx.now();
  ctx.limits.admitAddress(request.ip, now);
  const inQuery = request.queryNames.filter((n) => FORBIDDEN_IN_QUERY.includes(n));
  if (inQuery.length > 0) throw new InvalidRequest(`credentials must not be sent in the URL query (${inQuery.join(', ')}); send them in the POST body or the Authorization header`);
  request.body.assertNoRepeats();

  const grantType = request.body.get('grant_type');
  if (grantType === undefined) throw new InvalidRequest('missing required parameter "grant_type"');
  if (grantType === 'password') throw new UnsupportedGrantType(PASSWORD_GRANT_REFUSAL);
  const grant = grantRegistry.get(grantType);
  if (!grant) throw new UnsupportedGrantType(`grant_type "${grantType}" is not supported`);
  const foreign = credentialsOfOtherGrants(grant, request.body.names().filter((name) => request.body.has(name)));
  if (foreign.length > 0) {
    throw new InvalidRequest(`grant_type=${grant.grantType} does not take another grant's credential: ${foreign.map((n) => `'${n}'`).join(', ')}`);
  }

  const client = await authenticatedClient(ctx, { ip: request.ip, authorization: request.authorization, body: request.body }, now,
    'client authentication required: use HTTP Basic (client_secret_basic) or client_id and client_secret in the body');
  // RFC 6749 §5.2 unauthorized_client: checked here once, for every grant type.
  if (!client.grantTypes.includes(grant.grantType)) throw new UnauthorizedClient(`this client is not registered for the ${grant.grantType} grant`);
  const dpopJkt = await tokenRequestDpopKey(ctx, client, request.dpop);
  try {
    const answer = await grant.handle(ctx, { client, params: new GrantParams(request.body, grant), dpopJkt });
    ctx.metrics.tokenIssued(grant.grantType, client.id, client.registration);
    // A dynamic registration that obtained a token is in use: it no longer expires as unused (one write, once).
    if (client.registration === 'dynamic' && !client.firstUsedAt && await ctx.store.updateClientFirstUse(client.id, now)) ctx.clients.forget(client.id);
    return answer;
  } catch (error) {
    // An unknown, used or expired code or refresh token, or a wrong code_verifier: a guess, counted.
    if (error instanceof InvalidGrant) await ctx.limits.recordFailure(request.ip, client, now);
    throw error;
  }
}
