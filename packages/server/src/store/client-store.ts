// Registered OAuth clients (RFC 6749 §2). Secrets are kept as SHA-256 hashes only.
import type { ClientRecord } from './records.ts';

/** A client's logout registration (RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0 §2.2). */
export type ClientLogoutSettings = Pick<ClientRecord, 'postLogoutRedirectUris' | 'backchannelLogoutUri' | 'backchannelLogoutSessionRequired'>;

export interface ClientStore {
  /** Fails with StoreConflict when the id is taken. */
  createClient(client: ClientRecord): Promise<void>;
  getClient(id: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  /** False when the client is unknown or public (a public client has no secret). */
  updateClientSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  /** Replaces the client's logout settings; false when the client is unknown. */
  updateClientLogout(id: string, logout: ClientLogoutSettings, now: number): Promise<boolean>;
  /** Removes the client and, by cascade, its consents, codes, grants and interactions. */
  deleteClient(id: string): Promise<boolean>;
}
