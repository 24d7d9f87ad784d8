// The second factor for password sign-ins (NIST SP 800-63B §5.1.4 single-factor OTP device as the second factor):
// TOTP enrolment (a secret sealed at rest like private keys, confirmed by a first code), ten single-use recovery codes
// (shown once, stored as SHA-256 hashes), and checking a code after the password: throttled with the password's
// counters (accounts/login-throttle.ts), and each TOTP time step accepted once.
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../crypto/encryption.ts';
import { hashSecret, randomSecret } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import type { AuditStore } from '../store/audit-store.ts';
import type { UserRecord } from '../store/records.ts';
import type { SecondFactorStore } from '../store/second-factor-store.ts';
import { deviceCookie } from './known-device-cookie.ts';
import { checkLoginThrottle, recordLoginFailure, throttleMessage, type LoginAttempt } from './login-throttle.ts';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri, timeStep } from './totp.ts';

export const RECOVERY_CODE_COUNT = 10;

const boxes = new WeakMap<ServerContext, SecretBox>();
function box(ctx: ServerContext): SecretBox {
  let b = boxes.get(ctx);
  if (!b) boxes.set(ctx, (b = new SecretBox(ctx.config.secret, 'totp-secrets')));
  return b;
}

/** Recovery codes as people copy them: 12 base32 characters in three groups (60 bits), compared without dashes and case. */
function newRecoveryCode(): string {
  const raw = base32Encode(randomBytes(8)).slice(0, 12).toLowerCase();
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}
const normalizedRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();
const isRecoveryCodeShape = (code: string) => /^[a-z2-7]{12}$/.test(normalizedRecoveryCode(code));

/** Starts (or restarts) an enrolment: a new secret, sealed; returns it with its otpauth URI for the QR code. */
export async function startTotpEnrolment(ctx: ServerContext, user: UserRecord): Promise<{ secret: string; uri: string } | undefined> {
  const secret = newTotpSecret();
  const now = ctx.now();
  const created = await ctx.store.createTotpFactor({ userId: user.id, secretSealed: box(ctx).seal(secret, user.id), confirmedAt: null, lastStep: 0, createdAt: now });
  if (!created) return undefined;
  return { secret, uri: otpauthUri(ctx.config.productName, user.username, secret) };
}

/** The pending enrolment's secret and URI (to show the QR code again), if an unconfirmed factor exists. */
export async function pendingTotpEnrolment(ctx: ServerContext, user: UserRecord): Promise<{ secret: string; uri: string } | undefined> {
  const factor = await ctx.store.getTotpFactor(user.id);
  if (!factor || factor.confirmedAt !== null) return undefined;
  const secret = box(ctx).open(factor.secretSealed, user.id);
  return { secret, uri: otpauthUri(ctx.config.productName, user.username, secret) };
}

/** Confirms the enrolment with a first code; returns the recovery codes (to show once), or undefined for a wrong code. */
export async function confirmTotpEnrolment(ctx: ServerContext, user: UserRecord, code: string): Promise<string[] | undefined> {
  const pending = await pendingTotpEnrolment(ctx, user);
  if (!pending) return undefined;
  const now = ctx.now();
  const step = matchTotp(pending.secret, code.trim(), now);
  if (step === undefined || !(await ctx.store.confirmTotpFactor(user.id, step, now))) return undefined;
  const codes = await replaceRecoveryCodes(ctx, user);
  await ctx.store.recordAuditEvent({ type: 'totp.added', userId: user.id }, now);
  return codes;
}

export async function replaceRecoveryCodes(ctx: ServerContext, user: UserRecord): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await ctx.store.replaceRecoveryCodes(user.id, codes.map((c) => hashSecret(normalizedRecoveryCode(c))), ctx.now());
  return codes;
}

/** Removes the authenticator app and the recovery codes. */
export async function removeTotp(store: SecondFactorStore & AuditStore, userId: string, by: 'user' | 'admin', now: number): Promise<boolean> {
  const removed = await store.deleteTotpFactor(userId);
  await store.deleteRecoveryCodes(userId);
  if (removed) await store.recordAuditEvent({ type: 'totp.removed', userId, detail: { by } }, now);
  return removed;
}

export type SecondFactorCheck =
  | { status: 'accepted'; method: 'otp' | 'recovery-code' }
  | { status: 'rejected'; message: string }
  | { status: 'throttled'; message: string; retryAfter: number };

export const WRONG_CODE = 'That code is not right, or it was already used. Try the next code from your app, or a recovery code.';

/** Checks a TOTP or recovery code of `user` after their password: throttled like passwords, each code accepted once. */
export async function checkSecondFactor(ctx: ServerContext, user: UserRecord, code: string | undefined, request: { ip: string; cookies: Map<string, string> }): Promise<SecondFactorCheck> {
  const attempt: LoginAttempt = { username: user.username, ip: request.ip, device: deviceCookie(ctx, request.cookies) };
  const throttle = await checkLoginThrottle(ctx, attempt);
  if (throttle.throttled) return { status: 'throttled', message: throttleMessage(throttle), retryAfter: throttle.retryAfter };
  const presented = (code ?? '').trim().slice(0, 40);
  const now = ctx.now();
  const factor = await ctx.store.getTotpFactor(user.id);
  let accepted: 'otp' | 'recovery-code' | undefined;
  if (factor?.confirmedAt != null && /^\d{6}$/.test(presented.replace(/\s/g, ''))) {
    const step = matchTotp(box(ctx).open(factor.secretSealed, user.id), presented.replace(/\s/g, ''), now);
    // RFC 6238 §5.2: the step must be later than the last one accepted (a replayed code, or an older one, fails).
    if (step !== undefined && step <= timeStep(now) + 1 && (await ctx.store.useTotpStep(user.id, step))) accepted = 'otp';
  } else if (isRecoveryCodeShape(presented) && (await ctx.store.consumeRecoveryCode(user.id, hashSecret(normalizedRecoveryCode(presented)), now))) {
    accepted = 'recovery-code';
  }
  if (!accepted) {
    await recordLoginFailure(ctx, attempt);
    await ctx.store.recordAuditEvent({ type: 'second-factor.failed', userId: user.id, detail: { ip: request.ip } }, now);
    return { status: 'rejected', message: WRONG_CODE };
  }
  await ctx.store.recordAuditEvent({ type: 'second-factor.succeeded', userId: user.id, detail: { ip: request.ip, method: accepted } }, now);
  return { status: 'accepted', method: accepted };
}

/** How long the account page waits for the code after the password (seconds). */
const PENDING_TTL = 300;

/**
 * The account page's sign-in between the password and the code: a random token in the form, its hash stored with the
 * user and bound to the browser (like a WebAuthn challenge), taken once per attempt (a wrong code gets a new one).
 */
export async function startPendingSecondFactor(ctx: ServerContext, browserSecret: string, userId: string): Promise<string> {
  const token = randomSecret();
  const now = ctx.now();
  await ctx.store.createWebAuthnChallenge({
    challengeHash: hashSecret(token), browserHash: hashSecret(browserSecret), purpose: 'second-factor', userId, createdAt: now, expiresAt: now + PENDING_TTL,
  });
  return token;
}

/** The user whose password was verified in this browser for `token`, once. */
export async function takePendingSecondFactor(ctx: ServerContext, browserSecret: string, token: string | undefined): Promise<string | undefined> {
  if (!token || token.length > 64) return undefined;
  const record = await ctx.store.consumeWebAuthnChallenge(hashSecret(token), hashSecret(browserSecret), 'second-factor', ctx.now());
  return record?.userId ?? undefined;
}
