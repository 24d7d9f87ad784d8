// APIs (resource servers, the `aud` of access tokens), their scopes and the clients allowed to introspect their tokens.
import type { ApiRecord } from './records.ts';

export interface ApiStore {
  /** Fails with StoreConflict when the identifier or a scope name is taken; then nothing is written. */
  createApi(api: ApiRecord): Promise<void>;
  listApis(): Promise<ApiRecord[]>;
  deleteApi(identifier: string): Promise<boolean>;
  /** Lets a client introspect the API's tokens (RFC 7662 §2.2); false when the API is unknown. Idempotent. */
  addApiIntrospector(identifier: string, clientId: string): Promise<boolean>;
  /** False when the API is unknown or the client was not one of its introspectors. */
  removeApiIntrospector(identifier: string, clientId: string): Promise<boolean>;
  /** Lets a client exchange tokens towards the API (RFC 8693); false when the API is unknown. Idempotent. */
  addApiExchanger(identifier: string, clientId: string): Promise<boolean>;
  /** False when the API is unknown or the client was not one of its exchangers. */
  removeApiExchanger(identifier: string, clientId: string): Promise<boolean>;
}
