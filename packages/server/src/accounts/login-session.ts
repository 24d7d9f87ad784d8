// Single sign-on sessions: a random 256-bit cookie value; the store keeps only its SHA-256 (design.md "Store").
// The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure with the __Host- prefix on an https issuer.
// Each session also has a public id, `sid` (OpenID Connect Back-Channel Logout 1.0 §2.1 / Front-Channel Logout §3),
// unrelated to the cookie, carried in ID tokens and logout tokens. Ending sessions queues back-channel logout deliveries
// (store.deleteSessions) before anyone is told "signed out", then wakes this instance's delivery worker.
import { cookieName, cookieSettings, serializeCookie } from '../browser/cookies.ts';
import { hashSecret, randomId, randomSecret } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import type { ConsentRecord, SessionRecord } from '../store/records.ts';
import type { EndedSessions, SessionSelector } from '../store/session-store.ts';

const SESSION_COOKIE = 'latchkey_sso';

/** Longer than any value we issue (43 characters): such a cookie is not ours and is not even hashed. */
const MAX_SESSION_COOKIE = 128;
/** What the account page shows of a browser; longer user agents are cut. */
const MAX_USER_AGENT = 200;
/** lastActiveAt is written at most this often per session. */
const ACTIVITY_RESOLUTION = 60;

function sessionCookieName(ctx: ServerContext): string {
  return cookieName(SESSION_COOKIE, cookieSettings(ctx.config));
}

/** The session cookie's value when it could be one of ours. */
function sessionCookieValue(ctx: ServerContext, cookies: Map<string, string>): string | undefined {
  const value = cookies.get(sessionCookieName(ctx));
  return value && value.length <= MAX_SESSION_COOKIE ? value : undefined;
}

/** The Set-Cookie header that deletes the session cookie. */
export function clearedSessionCookie(ctx: ServerContext): string {
  return serializeCookie(sessionCookieName(ctx), '', cookieSettings(ctx.config), 0);
}

/** The live session the cookies name, if any; its last activity is brought up to date (at most once a minute). */
export async function currentSession(ctx: ServerContext, cookies: Map<string, string>): Promise<SessionRecord | undefined> {
  const value = sessionCookieValue(ctx, cookies);
  if (value === undefined) return undefined;
  const session = await ctx.store.getSession(hashSecret(value), ctx.now());
  if (session) await noteActivity(ctx, session);
  return session;
}

/** currentSession with its user's consent for `clientId`, in one read (an authorization request needs both). */
export async function currentSessionWithConsent(ctx: ServerContext, cookies: Map<string, string>, clientId: string): Promise<{ session: SessionRecord; consent: ConsentRecord | undefined } | undefined> {
  const value = sessionCookieValue(ctx, cookies);
  if (value === undefined) return undefined;
  const found = await ctx.store.getSessionWithConsent(hashSecret(value), clientId, ctx.now());
  if (found) await noteActivity(ctx, found.session);
  return found;
}

async function noteActivity(ctx: ServerContext, session: SessionRecord): Promise<void> {
  const now = ctx.now();
  if (now - session.lastActiveAt >= ACTIVITY_RESOLUTION) {
    await ctx.store.updateSessionLastActive(session.idHash, now);
    session.lastActiveAt = now;
  }
}

/** Why sessions end, for the audit log. */
export type SessionEndReason = 'sign-out' | 'rp-logout' | 'account-page' | 'admin' | 'new-login';

/**
 * Ends the selected sessions: deleted, and a back-channel logout delivery queued for every client that took part, in
 * one store transaction; then this instance's delivery worker is woken. Returns what ended.
 */
export async function endSessions(ctx: ServerContext, selector: SessionSelector, reason: SessionEndReason): Promise<EndedSessions> {
  const now = ctx.now();
  const result = await ctx.store.deleteSessions(selector, now);
  for (const session of result.ended) {
    await ctx.store.recordAuditEvent({ type: 'session.ended', userId: session.userId, detail: { sid: session.sid, reason } }, now);
  }
  if (result.queued.length > 0) ctx.wakeLogoutDelivery();
  return result;
}

/** Ends the session the cookies name (if any) and returns the Set-Cookie header that deletes the cookie. */
export async function endSession(ctx: ServerContext, cookies: Map<string, string>, reason: SessionEndReason = 'sign-out'): Promise<string> {
  const value = sessionCookieValue(ctx, cookies);
  if (value !== undefined) await endSessions(ctx, { idHash: hashSecret(value) }, reason);
  return clearedSessionCookie(ctx);
}

export interface StartedSession {
  /** The Set-Cookie header of the new session. */
  cookie: string;
  sid: string;
}

/**
 * Starts a session after a successful login. Any session the browser had is ended first: a new login always gets a
 * new identifier (no session fixation).
 */
export async function startSession(
  ctx: ServerContext, cookies: Map<string, string>, userId: string, now: number, amr: readonly string[], userAgent?: string,
): Promise<StartedSession> {
  await endSession(ctx, cookies, 'new-login');
  const value = randomSecret();
  const sid = randomId();
  await ctx.store.createSession({
    idHash: hashSecret(value), sid, userId, authTime: now, amr: [...amr], userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    createdAt: now, lastActiveAt: now, expiresAt: now + ctx.config.sessionTtl,
  });
  return { cookie: serializeCookie(sessionCookieName(ctx), value, cookieSettings(ctx.config), ctx.config.sessionTtl), sid };
}
