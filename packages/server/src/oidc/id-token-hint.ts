// id_token_hint (OpenID Connect Core §3.1.2.1): an ID token this server issued to this client earlier. Its signature
// and issuer are checked; expiry is not, since the hint is usually an old token.
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { InvalidRequest } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import { SIGNING_ALGS } from '../store/records.ts';

/** Whether `userId` is the user an id_token_hint named (true without a hint): the client expects a particular user. */
export function isHintedUser(hintSubject: string | undefined, userId: string): boolean {
  return hintSubject === undefined || hintSubject === userId;
}

/**
 * The payload of an ID token signed by one of our keys (alg none, an HMAC or a key that is not in our JWKS is refused)
 * and issued by us. `exp` is not checked. A hint that is not such a token is invalid_request.
 */
export async function readIdTokenHint(ctx: ServerContext, hint: string): Promise<Record<string, unknown>> {
  let payload: Record<string, unknown>;
  try {
    const jwks = createLocalJWKSet(ctx.keys.jwks() as unknown as JSONWebKeySet);
    const verified = await compactVerify(hint, jwks, { algorithms: [...SIGNING_ALGS] });
    if (verified.protectedHeader.typ !== undefined && verified.protectedHeader.typ !== 'JWT') throw new Error('not an ID token');
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    if (typeof payload !== 'object' || payload === null) throw new Error('payload is not an object');
  } catch (error) {
    throw new InvalidRequest('id_token_hint is not a valid ID token issued by this server', { debug: (error as Error).message });
  }
  if (payload.iss !== ctx.config.issuer || typeof payload.sub !== 'string') throw new InvalidRequest('id_token_hint was not issued by this server to this client');
  return payload;
}

/** The audiences of a verified ID token. */
export function hintAudiences(payload: Record<string, unknown>): unknown[] {
  return Array.isArray(payload.aud) ? payload.aud : [payload.aud];
}

/** Returns the hint's subject; a hint that is not our ID token for this client is invalid_request. */
export async function subjectFromIdTokenHint(ctx: ServerContext, hint: string, clientId: string): Promise<string> {
  const payload = await readIdTokenHint(ctx, hint);
  if (!hintAudiences(payload).includes(clientId)) throw new InvalidRequest('id_token_hint was not issued by this server to this client');
  return payload.sub as string;
}
