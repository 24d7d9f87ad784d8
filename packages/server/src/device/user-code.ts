// RFC 8628 §6.1 user codes: 8 characters from the 20 consonants BCDFGHJKLMNPQRSTVWXZ (no vowels, so no words; no
// digits or look-alikes such as 0/O, 1/I/L), about 34.6 bits, shown as XXXX-XXXX. Typed codes are normalised (case,
// spaces, dashes and other separators ignored). Stored as an HMAC under a key derived from the server secret: the
// code space is small enough that a plain hash in a stolen database could be reversed.
import { createHmac, hkdfSync, randomInt } from 'node:crypto';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

const keys = new Map<string, Buffer>();

function keyFor(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'latchkey', 'device-user-codes', 32));
    keys.set(secret, key);
  }
  return key;
}

/** A new user code, normalised (no separator). */
export function generateUserCode(): string {
  return Array.from({ length: USER_CODE_LENGTH }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
}

/** How a user code is shown: XXXX-XXXX. */
export function formatUserCode(normalised: string): string {
  return `${normalised.slice(0, 4)}-${normalised.slice(4)}`;
}

/**
 * What the user typed, as a normalised code: upper case, without spaces, dashes, dots or underscores; undefined when
 * the rest is not 8 characters of the alphabet (it cannot be any code, so it is not looked up or counted as a guess).
 */
export function normaliseUserCode(typed: string | undefined): string | undefined {
  if (typed === undefined || typed.length > 64) return undefined;
  const code = typed.normalize('NFKC').toUpperCase().replace(/[\s\-_.\u2010-\u2015]/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** The at-rest form of a normalised user code. */
export function userCodeHash(secret: string, normalised: string): string {
  return createHmac('sha256', keyFor(secret)).update(`user-code:${normalised}`).digest('base64url');
}
