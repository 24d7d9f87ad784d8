// Client authentication at the token endpoint: RFC 6749 §2.3.1 (client_secret_basic, client_secret_post), RFC 7523
// §2.2 (private_key_jwt, verified by client-assertion.ts) and public clients that send only client_id (RFC 6749 §2.1,
// OAuth 2.1 §2.4).
import { secretMatchesHash } from '../crypto/random.ts';
import type { FormParams } from './form-params.ts';
import type { ClientRecord } from '../store/records.ts';
import { InvalidClient, InvalidRequest } from './errors.ts';
import { assertedClientId, CLIENT_ASSERTION_TYPE } from './client-assertion.ts';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

export interface PresentedClient {
  clientId: string;
  secret: string | undefined;
  method: ClientAuthMethod;
  /** The JWT of private_key_jwt (RFC 7523 §2.2), unverified. */
  assertion?: string;
}

// §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.
function formDecode(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new InvalidClient('malformed client credentials in the Authorization header', { basicChallenge: true });
  }
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClient('malformed Basic authorization header', { basicChallenge: true });
  return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** Reads how the client presented itself; exactly one method may be used (RFC 6749 §2.3). */
export function readPresentedClient(authorization: string | undefined, params: FormParams): PresentedClient | undefined {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (params.has('client_assertion') || params.has('client_assertion_type')) return readAssertion(authorization, params, bodyId, bodySecret);
  if (authorization !== undefined && /^basic\b/i.test(authorization)) {
    if (bodySecret !== undefined) throw new InvalidRequest('the client authenticated with both client_secret_basic and client_secret_post; use exactly one');
    const basic = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== basic.clientId) throw new InvalidRequest('client_id in the body does not match the authenticated client');
    return { clientId: basic.clientId, secret: basic.secret, method: 'client_secret_basic' };
  }
  if (authorization !== undefined) throw new InvalidClient('unsupported authentication scheme; use HTTP Basic or client_secret_post', { basicChallenge: true });
  if (bodyId === undefined) {
    if (bodySecret !== undefined) throw new InvalidRequest('client_secret sent without client_id');
    return undefined;
  }
  return { clientId: bodyId, secret: bodySecret, method: bodySecret === undefined ? 'none' : 'client_secret_post' };
}

/** RFC 7523 §2.2: client_assertion_type and client_assertion, and no other method beside them. */
function readAssertion(authorization: string | undefined, params: FormParams, bodyId: string | undefined, bodySecret: string | undefined): PresentedClient {
  if (authorization !== undefined || bodySecret !== undefined) throw new InvalidRequest('the client authenticated with a client assertion and another method; use exactly one');
  const type = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if (type !== CLIENT_ASSERTION_TYPE) throw new InvalidClient(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
  if (assertion === undefined || assertion === '') throw new InvalidRequest('client_assertion_type was sent without client_assertion');
  const asserted = assertedClientId(assertion);
  if (asserted === undefined) throw new InvalidClient('client authentication failed: the client assertion is not a JWT naming its client in sub');
  if (bodyId !== undefined && bodyId !== asserted) throw new InvalidClient('client_id does not match the client assertion');
  return { clientId: asserted, secret: undefined, method: 'private_key_jwt', assertion };
}

/** Whether a client authenticates with private_key_jwt (it registered keys, and has no secret). */
export const usesPrivateKeyJwt = (client: ClientRecord): boolean => client.jwks !== null || client.jwksUri !== null;

/** Verifies the presented credentials against the registered client; the secret is compared in constant time. */
export function authenticateClient(presented: PresentedClient, client: ClientRecord | undefined): ClientRecord {
  const challenge = presented.method === 'client_secret_basic';
  if (!client) throw new InvalidClient('client authentication failed', { basicChallenge: challenge, debug: `unknown client ${presented.clientId}` });
  if (client.isPublic) {
    if (presented.method !== 'none') throw new InvalidClient('this client is public and has no secret; send only client_id', { basicChallenge: challenge });
    return client;
  }
  if (usesPrivateKeyJwt(client)) throw new InvalidClient('client authentication failed: this client must authenticate with private_key_jwt', { basicChallenge: challenge });
  if (presented.method === 'none' || presented.secret === undefined) throw new InvalidClient('client authentication failed: this client must authenticate with its secret');
  if (!client.secretHash || !secretMatchesHash(presented.secret, client.secretHash)) {
    throw new InvalidClient('client authentication failed', { basicChallenge: challenge, debug: `wrong secret for client ${client.id}` });
  }
  return client;
}
