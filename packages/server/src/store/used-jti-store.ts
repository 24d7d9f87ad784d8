// One-time identifiers already used (RFC 9449 §11.1 DPoP proof jti; RFC 7523 §3 item 7 and OpenID Connect Core §9
// client assertion jti), shared by every instance so a replay to another instance is refused too.
export interface UsedJtiStore {
  /**
   * Records `key` as used until `expiresAt`; true when it was not in use (the caller may proceed), false when it was
   * (a replay). Atomic: of concurrent callers with one key, exactly one gets true. An expired entry counts as unused.
   */
  recordJti(key: string, expiresAt: number, now: number): Promise<boolean>;
}
