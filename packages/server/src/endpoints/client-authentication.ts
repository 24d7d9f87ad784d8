// The client of a request to /token, /introspect or /revoke (RFC 6749 §2.3, RFC 7662 §2.1, RFC 7009 §2.1): read how it
// presented itself, refuse a request without credentials, and authenticate it under the rate limits.
import type { FormParams } from '../oauth/form-params.ts';
import { readPresentedClient } from '../oauth/client-auth.ts';
import { InvalidClient } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';

export interface ClientCredentialsInRequest {
  ip: string;
  authorization: string | undefined;
  body: FormParams;
}

/** The authenticated client; `whenMissing` is the invalid_client description for a request without credentials. */
export async function authenticatedClient(ctx: ServerContext, request: ClientCredentialsInRequest, now: number, whenMissing: string): Promise<ClientRecord> {
  const presented = readPresentedClient(request.authorization, request.body);
  if (!presented) throw new InvalidClient(whenMissing);
  const client = await ctx.limits.authenticate(presented, request.ip, now);
  if (client.blockedAt) throw new InvalidClient('this client has been blocked by the operator of this server');
  return client;
}
