// The shape every grant type implements (RFC 6749 §4): its grant_type, the token request parameters it reads, which
// of them carry its credential, and a handler (node-oidc-provider's `parameters` sets are the model).
import type { FormParams } from '../oauth/form-params.ts';
import type { ServerContext } from '../server-context.ts';
import type { ClientRecord, GrantType } from '../store/records.ts';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  /** RFC 9449 §5: DPoP when the access token is bound to the proof's key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  /** RFC 8693 §2.2.1: the type of the token a token exchange issued. */
  issued_token_type?: string;
}

/** The request parameters a grant declared, and only those: reading another one is a bug, not a client error. */
export class GrantParams {
  readonly #params: FormParams;
  readonly #declared: ReadonlySet<string>;
  readonly #grantType: string;

  constructor(params: FormParams, grant: Pick<GrantHandler, 'grantType' | 'parameters'>) {
    this.#params = params;
    this.#declared = grant.parameters;
    this.#grantType = grant.grantType;
  }

  #declaredName(name: string): string {
    if (!this.#declared.has(name)) throw new Error(`the ${this.#grantType} grant read "${name}", which it does not declare in its parameters`);
    return name;
  }

  get(name: string): string | undefined {
    return this.#params.get(this.#declaredName(name));
  }

  require(name: string): string {
    return this.#params.require(this.#declaredName(name));
  }
}

export interface GrantRequest {
  client: ClientRecord;
  params: GrantParams;
  /** The JWK thumbprint of the request's checked DPoP proof (RFC 9449 §5), or undefined without one. */
  dpopJkt: string | undefined;
}

export interface GrantHandler {
  readonly grantType: GrantType;
  /** Every parameter the grant reads, besides grant_type and client authentication (RFC 6749 §4.1.3, §4.4.2, §6). */
  readonly parameters: ReadonlySet<string>;
  /** The parameters among them that carry this grant's credential: a request of another grant_type carrying one is refused. */
  readonly credentials: ReadonlySet<string>;
  /** The token endpoint calls `handle` only for authenticated clients registered for this grant type. */
  handle(ctx: ServerContext, request: GrantRequest): Promise<TokenResponse>;
}
