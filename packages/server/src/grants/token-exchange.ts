// RFC 8693: OAuth 2.0 Token Exchange. A service that received a user's access token obtains a token for another API,
// on the user's behalf, with an `act` claim naming itself (§4.1; earlier actors nested). Rules (docs/token-exchange.md):
// - the subject token (and an actor token, if sent) is one of our own live access tokens (§2.1 subject_token_type
//   access_token); an ID token, a refresh token, an expired, revoked or forged token is refused with invalid_request
//   (§2.2.2: "if either the subject_token or actor_token are invalid for any reason ... invalid_request");
// - only a token addressed to the exchanging client's API (the client is an introspector of the token's audience) or
//   issued to the exchanging client itself may be exchanged;
// - the target API (`resource` and/or `audience`) must list the client as an exchange client (operator's choice,
//   nothing by default), else invalid_target (§2.2.2);
// - scopes: no wider than what the user allowed (the subject token's scopes and the user's consent to the app the
//   subject token's grant belongs to), the client's registered scopes and the target API's scopes; else invalid_scope;
// - the new token lives no longer than the subject token and keeps its grant (`gid`), so revoking the user's grant ends
//   it too. No refresh token is issued.
import { effectiveLifetimes } from '../clients/client-lifetimes.ts';
import { InvalidRequest, InvalidScope, InvalidTarget } from '../oauth/errors.ts';
import { parseScope } from '../oauth/scope.ts';
import type { ServerContext } from '../server-context.ts';
import { TOKEN_EXCHANGE, type ClientRecord } from '../store/records.ts';
import { signAccessToken, type ActorClaim } from '../tokens/access-token.ts';
import { isAccessTokenLive, verifyOwnAccessToken, type AccessTokenClaims } from '../tokens/verify-access-token.ts';
import type { GrantHandler, GrantParams } from './grant-handler.ts';

/** RFC 8693 §3: the one token type Latchkey accepts and issues. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

async function liveAccessToken(ctx: ServerContext, params: GrantParams, name: 'subject' | 'actor'): Promise<AccessTokenClaims | undefined> {
  const token = name === 'subject' ? params.require('subject_token') : params.get('actor_token');
  if (token === undefined) {
    if (params.get('actor_token_type') !== undefined) throw new InvalidRequest('actor_token_type was sent without actor_token');
    return undefined;
  }
  const type = params.get(`${name}_token_type`);
  if (type === undefined) throw new InvalidRequest(`${name}_token_type is required`);
  if (type !== ACCESS_TOKEN_TYPE) throw new InvalidRequest(`${name}_token_type must be ${ACCESS_TOKEN_TYPE}: only this server's access tokens can be exchanged`);
  const claims = await verifyOwnAccessToken(ctx, token);
  if (!claims) throw new InvalidRequest(`the ${name}_token is not a valid access token of this server (expired, or not an access token)`);
  if (!(await isAccessTokenLive(ctx, claims))) throw new InvalidRequest(`the ${name}_token has been revoked`);
  return claims;
}

/** The one API the request names with `resource` and/or `audience` (RFC 8693 §2.1; RFC 8707). */
function targetApi(ctx: ServerContext, params: GrantParams, client: ClientRecord): string {
  const resource = params.get('resource');
  const audience = params.get('audience');
  if (resource === undefined && audience === undefined) throw new InvalidRequest('resource or audience is required: name the API the new token is for');
  if (resource !== undefined && audience !== undefined && resource !== audience) throw new InvalidTarget('resource and audience name different APIs: one API per token');
  const target = (resource ?? audience)!;
  if (!ctx.scopes.hasApi(target)) throw new InvalidTarget('the target is not a registered API');
  if (!ctx.scopes.exchangersOf(target).includes(client.id)) {
    throw new InvalidTarget('this client may not exchange tokens for this API', { debug: `${client.id} is not an exchange client of ${target}` });
  }
  return target;
}

/** What the user allowed: the subject token's scopes, and the user's consent to the app whose grant it came from. */
async function userAllowedScopes(ctx: ServerContext, subject: AccessTokenClaims): Promise<Set<string>> {
  const allowed = new Set(parseScope(subject.scope));
  if (subject.gid === undefined) return allowed;
  const grant = await ctx.store.getGrant(subject.gid);
  const consent = grant ? await ctx.store.getConsent(grant.userId, grant.clientId) : undefined;
  for (const s of consent?.scopes ?? []) allowed.add(s);
  return allowed;
}

export const tokenExchangeGrant: GrantHandler = {
  grantType: TOKEN_EXCHANGE,
  parameters: new Set(['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'resource', 'audience', 'scope']),
  credentials: new Set(['subject_token', 'actor_token']),

  async handle(ctx, { client, params }) {
    const requestedType = params.get('requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) throw new InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    const subject = (await liveAccessToken(ctx, params, 'subject'))!;
    const actor = await liveAccessToken(ctx, params, 'actor');
    // Only a token sent to this client's API, or issued to this client, is this client's to exchange.
    if (subject.client_id !== client.id && !ctx.scopes.introspectorsOf(subject.aud).includes(client.id)) {
      throw new InvalidRequest('the subject_token was not issued to this client or to its API', { debug: `aud ${subject.aud}, client_id ${subject.client_id}` });
    }
    if (actor && actor.client_id !== client.id) throw new InvalidRequest('the actor_token was not issued to this client');
    const target = targetApi(ctx, params, client);

    const targetScopes = new Set(ctx.scopes.apis().find((a) => a.identifier === target)?.scopes.map((s) => s.name) ?? []);
    const byUser = await userAllowedScopes(ctx, subject);
    const allowed = client.scopes.filter((s) => targetScopes.has(s) && byUser.has(s));
    const requested = parseScope(params.get('scope'));
    const wider = requested.filter((s) => !allowed.includes(s));
    if (wider.length > 0) throw new InvalidScope(`scope exceeds what the subject token's user allowed or this client may have for the API: ${wider.join(' ')}`);
    const scopes = requested.length > 0 ? requested : allowed;
    if (scopes.length === 0) throw new InvalidScope('no scope of this API is allowed both by the subject token\'s user and for this client');

    // §4.1: the acting party is the actor token's subject, or this client; earlier actors are nested.
    const act: ActorClaim = { sub: actor?.sub ?? client.id, ...(subject.act ? { act: subject.act } : {}) };
    const now = ctx.now();
    const ttl = Math.min(effectiveLifetimes(ctx.config, client).accessTokenTtl, subject.exp - now);
    const token = await signAccessToken(ctx.keys.signer(ctx.config.accessTokenAlg), {
      issuer: ctx.config.issuer, audience: target, subject: subject.sub, clientId: client.id, scopes, ttl, now, act,
      ...(subject.auth_time !== undefined ? { authTime: subject.auth_time } : {}),
      ...(subject.gid !== undefined ? { grantId: subject.gid } : {}),
    });
    return { access_token: token.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: ttl, scope: token.scope };
  },
};
