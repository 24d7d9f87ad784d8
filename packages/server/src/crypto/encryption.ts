// Encryption at rest: AES-256-GCM with a key derived from LATCHKEY_SECRET by HKDF-SHA256 (RFC 5869).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** Seals and opens small values (private keys) with a key derived for one purpose. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(masterSecret: string, purpose: string) {
    if (masterSecret.length < 32) throw new Error('LATCHKEY_SECRET must be at least 32 characters');
    this.#key = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', purpose, 32));
  }

  /** `aad` binds the ciphertext to its record (for example a key id), so it cannot be moved to another. */
  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, aad: string): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || body === undefined || !tag) throw new Error('unrecognised ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('cannot decrypt: LATCHKEY_SECRET differs from the one the data was sealed with');
    }
  }
}
