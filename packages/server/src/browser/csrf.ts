// CSRF protection for the login and consent forms (OWASP "signed double-submit cookie"): the form token is an
// HMAC of the browser-binding cookie, so a page on another site can neither read nor compute it.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export class CsrfTokens {
  readonly #key: Buffer;

  constructor(masterSecret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', 'csrf-tokens', 32));
  }

  /** The token every form of this browser carries. */
  tokenFor(browserSecret: string): string {
    return createHmac('sha256', this.#key).update(`csrf:${browserSecret}`).digest('base64url');
  }

  /** True only when the browser cookie is present and the submitted token was computed from it. */
  verify(browserSecret: string | undefined, submitted: string | undefined): boolean {
    if (!browserSecret || !submitted) return false;
    const expected = Buffer.from(this.tokenFor(browserSecret));
    const actual = Buffer.from(submitted);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
