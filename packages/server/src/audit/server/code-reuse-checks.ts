// Authorization codes: used once (RFC 6749 §4.1.2, §10.5; OAuth 2.1 §4.1.3), and a second use revokes the tokens the
// first one produced (RFC 6749 §4.1.2 "SHOULD revoke"), seen through introspection (RFC 7662 §2.2) or UserInfo.
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import type { CheckFamily, ServerAuditContext, TokenSet } from './server-audit-context.ts';

const SINGLE_USE = { id: 'code.single-use', title: 'an authorization code is refused the second time', rfc: 'RFC 6749 §4.1.2, §10.5' };
const REVOKES = { id: 'code.reuse-revokes-tokens', title: 'reusing a code revokes the tokens issued for it', rfc: 'RFC 6749 §4.1.2; RFC 9700 §4.5' };

/** Whether an access token still works: introspection when the client can use it, else UserInfo. */
export async function accessTokenActive(ctx: ServerAuditContext, token: string, evidence: Exchange[]): Promise<boolean | undefined> {
  const introspection = ctx.endpoint('introspection_endpoint');
  if (introspection && ctx.options.clientSecret) {
    const response = await ctx.tokenRequest({ token, token_type_hint: 'access_token' }, evidence, introspection);
    const body = response.json();
    if (response.status === 200 && typeof body?.active === 'boolean') return body.active;
  }
  const userinfo = ctx.endpoint('userinfo_endpoint');
  if (!userinfo) return undefined;
  const response = await ctx.probe.send({ url: userinfo, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  evidence.push(response.exchange);
  if (response.status === 200) return true;
  if (response.status === 401) return false;
  return undefined;
}

/** Whether a refresh token still works (a successful refresh spends it, so call this last). */
export async function refreshWorks(ctx: ServerAuditContext, refreshToken: string, evidence: Exchange[]): Promise<{ ok: boolean; tokens?: TokenSet; error: string }> {
  const response = await ctx.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, evidence);
  const body = response.json();
  return response.status === 200 ? { ok: true, tokens: body as TokenSet, error: '' } : { ok: false, error: `${response.status} ${String(body?.error ?? '')}`.trim() };
}

export const codeReuseChecks: CheckFamily = {
  name: 'code',
  checks: [SINGLE_USE, REVOKES],
  needs: 'user',
  async run(ctx) {
    const evidence: Exchange[] = [];
    const first = await ctx.signInForTokens(evidence);
    if ('reason' in first) return [skipped(SINGLE_USE, first.reason, evidence), skipped(REVOKES, first.reason, evidence)];
    const replay = await ctx.tokenRequest({ grant_type: 'authorization_code', code: first.code, redirect_uri: ctx.options.redirectUri!, code_verifier: first.verifier }, evidence);
    const error = String(replay.json()?.error ?? '');
    const results: CheckResult[] = [];
    if (replay.status === 200) results.push(fail(SINGLE_USE, 'the same code was exchanged twice', evidence));
    else if (error === 'invalid_grant') results.push(pass(SINGLE_USE, `second exchange: ${replay.status} invalid_grant`, evidence.slice(-1)));
    else results.push(fail(SINGLE_USE, `second exchange refused with ${replay.status} ${error || '(no error code)'} instead of invalid_grant`, evidence.slice(-1)));

    const after: Exchange[] = [replay.exchange];
    const active = await accessTokenActive(ctx, first.tokens.access_token!, after);
    const refresh = first.tokens.refresh_token ? await refreshWorks(ctx, first.tokens.refresh_token, after) : undefined;
    const findings = [
      active === true ? 'the access token from the first exchange still works' : active === false ? 'access token revoked' : 'access token: no introspection or UserInfo to ask',
      refresh === undefined ? 'no refresh token was issued' : refresh.ok ? 'the refresh token from the first exchange still works' : `refresh token refused (${refresh.error})`,
    ];
    if (active === true || refresh?.ok) results.push(fail(REVOKES, findings.join('; '), after));
    else if (active === undefined && refresh === undefined) results.push(skipped(REVOKES, findings.join('; '), after));
    else results.push(pass(REVOKES, findings.join('; '), after));
    return results;
  },
};
