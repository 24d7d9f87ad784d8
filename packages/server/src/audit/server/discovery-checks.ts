// Discovery sanity: RFC 8414 §2–3 and OpenID Connect Discovery 1.0 §3–4 (the document, its issuer, https, required
// members), and RFC 9700 §2.1.2 / §2.4 (the implicit and password grants must not be offered).
import { fail, pass, type CheckResult, type Exchange } from '../audit-report.ts';
import type { CheckFamily, ServerAuditContext } from './server-audit-context.ts';

const DOCUMENT = { id: 'discovery.document', title: 'metadata document is published', rfc: 'RFC 8414 §3; OIDC Discovery §4' };
const ISSUER = { id: 'discovery.issuer', title: 'issuer in the metadata equals the issuer URL exactly', rfc: 'RFC 8414 §3.3; OIDC Discovery §4.3' };
const HTTPS = { id: 'discovery.https', title: 'issuer and endpoints use https (loopback excepted)', rfc: 'RFC 8414 §2; OIDC Discovery §3' };
const REQUIRED = { id: 'discovery.required-members', title: 'required metadata members are present', rfc: 'RFC 8414 §2; OIDC Discovery §3' };
const NO_LEGACY = { id: 'discovery.no-implicit-or-password', title: 'implicit and password grants are not advertised', rfc: 'RFC 9700 §2.1.2, §2.4' };

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Where the metadata lives: OIDC Discovery appends to the issuer; RFC 8414 §3.1 inserts before the issuer's path. */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
}

async function fetchMetadata(ctx: ServerAuditContext, evidence: Exchange[]): Promise<{ url: string; openid: boolean } | undefined> {
  for (const [index, url] of metadataUrls(ctx.options.issuer).entries()) {
    const response = await ctx.probe.send({ url, headers: { accept: 'application/json' } });
    evidence.push(response.exchange);
    const json = response.json();
    if (response.status === 200 && json) {
      ctx.metadata = json;
      return { url, openid: index === 0 };
    }
  }
  return undefined;
}

export const discoveryChecks: CheckFamily = {
  name: 'discovery',
  checks: [DOCUMENT, ISSUER, HTTPS, REQUIRED, NO_LEGACY],
  async run(ctx) {
    const evidence: Exchange[] = [];
    let issuerUrl: URL;
    try {
      issuerUrl = new URL(ctx.options.issuer);
    } catch {
      return [fail(DOCUMENT, `"${ctx.options.issuer}" is not an absolute URL`)];
    }
    if (issuerUrl.search || issuerUrl.hash) return [fail(ISSUER, 'an issuer has no query or fragment (RFC 8414 §2)')];
    const found = await fetchMetadata(ctx, evidence);
    if (!found || !ctx.metadata) return [fail(DOCUMENT, 'no metadata document at either well-known location', evidence)];
    const metadata = ctx.metadata;
    const results: CheckResult[] = [pass(DOCUMENT, `found at ${found.url}`, evidence)];
    const shown = evidence.slice(-1);

    results.push(metadata.issuer === ctx.options.issuer
      ? pass(ISSUER, `issuer is "${ctx.options.issuer}"`, shown)
      : fail(ISSUER, `the document says issuer "${String(metadata.issuer)}", not "${ctx.options.issuer}": clients must refuse it (mix-up protection)`, shown));

    const urls = Object.entries(metadata).filter(([k, v]) => typeof v === 'string' && (k === 'issuer' || k.endsWith('_endpoint') || k === 'jwks_uri'));
    const insecure = urls.filter(([, v]) => {
      try {
        const u = new URL(v as string);
        return u.protocol !== 'https:' && !isLoopbackHost(u.hostname);
      } catch {
        return true;
      }
    });
    results.push(insecure.length === 0
      ? pass(HTTPS, isLoopbackHost(issuerUrl.hostname) ? 'loopback issuer: plain http is acceptable for local testing only' : 'every URL uses https', shown)
      : fail(HTTPS, `not https: ${insecure.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`, shown));

    const required = ['issuer', 'authorization_endpoint', 'token_endpoint', 'response_types_supported',
      ...(found.openid ? ['jwks_uri', 'subject_types_supported', 'id_token_signing_alg_values_supported'] : [])];
    const missing = required.filter((k) => metadata[k] === undefined);
    results.push(missing.length === 0 ? pass(REQUIRED, `present: ${required.join(', ')}`, shown) : fail(REQUIRED, `missing: ${missing.join(', ')}`, shown));

    const implicit = (ctx.list('response_types_supported') ?? []).filter((t) => t.split(' ').includes('token') || t === 'id_token');
    const grants = (ctx.list('grant_types_supported') ?? []).filter((g) => g === 'implicit' || g === 'password');
    results.push(implicit.length === 0 && grants.length === 0
      ? pass(NO_LEGACY, `response_types_supported: ${JSON.stringify(metadata.response_types_supported)}; grant_types_supported: ${JSON.stringify(metadata.grant_types_supported ?? '(absent: authorization_code and implicit by default)')}`, shown)
      : fail(NO_LEGACY, `advertised: ${[...implicit.map((t) => `response_type "${t}"`), ...grants.map((g) => `grant_type "${g}"`)].join(', ')}`, shown));
    return results;
  },
};
