// Refresh tokens: rotation on every use, and a reused (already rotated) token revokes the whole family, including
// the newest token (RFC 9700 §4.14.2; OAuth 2.1 §4.3.1). A grace window for the old token is allowed
// only until its successor is used.
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import { refreshWorks } from './code-reuse-checks.ts';
import type { CheckFamily } from './server-audit-context.ts';

const ROTATION = { id: 'refresh.rotation', title: 'a refresh returns a new refresh token', rfc: 'RFC 9700 §4.14.2' };
const REUSE = { id: 'refresh.reuse-detection', title: 'reusing a rotated refresh token is refused and revokes its successor', rfc: 'RFC 9700 §4.14.2' };

export const refreshTokenChecks: CheckFamily = {
  name: 'refresh',
  checks: [ROTATION, REUSE],
  needs: 'user',
  async run(ctx) {
    const evidence: Exchange[] = [];
    const signIn = await ctx.signInForTokens(evidence);
    if ('reason' in signIn) return [skipped(ROTATION, signIn.reason, evidence), skipped(REUSE, signIn.reason, evidence)];
    const first = signIn.tokens.refresh_token;
    if (!first) {
      const reason = `no refresh token was issued for scope "${ctx.scope}" (the client may lack the refresh_token grant)`;
      return [skipped(ROTATION, reason, evidence.slice(-1)), skipped(REUSE, reason, evidence.slice(-1))];
    }
    const shown: Exchange[] = [];
    const refreshed = await refreshWorks(ctx, first, shown);
    if (!refreshed.ok) return [fail(ROTATION, `refreshing a fresh refresh token failed (${refreshed.error})`, shown), skipped(REUSE, 'the first refresh failed', shown)];
    const second = refreshed.tokens?.refresh_token;
    const results: CheckResult[] = [];
    if (!second || second === first) {
      results.push(fail(ROTATION, second ? 'the refresh answer returned the same refresh token' : 'the refresh answer carried no new refresh token: the old one stays valid', shown));
      results.push(skipped(REUSE, 'refresh tokens are not rotated, so reuse cannot be told apart from normal use'));
      return results;
    }
    results.push(pass(ROTATION, 'a new refresh token replaced the old one', shown));
    // The successor is used first: a server may accept the old token again for a short while as a retry of a
    // refresh whose answer was lost (Latchkey's grace window, other servers' grace periods), but never once its
    // successor is in use.
    const reuseEvidence: Exchange[] = [];
    const moved = await refreshWorks(ctx, second, reuseEvidence);
    const third = moved.ok ? moved.tokens?.refresh_token : undefined;
    if (!third) return [...results, skipped(REUSE, `refreshing with the new refresh token failed (${moved.ok ? 'no refresh token' : moved.error})`, reuseEvidence)];
    const reuse = await refreshWorks(ctx, first, reuseEvidence);
    if (reuse.ok) return [...results, fail(REUSE, 'the rotated (old) refresh token was accepted again after its successor was used', reuseEvidence)];
    const successor = await refreshWorks(ctx, third, reuseEvidence);
    results.push(successor.ok
      ? fail(REUSE, `the old token was refused (${reuse.error}), but the newest token still works: a thief who refreshed first keeps access`, reuseEvidence)
      : pass(REUSE, `old token refused (${reuse.error}); the newest token revoked too (${successor.error})`, reuseEvidence));
    return results;
  },
};
