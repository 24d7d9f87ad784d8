// Signing keys, private halves sealed at rest (AES-256-GCM), through their lifecycle (issue 18): published (in the JWKS,
// not yet signing) -> active (signing) -> retired (published until no token it signed can be valid) -> removed.
// At most one key per alg is current (retiredAt null: active, or published and waiting); the database enforces it,
// so of several instances rotating at once exactly one succeeds.
import type { SigningAlg, SigningKeyRecord } from './records.ts';

/** What `revokeSigningKey` did besides removing the key. */
export interface SigningKeyRevocation {
  alg: SigningAlg;
  /** The key that signs for the alg from now on, when the revocation changed it (a waiting key activated at once, the
   *  previous key kept because the revoked one had not started signing, or the replacement). */
  signingKid: string | null;
}

export interface SigningKeyStore {
  /** Inserts the first current key of its alg; StoreConflict when the alg has one already (another process was first). */
  createSigningKey(key: SigningKeyRecord): Promise<void>;
  /**
   * Stages `next` (retiredAt null) as the successor of `currentKid`: the current key is retired at `next.activatesAt`
   * and published until `retiredKeyExpiresAt`, in one transaction. False, and nothing written, when `currentKid` is no
   * longer the current key of its alg (another process rotated first).
   */
  rotateSigningKey(currentKid: string, next: SigningKeyRecord, retiredKeyExpiresAt: number): Promise<boolean>;
  /**
   * Deletes `kid` at once (a compromised key) and keeps its alg signing, in one transaction: a waiting successor
   * activates now; if the revoked key was itself waiting, the key it would have replaced stays current; if nothing
   * else can sign, `replacement` (activatesAt = now) is inserted. Undefined when there is no such key.
   */
  revokeSigningKey(kid: string, now: number, replacement: SigningKeyRecord): Promise<SigningKeyRevocation | undefined>;
  /** Keys still published in the JWKS (not past expiresAt), newest first. */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;
  /** The current key of `alg` (not retired: active, or published and waiting to activate). */
  findCurrentSigningKey(alg: SigningAlg): Promise<SigningKeyRecord | undefined>;
}
