// The per-client "fapi2" profile: FAPI 2.0 Security Profile (final, February 2025) §5.3.2 for one client. Registration
// turns on what the profile requires and refuses what it forbids; the endpoints ask `isFapi2` where a rule depends on
// it at run time (PAR with redirect_uri, code lifetime, DPoP, assertion aud and algorithms). mTLS is not implemented:
// the profile's sender constraint is DPoP and its client authentication private_key_jwt.
import type { ClientProfile, ClientRecord } from '../store/records.ts';

/** FAPI 2.0 §5.3.2.1: authorization codes live at most 60 seconds. */
export const FAPI2_MAX_CODE_LIFETIME = 60;

export const isFapi2 = (client: Pick<ClientRecord, 'profile'>): boolean => client.profile === 'fapi2';

export interface ProfileChoices {
  isPublic: boolean;
  authMethod: string | undefined;
  allowWithoutPkce: boolean;
  idTokenAlg: string | undefined;
  redirectUris: string[];
}

/** What the profile turns on (stored with the client, so `client show` tells the truth). */
export interface ProfileSettings {
  requirePar: boolean;
  requireDpop: boolean;
  idTokenAlg: string | undefined;
}

/**
 * The reason `profile` forbids these registration choices, or the settings it turns on. FAPI 2.0 §5.3.2.1: confidential
 * clients only, authenticated with private_key_jwt (or mTLS, not implemented), sender-constrained tokens (DPoP);
 * §5.3.2.2: PAR, PKCE S256; §5.4.1: PS256, ES256 or EdDSA, so ID tokens are not RS256 (ES256 unless chosen).
 */
export function applyProfile(profile: ClientProfile, choices: ProfileChoices): ProfileSettings | { problem: string } {
  if (profile !== 'fapi2') return { problem: `unknown profile "${String(profile)}" (use fapi2)` };
  if (choices.isPublic) return { problem: 'a FAPI 2.0 client is confidential (FAPI 2.0 §5.3.2.1): it cannot be --public' };
  if (choices.authMethod !== 'private_key_jwt') return { problem: 'a FAPI 2.0 client authenticates with private_key_jwt (FAPI 2.0 §5.3.2.1; mTLS is not supported): add --auth private_key_jwt and its keys' };
  if (choices.allowWithoutPkce) return { problem: 'a FAPI 2.0 client must use PKCE (FAPI 2.0 §5.3.2.2)' };
  if (choices.idTokenAlg === 'RS256') return { problem: 'a FAPI 2.0 client cannot receive RS256 ID tokens (FAPI 2.0 §5.4.1: PS256, ES256 or EdDSA)' };
  const custom = choices.redirectUris.find((uri) => !/^https?:/.test(uri));
  if (custom) return { problem: `a FAPI 2.0 client's redirect URIs use https (or loopback http): ${custom}` };
  return { requirePar: true, requireDpop: true, idTokenAlg: choices.idTokenAlg ?? 'ES256' };
}
