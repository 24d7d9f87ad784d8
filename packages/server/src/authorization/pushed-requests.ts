// RFC 9126 pushed authorization requests: a validated request is kept server-side (in the store, so every instance
// finds it) under a request_uri `urn:ietf:params:oauth:request_uri:<256 random bits>`, stored as a hash; it lives 60
// seconds (§2.2 "short lived"), is used once and only by the client that pushed it (§4).
import { hashSecret, randomSecret } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';
import { isFapi2 } from '../clients/client-profile.ts';
import { deserializeRequest, serializeRequest, type AuthorizationRequest } from './authorization-request.ts';

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** Seconds a pushed request waits for its use at /authorize (RFC 9126 §2.2: "5 to 600 seconds"; FAPI 2.0 §5.3.2.2 < 600). */
export const PUSHED_REQUEST_TTL = 60;

/** RFC 9126 §2.2 success response body. */
export interface PushedRequestResponse {
  request_uri: string;
  expires_in: number;
}

/** Whether the client must push its authorization requests (the server-wide setting, the client's, or its profile). */
export function mustPushRequests(ctx: ServerContext, client: ClientRecord): boolean {
  return ctx.config.requirePushedAuthorizationRequests || client.requirePar || isFapi2(client);
}

export async function pushAuthorizationRequest(ctx: ServerContext, request: AuthorizationRequest): Promise<PushedRequestResponse> {
  const now = ctx.now();
  const handle = randomSecret();
  await ctx.store.createPushedRequest({
    uriHash: hashSecret(handle), clientId: request.clientId, request: serializeRequest(request), createdAt: now, expiresAt: now + PUSHED_REQUEST_TTL,
  });
  return { request_uri: `${REQUEST_URI_PREFIX}${handle}`, expires_in: PUSHED_REQUEST_TTL };
}

/** The pushed request behind `requestUri`, exactly once and only for `clientId`; undefined if unknown, used, expired or another client's. */
export async function takePushedRequest(ctx: ServerContext, requestUri: string, clientId: string): Promise<AuthorizationRequest | undefined> {
  if (!requestUri.startsWith(REQUEST_URI_PREFIX)) return undefined;
  const handle = requestUri.slice(REQUEST_URI_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(handle)) return undefined;
  const record = await ctx.store.consumePushedRequest(hashSecret(handle), clientId, ctx.now());
  return record && deserializeRequest(record.request);
}
