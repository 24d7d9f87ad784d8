// Signing in with a passkey (WebAuthn Level 3 §7.2, through accounts/passkeys.ts): no password; the passkey proves
// possession of the key and the authenticator verified the user, so the session counts as two factors (RFC 8176:
// hwk or swk, user, mfa). Like the password sign-in: audit, the caller's last step (`beforeSession`), a new session.
import { passkeyMethods } from '../oidc/authentication-context.ts';
import type { ServerContext } from '../server-context.ts';
import type { UserRecord } from '../store/records.ts';
import { startSession } from './login-session.ts';
import { PasskeyRejected, verifyPasskeyAssertion } from './passkeys.ts';

export interface PasskeySignInForm {
  /** The browser's answer (PublicKeyCredential JSON). */
  credential: string | undefined;
  browserSecret: string;
  ip: string;
  cookies: Map<string, string>;
  clientId?: string;
  via?: 'account';
  /** A second step for a known user (step-up): the passkey must be theirs. */
  expectedUser?: string;
  userAgent?: string | undefined;
}

export type PasskeySignIn =
  | { status: 'rejected'; message: string }
  | { status: 'abandoned' }
  | { status: 'signed-in'; user: UserRecord; authTime: number; sid: string; amr: string[]; cookies: string[] };

export async function signInWithPasskey(ctx: ServerContext, form: PasskeySignInForm, beforeSession?: () => Promise<boolean>): Promise<PasskeySignIn> {
  const now = ctx.now();
  const detail = { ip: form.ip, method: 'passkey', ...(form.via ? { via: form.via } : {}) };
  let verified;
  try {
    verified = await verifyPasskeyAssertion(ctx, form.browserSecret, form.credential, form.expectedUser);
  } catch (error) {
    if (!(error instanceof PasskeyRejected)) throw error;
    await ctx.store.recordAuditEvent({ type: 'login.failed', ...(form.clientId !== undefined ? { clientId: form.clientId } : {}), userId: null, detail: { ...detail, reason: error.message } }, now);
    ctx.metrics.login('failed');
    return { status: 'rejected', message: error.userMessage };
  }
  if (beforeSession && !(await beforeSession())) return { status: 'abandoned' };
  const amr = passkeyMethods(verified.passkey.deviceType);
  const session = await startSession(ctx, form.cookies, verified.user.id, now, amr, form.userAgent);
  await ctx.store.recordAuditEvent({
    type: 'login.succeeded', ...(form.clientId !== undefined ? { clientId: form.clientId } : {}), userId: verified.user.id, detail: { ...detail, passkey: verified.passkey.id },
  }, now);
  ctx.metrics.login('succeeded');
  return { status: 'signed-in', user: verified.user, authTime: now, sid: session.sid, amr, cookies: [session.cookie] };
}
