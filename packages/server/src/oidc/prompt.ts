// OpenID Connect Core §3.1.2.1 `prompt` and `max_age`, and the decision they drive: must the user (re)authenticate?
import { InvalidRequest } from '../oauth/errors.ts';
import { isHintedUser } from './id-token-hint.ts';

export type PromptValue = 'none' | 'login' | 'consent';
export const PROMPT_VALUES: readonly PromptValue[] = ['none', 'login', 'consent'];

/** Space-delimited, case-sensitive values; "none" with any other value is an error (§3.1.2.1). */
export function parsePrompt(value: string | undefined): PromptValue[] {
  if (value === undefined) return [];
  const values = [...new Set(value.split(' ').filter((v) => v !== ''))];
  for (const v of values) {
    if (!(PROMPT_VALUES as readonly string[]).includes(v)) throw new InvalidRequest(`prompt value "${v}" is not supported (supported: ${PROMPT_VALUES.join(', ')})`);
  }
  if (values.includes('none') && values.length > 1) throw new InvalidRequest('prompt=none cannot be combined with other prompt values');
  return values as PromptValue[];
}

/** max_age: non-negative integer seconds since the last active authentication. */
export function parseMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new InvalidRequest('max_age must be a non-negative integer number of seconds');
  return Number(value);
}

export interface Authentication {
  userId: string;
  /** When the user last actively authenticated (Unix seconds). */
  authTime: number;
  /** The session's public id, when the authentication comes from a session (the `sid` of ID tokens). */
  sid?: string | undefined;
  /** RFC 8176 methods of that authentication (oidc/authentication-context.ts). */
  amr: string[];
}

export interface LoginRequirements {
  prompt: readonly PromptValue[];
  maxAge: number | undefined;
  idTokenHintSubject: string | undefined;
}

/**
 * Whether an existing session can serve the request: not with prompt=login, not when max_age has passed
 * since auth_time (§3.1.2.1), not when id_token_hint names another user.
 */
export function sessionSatisfies(session: Authentication | undefined, request: LoginRequirements, now: number): session is Authentication {
  if (!session) return false;
  if (request.prompt.includes('login')) return false;
  // Times are whole seconds, so "elapsed >= max_age" errs toward re-authenticating; max_age=0 then always asks
  // for a fresh login (Core errata: equivalent to prompt=login).
  if (request.maxAge !== undefined && now - session.authTime >= request.maxAge) return false;
  return isHintedUser(request.idTokenHintSubject, session.userId);
}
