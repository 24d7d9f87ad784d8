// RFC 8628 §3.1-3.2 device authorization endpoint: a client on a device without a browser (a TV, a CLI) asks for a
// device code and a user code. The client authenticates as at the token endpoint (a public client by client_id),
// must be registered for the device_code grant, and asks for scopes under the authorization endpoint's rules.
import { requestedUserScopes } from '../authorization/requested-scopes.ts';
import { issueDeviceCode } from '../device/device-codes.ts';
import { resolveAudience } from '../oauth/audience.ts';
import type { FormParams } from '../oauth/form-params.ts';
import { InvalidRequest, UnauthorizedClient } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import { DEVICE_CODE_GRANT_TYPE } from '../store/records.ts';
import { authenticatedClient } from './client-authentication.ts';

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

const FORBIDDEN_IN_QUERY = ['client_secret', 'client_assertion'];

export async function handleDeviceAuthorization(ctx: ServerContext, ip: string, authorization: string | undefined, body: FormParams,
  queryNames: string[]): Promise<DeviceAuthorizationResponse> {
  const now = ctx.now();
  ctx.limits.admitAddress(ip, now);
  const inQuery = queryNames.filter((n) => FORBIDDEN_IN_QUERY.includes(n));
  if (inQuery.length > 0) throw new InvalidRequest(`credentials must not be sent in the URL query (${inQuery.join(', ')}); send them in the POST body or the Authorization header`);
  body.assertNoRepeats();
  const client = await authenticatedClient(ctx, { ip, authorization, body }, now,
    'client authentication required: public clients send client_id, confidential clients authenticate as at the token endpoint (RFC 8628 §3.1)');
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT_TYPE)) throw new UnauthorizedClient(`this client is not registered for the ${DEVICE_CODE_GRANT_TYPE} grant`);
  const scopes = requestedUserScopes(ctx.config, ctx.scopes, client, body.get('scope'));
  const audience = resolveAudience(scopes, body.get('resource'), ctx.scopes);

  const issued = await issueDeviceCode(ctx, { clientId: client.id, scopes, audience });
  return {
    device_code: issued.deviceCode,
    user_code: issued.userCode,
    verification_uri: ctx.urls.device,
    // §3.3.1: the code in the URI only pre-fills the page; the user still confirms it and approves with a click.
    verification_uri_complete: `${ctx.urls.device}?user_code=${encodeURIComponent(issued.userCode)}`,
    expires_in: issued.expiresIn,
    interval: issued.interval,
  };
}
