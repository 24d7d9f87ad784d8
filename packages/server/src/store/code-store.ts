// Authorization codes (RFC 6749 §4.1.2: used once), keyed by the SHA-256 of the code.
import type { AuthorizationCodeRecord, ConsumeCodeResult, GrantRecord, RefreshTokenRecord, UserRecord } from './records.ts';

export interface CodeStore {
  /** Stores the code; one issued under a session (`sid`) also makes its client a participant of it, in the same write. */
  createCode(code: AuthorizationCodeRecord): Promise<void>;
  /** The code, whatever its state (the grant checks client, expiry and PKCE before consuming it). */
  getCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /** The code and its user, in one read (the token endpoint's exchange); a code's user always exists (cascading delete). */
  getCodeWithUser(codeHash: string): Promise<{ code: AuthorizationCodeRecord; user: UserRecord } | undefined>;
  /**
   * All or nothing (issue 11): marks the code consumed, names its grant, and stores the grant with its first refresh
   * token, in one transaction. Exactly one caller per code gets 'ok'; the others get 'reused' and nothing is written.
   */
  consumeCode(codeHash: string, now: number, grant: GrantRecord, firstRefreshToken: RefreshTokenRecord | null): Promise<ConsumeCodeResult>;
}
