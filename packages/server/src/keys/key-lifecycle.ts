// The states of a signing key (issue 18), read from its dates: published (in the JWKS, waiting to sign) -> active
// (signing) -> retired (only verifying, until no token it signed can be valid) -> removed (past expiresAt, deleted).
// Every instance reads the same dates, so all switch to a new key at the same moment without talking to each other.
import type { SigningAlg, SigningKeyRecord } from '../store/records.ts';

export type KeyState = 'published' | 'active' | 'retired' | 'removed';

export const KEY_STATES: readonly KeyState[] = ['published', 'active', 'retired', 'removed'];

export function keyState(key: Pick<SigningKeyRecord, 'activatesAt' | 'retiredAt' | 'expiresAt'>, now: number): KeyState {
  if (key.expiresAt !== null && key.expiresAt <= now) return 'removed';
  if (key.activatesAt > now) return 'published';
  if (key.retiredAt !== null && key.retiredAt <= now) return 'retired';
  return 'active';
}

/** The timing rules of the lifecycle, from the configuration. */
export interface KeyLifecyclePolicy {
  /** Seconds a new key is published before it signs (longer than any verifier caches the JWKS). */
  leadSeconds: number;
  /** Seconds a retired key stays published: the longest lifetime of a token it can have signed, plus a margin. */
  retiredKeySeconds: number;
  /** Seconds between automatic rotations per algorithm; 0 or absent = never. */
  rotationIntervals: Partial<Record<SigningAlg, number>>;
}

/** Clock skew between instances and verifiers that a retired key's publication also covers. */
export const RETIRED_KEY_MARGIN_SECONDS = 300;

export function lifecyclePolicy(config: {
  keyPublishLeadTime: number; keyRotationInterval: Record<SigningAlg, number>; accessTokenTtl: number; idTokenTtl: number;
}): KeyLifecyclePolicy {
  return {
    leadSeconds: config.keyPublishLeadTime,
    // No per-client token lifetime exists: the server-wide access and ID token lifetimes bound every token.
    retiredKeySeconds: Math.max(config.accessTokenTtl, config.idTokenTtl) + RETIRED_KEY_MARGIN_SECONDS,
    rotationIntervals: config.keyRotationInterval,
  };
}

/** When the current key of an alg should hand over to a successor staged now (automatic rotation), or undefined. */
export function rotationDue(current: SigningKeyRecord, policy: KeyLifecyclePolicy, now: number): boolean {
  const interval = policy.rotationIntervals[current.alg] ?? 0;
  if (interval <= 0 || current.activatesAt > now) return false;
  // Staged `leadSeconds` early, so the successor starts signing when the interval is up.
  return current.activatesAt + interval - policy.leadSeconds <= now;
}
