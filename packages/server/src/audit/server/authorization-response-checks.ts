// Authorization responses, success and error alike: `state` comes back exactly as sent (RFC 6749 §4.1.2, §4.1.2.1)
// and `iss` names the issuer (RFC 9207 §2), advertised in the metadata (RFC 9207 §3).
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import type { CheckFamily } from './server-audit-context.ts';

const STATE = { id: 'authz-response.state', title: 'authorization responses echo state exactly', rfc: 'RFC 6749 §4.1.2, §4.1.2.1' };
const ISS = { id: 'authz-response.iss', title: 'authorization responses carry iss equal to the issuer', rfc: 'RFC 9207 §2, §3' };

export const authorizationResponseChecks: CheckFamily = {
  name: 'authz-response',
  checks: [STATE, ISS],
  needs: 'authorization',
  async run(ctx) {
    // An error response needs no user: an unknown response_type is refused by redirect once client and redirect URI are valid.
    const evidence: Exchange[] = [];
    await ctx.authorize({ response_type: 'latchkey_audit_unknown' }, evidence, { signIn: false });
    const observed = ctx.authorizationResponses;
    if (observed.length === 0) return [skipped(STATE, 'no authorization response reached the redirect URI', evidence), skipped(ISS, 'no authorization response reached the redirect URI', evidence)];
    const kinds = (list: typeof observed) => list.map((o) => (o.params.get('error') ? `error=${o.params.get('error')}` : o.params.has('code') ? 'code' : 'tokens')).join(', ');
    const results: CheckResult[] = [];

    const badState = observed.filter((o) => o.params.get('state') !== o.sentState);
    results.push(badState.length === 0
      ? pass(STATE, `${observed.length} response(s) (${kinds(observed)}) echoed state`)
      : fail(STATE, `${badState.length} of ${observed.length} response(s) did not echo state (${kinds(badState)})`, badState.map((o) => o.exchange)));

    const issuer = ctx.options.issuer;
    // RFC 9207 §2.4: a response that carries an ID token names its issuer in the token's iss claim instead.
    const badIss = observed.filter((o) => o.params.get('iss') !== issuer && !o.params.has('id_token'));
    const advertised = ctx.metadata?.authorization_response_iss_parameter_supported === true;
    if (badIss.length > 0) results.push(fail(ISS, `${badIss.length} of ${observed.length} response(s) (${kinds(badIss)}) lack iss=${issuer}: clients cannot detect mix-up attacks`, badIss.map((o) => o.exchange)));
    else if (!advertised) results.push(fail(ISS, 'responses carry iss, but the metadata does not set authorization_response_iss_parameter_supported, so clients will not check it'));
    else {
      const viaIdToken = observed.filter((o) => o.params.get('iss') !== issuer).length;
      results.push(pass(ISS, `${observed.length} response(s) (${kinds(observed)}) carried iss${viaIdToken ? ` (${viaIdToken} through the iss claim of the ID token they carried)` : ''}, and the metadata advertises it`));
    }
    return results;
  },
};
