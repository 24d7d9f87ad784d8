// Single sign-on sessions: a random 256-bit cookie value; the store keeps only its SHA-256 (design.md "Store").
// The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure with the __Host- prefix on an https issuer.
import { hashSecret, randomSecret } from '../crypto/random.ts';
import { cookieName, serializeCookie, type CookieSettings } from '../http/cookies.ts';
import type { ServerContext } from '../server-context.ts';
import type { SessionRecord } from '../store/records.ts';

const SESSION_COOKIE = 'latchkey_sso';

export function cookieSettings(ctx: ServerContext): CookieSettings {
  return { https: ctx.config.issuer.startsWith('https:') };
}

export function sessionCookieName(ctx: ServerContext): string {
  return cookieName(SESSION_COOKIE, cookieSettings(ctx));
}

/** The live session the cookies name, if any. */
export async function currentSession(ctx: ServerContext, cookies: Map<string, string>): Promise<SessionRecord | undefined> {
  const value = cookies.get(sessionCookieName(ctx));
  if (!value || value.length > 128) return undefined;
  return ctx.store.getSession(hashSecret(value), ctx.now());
}

/**
 * Starts a session after a successful login and returns its Set-Cookie header. Any session the browser had
 * is ended first: a new login always gets a new identifier (no session fixation).
 */
export async function startSession(ctx: ServerContext, cookies: Map<string, string>, userId: string, now: number): Promise<string> {
  const previous = cookies.get(sessionCookieName(ctx));
  if (previous && previous.length <= 128) await ctx.store.deleteSession(hashSecret(previous));
  const value = randomSecret();
  await ctx.store.createSession({ idHash: hashSecret(value), userId, authTime: now, createdAt: now, expiresAt: now + ctx.config.sessionTtl });
  return serializeCookie(sessionCookieName(ctx), value, cookieSettings(ctx), ctx.config.sessionTtl);
}
