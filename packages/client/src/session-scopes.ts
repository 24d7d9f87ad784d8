// Which scopes a session holds (RFC 6749 §3.3 scope strings): parsed, merged and checked in one place.
import { InsufficientScopeError, NotAuthenticatedError, ReauthenticationRequiredError } from './errors.ts';

export function parseScopes(value: string | undefined | null): string[] {
  return value ? [...new Set(value.split(' ').filter(Boolean))] : [];
}

export function unionScopes(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}

/** The scopes of `required` that `granted` lacks (exact matches only), in the order they were asked for. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const held = new Set(granted);
  return required.filter((scope) => !held.has(scope));
}

/**
 * Passes when `session` is signed in, usable and holds every scope of `required`. Otherwise throws
 * NotAuthenticatedError (no session), ReauthenticationRequiredError (a refresh was refused) or
 * InsufficientScopeError (naming the missing scopes). The adapters' guards are built on it.
 */
export function checkSession(
  session: { readonly reauthenticationRequired: boolean; readonly scopes: readonly string[] } | null | undefined,
  required: readonly string[] = [],
): void {
  if (!session) throw new NotAuthenticatedError();
  if (session.reauthenticationRequired) throw new ReauthenticationRequiredError();
  const missing = missingScopes(session.scopes, required);
  if (missing.length > 0) throw new InsufficientScopeError(missing);
}
