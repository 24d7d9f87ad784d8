// RFC 9449 §8: server-provided DPoP nonces, stateless so that every instance accepts every other's: a nonce is the
// HMAC (key derived from LATCHKEY_SECRET) of a 60-second window number; the current and the previous window's nonce
// are accepted, so a nonce lives 60 to 120 seconds and nothing is stored.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const WINDOW_SECONDS = 60;

export class DpopNonces {
  readonly #key: Buffer;

  constructor(masterSecret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', 'dpop-nonce', 32));
  }

  #nonceFor(window: number): string {
    return createHmac('sha256', this.#key).update(`dpop-nonce:${window}`).digest().subarray(0, 24).toString('base64url');
  }

  /** The nonce to hand out now (DPoP-Nonce header). */
  current(now: number): string {
    return this.#nonceFor(Math.floor(now / WINDOW_SECONDS));
  }

  /** Whether `nonce` is this window's or the previous one's. */
  isValid(nonce: unknown, now: number): boolean {
    if (typeof nonce !== 'string' || nonce.length !== 32) return false;
    const window = Math.floor(now / WINDOW_SECONDS);
    const presented = Buffer.from(nonce);
    return [window, window - 1].some((w) => {
      const expected = Buffer.from(this.#nonceFor(w));
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
  }
}
