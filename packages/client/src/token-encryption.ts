// AES-256-GCM envelope for tokens at rest (NIST SP 800-38D), with key ids so keys can rotate.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ClientConfigurationError } from './errors.ts';

/** One encryption key: `key` is 32 random bytes, base64url-encoded. */
export interface EncryptionKey {
  kid: string;
  key: string;
}

const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts with the first key, decrypts with whichever key the ciphertext names.
 * The additional authenticated data binds each ciphertext to its row and column, so values cannot be swapped.
 */
export class TokenCipher {
  readonly #keys: Map<string, Buffer>;
  readonly #currentKid: string;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new ClientConfigurationError('encryptionKeys: at least one key is required');
    this.#keys = new Map();
    for (const { kid, key } of keys) {
      if (!KID_PATTERN.test(kid)) throw new ClientConfigurationError(`encryptionKeys: kid must match ${KID_PATTERN}`);
      if (this.#keys.has(kid)) throw new ClientConfigurationError(`encryptionKeys: duplicate kid "${kid}"`);
      const bytes = Buffer.from(key, 'base64url');
      if (bytes.length !== 32 || bytes.toString('base64url') !== key.replace(/=+$/, '')) {
        throw new ClientConfigurationError(`encryptionKeys: key "${kid}" must be 32 bytes, base64url-encoded`);
      }
      this.#keys.set(kid, bytes);
    }
    this.#currentKid = keys[0]!.kid;
  }

  /** The kid new ciphertexts are written with. */
  get currentKid(): string {
    return this.#currentKid;
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#currentKid)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}.${this.#currentKid}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  decrypt(envelope: string, associatedData: string): string {
    const [format, kid, ivText, bodyText, extra] = envelope.split('.');
    if (format !== FORMAT || kid === undefined || ivText === undefined || bodyText === undefined || extra !== undefined) {
      throw new Error('encrypted value has an unknown format');
    }
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`encrypted value uses key "${kid}", which is not configured`);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('encrypted value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** The kid a ciphertext was written with (for re-encryption after rotation). */
  static kidOf(envelope: string): string | undefined {
    return envelope.split('.')[1];
  }
}

/** A fresh random key in the format `encryptionKeys` expects. */
export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64url');
}
