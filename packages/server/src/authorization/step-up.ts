// Step-up (OpenID Connect Core §3.1.2.1 acr_values; a client's "require a second factor" setting): whether a sign-in
// is weaker than the request asks, and what the user has to confirm a second factor with.
import { meetsRequirement } from '../oidc/authentication-context.ts';
import type { Authentication } from '../oidc/prompt.ts';
import type { ServerContext } from '../server-context.ts';
import type { AuthorizationRequest } from './authorization-request.ts';

/** What a user can step up with: their passkeys, a confirmed authenticator app. */
export interface SecondFactors {
  passkeys: number;
  totp: boolean;
}

export async function secondFactorsOf(ctx: ServerContext, userId: string): Promise<SecondFactors> {
  const [passkeys, totp] = await Promise.all([ctx.store.listPasskeys(userId), ctx.store.getTotpFactor(userId)]);
  return { passkeys: passkeys.length, totp: totp?.confirmedAt != null };
}

/** The client requires a second factor (its setting) or the request's acr_values do. */
export async function requirementOf(ctx: ServerContext, request: AuthorizationRequest): Promise<{ acrValues: string[]; requireMfa: boolean }> {
  const client = await ctx.clients.get(request.clientId);
  return { acrValues: request.acrValues, requireMfa: client?.requireMfa ?? false };
}

/**
 * True when `auth` does not meet the request. acr_values is voluntary (§3.1.2.1): a user with no second factor is
 * not held up by it (the ID token's acr says what was done); the client's own setting is not voluntary.
 */
export async function needsStepUp(ctx: ServerContext, request: AuthorizationRequest, auth: Authentication): Promise<boolean> {
  const requirement = await requirementOf(ctx, request);
  if (meetsRequirement(auth.amr, requirement)) return false;
  if (requirement.requireMfa) return true;
  const factors = await secondFactorsOf(ctx, auth.userId);
  return factors.passkeys > 0 || factors.totp;
}
