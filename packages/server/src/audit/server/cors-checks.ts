// CORS must not be supported at the authorization endpoint: browsers navigate to it, scripts never call it
// (RFC 9700 §2.6). A cross-origin read with credentials would let any site read the page a signed-in user gets.
import { fail, pass, skipped, type Exchange } from '../audit-report.ts';
import type { CheckFamily } from './server-audit-context.ts';

const CORS = { id: 'cors.authorization-endpoint', title: 'the authorization endpoint answers no cross-origin reads', rfc: 'RFC 9700 §2.6' };
const ORIGIN = 'https://latchkey-audit.example';

export const corsChecks: CheckFamily = {
  name: 'cors',
  checks: [CORS],
  async run(ctx) {
    if (!ctx.endpoint('authorization_endpoint')) return [skipped(CORS, 'the metadata has no authorization_endpoint')];
    const url = ctx.authorizationBlocker ? ctx.endpoint('authorization_endpoint')! : ctx.authorizeUrl({});
    const evidence: Exchange[] = [];
    const preflight = await ctx.probe.send({ method: 'OPTIONS', url, headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
    evidence.push(preflight.exchange);
    const simple = await ctx.probe.send({ url, headers: { origin: ORIGIN } });
    evidence.push(simple.exchange);
    const allowed = [preflight, simple].map((r) => ({
      origin: r.headers.get('access-control-allow-origin'), credentials: r.headers.get('access-control-allow-credentials') === 'true',
    })).filter((a) => a.origin === '*' || a.origin === ORIGIN);
    if (allowed.length === 0) return [pass(CORS, `no Access-Control-Allow-Origin for ${ORIGIN}`, evidence)];
    const withCredentials = allowed.some((a) => a.credentials && a.origin === ORIGIN);
    return [fail(CORS, `Access-Control-Allow-Origin: ${allowed[0]!.origin}${withCredentials ? ' with Access-Control-Allow-Credentials: true (any site can read what a signed-in user gets)' : ''}`, evidence)];
  },
};
