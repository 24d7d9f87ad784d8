// Random secrets and their at-rest form: 256-bit values, stored as SHA-256 (high entropy needs no slow hash).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new 256-bit random secret, base64url (43 characters). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The at-rest form of a high-entropy secret (codes, refresh tokens, client secrets, session ids). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time check of a presented secret against its stored hash. */
export function secretMatchesHash(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A short random identifier for records that are not secrets (client ids, key ids, user ids). */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
