// Forged JWTs the server's own verifiers must refuse (RFC 8725 §2.1, §3.1: verify the algorithm; RFC 7519 §6 unsecured
// JWTs): `alg: none`, and HS256 keyed with the server's published public key (the algorithm-confusion attack). Seen
// at UserInfo (RFC 6750 §3.1: 401 invalid_token), introspection (RFC 7662 §2.2: active false) and as an
// id_token_hint (OpenID Connect Core §3.1.2.1, §3.1.2.6).
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { fail, pass, skipped, type CheckDefinition, type CheckResult, type Exchange } from '../audit-report.ts';
import { CookieJar } from '../probe-client.ts';
import { randomValue, type CheckFamily, type ServerAuditContext } from './server-audit-context.ts';

const NONE = { id: 'forged.alg-none', title: 'an access token with alg "none" is refused', rfc: 'RFC 8725 §2.1, §3.1; RFC 6750 §3.1' };
const HS256 = { id: 'forged.hs256-public-key', title: 'an HS256 token keyed with the public key is refused', rfc: 'RFC 8725 §2.1, §3.1' };
const HINT = { id: 'forged.id-token-hint', title: 'a forged id_token_hint is refused at /authorize', rfc: 'OIDC Core §3.1.2.1, §3.1.2.6' };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Claims a real token would carry: a genuine access token's payload when one was issued, else plausible ones. */
function claimsFor(ctx: ServerAuditContext): Record<string, unknown> {
  const genuine = ctx.tokenResponses.find((t) => t.tokens.access_token?.split('.').length === 3)?.tokens.access_token;
  const now = Math.floor(Date.now() / 1000);
  if (genuine) {
    try {
      return { ...JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>, iat: now, exp: now + 600, jti: randomValue() };
    } catch { /* fall through to invented claims */ }
  }
  return { iss: ctx.options.issuer, sub: 'latchkey-audit', aud: ctx.endpoint('userinfo_endpoint') ?? ctx.options.issuer, client_id: ctx.options.clientId, scope: 'openid', iat: now, exp: now + 600, jti: randomValue() };
}

export const unsecuredJwt = (header: Record<string, unknown>, claims: Record<string, unknown>): string => `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`;

/** HS256 keyed with the SPKI PEM of a published public key, the way a confused verifier would read it. */
function confusedJwt(ctx: ServerAuditContext, header: Record<string, unknown>, claims: Record<string, unknown>): string | undefined {
  const key = ctx.jwks?.keys.find((k) => k.kty === 'RSA' || k.kty === 'EC' || k.kty === 'OKP');
  if (!key) return undefined;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = key;
  const pem = createPublicKey({ key: publicMembers as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const input = `${b64({ ...header, alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
}

/** Presents a forged access token at UserInfo and introspection; accepted anywhere means fail. */
async function presentForged(ctx: ServerAuditContext, check: CheckDefinition, token: string): Promise<CheckResult> {
  const evidence: Exchange[] = [];
  const findings: string[] = [];
  let accepted = false;
  const userinfo = ctx.endpoint('userinfo_endpoint');
  if (userinfo) {
    const response = await ctx.probe.send({ url: userinfo, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    evidence.push(response.exchange);
    accepted ||= response.status === 200;
    findings.push(`UserInfo answered ${response.status}`);
  }
  const introspection = ctx.endpoint('introspection_endpoint');
  if (introspection && ctx.options.clientId && ctx.options.clientSecret) {
    const response = await ctx.tokenRequest({ token }, evidence, introspection);
    const active = response.json()?.active;
    accepted ||= active === true;
    findings.push(`introspection answered ${response.status} active=${String(active)}`);
  }
  if (findings.length === 0) return skipped(check, 'no UserInfo endpoint, and introspection needs --client-id and --client-secret');
  return accepted ? fail(check, `accepted: ${findings.join('; ')}`, evidence) : pass(check, findings.join('; '), evidence);
}

export const forgedTokenChecks: CheckFamily = {
  name: 'forged',
  checks: [NONE, HS256, HINT],
  async run(ctx) {
    const claims = claimsFor(ctx);
    const results: CheckResult[] = [await presentForged(ctx, NONE, unsecuredJwt({ typ: 'at+jwt' }, claims))];
    const confused = confusedJwt(ctx, { typ: 'at+jwt' }, claims);
    results.push(confused ? await presentForged(ctx, HS256, confused) : skipped(HS256, 'the JWKS has no public key to confuse with'));

    if (ctx.authorizationBlocker) return [...results, skipped(HINT, ctx.authorizationBlocker)];
    const now = Math.floor(Date.now() / 1000);
    const hint = unsecuredJwt({ typ: 'JWT' }, { iss: ctx.options.issuer, sub: 'latchkey-audit', aud: ctx.options.clientId, iat: now, exp: now + 600 });
    const evidence: Exchange[] = [];
    const outcome = await ctx.authorize({ prompt: 'none', id_token_hint: hint }, evidence, { signIn: false, jar: new CookieJar() });
    const error = outcome.kind === 'redirect' ? outcome.params.get('error') : null;
    if (outcome.kind === 'redirect' && outcome.params.has('code')) results.push(fail(HINT, 'a code was issued for a request whose id_token_hint is unsigned', evidence));
    else if (error === 'invalid_request' || (outcome.kind === 'page' && outcome.status >= 400)) results.push(pass(HINT, error ? `error=${error}${outcome.kind === 'redirect' && outcome.params.get('error_description') ? ` (${outcome.params.get('error_description')})` : ''}` : `error page (${outcome.kind === 'page' ? outcome.status : ''})`, evidence));
    else results.push(skipped(HINT, `the server answered ${error ? `error=${error}` : outcome.kind}, which does not tell whether it verified the hint (it may ignore hints when no one is signed in)`, evidence));
    return results;
  },
};
