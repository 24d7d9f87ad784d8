// The client's back-channel logout endpoint: OpenID Connect Back-Channel Logout 1.0 §2.5 (a form POST carrying
// `logout_token`), §2.6 (validation: signature from the provider's JWKS, iss, aud, iat, events, sub and/or sid, no
// nonce, jti not replayed, explicit typ when present), §2.7 (end the matching sessions) and §2.8 (200 when done, 400
// for any defect, Cache-Control: no-store).
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import type { KitContext } from './kit-context.ts';
import { sha256Hex } from './opaque-ids.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const MAX_BODY = 16 * 1024;
/** Older logout tokens are refused even if they have not expired (they are meant to be delivered at once). */
const MAX_TOKEN_AGE_SECONDS = 600;
const CLOCK_TOLERANCE_SECONDS = 60;

class LogoutTokenDefect extends Error {}

function answer(status: 200 | 400, description?: string): Response {
  const headers = { 'cache-control': 'no-store', ...(status === 400 ? { 'content-type': 'application/json' } : {}) };
  return new Response(status === 400 ? JSON.stringify({ error: 'invalid_request', error_description: description }) : null, { status, headers });
}

type ProviderKeys = ReturnType<typeof createRemoteJWKSet>;
const keySets = new WeakMap<KitContext, ProviderKeys>();

/** The provider's key set, created on first use and cached per client (jose refetches it on an unknown kid, with a cooldown). */
function providerKeys(context: KitContext): ProviderKeys {
  const cached = keySets.get(context);
  if (cached) return cached;
  const uri = context.provider.serverMetadata().jwks_uri;
  if (!uri) throw new LogoutTokenDefect('the provider publishes no jwks_uri');
  const fetch = context.providerFetch;
  const keys = createRemoteJWKSet(new URL(uri), fetch ? { [customFetch]: fetch as never } : {});
  keySets.set(context, keys);
  return keys;
}

async function readLogoutToken(request: Request): Promise<string> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new LogoutTokenDefect('the request must be application/x-www-form-urlencoded');
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_BODY) throw new LogoutTokenDefect('the request body is too large');
  const tokens = new URLSearchParams(new TextDecoder().decode(body)).getAll('logout_token');
  if (tokens.length !== 1 || !tokens[0]) throw new LogoutTokenDefect('the request must carry exactly one logout_token');
  return tokens[0];
}

/** §2.6 steps 3-10 (decryption, step 1, is not supported: tokens are signed only). */
async function validateLogoutToken(context: KitContext, token: string): Promise<JWTPayload> {
  const metadata = context.provider.serverMetadata();
  let payload: JWTPayload;
  let typ: string | undefined;
  try {
    const verified = await jwtVerify(token, providerKeys(context), {
      issuer: metadata.issuer, audience: context.options.clientId, requiredClaims: ['iat', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS, maxTokenAge: MAX_TOKEN_AGE_SECONDS, currentDate: new Date(context.now()),
      ...(metadata.id_token_signing_alg_values_supported ? { algorithms: metadata.id_token_signing_alg_values_supported } : {}),
    });
    payload = verified.payload;
    typ = verified.protectedHeader.typ;
  } catch (error) {
    throw new LogoutTokenDefect(`the logout token is not valid: ${(error as Error).message}`);
  }
  // Explicit typing (§2.4): when a typ is present it must say logout token, so an ID token never passes for one.
  if (typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(typ)) throw new LogoutTokenDefect(`typ "${typ}" is not logout+jwt`);
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw new LogoutTokenDefect('events lacks the back-channel logout event');
  if (typeof payload.sub !== 'string' && typeof payload.sid !== 'string') throw new LogoutTokenDefect('the logout token has neither sub nor sid');
  if ('nonce' in payload) throw new LogoutTokenDefect('a logout token must not contain a nonce');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new LogoutTokenDefect('the logout token has no jti');
  return payload;
}

/** POST back-channel logout: ends the sessions the provider names. */
export async function handleBackchannelLogout(context: KitContext, request: Request): Promise<Response> {
  let payload: JWTPayload;
  try {
    if (request.method !== 'POST') throw new LogoutTokenDefect('use POST');
    payload = await validateLogoutToken(context, await readLogoutToken(request));
    // §2.6 step 10: a jti seen before (from this issuer) is a replay. Remembered until the token could no longer pass.
    const passableUntil = Math.max(payload.exp ?? 0, payload.iat! + MAX_TOKEN_AGE_SECONDS) + CLOCK_TOLERANCE_SECONDS;
    if (!(await context.store.recordLogoutToken(sha256Hex(`${payload.iss} ${payload.jti}`), passableUntil * 1000))) {
      throw new LogoutTokenDefect('the logout token was already used (replay)');
    }
  } catch (error) {
    if (error instanceof LogoutTokenDefect) {
      context.warn('back-channel logout refused', error);
      return answer(400, error.message);
    }
    throw error;
  }
  // §2.7: the sessions of that provider session (sid), of that user (sub) when no sid is given, or both when both are.
  await context.store.deleteSessionsForProvider({
    ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}),
    ...(typeof payload.sid === 'string' ? { providerSid: payload.sid } : {}),
  });
  return answer(200);
}
