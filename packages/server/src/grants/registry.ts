// The grant types this server supports, by grant_type (RFC 6749 §4). Add a grant by adding its handler here.
import type { GrantType } from '../store/records.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import type { GrantHandler } from './grant-handler.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { tokenExchangeGrant } from './token-exchange.ts';

const handlers: GrantHandler[] = [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, deviceCodeGrant, tokenExchangeGrant];

export const grantRegistry: ReadonlyMap<string, GrantHandler> = new Map(handlers.map((h) => [h.grantType, h]));

export const supportedGrantTypes = (): GrantType[] => handlers.map((h) => h.grantType);

/**
 * The parameters of `names` that carry another grant's credential and are not `grant`'s own (a code or code_verifier
 * with grant_type=refresh_token, a refresh_token with authorization_code, any of them with client_credentials).
 */
export function credentialsOfOtherGrants(grant: GrantHandler, names: readonly string[]): string[] {
  const foreign = new Set(handlers.filter((h) => h !== grant).flatMap((h) => [...h.credentials]).filter((p) => !grant.parameters.has(p)));
  return names.filter((name) => foreign.has(name));
}
