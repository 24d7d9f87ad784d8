// PKCE rules (RFC 7636 §4.1-4.6, RFC 9700 §2.1.1): S256 only, the value format, and the downgrade check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCodeChallenge, s256, verifyCodeVerifier, codeVerifierMatches } from '../../src/oauth/pkce.ts';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE', () => {
  it('computes the RFC 7636 Appendix B example', () => {
    assert.equal(s256(VERIFIER), CHALLENGE);
  });

  it('accepts S256 with a well-formed challenge; refuses plain, a missing method and malformed values', () => {
    assert.equal(readCodeChallenge(CHALLENGE, 'S256', true), CHALLENGE);
    assert.equal(readCodeChallenge(undefined, undefined, false), null);
    for (const [challenge, method, required] of [
      [undefined, undefined, true], [CHALLENGE, 'plain', true], [CHALLENGE, undefined, true], [CHALLENGE, 's256', true],
      [undefined, 'S256', false], ['a'.repeat(42), 'S256', true], ['a'.repeat(129), 'S256', true], [`${'a'.repeat(42)}=`, 'S256', true],
    ] as const) {
      assert.throws(() => readCodeChallenge(challenge, method, required), { code: 'invalid_request' }, `${challenge} ${method}`);
    }
  });

  it('verifies the verifier; missing, wrong or malformed → invalid_grant', () => {
    verifyCodeVerifier(CHALLENGE, VERIFIER);
    verifyCodeVerifier(null, undefined);
    for (const [challenge, verifier] of [[CHALLENGE, undefined], [CHALLENGE, `${VERIFIER.slice(0, -1)}A`], [CHALLENGE, 'short']] as const) {
      assert.throws(() => verifyCodeVerifier(challenge, verifier), { code: 'invalid_grant' });
    }
  });

  it('a verifier sent for a code issued without a challenge → invalid_request (OAuth 2.1 §4.1.3, RFC 9700 §4.8.2)', () => {
    assert.throws(() => verifyCodeVerifier(null, VERIFIER), { code: 'invalid_request' });
  });

  it('codeVerifierMatches answers yes only for the right, well-formed verifier', () => {
    assert.equal(codeVerifierMatches(CHALLENGE, VERIFIER), true);
    for (const verifier of [undefined, `${VERIFIER.slice(0, -1)}A`, 'short', `${VERIFIER}=`]) assert.equal(codeVerifierMatches(CHALLENGE, verifier), false);
  });
});
