// Registered OAuth clients (RFC 6749 §2). Secrets are kept as SHA-256 hashes only.
import type { ClientLifetimes, ClientRecord } from './records.ts';

export interface ClientStore {
  /** Fails with StoreConflict when the id is taken. */
  createClient(client: ClientRecord): Promise<void>;
  getClient(id: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  /** False when the client is unknown or public (a public client has no secret). */
  updateClientSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  /** Sets the given lifetimes (null: back to the server's setting; absent: unchanged); false when the client is unknown. */
  updateClientLifetimes(id: string, lifetimes: Partial<ClientLifetimes>, now: number): Promise<boolean>;
  /** Removes the client and, by cascade, its consents, codes, grants and interactions. */
  deleteClient(id: string): Promise<boolean>;
}
