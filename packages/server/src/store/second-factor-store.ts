// The TOTP second factor (RFC 6238) and the recovery codes of a user.
import type { TotpFactorRecord } from './records.ts';

export interface SecondFactorStore {
  getTotpFactor(userId: string): Promise<TotpFactorRecord | undefined>;
  /** Starts an enrolment: replaces an unconfirmed factor; false (nothing written) when a confirmed one exists. */
  createTotpFactor(factor: TotpFactorRecord): Promise<boolean>;
  /** Confirms the factor with the time step of its first code (which is then used). */
  confirmTotpFactor(userId: string, step: number, now: number): Promise<boolean>;
  /** Accepts a code's time step once (RFC 6238 §5.2): true only if it is later than every step accepted before. */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  deleteTotpFactor(userId: string): Promise<boolean>;
  /** Replaces the user's recovery codes by these (SHA-256 hashes). */
  replaceRecoveryCodes(userId: string, codeHashes: string[], now: number): Promise<void>;
  /** Marks the code used, exactly once; false when unknown or used. */
  consumeRecoveryCode(userId: string, codeHash: string, now: number): Promise<boolean>;
  /** How many unused recovery codes the user has. */
  countRecoveryCodes(userId: string): Promise<number>;
  deleteRecoveryCodes(userId: string): Promise<number>;
}
