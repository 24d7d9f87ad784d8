// Creating users and changing passwords (used by the CLI); the password is hashed before anything is stored.
import { RegistrationError } from '../clients/register-client.ts';
import { randomId } from '../crypto/random.ts';
import type { UserStore } from '../store/user-store.ts';
import type { UserRecord } from '../store/records.ts';
import { hashPassword, passwordProblem } from './password-hashing.ts';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface AddUserInput {
  username: string;
  password: string;
  email?: string;
  name?: string;
}

export async function addUser(store: UserStore, input: AddUserInput, now: number): Promise<UserRecord> {
  if (!USERNAME.test(input.username)) throw new RegistrationError('username must be 1-64 characters: letters, digits, . _ @ -, starting with a letter or digit');
  if (input.email !== undefined && !EMAIL.test(input.email)) throw new RegistrationError(`"${input.email}" is not an email address`);
  const problem = passwordProblem(input.password);
  if (problem) throw new RegistrationError(problem);
  const user: UserRecord = {
    id: randomId(), username: input.username, email: input.email ?? null, name: input.name?.trim() || null,
    passwordHash: await hashPassword(input.password), createdAt: now, updatedAt: now,
  };
  await store.createUser(user);
  return user;
}

export async function setPassword(store: UserStore, username: string, password: string, now: number): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new RegistrationError(problem);
  const user = await store.findUserByUsername(username);
  if (!user) throw new RegistrationError(`no user named ${username}`);
  await store.updateUserPassword(user.id, await hashPassword(password), now);
}
