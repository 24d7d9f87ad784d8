// Random secrets and their at-rest form: 256-bit values, stored as SHA-256 (high entropy needs no slow hash).
import { hash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

// Values that people paste into command lines (client ids, client secrets) must not start with "-", or
// `latchkey client show -Xy…` reads as an option. Redrawing the 1 in 64 such values costs 0.02 bits of entropy.
const startsLikeAnOption = (value: string): boolean => value.charCodeAt(0) === 45; // '-'

/** A new 256-bit random secret, base64url (43 characters), never starting with "-". */
export function randomSecret(bytes = 32): string {
  for (;;) {
    const secret = randomBytes(bytes).toString('base64url');
    if (!startsLikeAnOption(secret)) return secret;
  }
}

/** The at-rest form of a high-entropy secret (codes, refresh tokens, client secrets, session ids). */
export function hashSecret(secret: string): string {
  // One-shot crypto.hash: several times cheaper than a createHash chain for inputs this small.
  return hash('sha256', secret, 'base64url');
}

/** Constant-time check of a presented secret against its stored hash. */
export function secretMatchesHash(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

// Identifiers (not secrets) draw from a pool refilled by the CSPRNG, as randomUUID does: one system call per
// 256 ids instead of one per id. Every byte is used once.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** A short random identifier for records that are not secrets (token ids, client ids, user ids), never starting with "-". */
export function randomId(bytes = 16): string {
  for (;;) {
    if (offset + bytes > pool.length) {
      pool = randomFillSync(Buffer.allocUnsafe(Math.max(POOL_SIZE, bytes)));
      offset = 0;
    }
    const id = pool.toString('base64url', offset, offset + bytes);
    offset += bytes;
    if (!startsLikeAnOption(id)) return id;
  }
}
