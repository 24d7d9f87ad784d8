// Creating users and changing passwords (used by the CLI); the password is hashed before anything is stored.
import { RegistrationError } from '../clients/register-client.ts';
import { randomId } from '../crypto/random.ts';
import type { UserStore } from '../store/user-store.ts';
import type { UserRecord } from '../store/records.ts';
import { hashPassword, passwordProblem } from './password-hashing.ts';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number as people write it: an optional +, then digits with spaces, dots, dashes or parentheses. */
const PHONE = /^\+?[0-9][0-9 ().-]{2,30}$/;

export interface AddUserInput {
  username: string;
  password: string;
  email?: string;
  /** The operator checked the email address (OpenID Connect Core §5.1 `email_verified`). */
  emailVerified?: boolean;
  name?: string;
  phoneNumber?: string;
  phoneNumberVerified?: boolean;
  /** A postal address as one formatted block; `\n` separates lines. */
  address?: string;
}

export async function addUser(store: UserStore, input: AddUserInput, now: number): Promise<UserRecord> {
  if (!USERNAME.test(input.username)) throw new RegistrationError('username must be 1-64 characters: letters, digits, . _ @ -, starting with a letter or digit');
  if (input.email !== undefined && !EMAIL.test(input.email)) throw new RegistrationError(`"${input.email}" is not an email address`);
  if (input.emailVerified && input.email === undefined) throw new RegistrationError('an email address can only be verified when there is one (--email)');
  if (input.phoneNumber !== undefined && !PHONE.test(input.phoneNumber)) throw new RegistrationError(`"${input.phoneNumber}" is not a phone number`);
  if (input.phoneNumberVerified && input.phoneNumber === undefined) throw new RegistrationError('a phone number can only be verified when there is one (--phone)');
  const address = input.address?.replaceAll('\\n', '\n').trim() || null;
  if (address !== null && address.length > 500) throw new RegistrationError('the address is longer than 500 characters');
  const problem = passwordProblem(input.password);
  if (problem) throw new RegistrationError(problem);
  const user: UserRecord = {
    id: randomId(), username: input.username, email: input.email ?? null, emailVerified: input.emailVerified ?? false,
    name: input.name?.trim() || null, phoneNumber: input.phoneNumber ?? null, phoneNumberVerified: input.phoneNumberVerified ?? false, address,
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
