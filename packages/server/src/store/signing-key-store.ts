// Signing keys, private halves sealed at rest (AES-256-GCM); retired keys stay published until no token they signed can be valid.
import type { SigningAlg, SigningKeyRecord } from './records.ts';

export interface SigningKeyStore {
  /** Inserts `key` and retires the previous active key of the same alg, in one transaction. */
  createSigningKey(key: SigningKeyRecord, retiredKeysExpireAt: number): Promise<void>;
  /** Keys still published in the JWKS (not past expiresAt). */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;
  /** The newest key of `alg` that is not retired. */
  findActiveSigningKey(alg: SigningAlg): Promise<SigningKeyRecord | undefined>;
}
