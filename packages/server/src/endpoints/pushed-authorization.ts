// RFC 9126 §2: the pushed authorization request endpoint. The client authenticates as at /token (§2: "the same rules
// for client authentication"), the parameters are validated as /authorize would (§2.1), and the request is kept for
// one use at /authorize under a short-lived request_uri (§2.2). Errors are JSON (§2.3).
import { pushAuthorizationRequest, type PushedRequestResponse } from '../authorization/pushed-requests.ts';
import type { FormParams } from '../oauth/form-params.ts';
import { InvalidDpopProof, InvalidRequest } from '../oauth/errors.ts';
import { verifyDpopProof } from '../oauth/dpop-proof.ts';
import type { ServerContext } from '../server-context.ts';
import { validatePushedAuthorizationRequest } from './authorize.ts';
import { authenticatedClient } from './client-authentication.ts';

export interface PushedAuthorizationRequest {
  ip: string;
  authorization: string | undefined;
  body: FormParams;
  /** Names of URL query parameters: the request belongs in the body (§2.1). */
  queryNames: string[];
  /** The DPoP header(s): a proof here binds the code to its key (RFC 9449 §10.1). */
  dpop: string | string[] | undefined;
}

export async function handlePushedAuthorizationRequest(ctx: ServerContext, request: PushedAuthorizationRequest): Promise<PushedRequestResponse> {
  const now = ctx.now();
  ctx.limits.admitAddress(request.ip, now);
  if (request.queryNames.length > 0) throw new InvalidRequest('send the pushed authorization request in the POST body, not the URL query (RFC 9126 §2.1)');
  request.body.assertNoRepeats();
  const client = await authenticatedClient(ctx, request, now,
    'client authentication required at the pushed authorization request endpoint (RFC 9126 §2): authenticate as at the token endpoint');
  // §2.1: client_id is an authorization request parameter; when sent, it names the client that authenticated.
  const clientId = request.body.get('client_id');
  if (clientId !== undefined && clientId !== client.id) throw new InvalidRequest('client_id does not match the authenticated client');
  const validated = await validatePushedAuthorizationRequest(ctx, request.body, client);
  // RFC 9449 §10.1: a DPoP proof at the PAR endpoint binds the code to its key, as dpop_jkt does; both must agree.
  if (request.dpop !== undefined) {
    const proof = await verifyDpopProof(ctx, { header: request.dpop, method: 'POST', url: ctx.urls.pushedAuthorizationRequest, requireNonce: ctx.config.dpopNonceRequired, status: 400 });
    if (validated.dpopJkt !== undefined && validated.dpopJkt !== proof.jkt) throw new InvalidDpopProof('dpop_jkt is not the thumbprint of the DPoP proof key');
    validated.dpopJkt = proof.jkt;
  }
  return pushAuthorizationRequest(ctx, validated);
}
