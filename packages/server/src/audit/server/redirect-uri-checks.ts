// Redirect URI matching: RFC 9700 §4.1.3 and RFC 6749 §3.1.2.3 (exact string comparison), §4.1.2.1 (on a mismatch,
// show an error and never redirect). Each variant of the registered URI is one check; the server must not send the
// browser to it. RFC 8252 §7.3 lets a loopback IP literal's port vary, so that variant is skipped for such URIs.
import { fail, pass, skipped, type CheckDefinition, type CheckResult, type Exchange } from '../audit-report.ts';
import { redactUrl } from '../redact-evidence.ts';
import { judgeRefusal } from './grant-refusal-checks.ts';
import type { CheckFamily } from './server-audit-context.ts';

const RFC = 'RFC 9700 §4.1.3; RFC 6749 §3.1.2.3, §4.1.2.1';
const MARK = 'latchkey-audit';

interface Variant {
  check: CheckDefinition;
  /** The altered URI, or the reason this variant does not apply. */
  build(url: URL, registered: string): string | { skip: string };
}

const isIpLiteral = (host: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
const define = (name: string, what: string): CheckDefinition => ({ id: `redirect-uri.${name}`, title: `a redirect URI with ${what} is refused`, rfc: RFC });

const VARIANTS: Variant[] = [
  { check: define('prefix', 'extra characters after the registered one (prefix match)'), build: (u) => `${u.origin}${u.pathname}${MARK}${u.search}` },
  { check: define('path', 'an extra path segment'), build: (u) => `${u.origin}${u.pathname.replace(/\/?$/, '/')}${MARK}${u.search}` },
  { check: define('path-traversal', 'a /../ path traversal'), build: (u) => `${u.origin}${u.pathname.replace(/\/?$/, '/')}../${MARK}${u.search}` },
  {
    check: define('suffix', 'a host that ends with the registered host (suffix match)'),
    build: (u) => (isIpLiteral(u.hostname) ? { skip: 'the registered host is an IP literal' } : `${u.protocol}//${MARK}${u.host}${u.pathname}${u.search}`),
  },
  {
    check: define('subdomain', 'a subdomain of the registered host'),
    build: (u) => (isIpLiteral(u.hostname) ? { skip: 'the registered host is an IP literal' } : `${u.protocol}//${MARK}.${u.host}${u.pathname}${u.search}`),
  },
  { check: define('query', 'an added query parameter'), build: (u, r) => `${r}${u.search ? '&' : '?'}${MARK.replace('-', '_')}=1` },
  {
    check: define('port', 'another port'),
    build: (u) => {
      if (u.protocol === 'http:' && isIpLiteral(u.hostname)) return { skip: 'RFC 8252 §7.3 lets a loopback IP redirect URI use any port' };
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      return `${u.protocol}//${u.hostname}:${port === 65535 ? port - 1 : port + 1}${u.pathname}${u.search}`;
    },
  },
  {
    check: define('case', 'a different letter case in the path'),
    build: (u) => (/[a-z]/.test(u.pathname) ? `${u.origin}${u.pathname.toUpperCase()}${u.search}` : { skip: 'the registered path has no lowercase letters' }),
  },
  {
    check: define('encoded', 'a percent-encoded character in the path'),
    build: (u) => {
      const index = u.pathname.search(/[A-Za-z]/);
      if (index < 0) return { skip: 'the registered path has no letters to encode' };
      const code = `%${u.pathname.charCodeAt(index).toString(16).toUpperCase()}`;
      return `${u.origin}${u.pathname.slice(0, index)}${code}${u.pathname.slice(index + 1)}${u.search}`;
    },
  },
  { check: define('encoded-traversal', 'an encoded %2e%2e traversal'), build: (u) => `${u.origin}${u.pathname.replace(/\/?$/, '/')}%2e%2e/${MARK}${u.search}` },
  {
    check: define('scheme', 'the other scheme (http/https)'),
    build: (u, r) => (u.protocol === 'https:' ? r.replace(/^https:/, 'http:') : u.protocol === 'http:' ? r.replace(/^http:/, 'https:') : { skip: 'not an http(s) URI' }),
  },
];

/** True when `location` is the registered URI plus response parameters (and nothing else changed). */
function atRegistered(location: string, registered: string): boolean {
  if (!location.startsWith(registered)) return false;
  const next = location.charAt(registered.length);
  return next === '' || next === '#' || next === (registered.includes('?') ? '&' : '?');
}

export const redirectUriChecks: CheckFamily = {
  name: 'redirect-uri',
  checks: VARIANTS.map((v) => v.check),
  needs: 'authorization',
  async run(ctx) {
    const registered = ctx.options.redirectUri!;
    const url = new URL(registered);
    const results: CheckResult[] = [];
    for (const variant of VARIANTS) {
      const altered = variant.build(url, registered);
      if (typeof altered !== 'string') {
        results.push(skipped(variant.check, altered.skip));
        continue;
      }
      if (altered === registered) {
        results.push(skipped(variant.check, 'this variant equals the registered URI'));
        continue;
      }
      const evidence: Exchange[] = [];
      const outcome = await ctx.authorize({ redirect_uri: altered }, evidence);
      if (outcome.kind === 'redirect') {
        const target = redactUrl(outcome.location);
        const carried = outcome.params.has('code') ? 'with a code' : outcome.params.get('error') ? `with error=${outcome.params.get('error')}` : 'without a code';
        if (!outcome.location.startsWith(altered) && atRegistered(outcome.location, registered)) results.push(pass(variant.check, `sent ${altered}; the server answered at the registered URI only (${carried})`, evidence));
        else results.push(fail(variant.check, `sent ${altered}; the server redirected to ${target}: codes can be sent to a URI that was never registered`, evidence));
        continue;
      }
      const judged = judgeRefusal(outcome, () => false);
      if (judged.verdict === 'refused') results.push(pass(variant.check, `sent ${altered}: ${judged.detail}`, evidence));
      else if (judged.verdict === 'accepted') results.push(fail(variant.check, `sent ${altered}: ${judged.detail}`, evidence));
      else results.push(skipped(variant.check, `sent ${altered}: ${judged.detail}`, evidence));
    }
    return results;
  },
};
