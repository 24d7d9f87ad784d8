// amr and acr (RFC 8176 §2; OpenID Connect Core §2, §3.1.2.1 acr_values): which methods a passkey reports, the acr a
// sign-in reaches, and when a sign-in meets a client's requirement.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACR_MULTI_FACTOR, ACR_SINGLE_FACTOR, acrFor, meetsRequirement, passkeyMethods, PASSWORD_AND_OTP, PASSWORD_ONLY,
} from '../../src/oidc/authentication-context.ts';

describe('authentication context', () => {
  it('a passkey is two factors: hwk for a device-bound key, swk for a synced one, with user verification', () => {
    assert.deepEqual(passkeyMethods('singleDevice'), ['hwk', 'user', 'mfa']);
    assert.deepEqual(passkeyMethods('multiDevice'), ['swk', 'user', 'mfa']);
  });

  it('acr follows the factors: a password alone is pwd, a password and a code or a passkey is mfa', () => {
    assert.equal(acrFor(PASSWORD_ONLY), ACR_SINGLE_FACTOR);
    assert.equal(acrFor(PASSWORD_AND_OTP), ACR_MULTI_FACTOR);
    assert.equal(acrFor(passkeyMethods('multiDevice')), ACR_MULTI_FACTOR);
  });

  it('acr_values: met by any requested value we know; unknown values alone ask nothing', () => {
    const none = { acrValues: [], requireMfa: false };
    assert.equal(meetsRequirement(PASSWORD_ONLY, none), true);
    assert.equal(meetsRequirement(PASSWORD_ONLY, { ...none, acrValues: [ACR_MULTI_FACTOR] }), false);
    assert.equal(meetsRequirement(PASSWORD_AND_OTP, { ...none, acrValues: [ACR_MULTI_FACTOR] }), true);
    assert.equal(meetsRequirement(PASSWORD_ONLY, { ...none, acrValues: [ACR_MULTI_FACTOR, ACR_SINGLE_FACTOR] }), true, 'either is acceptable');
    assert.equal(meetsRequirement(PASSWORD_ONLY, { ...none, acrValues: ['urn:example:unknown'] }), true);
  });

  it("a client's second-factor setting is met only by two factors", () => {
    assert.equal(meetsRequirement(PASSWORD_ONLY, { acrValues: [], requireMfa: true }), false);
    assert.equal(meetsRequirement(PASSWORD_ONLY, { acrValues: [ACR_SINGLE_FACTOR], requireMfa: true }), false);
    assert.equal(meetsRequirement(passkeyMethods('singleDevice'), { acrValues: [], requireMfa: true }), true);
  });
});
