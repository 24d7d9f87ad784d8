// Pending authorization requests between the authorization endpoint, login and consent. The request itself stays
// server-side (never in hidden form fields) and is bound to the browser that started it by a random cookie, so a
// link to someone else's interaction is useless (login CSRF / session swapping, RFC 9700 §4.7).
import { timingSafeEqual } from 'node:crypto';
import { hashSecret, randomId, randomSecret } from '../crypto/random.ts';
import { cookieName, cookieSettings, serializeCookie } from '../browser/cookies.ts';
import type { Authentication } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';
import type { InteractionRecord } from '../store/records.ts';
import { deserializeRequest, serializeRequest, type AuthorizationRequest } from './authorization-request.ts';

/** How long a user has to sign in and decide. */
const INTERACTION_TTL = 1800;

const BROWSER_COOKIE = 'latchkey_interaction';

function browserCookieName(ctx: ServerContext): string {
  return cookieName(BROWSER_COOKIE, cookieSettings(ctx.config));
}

/** The browser-binding secret from the cookies, if it looks like one of ours. */
export function browserSecret(ctx: ServerContext, cookies: Map<string, string>): string | undefined {
  const value = cookies.get(browserCookieName(ctx));
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/** The browser's secret, creating one (with its Set-Cookie header) on the first authorization request. */
export function ensureBrowserSecret(ctx: ServerContext, cookies: Map<string, string>): { secret: string; setCookie: string | undefined } {
  const existing = browserSecret(ctx, cookies);
  if (existing) return { secret: existing, setCookie: undefined };
  const secret = randomSecret();
  return { secret, setCookie: serializeCookie(browserCookieName(ctx), secret, cookieSettings(ctx.config)) };
}

export interface PendingInteraction {
  record: InteractionRecord;
  request: AuthorizationRequest;
}

/**
 * `auth`: who signed in (the consent step comes next), or with `stepUp` the session's user who must first confirm a
 * second factor (the record then has the user and their methods so far, and no auth time).
 */
export async function createInteraction(ctx: ServerContext, secret: string, request: AuthorizationRequest, auth: Authentication | undefined, options: { stepUp?: boolean } = {}): Promise<string> {
  const now = ctx.now();
  const id = randomId();
  await ctx.store.createInteraction({
    id, browserHash: hashSecret(secret), clientId: request.clientId, request: serializeRequest(request),
    userId: auth?.userId ?? null, authTime: options.stepUp ? null : auth?.authTime ?? null, amr: auth?.amr ?? null, createdAt: now, expiresAt: now + INTERACTION_TTL,
  });
  return id;
}

function boundTo(record: InteractionRecord, secret: string | undefined): boolean {
  if (!secret) return false;
  const expected = Buffer.from(record.browserHash);
  const actual = Buffer.from(hashSecret(secret));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The live interaction `id`, only for the browser that started it. */
export async function findInteraction(ctx: ServerContext, id: string, secret: string | undefined): Promise<PendingInteraction | undefined> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
  const record = await ctx.store.getInteraction(id, ctx.now());
  if (!record || !boundTo(record, secret)) return undefined;
  return { record, request: deserializeRequest(record.request) };
}

/** Ends the interaction and returns it exactly once (a replayed form finds nothing). */
export async function takeInteraction(ctx: ServerContext, pending: PendingInteraction): Promise<PendingInteraction | undefined> {
  const record = await ctx.store.consumeInteraction(pending.record.id, ctx.now());
  return record ? { record, request: deserializeRequest(record.request) } : undefined;
}
