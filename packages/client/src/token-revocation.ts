// Revoking tokens at the provider when a session ends, best effort (RFC 7009 §2.1).
import * as oidc from 'openid-client';
import type { KitContext } from './kit-context.ts';

export interface TokenToRevoke {
  token: string;
  hint: 'refresh_token' | 'access_token';
}

/**
 * Revokes each token when the provider has a revocation endpoint. Failures are reported through `warn` (never the
 * token) and otherwise ignored: the local session ends regardless, and the provider-side grant then expires on its own.
 */
export async function revokeAtProvider(context: KitContext, tokens: readonly TokenToRevoke[]): Promise<void> {
  if (!context.provider.serverMetadata().revocation_endpoint) return;
  for (const { token, hint } of tokens) {
    try {
      await oidc.tokenRevocation(context.provider, token, { token_type_hint: hint });
    } catch (error) {
      context.warn(`revoking a ${hint} failed`, error);
    }
  }
}
