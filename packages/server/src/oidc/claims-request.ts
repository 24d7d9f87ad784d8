// The `claims` request parameter: OpenID Connect Core §5.5. A JSON object whose `id_token` and `userinfo` members name
// individual claims (each `null` or `{ "essential": bool, "value": v, "values": [...] }`). What we do with it:
// - a requested claim that belongs to one of our scopes (§5.4) is released where it was asked for (the ID token, even for
//   a client that chose UserInfo-only claims, or UserInfo), when the user has it, provided the client is registered for
//   that scope; asking for it makes the consent page ask for that scope too (nothing is released without consent),
//   though the tokens' `scope` stays what was requested;
// - claims we do not know, or of scopes the client may not request, are ignored (§5.5: "not understood" claims are);
// - `essential` changes nothing: a claim the user lacks is left out either way (§5.5.1 lets the OP continue);
// - `sub` with a `value` names the user the client expects: another signed-in user gets login_required (§5.5.1).
import { InvalidRequest } from '../oauth/errors.ts';
import type { UserRecord } from '../store/records.ts';
import { userClaims } from './claims.ts';

/** Which scope carries each individually requestable claim (OpenID Connect Core §5.4). */
export const SCOPE_OF_CLAIM: Readonly<Record<string, string>> = {
  name: 'profile', preferred_username: 'profile', updated_at: 'profile',
  email: 'email', email_verified: 'email',
  phone_number: 'phone', phone_number_verified: 'phone',
  address: 'address',
};

/** The claims a request asked for by name, where; kept with the code and the grant. */
export interface RequestedClaims {
  idToken: string[];
  userinfo: string[];
}

export interface ClaimsParameter {
  requested: RequestedClaims;
  /** `sub.value` in either member: the only user the client accepts. */
  subject: string | undefined;
}

const MAX_CLAIMS_PARAMETER = 4096;

function readMember(member: unknown, where: string, allowedScopes: readonly string[]): { names: string[]; subject: string | undefined } {
  if (member === undefined || member === null) return { names: [], subject: undefined };
  if (typeof member !== 'object' || Array.isArray(member)) throw new InvalidRequest(`claims.${where} must be a JSON object`);
  const names: string[] = [];
  let subject: string | undefined;
  for (const [name, request] of Object.entries(member as Record<string, unknown>)) {
    if (request !== null && (typeof request !== 'object' || Array.isArray(request))) throw new InvalidRequest(`claims.${where}.${name} must be null or a JSON object`);
    const r = (request ?? {}) as { essential?: unknown; value?: unknown; values?: unknown };
    if (r.essential !== undefined && typeof r.essential !== 'boolean') throw new InvalidRequest(`claims.${where}.${name}.essential must be true or false`);
    if (r.values !== undefined && !Array.isArray(r.values)) throw new InvalidRequest(`claims.${where}.${name}.values must be an array`);
    if (name === 'sub' && r.value !== undefined) {
      if (typeof r.value !== 'string') throw new InvalidRequest(`claims.${where}.sub.value must be a string`);
      subject = r.value;
    }
    const scope = SCOPE_OF_CLAIM[name];
    if (scope !== undefined && allowedScopes.includes(scope)) names.push(name);
  }
  return { names, subject };
}

/** Parses and validates `claims`; undefined when absent. Malformed JSON or members are invalid_request. */
export function parseClaimsParameter(value: string | undefined, clientScopes: readonly string[]): ClaimsParameter | undefined {
  if (value === undefined) return undefined;
  if (value.length > MAX_CLAIMS_PARAMETER) throw new InvalidRequest('the claims parameter is too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidRequest('the claims parameter is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidRequest('the claims parameter must be a JSON object');
  const object = parsed as Record<string, unknown>;
  const idToken = readMember(object.id_token, 'id_token', clientScopes);
  const userinfo = readMember(object.userinfo, 'userinfo', clientScopes);
  if (idToken.subject !== undefined && userinfo.subject !== undefined && idToken.subject !== userinfo.subject) {
    throw new InvalidRequest('the claims parameter asks for two different sub values');
  }
  return { requested: { idToken: [...new Set(idToken.names)], userinfo: [...new Set(userinfo.names)] }, subject: idToken.subject ?? userinfo.subject };
}

/** The scopes that carry the requested claims: consent is asked for them too. */
export function scopesOfRequestedClaims(requested: RequestedClaims | undefined): string[] {
  if (!requested) return [];
  return [...new Set([...requested.idToken, ...requested.userinfo].map((name) => SCOPE_OF_CLAIM[name]!))];
}

/** The requested claims (of `names`) the user has, as UserInfo would show them. */
export function requestedUserClaims(user: UserRecord, names: readonly string[]): Record<string, unknown> {
  if (names.length === 0) return {};
  const all = userClaims(user, [...new Set(names.map((name) => SCOPE_OF_CLAIM[name]!))]);
  return Object.fromEntries(names.filter((name) => name in all).map((name) => [name, all[name]]));
}

export function serializeRequestedClaims(requested: RequestedClaims | undefined): string | null {
  return requested && (requested.idToken.length > 0 || requested.userinfo.length > 0) ? JSON.stringify(requested) : null;
}

export function deserializeRequestedClaims(json: string | null): RequestedClaims | undefined {
  if (json === null) return undefined;
  const r = JSON.parse(json) as Partial<RequestedClaims>;
  return { idToken: r.idToken ?? [], userinfo: r.userinfo ?? [] };
}
