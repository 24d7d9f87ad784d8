// Passkeys (WebAuthn Level 3) through @simplewebauthn/server: discoverable credentials (residentKey required), user
// verification required, attestation "none", the RP ID is the issuer's host and the origin must be exactly the
// issuer's origin (§7.1 steps 9 and 15, §7.2 steps 13 and 15). Challenges (§13.4.3) are random, stored server-side as a
// SHA-256 hash, bound to the browser (its binding cookie, authorization/interactions.ts), single use and short-lived,
// so any instance can finish a ceremony another started. The signature counter (§6.1.1) must move forward unless it
// is 0 on both sides; the backup flags (§6.1.3) are recorded.
import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import type { PasskeyRecord, UserRecord, WebAuthnPurpose } from '../store/records.ts';
import { StoreConflict } from '../store/store.ts';

/** How long a ceremony may take (WebAuthn §15.1 recommends 5 minutes for user verification required). */
export const CHALLENGE_TTL = 300;
export const MAX_PASSKEY_NAME = 60;
/** A credential id is at most 1023 bytes (§5.1): 1364 base64url characters. */
const MAX_CREDENTIAL_ID = 1364;
/** Longer answers are not read (a registration with attestation "none" is a few hundred bytes). */
export const MAX_CREDENTIAL_JSON = 16_384;

/**
 * @simplewebauthn/server (and its ASN.1 and X.509 dependencies, a large share of the server's modules) is loaded at the
 * first ceremony, not at start-up: most servers never see one.
 */
function webAuthn(): Promise<typeof import('@simplewebauthn/server')> {
  return import('@simplewebauthn/server');
}

/** The relying party: RP ID = the issuer's host, origin = the issuer's origin. */
export function relyingParty(ctx: ServerContext): { rpID: string; origin: string; name: string } {
  const issuer = new URL(ctx.config.issuer);
  return { rpID: issuer.hostname, origin: issuer.origin, name: ctx.config.productName };
}

/** The WebAuthn user handle of a user: their opaque id (never the username, §14.6.1), as UTF-8 bytes. */
export function userHandleOf(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

async function newChallenge(ctx: ServerContext, browserSecret: string, purpose: WebAuthnPurpose, userId: string | null): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(randomBytes(32));
  const now = ctx.now();
  await ctx.store.createWebAuthnChallenge({
    challengeHash: hashSecret(Buffer.from(bytes).toString('base64url')), browserHash: hashSecret(browserSecret), purpose, userId,
    createdAt: now, expiresAt: now + CHALLENGE_TTL,
  });
  return bytes;
}

/** Options for navigator.credentials.create(), with a fresh challenge for this browser and user. */
export async function registrationOptions(ctx: ServerContext, user: UserRecord, browserSecret: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty(ctx);
  const existing = await ctx.store.listPasskeys(user.id);
  const { generateRegistrationOptions } = await webAuthn();
  return generateRegistrationOptions({
    rpName: rp.name, rpID: rp.rpID, userName: user.username, userDisplayName: user.name ?? user.username, userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
    challenge: await newChallenge(ctx, browserSecret, 'registration', user.id), timeout: CHALLENGE_TTL * 1000, attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
}

/**
 * Options for navigator.credentials.get(): no allowCredentials (discoverable credentials, also for conditional
 * mediation), or the user's own passkeys when the user is known (a second step after the password).
 */
export async function authenticationOptions(ctx: ServerContext, browserSecret: string, forUser?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allow = forUser === undefined ? [] : (await ctx.store.listPasskeys(forUser)).map((p) => ({ id: p.id, transports: p.transports }));
  const { generateAuthenticationOptions } = await webAuthn();
  return generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID, userVerification: 'required', timeout: CHALLENGE_TTL * 1000,
    challenge: await newChallenge(ctx, browserSecret, 'authentication', null), ...(allow.length > 0 ? { allowCredentials: allow } : {}),
  });
}

export class PasskeyRejected extends Error {
  /** What the page says (short, never the internals). */
  readonly userMessage: string;
  constructor(userMessage: string, debug: string) {
    super(debug);
    this.name = 'PasskeyRejected';
    this.userMessage = userMessage;
  }
}

const UNUSABLE = 'That passkey could not be used. Try again, or use another way to sign in.';

/** Parses the browser's JSON answer (PublicKeyCredential.toJSON()) far enough to find its challenge. */
function parseCredential(json: string | undefined): { credential: Record<string, unknown>; challenge: string; id: string } {
  if (!json || json.length > MAX_CREDENTIAL_JSON) throw new PasskeyRejected(UNUSABLE, 'no credential, or one too long');
  let credential: unknown;
  try {
    credential = JSON.parse(json);
  } catch {
    throw new PasskeyRejected(UNUSABLE, 'the credential is not JSON');
  }
  if (!credential || typeof credential !== 'object') throw new PasskeyRejected(UNUSABLE, 'the credential is not an object');
  const c = credential as { id?: unknown; response?: { clientDataJSON?: unknown } };
  if (typeof c.id !== 'string' || c.id.length === 0 || c.id.length > MAX_CREDENTIAL_ID || typeof c.response?.clientDataJSON !== 'string') {
    throw new PasskeyRejected(UNUSABLE, 'the credential has no id or clientDataJSON');
  }
  let challenge: unknown;
  try {
    challenge = (JSON.parse(Buffer.from(c.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown }).challenge;
  } catch {
    throw new PasskeyRejected(UNUSABLE, 'clientDataJSON is not JSON');
  }
  if (typeof challenge !== 'string' || challenge.length > 128) throw new PasskeyRejected(UNUSABLE, 'clientDataJSON has no challenge');
  return { credential: c as Record<string, unknown>, challenge, id: c.id };
}

/** Takes the challenge the answer signed, once, only for this browser and ceremony. */
async function consumeChallenge(ctx: ServerContext, challenge: string, browserSecret: string, purpose: WebAuthnPurpose) {
  const record = await ctx.store.consumeWebAuthnChallenge(hashSecret(challenge), hashSecret(browserSecret), purpose, ctx.now());
  if (!record) throw new PasskeyRejected('This passkey request has expired or was already used. Try again.', `unknown, used, expired or foreign ${purpose} challenge`);
  return record;
}

/** Verifies a registration (§7.1) for the signed-in user and stores the new passkey under `name`. */
export async function registerPasskey(ctx: ServerContext, user: UserRecord, browserSecret: string, json: string | undefined, name: string | undefined): Promise<PasskeyRecord> {
  const label = (name ?? '').trim().slice(0, MAX_PASSKEY_NAME) || 'Passkey';
  const { credential, challenge } = parseCredential(json);
  const record = await consumeChallenge(ctx, challenge, browserSecret, 'registration');
  if (record.userId !== user.id) throw new PasskeyRejected(UNUSABLE, 'the registration challenge was made for another user');
  const rp = relyingParty(ctx);
  const { verifyRegistrationResponse } = await webAuthn();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: credential as unknown as RegistrationResponseJSON, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpID,
      requireUserVerification: true,
    });
  } catch (error) {
    throw new PasskeyRejected(UNUSABLE, `registration refused: ${(error as Error).message}`);
  }
  if (!verification.verified) throw new PasskeyRejected(UNUSABLE, 'registration not verified');
  const info = verification.registrationInfo;
  const now = ctx.now();
  const passkey: PasskeyRecord = {
    id: info.credential.id, userId: user.id, name: label, publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter, transports: (info.credential.transports ?? []).slice(0, 8), deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp, createdAt: now, lastUsedAt: null,
  };
  try {
    await ctx.store.createPasskey(passkey);
  } catch (error) {
    // §7.1 step 26: a credential id registered already (to this user or another) is refused.
    if (error instanceof StoreConflict) throw new PasskeyRejected('This passkey is registered already.', 'credential id taken');
    throw error;
  }
  await ctx.store.recordAuditEvent({ type: 'passkey.added', userId: user.id, detail: { passkey: passkey.id, deviceType: passkey.deviceType, backedUp: passkey.backedUp } }, now);
  return passkey;
}

/**
 * Verifies an assertion (§7.2) and returns the passkey and its user. `expectedUser`: the user a second step is for
 * (the credential must be theirs). The counter is advanced in the same conditional update that refuses a counter
 * going backwards.
 */
export async function verifyPasskeyAssertion(ctx: ServerContext, browserSecret: string, json: string | undefined, expectedUser?: string): Promise<{ passkey: PasskeyRecord; user: UserRecord }> {
  const { credential, challenge, id } = parseCredential(json);
  await consumeChallenge(ctx, challenge, browserSecret, 'authentication');
  const passkey = await ctx.store.getPasskey(id);
  if (!passkey) throw new PasskeyRejected('This passkey is not registered here (it may have been removed).', 'unknown credential id');
  // §7.2 step 6: the user handle, when present, must be the credential's owner.
  const userHandle = (credential.response as { userHandle?: unknown }).userHandle;
  if (userHandle !== undefined && userHandle !== null && userHandle !== userHandleOf(passkey.userId)) {
    throw new PasskeyRejected(UNUSABLE, 'the user handle does not belong to the credential');
  }
  if (expectedUser !== undefined && passkey.userId !== expectedUser) throw new PasskeyRejected(UNUSABLE, 'the passkey belongs to another user');
  const user = await ctx.store.getUser(passkey.userId);
  if (!user) throw new PasskeyRejected(UNUSABLE, 'the passkey has no user');
  const rp = relyingParty(ctx);
  const { verifyAuthenticationResponse } = await webAuthn();
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: credential as unknown as AuthenticationResponseJSON, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpID,
      credential: { id: passkey.id, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.counter, transports: passkey.transports },
      requireUserVerification: true,
    });
  } catch (error) {
    await auditFailure(ctx, passkey, (error as Error).message);
    throw new PasskeyRejected(UNUSABLE, `assertion refused: ${(error as Error).message}`);
  }
  if (!verification.verified) throw new PasskeyRejected(UNUSABLE, 'assertion not verified');
  const info = verification.authenticationInfo;
  const now = ctx.now();
  if (!(await ctx.store.updatePasskeyUse(passkey.id, { counter: info.newCounter, backedUp: info.credentialBackedUp, at: now }))) {
    await auditFailure(ctx, passkey, `counter ${info.newCounter} did not move forward`);
    throw new PasskeyRejected(UNUSABLE, 'the signature counter did not move forward (a cloned authenticator?)');
  }
  return { passkey: { ...passkey, counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: now }, user };
}

async function auditFailure(ctx: ServerContext, passkey: PasskeyRecord, reason: string): Promise<void> {
  await ctx.store.recordAuditEvent({ type: 'passkey.rejected', userId: passkey.userId, detail: { passkey: passkey.id, reason } }, ctx.now());
}

/** Removes one of the user's passkeys; a user without a password keeps at least one. */
export async function removePasskey(ctx: ServerContext, user: UserRecord, id: string): Promise<'removed' | 'last' | 'unknown'> {
  const outcome = await ctx.store.deletePasskeyKeepingSignIn(user.id, id);
  if (outcome === 'removed') await ctx.store.recordAuditEvent({ type: 'passkey.removed', userId: user.id, detail: { passkey: id } }, ctx.now());
  return outcome;
}
