// Registered OAuth clients (RFC 6749 §2). Secrets are kept as SHA-256 hashes only.
import type { ClientLifetimes, ClientRecord } from './records.ts';

/** A client's logout registration (RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0 §2.2). */
export type ClientLogoutSettings = Pick<ClientRecord, 'postLogoutRedirectUris' | 'backchannelLogoutUri' | 'backchannelLogoutSessionRequired'>;

export interface ClientStore {
  /** Fails with StoreConflict when the id is taken. */
  createClient(client: ClientRecord): Promise<void>;
  getClient(id: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  /** False when the client is unknown or public (a public client has no secret). */
  updateClientSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  /** Replaces what a dynamic client registered (name, secret, redirect URIs, grant types, scopes, client_uri, logo_uri,
   *  application_type; RFC 7592 §2.2, or a refetched metadata document); false when there is no such dynamic client. */
  updateClientRegistration(client: ClientRecord): Promise<boolean>;
  /** Sets (a time) or clears (null) the operator's block; false when the client is unknown. */
  updateClientBlocked(id: string, blockedAt: number | null, now: number): Promise<boolean>;
  /** Records the first use once; false when it was already recorded or the client is unknown. */
  updateClientFirstUse(id: string, now: number): Promise<boolean>;
  /** Deletes at most `batch` dynamic clients created before `createdBefore`, never used and not blocked; returns their ids. */
  deleteUnusedClients(createdBefore: number, batch: number): Promise<string[]>;
  /** Sets the given lifetimes (null: back to the server's setting; absent: unchanged); false when the client is unknown. */
  updateClientLifetimes(id: string, lifetimes: Partial<ClientLifetimes>, now: number): Promise<boolean>;
  /** Replaces the client's logout settings; false when the client is unknown. */
  updateClientLogout(id: string, logout: ClientLogoutSettings, now: number): Promise<boolean>;
  /** Removes the client and, by cascade, its consents, codes, grants and interactions. */
  deleteClient(id: string): Promise<boolean>;
}
