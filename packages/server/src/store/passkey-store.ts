// Passkeys (WebAuthn Level 3 credential records) and the challenges of their ceremonies.
import type { PasskeyRecord, WebAuthnChallengeRecord, WebAuthnPurpose } from './records.ts';

export interface PasskeyStore {
  /** Fails with StoreConflict when the credential id is registered already (to anyone). */
  createPasskey(passkey: PasskeyRecord): Promise<void>;
  getPasskey(id: string): Promise<PasskeyRecord | undefined>;
  /** The user's passkeys, oldest first. */
  listPasskeys(userId: string): Promise<PasskeyRecord[]>;
  /**
   * Records a verified sign-in: the new counter, the backup state and the time, only if the counter moved forward
   * (or both the stored and the new one are 0: an authenticator without a counter, WebAuthn §6.1.1). False when it
   * did not (a cloned authenticator, or a concurrent sign-in with the same assertion counter).
   */
  updatePasskeyUse(id: string, use: { counter: number; backedUp: boolean; at: number }): Promise<boolean>;
  deletePasskey(userId: string, id: string): Promise<boolean>;
  /**
   * Removes one of the user's passkeys unless it is the last way a user without a password signs in ('last'), in one
   * transaction that locks the user, so two concurrent removals cannot both pass the check.
   */
  deletePasskeyKeepingSignIn(userId: string, id: string): Promise<'removed' | 'last' | 'unknown'>;
  /** Removes the user's password only while they have a passkey (same lock); false otherwise. */
  removePasswordOfPasskeyUser(userId: string, now: number): Promise<boolean>;
  createWebAuthnChallenge(challenge: WebAuthnChallengeRecord): Promise<void>;
  /** Removes the challenge and returns it exactly once, only for the browser and purpose it was made for; undefined when gone or expired. */
  consumeWebAuthnChallenge(challengeHash: string, browserHash: string, purpose: WebAuthnPurpose, now: number): Promise<WebAuthnChallengeRecord | undefined>;
}
