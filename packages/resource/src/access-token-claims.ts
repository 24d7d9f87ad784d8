// The verified claims handed to route handlers: RFC 9068 §2.2 claims plus the parsed RFC 6749 §3.3 scope list, and the
// RFC 8693 §4.1 `act` chain of a token obtained by token exchange, flattened into `actors`.
import { TokenInvalidError } from './errors.ts';

export interface AccessTokenClaims {
  /** Resource owner, or the client itself for client-credentials tokens (RFC 9068 §2.2). */
  sub: string;
  client_id: string;
  /** Space-separated scope string exactly as issued ('' when the token has none). */
  scope: string;
  /** The same scopes as a de-duplicated list. */
  scopes: string[];
  iss: string;
  aud: string | string[];
  /** Seconds since the epoch. */
  exp: number;
  /** Always present for JWT access tokens (RFC 9068 §2.2); may be absent for opaque tokens checked by introspection. */
  iat?: number;
  /** Always present for JWT access tokens (RFC 9068 §2.2); may be absent for opaque tokens checked by introspection. */
  jti?: string;
  /**
   * Who acts on behalf of `sub` (RFC 8693 §4.1 `act`), the current actor first, then the actors before it; empty when
   * the token was issued to `client_id` for `sub` directly. With Latchkey, each actor's `sub` is the client that
   * exchanged the token (or the subject of its actor token). The raw `act` claim stays available as `claims.act`.
   */
  actors: Actor[];
  /** Every other claim of the token (or introspection response), unchanged. */
  [claim: string]: unknown;
}

/** One link of an RFC 8693 `act` chain: its claims (at least `sub`), without the nested `act`. */
export interface Actor {
  sub: string;
  [claim: string]: unknown;
}

/** Deeper chains are refused: no honest delegation is that long, and the claim comes from the token. */
const MAX_ACTORS = 10;

/** RFC 8693 §4.1: the `act` claim as a list, outermost (current) actor first; throws when it is malformed. */
export function actorChain(act: unknown): Actor[] {
  const actors: Actor[] = [];
  let link = act;
  while (link !== undefined) {
    if (typeof link !== 'object' || link === null || Array.isArray(link)) throw new TokenInvalidError('the access token act claim is malformed');
    const { act: next, ...claims } = link as Record<string, unknown>;
    if (typeof claims['sub'] !== 'string' || claims['sub'] === '') throw new TokenInvalidError('an actor in the access token act claim lacks a sub');
    if (actors.length === MAX_ACTORS) throw new TokenInvalidError(`the access token act claim nests more than ${MAX_ACTORS} actors`);
    actors.push(claims as Actor);
    link = next;
  }
  return actors;
}

/** Splits an RFC 6749 §3.3 scope string; throws when the claim is present but not a string. */
export function parseScope(scope: unknown): { scope: string; scopes: string[] } {
  if (scope === undefined) return { scope: '', scopes: [] };
  if (typeof scope !== 'string') throw new TokenInvalidError('the access token scope claim is malformed');
  return { scope, scopes: [...new Set(scope.split(' ').filter((item) => item !== ''))] };
}

function requireString(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') throw new TokenInvalidError(`the access token lacks a valid ${name} claim`);
  return value;
}

function requireNumber(claims: Record<string, unknown>, name: string): number {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TokenInvalidError(`the access token lacks a valid ${name} claim`);
  return value;
}

function optionalString(claims: Record<string, unknown>, name: string): string | undefined {
  return claims[name] === undefined ? undefined : requireString(claims, name);
}

function optionalNumber(claims: Record<string, unknown>, name: string): number | undefined {
  return claims[name] === undefined ? undefined : requireNumber(claims, name);
}

function audienceClaim(claims: Record<string, unknown>): string | string[] {
  const aud = claims['aud'];
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && aud.every((item) => typeof item === 'string')) return aud as string[];
  throw new TokenInvalidError('the access token lacks a valid aud claim');
}

/**
 * Builds claims from a payload whose iss/aud/exp/nbf were already checked. `strict` enforces RFC 9068 §2.2
 * (iat and jti required); introspection results (RFC 7662 §2.2) only need sub, client_id, iss, aud and exp.
 */
export function toAccessTokenClaims(payload: Record<string, unknown>, strict: boolean): AccessTokenClaims {
  const claims: AccessTokenClaims = {
    ...payload,
    sub: requireString(payload, 'sub'),
    client_id: requireString(payload, 'client_id'),
    ...parseScope(payload['scope']),
    iss: requireString(payload, 'iss'),
    aud: audienceClaim(payload),
    exp: requireNumber(payload, 'exp'),
    actors: actorChain(payload['act']),
  };
  const iat = strict ? requireNumber(payload, 'iat') : optionalNumber(payload, 'iat');
  const jti = strict ? requireString(payload, 'jti') : optionalString(payload, 'jti');
  if (iat === undefined) delete claims.iat; else claims.iat = iat;
  if (jti === undefined) delete claims.jti; else claims.jti = jti;
  return claims;
}
