// What the ID token says about how the user signed in: `amr` (RFC 8176 §2 values) and `acr` (OpenID Connect Core §2),
// and whether a sign-in meets what a client asks for (its "require a second factor" setting, `acr_values`).
// Our acr values: urn:latchkey:acr:pwd (one factor) and urn:latchkey:acr:mfa (two factors: a password and a TOTP code,
// or a passkey, which is a possession factor verified with the user's PIN or biometrics).

/** RFC 8176 §2: the methods Latchkey uses. */
export type AuthenticationMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'user' | 'mfa';

export const ACR_SINGLE_FACTOR = 'urn:latchkey:acr:pwd';
export const ACR_MULTI_FACTOR = 'urn:latchkey:acr:mfa';
/** Advertised as acr_values_supported (OpenID Connect Discovery §3), weakest first. */
export const ACR_VALUES = [ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR] as const;

/** Two factors were verified (RFC 8176 §2 "mfa"). */
export function isMultiFactor(amr: readonly string[]): boolean {
  return amr.includes('mfa');
}

/** The acr of a sign-in with these methods. */
export function acrFor(amr: readonly string[]): string {
  return isMultiFactor(amr) ? ACR_MULTI_FACTOR : ACR_SINGLE_FACTOR;
}

/** A password, then a TOTP or recovery code (RFC 8176: pwd + otp, two factors). */
export const PASSWORD_AND_OTP: readonly AuthenticationMethod[] = ['pwd', 'otp', 'mfa'];
export const PASSWORD_ONLY: readonly AuthenticationMethod[] = ['pwd'];

/**
 * A passkey: a key held by an authenticator (hwk when it cannot leave the device, swk when it is synced, from the
 * backup eligibility flag), with the user present (`user`, RFC 8176 §2) and verified by the authenticator (WebAuthn
 * §6.1 UV, required: a PIN or biometrics, which amr cannot name without knowing which): two factors, so `mfa`.
 */
export function passkeyMethods(deviceType: 'singleDevice' | 'multiDevice'): AuthenticationMethod[] {
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', 'user', 'mfa'];
}

/**
 * Whether a sign-in with `amr` meets the request (OpenID Connect Core §3.1.2.1 acr_values, voluntary: the values are
 * in order of preference; we satisfy the request when the sign-in meets any requested value we know, and a request
 * naming only values we do not know asks nothing), and the client's own "require a second factor" setting.
 */
export function meetsRequirement(amr: readonly string[], requested: { acrValues: readonly string[]; requireMfa: boolean }): boolean {
  if (requested.requireMfa && !isMultiFactor(amr)) return false;
  const known = requested.acrValues.filter((v) => (ACR_VALUES as readonly string[]).includes(v));
  if (known.length === 0) return true;
  return known.some((v) => v === ACR_SINGLE_FACTOR || isMultiFactor(amr));
}
