// Device authorization requests (RFC 8628 §3.2-3.5), keyed by the SHA-256 of the device code; the user's page finds
// them by the keyed hash of the user code. Every change is one conditional update: a code is decided once and
// redeemed once, whatever runs concurrently.
import type { ConsumeDeviceCodeResult, DeviceCodeRecord, DeviceDecision, DevicePollResult, GrantRecord, RefreshTokenRecord } from './records.ts';

export interface DeviceCodeStore {
  /** StoreConflict when the user code (its hash) is taken: the caller draws another. */
  createDeviceCode(record: DeviceCodeRecord): Promise<void>;
  /** The record, whatever its state (the grant checks client and expiry). */
  getDeviceCode(deviceCodeHash: string): Promise<DeviceCodeRecord | undefined>;
  /** The unexpired record with this user code, whatever its status. */
  findDeviceCodeByUserCode(userCodeHash: string, now: number): Promise<DeviceCodeRecord | undefined>;
  /** Records the user's decision on a pending, unexpired code; undefined when it was not pending (decided before). */
  decideDeviceCode(userCodeHash: string, decision: DeviceDecision, now: number): Promise<DeviceCodeRecord | undefined>;
  /**
   * A poll of the token endpoint (RFC 8628 §3.5): 'ok' when at least `interval` seconds passed since the previous
   * poll (or it is the first); else 'slow_down' and the interval grows by `increase` seconds. Either way the poll's
   * time is recorded. Undefined for an unknown code.
   */
  pollDeviceCode(deviceCodeHash: string, now: number, increase: number): Promise<DevicePollResult | undefined>;
  /**
   * Redeems an approved, unexpired code of `grant.clientId` once: marks it consumed and stores the grant with its first
   * refresh token in one transaction. Of concurrent callers exactly one gets 'ok'; the others write nothing.
   */
  consumeDeviceCode(deviceCodeHash: string, now: number, grant: GrantRecord, firstRefreshToken: RefreshTokenRecord | null): Promise<ConsumeDeviceCodeResult>;
}
