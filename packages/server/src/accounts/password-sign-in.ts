// Signing in with a password (OpenID Connect Core §3.1.2.3; OWASP Authentication Cheat Sheet; NIST SP 800-63B §5.2.2):
// the one sequence both login forms use (the authorization flow's and the account page's): throttle, look the user
// up, verify (an unknown user costs the same work), then either count the failure and audit it, or clear the
// counters, remember the device, start the session and audit it. Other ways of signing in (passkeys, a second
// factor) extend this module rather than repeat it.
import { PASSWORD_AND_OTP, PASSWORD_ONLY } from '../oidc/authentication-context.ts';
import { checkSecondFactor } from './second-factor.ts';
import type { ServerContext } from '../server-context.ts';
import type { UserRecord } from '../store/records.ts';
import { deviceCookie, setDeviceCookie } from './known-device-cookie.ts';
import { startSession } from './login-session.ts';
import { checkLoginThrottle, recordLoginFailure, recordLoginSuccess, throttleMessage, type LoginAttempt } from './login-throttle.ts';
import { PASSWORD_MAX_LENGTH, verifyPassword } from './password-hashing.ts';

/** Longer input is cut to these lengths before anything else (usernames are at most 64 characters). */
export const MAX_USERNAME = 256;
const MAX_PASSWORD = PASSWORD_MAX_LENGTH;

export const WRONG_CREDENTIALS = 'Incorrect username or password.';

export interface PasswordSignInForm {
  username: string | undefined;
  password: string | undefined;
  ip: string;
  /** The browser's User-Agent header, shown on the account page's list of sessions. */
  userAgent?: string | undefined;
  cookies: Map<string, string>;
  /** The client of the authorization request being signed in for (audit); absent on the account page. */
  clientId?: string;
  /** Which form, for the audit log when it is not the authorization flow's. */
  via?: 'account' | 'device';
}

export type PasswordSignIn =
  /** Too many failures: nothing was checked. */
  | { status: 'throttled'; username: string; message: string; retryAfter: number }
  | { status: 'rejected'; username: string; message: string }
  /** The caller's own step before the session (`beforeSession`) failed: no session was started. */
  | { status: 'abandoned' }
  /** The password was right and the user has a second factor: no session yet; `cookies`: the known-device cookie. */
  | { status: 'second-factor'; user: UserRecord; cookies: string[] }
  /** `cookies`: the session cookie and the known-device cookie. */
  | { status: 'signed-in'; user: UserRecord; authTime: number; sid: string; amr: string[]; cookies: string[] };

/**
 * Runs the sign-in. `beforeSession` is the caller's last step once the password is right (the authorization flow
 * claims its pending interaction there, so a replayed form starts no session); when it returns false, no session.
 */
export async function signInWithPassword(ctx: ServerContext, form: PasswordSignInForm, beforeSession?: () => Promise<boolean>): Promise<PasswordSignIn> {
  const username = (form.username ?? '').slice(0, MAX_USERNAME);
  const password = (form.password ?? '').slice(0, MAX_PASSWORD);
  const now = ctx.now();
  const attempt: LoginAttempt = { username, ip: form.ip, device: deviceCookie(ctx, form.cookies) };
  const audit = (type: string, userId: string | null) => ctx.store.recordAuditEvent({
    type, ...(form.clientId !== undefined ? { clientId: form.clientId } : {}), userId, detail: { ip: form.ip, ...(form.via ? { via: form.via } : {}) },
  }, now);
  const throttle = await checkLoginThrottle(ctx, attempt);
  if (throttle.throttled) {
    await audit('login.throttled', null);
    ctx.metrics.login('throttled');
    return { status: 'throttled', username, message: throttleMessage(throttle), retryAfter: throttle.retryAfter };
  }

  // Unknown user and wrong password take the same path and the same time (verifyPassword hashes either way).
  const user = username ? await ctx.store.findUserByUsername(username) : undefined;
  const valid = await verifyPassword(user?.passwordHash ?? undefined, password);
  if (!user || !valid) {
    await recordLoginFailure(ctx, attempt);
    await audit('login.failed', user?.id ?? null);
    ctx.metrics.login('failed');
    return { status: 'rejected', username, message: WRONG_CREDENTIALS };
  }
  const knownDevice = setDeviceCookie(ctx, await recordLoginSuccess(ctx, attempt));
  if (beforeSession && !(await beforeSession())) return { status: 'abandoned' };
  // A user with a second factor is asked for it next; the session starts only then (signInWithSecondFactor).
  if ((await ctx.store.getTotpFactor(user.id))?.confirmedAt != null) {
    await audit('login.password_verified', user.id);
    return { status: 'second-factor', user, cookies: [knownDevice] };
  }
  const session = await startSession(ctx, form.cookies, user.id, now, PASSWORD_ONLY, form.userAgent);
  await audit('login.succeeded', user.id);
  ctx.metrics.login('succeeded');
  return { status: 'signed-in', user, authTime: now, sid: session.sid, amr: [...PASSWORD_ONLY], cookies: [session.cookie, knownDevice] };
}

export interface SecondFactorForm {
  user: UserRecord;
  code: string | undefined;
  ip: string;
  cookies: Map<string, string>;
  clientId?: string;
  via?: 'account';
  userAgent?: string | undefined;
}

export type SecondFactorSignIn =
  | { status: 'throttled'; message: string; retryAfter: number }
  | { status: 'rejected'; message: string }
  | { status: 'abandoned' }
  | { status: 'signed-in'; user: UserRecord; authTime: number; sid: string; amr: string[]; cookies: string[] };

/**
 * The second step after the password (or of a step-up from a password session): a TOTP or recovery code
 * (accounts/second-factor.ts), then the session, with amr pwd + otp + mfa (RFC 8176).
 */
export async function signInWithSecondFactor(ctx: ServerContext, form: SecondFactorForm, beforeSession?: () => Promise<boolean>): Promise<SecondFactorSignIn> {
  const check = await checkSecondFactor(ctx, form.user, form.code, form);
  if (check.status === 'throttled') {
    ctx.metrics.login('throttled');
    return check;
  }
  if (check.status === 'rejected') {
    ctx.metrics.login('failed');
    return check;
  }
  if (beforeSession && !(await beforeSession())) return { status: 'abandoned' };
  const now = ctx.now();
  const session = await startSession(ctx, form.cookies, form.user.id, now, PASSWORD_AND_OTP, form.userAgent);
  await ctx.store.recordAuditEvent({
    type: 'login.succeeded', ...(form.clientId !== undefined ? { clientId: form.clientId } : {}), userId: form.user.id,
    detail: { ip: form.ip, method: check.method, ...(form.via ? { via: form.via } : {}) },
  }, now);
  ctx.metrics.login('succeeded');
  return { status: 'signed-in', user: form.user, authTime: now, sid: session.sid, amr: [...PASSWORD_AND_OTP], cookies: [session.cookie] };
}
