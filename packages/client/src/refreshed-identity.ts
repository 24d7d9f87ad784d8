// A refreshed ID token must describe the original authentication (OIDC Core §12.2 Successful Refresh Response).
import type { JWTPayload } from 'jose';

/** The claims §12.2 pins to the ID token of the original authentication. */
export type PinnedClaim = 'iss' | 'sub' | 'aud' | 'azp' | 'auth_time';

function audienceSet(aud: JWTPayload['aud']): string {
  const list = aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
  return JSON.stringify([...new Set(list)].sort());
}

/**
 * The pinned claims in which `refreshed` differs from `original`; empty when it is the same authentication.
 * §12.2: `iss`, `sub` and `aud` MUST be the same; `azp` MUST be the same, and absent if it was absent; an
 * `auth_time` MUST be the time of the original authentication, which is checked when the original had one.
 */
export function changedPinnedClaims(original: JWTPayload, refreshed: JWTPayload): PinnedClaim[] {
  const changed: PinnedClaim[] = [];
  if (refreshed.iss !== original.iss) changed.push('iss');
  if (refreshed.sub !== original.sub) changed.push('sub');
  if (audienceSet(refreshed.aud) !== audienceSet(original.aud)) changed.push('aud');
  if (refreshed['azp'] !== original['azp']) changed.push('azp');
  if (refreshed['auth_time'] !== undefined && original['auth_time'] !== undefined && refreshed['auth_time'] !== original['auth_time']) {
    changed.push('auth_time');
  }
  return changed;
}
