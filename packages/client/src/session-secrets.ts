// The six encrypted columns of a session row, sealed and opened in one place: AES-256-GCM (NIST SP 800-38D) with
// associated data binding each ciphertext to its row and column, so values cannot be swapped between them.
import type { SessionRecord } from './store/store-records.ts';
import { TokenCipher } from './token-encryption.ts';

export type SealedColumns = Pick<SessionRecord, 'accessToken' | 'refreshToken' | 'idToken' | 'profile' | 'audienceTokens' | 'dpopKey'>;
type Field = keyof SealedColumns;

const COLUMNS: Record<Field, string> = {
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  idToken: 'id_token',
  profile: 'profile',
  audienceTokens: 'audience_tokens',
  dpopKey: 'dpop_key',
};

/** An existing ciphertext to keep (re-encrypted under the current key when an older key wrote it). */
export interface Kept {
  kept: string;
}

/** A column's new value: plaintext to encrypt, a ciphertext to keep, or null. */
export type SecretValue = string | Kept | null;

/** The plaintext (or kept ciphertext) of each column; `accessToken` and `profile` (JSON) always have one. */
export type SessionSecrets = { accessToken: string | Kept; profile: string | Kept } & Record<'refreshToken' | 'idToken' | 'audienceTokens' | 'dpopKey', SecretValue>;

export function kept(value: string): Kept;
export function kept(value: string | null): Kept | null;
export function kept(value: string | null): Kept | null {
  return value === null ? null : { kept: value };
}

/** The associated data of one column of one session row. */
export function sessionColumnAad(sessionId: string, field: Field): string {
  return `session:${sessionId}:${COLUMNS[field]}`;
}

function seal(cipher: TokenCipher, sessionId: string, field: Field, value: SecretValue): string | null {
  if (value === null) return null;
  const aad = sessionColumnAad(sessionId, field);
  if (typeof value === 'string') return cipher.encrypt(value, aad);
  if (TokenCipher.kidOf(value.kept) === cipher.currentKid) return value.kept;
  return cipher.encrypt(cipher.decrypt(value.kept, aad), aad);
}

/** Encrypts (or keeps) every secret column of a session row. */
export function sealSessionSecrets(cipher: TokenCipher, sessionId: string, secrets: SessionSecrets): SealedColumns {
  return {
    accessToken: seal(cipher, sessionId, 'accessToken', secrets.accessToken)!,
    refreshToken: seal(cipher, sessionId, 'refreshToken', secrets.refreshToken),
    idToken: seal(cipher, sessionId, 'idToken', secrets.idToken),
    profile: seal(cipher, sessionId, 'profile', secrets.profile)!,
    audienceTokens: seal(cipher, sessionId, 'audienceTokens', secrets.audienceTokens),
    dpopKey: seal(cipher, sessionId, 'dpopKey', secrets.dpopKey),
  };
}

/** The plaintext of one column of a stored row. */
export function openSessionSecret(cipher: TokenCipher, record: Pick<SessionRecord, 'id'> & SealedColumns, field: 'accessToken' | 'profile'): string;
export function openSessionSecret(cipher: TokenCipher, record: Pick<SessionRecord, 'id'> & SealedColumns, field: Field): string | null;
export function openSessionSecret(cipher: TokenCipher, record: Pick<SessionRecord, 'id'> & SealedColumns, field: Field): string | null {
  const envelope = record[field];
  return envelope === null ? null : cipher.decrypt(envelope, sessionColumnAad(record.id, field));
}

/** Every secret column kept as it is (each re-encrypted under the current key if needed): what key rotation writes. */
export function keptSecrets(record: SealedColumns): SessionSecrets {
  return {
    accessToken: kept(record.accessToken),
    refreshToken: kept(record.refreshToken),
    idToken: kept(record.idToken),
    profile: kept(record.profile),
    audienceTokens: kept(record.audienceTokens),
    dpopKey: kept(record.dpopKey),
  };
}

/** Whether every secret column of the row was written with the current key. */
export function sealedWithCurrentKey(cipher: TokenCipher, record: SealedColumns): boolean {
  return (Object.keys(COLUMNS) as Field[]).every((field) => {
    const envelope = record[field];
    return envelope === null || TokenCipher.kidOf(envelope) === cipher.currentKid;
  });
}
