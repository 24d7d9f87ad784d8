// Removal of expired rows by the server itself (no separate janitor job).
export interface ExpiryStore {
  /** Deletes a bounded batch of expired rows of every kind; returns how many went. */
  deleteExpired(now: number, batchSize: number): Promise<number>;
}
