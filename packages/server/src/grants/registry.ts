// The grant types this server supports, by grant_type (RFC 6749 §4). Add a grant by adding its handler here.
import type { GrantType } from '../store/records.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import type { GrantHandler } from './grant-handler.ts';
import { refreshTokenGrant } from './refresh-token.ts';

const handlers: GrantHandler[] = [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant];

export const grantRegistry: ReadonlyMap<string, GrantHandler> = new Map(handlers.map((h) => [h.grantType, h]));

export const supportedGrantTypes = (): GrantType[] => handlers.map((h) => h.grantType);
