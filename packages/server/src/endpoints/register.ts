// RFC 7591 dynamic client registration (§3) and RFC 7592 client configuration (read §2.1, update §2.2, delete §2.3).
// Clients registered here are unvetted ('dynamic'). The registration access token (256-bit, stored as SHA-256) is
// the only credential of the configuration endpoint; a wrong token and an unknown client get the same 401, and each
// such guess counts against the address like a wrong client secret.
import { dynamicClientDefaults } from '../clients/client-metadata-fields.ts';
import { newClientSecret, registeredMetadata, validateRegistration } from '../clients/dynamic-registration.ts';
import { hashSecret, randomId, randomSecret, secretMatchesHash } from '../crypto/random.ts';
import { presentedBearerToken } from '../oauth/bearer-token.ts';
import { InvalidClientMetadata, InvalidToken } from '../oauth/errors.ts';
import type { RegistrationLimit } from '../rate-limits/registration-limit.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';

export interface RegistrationHttpRequest {
  ip: string;
  authorization: string | undefined;
  body: unknown;
}

export interface RegistrationAnswer {
  status: 200 | 201 | 204;
  body?: Record<string, unknown>;
}

/** RFC 7591 §3: the initial access token, when the operator requires one (constant-time comparison). */
function checkInitialAccessToken(ctx: ServerContext, authorization: string | undefined): void {
  const required = ctx.config.registrationInitialAccessToken;
  if (!required) return;
  const presented = presentedBearerToken(authorization, undefined);
  if (presented === undefined) throw new InvalidToken('an initial access token is required to register a client');
  if (!secretMatchesHash(presented, hashSecret(required))) throw new InvalidToken('the initial access token is not valid');
}

/** POST /register: validate, store, answer 201 with the credentials shown this once. */
export async function registerDynamicClient(ctx: ServerContext, limit: RegistrationLimit, request: RegistrationHttpRequest): Promise<RegistrationAnswer> {
  const now = ctx.now();
  await limit.admit(request.ip, now);
  checkInitialAccessToken(ctx, request.authorization);
  const { metadata, authMethod } = validateRegistration(request.body, ctx.config, ctx.scopes);
  const secret = newClientSecret(metadata.isPublic || authMethod === 'private_key_jwt');
  const registrationToken = randomSecret();
  const client: ClientRecord = {
    ...dynamicClientDefaults(), id: randomId(), secretHash: secret.hash,
    createdAt: now, updatedAt: now, registrationTokenHash: hashSecret(registrationToken), firstUsedAt: null, blockedAt: null, ...metadata,
  };
  await ctx.store.createClient(client);
  await ctx.store.recordAuditEvent({ type: 'client.registered', clientId: client.id, detail: { ip: request.ip, redirect_uris: client.redirectUris } }, now);
  return {
    status: 201,
    body: {
      ...registeredMetadata(client, authMethod),
      ...(secret.secret ? { client_secret: secret.secret, client_secret_expires_at: 0 } : {}),
      registration_access_token: registrationToken, registration_client_uri: ctx.urls.registrationClient(client.id),
    },
  };
}

/** The dynamic client the registration access token in `authorization` belongs to; a 401 (counted) otherwise. */
async function authorizedClient(ctx: ServerContext, clientId: string, request: RegistrationHttpRequest, now: number): Promise<{ client: ClientRecord; token: string }> {
  ctx.limits.admitAddress(request.ip, now);
  const token = presentedBearerToken(request.authorization, undefined);
  if (token === undefined) throw new InvalidToken('the registration access token is required (Authorization: Bearer)');
  const client = await ctx.store.getClient(clientId);
  if (!client || client.registration !== 'dynamic' || !client.registrationTokenHash || !secretMatchesHash(token, client.registrationTokenHash)) {
    await ctx.limits.recordFailure(request.ip, undefined, now);
    throw new InvalidToken('the registration access token is not valid for this client', { debug: client ? `wrong registration token for ${clientId}` : `unknown client ${clientId}` });
  }
  return { client, token };
}

const configurationBody = (ctx: ServerContext, client: ClientRecord, token: string) => ({
  ...registeredMetadata(client), registration_access_token: token, registration_client_uri: ctx.urls.registrationClient(client.id),
});

/** GET /register/:id (RFC 7592 §2.1). */
export async function readDynamicClient(ctx: ServerContext, clientId: string, request: RegistrationHttpRequest): Promise<RegistrationAnswer> {
  const { client, token } = await authorizedClient(ctx, clientId, request, ctx.now());
  return { status: 200, body: configurationBody(ctx, client, token) };
}

/** PUT /register/:id (RFC 7592 §2.2): the whole metadata is replaced; the client id and secret stay. */
export async function updateDynamicClient(ctx: ServerContext, clientId: string, request: RegistrationHttpRequest): Promise<RegistrationAnswer> {
  const now = ctx.now();
  const { client, token } = await authorizedClient(ctx, clientId, request, now);
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || body.client_id !== clientId) throw new InvalidClientMetadata('the update must carry the client_id it updates (RFC 7592 §2.2)');
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at'].includes(k)));
  const { metadata } = validateRegistration(rest, ctx.config, ctx.scopes);
  if (metadata.isPublic !== client.isPublic || (metadata.jwks === null && metadata.jwksUri === null) !== (client.jwks === null && client.jwksUri === null)) {
    throw new InvalidClientMetadata('token_endpoint_auth_method cannot change between none, a client secret and private_key_jwt; register a new client');
  }
  const updated: ClientRecord = { ...client, ...metadata, updatedAt: now };
  await ctx.store.updateClientRegistration(updated);
  await ctx.store.bumpCacheVersion('clients');
  ctx.clients.invalidate();
  return { status: 200, body: configurationBody(ctx, updated, token) };
}

/** DELETE /register/:id (RFC 7592 §2.3): the client goes with its consents, codes and grants. */
export async function deleteDynamicClient(ctx: ServerContext, clientId: string, request: RegistrationHttpRequest): Promise<RegistrationAnswer> {
  const now = ctx.now();
  const { client } = await authorizedClient(ctx, clientId, request, now);
  await ctx.store.deleteClient(client.id);
  await ctx.store.bumpCacheVersion('clients');
  ctx.clients.invalidate();
  await ctx.store.recordAuditEvent({ type: 'client.deleted', clientId: null, detail: { client_id: client.id, by: 'registration access token' } }, now);
  return { status: 204 };
}
