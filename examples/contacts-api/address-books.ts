// The Contacts API's data: one address book per token subject, kept in memory. A user's book is seeded with the same
// sample contacts on first use, so every restart of the demo begins from a known state and nothing personal is
// ever written to disk. (A real API would use a database; nothing in the OAuth part would change.)
import { randomUUID } from 'node:crypto';

export interface Contact {
  id: string;
  name: string;
  email: string;
}

export interface NewContact {
  name: string;
  email: string;
}

const SAMPLE: readonly NewContact[] = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Alan Turing', email: 'alan@example.com' },
  { name: 'Katherine Johnson', email: 'katherine@example.com' },
];

const MAX_CONTACTS_PER_BOOK = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with a new contact, in words a person can act on; undefined when it is fine. */
export function contactProblem(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return 'send a JSON object with "name" and "email"';
  const { name, email } = input as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) return 'name must be 1 to 100 characters';
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email)) return 'email must be an email address';
  return undefined;
}

export class AddressBooks {
  readonly #books = new Map<string, Contact[]>();

  /** The subject's contacts; a user's book starts with the sample contacts, a service's book starts empty. */
  list(subject: string, kind: 'user' | 'client'): Contact[] {
    return [...this.#book(subject, kind)];
  }

  add(subject: string, kind: 'user' | 'client', input: NewContact): Contact | undefined {
    const book = this.#book(subject, kind);
    if (book.length >= MAX_CONTACTS_PER_BOOK) return undefined;
    const contact = { id: randomUUID(), name: input.name.trim(), email: input.email.trim() };
    book.push(contact);
    return contact;
  }

  summary(): { addressBooks: number; contacts: number } {
    let contacts = 0;
    for (const book of this.#books.values()) contacts += book.length;
    return { addressBooks: this.#books.size, contacts };
  }

  #book(subject: string, kind: 'user' | 'client'): Contact[] {
    let book = this.#books.get(subject);
    if (!book) {
      book = kind === 'user' ? SAMPLE.map((c) => ({ id: randomUUID(), ...c })) : [];
      this.#books.set(subject, book);
    }
    return book;
  }
}
