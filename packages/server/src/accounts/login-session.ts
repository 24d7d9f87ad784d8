// Single sign-on sessions: a random 256-bit cookie value; the store keeps only its SHA-256 (design.md "Store").
// The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure with the __Host- prefix on an https issuer.
import { cookieName, cookieSettings, serializeCookie } from '../browser/cookies.ts';
import { hashSecret, randomSecret } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import type { SessionRecord } from '../store/records.ts';

const SESSION_COOKIE = 'latchkey_sso';

/** Longer than any value we issue (43 characters): such a cookie is not ours and is not even hashed. */
const MAX_SESSION_COOKIE = 128;

function sessionCookieName(ctx: ServerContext): string {
  return cookieName(SESSION_COOKIE, cookieSettings(ctx.config));
}

/** The session cookie's value when it could be one of ours. */
function sessionCookieValue(ctx: ServerContext, cookies: Map<string, string>): string | undefined {
  const value = cookies.get(sessionCookieName(ctx));
  return value && value.length <= MAX_SESSION_COOKIE ? value : undefined;
}

/** The live session the cookies name, if any. */
export async function currentSession(ctx: ServerContext, cookies: Map<string, string>): Promise<SessionRecord | undefined> {
  const value = sessionCookieValue(ctx, cookies);
  return value === undefined ? undefined : ctx.store.getSession(hashSecret(value), ctx.now());
}

/** Ends the session the cookies name (if any) and returns the Set-Cookie header that deletes the cookie. */
export async function endSession(ctx: ServerContext, cookies: Map<string, string>): Promise<string> {
  const value = sessionCookieValue(ctx, cookies);
  if (value !== undefined) await ctx.store.deleteSession(hashSecret(value));
  return serializeCookie(sessionCookieName(ctx), '', cookieSettings(ctx.config), 0);
}

/**
 * Starts a session after a successful login and returns its Set-Cookie header. Any session the browser had
 * is ended first: a new login always gets a new identifier (no session fixation).
 */
export async function startSession(ctx: ServerContext, cookies: Map<string, string>, userId: string, now: number, amr: readonly string[]): Promise<string> {
  await endSession(ctx, cookies);
  const value = randomSecret();
  await ctx.store.createSession({ idHash: hashSecret(value), userId, authTime: now, amr: [...amr], createdAt: now, expiresAt: now + ctx.config.sessionTtl });
  return serializeCookie(sessionCookieName(ctx), value, cookieSettings(ctx.config), ctx.config.sessionTtl);
}
