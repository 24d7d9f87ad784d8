// Proof Key for Code Exchange: RFC 7636 §4.1-4.6, with S256 only (RFC 9700 §2.1.1, OAuth 2.1 §4.1.1).
import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidGrant, InvalidRequest } from './errors.ts';

/** §4.1 / §4.2: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Validates the authorization request's PKCE parameters. Returns the challenge, or null when none was sent
 * and `required` is false. `plain`, a missing method and a malformed challenge are refused (invalid_request).
 */
export function readCodeChallenge(challenge: string | undefined, method: string | undefined, required: boolean): string | null {
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method was sent without code_challenge');
    if (required) throw new InvalidRequest('PKCE is required: send code_challenge and code_challenge_method=S256 (RFC 7636)');
    return null;
  }
  if (method === undefined) throw new InvalidRequest('code_challenge_method is required and must be S256 (the plain method is not supported)');
  if (method !== 'S256') throw new InvalidRequest(`code_challenge_method "${method}" is not supported; use S256`);
  if (!PKCE_VALUE.test(challenge)) throw new InvalidRequest('code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.2)');
  return challenge;
}

/** §4.6: BASE64URL(SHA256(ASCII(code_verifier))) must equal the stored challenge. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** §4.6 as a yes/no answer: a well-formed verifier whose S256 equals the challenge (compared in constant time). */
export function codeVerifierMatches(challenge: string, verifier: string | undefined): boolean {
  if (verifier === undefined || !PKCE_VALUE.test(verifier)) return false;
  const expected = Buffer.from(challenge);
  const actual = Buffer.from(s256(verifier));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Checks the token request's code_verifier against the challenge bound to the code. A verifier for a code issued
 * without a challenge is invalid_request (OAuth 2.1 §4.1.3, RFC 9700 §4.8.2: PKCE downgrade).
 */
export function verifyCodeVerifier(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    if (verifier !== undefined) throw new InvalidRequest('code_verifier was sent but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw new InvalidGrant('code_verifier is required: the authorization request carried a code_challenge');
  if (!PKCE_VALUE.test(verifier)) throw new InvalidGrant('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)');
  if (!codeVerifierMatches(challenge, verifier)) throw new InvalidGrant('code_verifier does not match the code_challenge');
}
