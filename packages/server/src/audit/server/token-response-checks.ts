// Token responses seen during the audit: `expires_in` present and short (RFC 6749 §5.1; RFC 9700 §4.10: a short
// lifetime limits what a stolen token is worth), a JWT access token's own exp agrees, and no caching (RFC 6749 §5.1).
import { fail, pass, skipped, type CheckResult } from '../audit-report.ts';
import type { CheckFamily } from './server-audit-context.ts';

const LIFETIME = { id: 'tokens.access-lifetime', title: 'access tokens state expires_in of one hour or less', rfc: 'RFC 6749 §5.1; RFC 9700 §4.10' };
const NO_STORE = { id: 'tokens.no-store', title: 'token responses carry Cache-Control: no-store', rfc: 'RFC 6749 §5.1' };

/** Longest access token lifetime the audit accepts, in seconds. */
export const MAX_ACCESS_TOKEN_SECONDS = 3600;

function jwtLifetime(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
    return typeof payload.exp === 'number' && typeof payload.iat === 'number' ? payload.exp - payload.iat : undefined;
  } catch {
    return undefined;
  }
}

export const tokenResponseChecks: CheckFamily = {
  name: 'tokens',
  checks: [LIFETIME, NO_STORE],
  async run(ctx) {
    const seen = ctx.tokenResponses;
    if (seen.length === 0) {
      const reason = ctx.userBlocker ?? 'no token response was obtained';
      return [skipped(LIFETIME, reason), skipped(NO_STORE, reason)];
    }
    const results: CheckResult[] = [];
    const problems = seen.flatMap(({ tokens, response }) => {
      const expiresIn = typeof tokens.expires_in === 'number' ? tokens.expires_in : undefined;
      const jwt = tokens.access_token ? jwtLifetime(tokens.access_token) : undefined;
      const issues: string[] = [];
      if (expiresIn === undefined) issues.push('no expires_in');
      else if (expiresIn > MAX_ACCESS_TOKEN_SECONDS) issues.push(`expires_in ${expiresIn} s`);
      if (jwt !== undefined && jwt > MAX_ACCESS_TOKEN_SECONDS) issues.push(`JWT exp - iat = ${jwt} s`);
      if (jwt !== undefined && expiresIn !== undefined && Math.abs(jwt - expiresIn) > 60) issues.push(`JWT lifetime ${jwt} s disagrees with expires_in ${expiresIn} s`);
      return issues.length ? [{ issues, response }] : [];
    });
    const lifetimes = [...new Set(seen.map((s) => s.tokens.expires_in))].join(', ');
    results.push(problems.length === 0
      ? pass(LIFETIME, `${seen.length} token response(s); expires_in: ${lifetimes} s`)
      : fail(LIFETIME, `${problems[0]!.issues.join('; ')} (longer than ${MAX_ACCESS_TOKEN_SECONDS} s, or unknown to the client)`, [problems[0]!.response.exchange]));
    const cached = seen.filter(({ response }) => !/no-store/i.test(response.headers.get('cache-control') ?? ''));
    results.push(cached.length === 0
      ? pass(NO_STORE, `${seen.length} token response(s) with no-store`)
      : fail(NO_STORE, `${cached.length} token response(s) without Cache-Control: no-store`, [cached[0]!.response.exchange]));
    return results;
  },
};
