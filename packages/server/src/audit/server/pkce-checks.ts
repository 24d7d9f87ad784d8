// PKCE: RFC 9700 §2.1.1 (authorization servers enforce PKCE), RFC 7636 §4.2 / RFC 9700 §4.8 (the plain method
// allows downgrades; only S256), RFC 7636 §4.6 (the token endpoint compares the verifier with the challenge).
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import { judgeRefusal } from './grant-refusal-checks.ts';
import { describeOutcome, pkcePair, type CheckFamily, type ServerAuditContext } from './server-audit-context.ts';

const ADVERTISED = { id: 'pkce.advertised', title: 'metadata lists S256 and not plain', rfc: 'RFC 8414 §2; RFC 9700 §2.1.1' };
const REQUIRED = { id: 'pkce.required', title: 'an authorization request without code_challenge is refused', rfc: 'RFC 9700 §2.1.1; OAuth 2.1 §4.1.1' };
const PLAIN = { id: 'pkce.plain-refused', title: 'code_challenge_method=plain is refused', rfc: 'RFC 9700 §4.8; RFC 7636 §4.2' };
const VERIFIER = { id: 'pkce.verifier-checked', title: 'a code with a wrong code_verifier is refused', rfc: 'RFC 7636 §4.6' };

/**
 * Sends an authorization request the server should refuse; if it issues a code anyway, tries to redeem it with
 * `verifier` (undefined: none). Accepted means tokens came back.
 */
async function refusedOrRedeemed(ctx: ServerAuditContext, overrides: Record<string, string | undefined>, verifier: string | undefined, evidence: Exchange[]): Promise<{ verdict: 'refused' | 'accepted' | 'unknown'; detail: string }> {
  const outcome = await ctx.authorize(overrides, evidence);
  if (outcome.kind === 'login-page') return { verdict: 'unknown', detail: 'the server asked for sign-in before deciding; pass --user to complete the flow' };
  const code = outcome.kind === 'redirect' ? outcome.params.get('code') : null;
  if (!code) {
    const judged = judgeRefusal(outcome, () => false);
    return judged.verdict === 'refused' ? judged : { verdict: 'unknown', detail: describeOutcome(outcome, 'no verdict') };
  }
  const response = await ctx.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: ctx.options.redirectUri!, ...(verifier ? { code_verifier: verifier } : {}) }, evidence);
  const body = response.json();
  return response.status === 200
    ? { verdict: 'accepted', detail: 'the server issued a code and then tokens for it' }
    : { verdict: 'refused', detail: `the server issued a code but the token endpoint refused it (${response.status} ${String(body?.error ?? '')}); refusing at /authorize is better` };
}

const toResult = (check: typeof REQUIRED, judged: { verdict: string; detail: string }, evidence: Exchange[]): CheckResult =>
  judged.verdict === 'refused' ? pass(check, judged.detail, evidence) : judged.verdict === 'accepted' ? fail(check, judged.detail, evidence) : skipped(check, judged.detail, evidence);

export const pkceChecks: CheckFamily = {
  name: 'pkce',
  checks: [ADVERTISED, REQUIRED, PLAIN, VERIFIER],
  async run(ctx) {
    const results: CheckResult[] = [];
    const methods = ctx.list('code_challenge_methods_supported');
    if (!methods) results.push(fail(ADVERTISED, 'code_challenge_methods_supported is absent: clients cannot tell PKCE is supported'));
    else if (!methods.includes('S256') || methods.includes('plain')) results.push(fail(ADVERTISED, `code_challenge_methods_supported is ${JSON.stringify(methods)}`));
    else results.push(pass(ADVERTISED, `code_challenge_methods_supported is ${JSON.stringify(methods)}`));

    const blocker = ctx.authorizationBlocker;
    if (blocker) return [...results, skipped(REQUIRED, blocker), skipped(PLAIN, blocker), skipped(VERIFIER, blocker)];

    let evidence: Exchange[] = [];
    results.push(toResult(REQUIRED, await refusedOrRedeemed(ctx, { code_challenge: undefined, code_challenge_method: undefined }, undefined, evidence), evidence));

    evidence = [];
    const plain = pkcePair().verifier;
    results.push(toResult(PLAIN, await refusedOrRedeemed(ctx, { code_challenge: plain, code_challenge_method: 'plain' }, plain, evidence), evidence));

    if (ctx.userBlocker) return [...results, skipped(VERIFIER, ctx.userBlocker)];
    evidence = [];
    const outcome = await ctx.authorize({ code_challenge: pkcePair().challenge }, evidence);
    const code = outcome.kind === 'redirect' ? outcome.params.get('code') : null;
    if (!code) return [...results, skipped(VERIFIER, describeOutcome(outcome, 'sign-in did not return a code'), evidence)];
    const response = await ctx.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: ctx.options.redirectUri!, code_verifier: pkcePair().verifier }, evidence);
    const error = String(response.json()?.error ?? '');
    results.push(response.status === 200
      ? fail(VERIFIER, 'tokens were issued for a code_verifier that does not match the code_challenge', evidence)
      : error === 'invalid_grant' ? pass(VERIFIER, `${response.status} invalid_grant`, evidence)
        : fail(VERIFIER, `refused, but with ${response.status} ${error || '(no error code)'} instead of invalid_grant`, evidence));
    return results;
  },
};
