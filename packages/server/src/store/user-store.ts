// User accounts. Passwords are kept as argon2id hashes only.
import type { UserRecord } from './records.ts';

export interface UserStore {
  /** Fails with StoreConflict when the username is taken. */
  createUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** null removes the password (the user signs in with a passkey). */
  updateUserPassword(id: string, passwordHash: string | null, now: number): Promise<boolean>;
  /** Removes the user and, by cascade, their sessions, consents, codes and grants. */
  deleteUser(id: string): Promise<boolean>;
}
