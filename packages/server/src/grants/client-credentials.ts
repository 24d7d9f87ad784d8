// RFC 6749 §4.4: the client credentials grant, for a service acting on its own behalf (no refresh token, §4.4.3).
import { effectiveLifetimes } from '../clients/client-lifetimes.ts';
import { resolveAudience, validateResource } from '../oauth/audience.ts';
import { InvalidScope, UnauthorizedClient } from '../oauth/errors.ts';
import { parseScope } from '../oauth/scope.ts';
import { signAccessToken } from '../tokens/access-token.ts';
import type { GrantHandler } from './grant-handler.ts';

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  parameters: new Set(['scope', 'resource']),
  credentials: new Set(),

  async handle(ctx, { client, params, dpopJkt }) {
    if (client.isPublic) throw new UnauthorizedClient('public clients cannot use the client_credentials grant (RFC 6749 §4.4)');

    const resource = params.get('resource');
    validateResource(resource, ctx.scopes);
    const requested = parseScope(params.get('scope'));
    for (const scope of requested) {
      const info = ctx.scopes.get(scope);
      if (!info || info.api === null) throw new InvalidScope(`scope "${scope}" is not an API scope`);
      if (!client.scopes.includes(scope)) throw new InvalidScope(`the client is not allowed to request scope "${scope}"`);
    }
    // §3.3: no scope requested means the client's pre-defined default set (its API scopes, narrowed by resource).
    const scopes = requested.length > 0 ? requested : client.scopes.filter((s) => {
      const api = ctx.scopes.get(s)?.api;
      return api != null && (resource === undefined || api === resource);
    });
    if (scopes.length === 0) throw new InvalidScope('no scope was requested and the client has no default API scope');
    const audience = resolveAudience(scopes, resource, ctx.scopes);
    if (audience === null) throw new InvalidScope('the requested scopes name no API');

    const now = ctx.now();
    const { accessTokenTtl } = effectiveLifetimes(ctx.config, client);
    const token = await signAccessToken(ctx.keys.signer(ctx.config.accessTokenAlg), {
      issuer: ctx.config.issuer, audience, subject: client.id, clientId: client.id, scopes, ttl: accessTokenTtl, now,
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
    });
    return { access_token: token.token, token_type: dpopJkt === undefined ? 'Bearer' : 'DPoP', expires_in: accessTokenTtl, scope: token.scope };
  },
};
