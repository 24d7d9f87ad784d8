// The shape every grant type implements (RFC 6749 §4): it declares its grant_type and handles a token request.
import type { FormParams } from '../oauth/form-params.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord, GrantType } from '../store/records.ts';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface GrantRequest {
  client: ClientRecord;
  params: FormParams;
}

export interface GrantHandler {
  /** The token endpoint calls `handle` only for authenticated clients registered for this grant type. */
  readonly grantType: GrantType;
  handle(ctx: ServerContext, request: GrantRequest): Promise<TokenResponse>;
}
