// Random opaque identifiers and their SHA-256 digests (RFC 6749 §10.10: credentials must be unguessable; store only hashes).
import { createHash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url. */
export function randomOpaqueId(): string {
  return randomBytes(32).toString('base64url');
}

/** Lowercase hex SHA-256 of a string: how cookies and states are keyed in the store. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
