// Consents remembered per user and client (incremental: scopes only ever added until the consent is deleted).
import type { ConsentRecord } from './records.ts';

export interface ConsentStore {
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Adds scopes to the remembered consent (union), creating it if needed; atomic. */
  addConsentScopes(userId: string, clientId: string, scopes: string[], now: number): Promise<ConsentRecord>;
  listConsents(userId: string): Promise<ConsentRecord[]>;
  deleteConsent(userId: string, clientId: string): Promise<boolean>;
}
