// The grants OAuth 2.1 removed must be refused: the resource owner password credentials grant (RFC 9700 §2.4) and
// the implicit grant, response_type=token or "id_token token" (RFC 9700 §2.1.2). The probe sends a password grant
// with a made-up user (never real credentials) and implicit requests for the audit's own client.
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import type { AuthorizationOutcome } from '../authorization-walk.ts';
import { describeOutcome, randomValue, type CheckFamily } from './server-audit-context.ts';

const PASSWORD = { id: 'grants.password-refused', title: 'the password grant is refused', rfc: 'RFC 9700 §2.4' };
const IMPLICIT = { id: 'grants.implicit-refused', title: 'the implicit flow (response_type token / id_token token) is refused', rfc: 'RFC 9700 §2.1.2' };

/** How an authorization request for something the server must refuse ended: refused, accepted, or unknown. */
export function judgeRefusal(outcome: AuthorizationOutcome, acceptedWhen: (params: URLSearchParams) => boolean): { verdict: 'refused' | 'accepted' | 'unknown'; detail: string } {
  switch (outcome.kind) {
    case 'redirect':
      if (outcome.params.get('error')) return { verdict: 'refused', detail: `redirected with error=${outcome.params.get('error')}` };
      return acceptedWhen(outcome.params)
        ? { verdict: 'accepted', detail: `redirected to ${new URL(outcome.location).origin}${new URL(outcome.location).pathname} with ${[...new Set(outcome.params.keys())].join(', ')}` }
        : { verdict: 'unknown', detail: describeOutcome(outcome, 'the server redirected') };
    case 'page':
      return outcome.status >= 400 ? { verdict: 'refused', detail: `error page (${outcome.status}), no redirect` } : { verdict: 'unknown', detail: describeOutcome(outcome, 'no verdict') };
    case 'login-page':
      return { verdict: 'accepted', detail: 'the server accepted the request and asked the user to sign in (a conforming server refuses before any sign-in)' };
    case 'login-failed':
      return { verdict: 'unknown', detail: describeOutcome(outcome, 'no verdict') };
  }
}

export const grantRefusalChecks: CheckFamily = {
  name: 'grants',
  checks: [PASSWORD, IMPLICIT],
  async run(ctx) {
    const results: CheckResult[] = [];
    if (!ctx.endpoint('token_endpoint')) {
      results.push(skipped(PASSWORD, 'the metadata has no token_endpoint'));
    } else if (!ctx.options.clientId) {
      results.push(skipped(PASSWORD, 'needs a client: pass --client-id (and --client-secret for a confidential client)'));
    } else {
      const evidence: Exchange[] = [];
      const response = await ctx.tokenRequest({ grant_type: 'password', username: 'latchkey-audit-no-such-user', password: randomValue(), scope: 'openid' }, evidence);
      const error = String(response.json()?.error ?? '');
      if (response.status === 200) results.push(fail(PASSWORD, 'the server issued tokens for a password grant', evidence));
      else if (error === 'unsupported_grant_type' || error === 'unauthorized_client') results.push(pass(PASSWORD, `${response.status} ${error}`, evidence));
      else if (error === 'invalid_grant') results.push(fail(PASSWORD, 'invalid_grant: the server implements the password grant and checked the made-up credentials', evidence));
      else if (error === 'invalid_client') results.push(skipped(PASSWORD, 'client authentication failed (check --client-id and --client-secret)', evidence));
      else results.push(skipped(PASSWORD, `ambiguous answer ${response.status} ${error}`, evidence));
    }

    const blocker = ctx.authorizationBlocker;
    if (blocker) return [...results, skipped(IMPLICIT, blocker)];
    const evidence: Exchange[] = [];
    const verdicts: string[] = [];
    let accepted = false;
    let unknown = false;
    for (const responseType of ['token', 'id_token token']) {
      const outcome = await ctx.authorize({ response_type: responseType, code_challenge: undefined, code_challenge_method: undefined, prompt: undefined }, evidence);
      const judged = judgeRefusal(outcome, (p) => p.has('access_token') || p.has('id_token'));
      accepted ||= judged.verdict === 'accepted';
      unknown ||= judged.verdict === 'unknown';
      verdicts.push(`response_type=${responseType}: ${judged.detail}`);
    }
    results.push(accepted ? fail(IMPLICIT, verdicts.join('; '), evidence) : unknown ? skipped(IMPLICIT, verdicts.join('; '), evidence) : pass(IMPLICIT, verdicts.join('; '), evidence));
    return results;
  },
};
