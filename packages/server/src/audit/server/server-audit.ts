// `latchkey audit server`: runs every check family in order against any OAuth 2 / OpenID Connect server, over
// HTTP only, within a fixed request budget. A family that cannot finish reports its remaining checks as skipped.
import { buildReport, skipped, type AuditReport, type CheckResult } from '../audit-report.ts';
import { BudgetExhausted, ProbeClient } from '../probe-client.ts';
import { authorizationResponseChecks } from './authorization-response-checks.ts';
import { codeReuseChecks } from './code-reuse-checks.ts';
import { corsChecks } from './cors-checks.ts';
import { discoveryChecks } from './discovery-checks.ts';
import { forgedTokenChecks } from './forged-token-checks.ts';
import { grantRefusalChecks } from './grant-refusal-checks.ts';
import { jwksChecks } from './jwks-checks.ts';
import { loginPageChecks } from './login-page-checks.ts';
import { pkceChecks } from './pkce-checks.ts';
import { redirectUriChecks } from './redirect-uri-checks.ts';
import { refreshTokenChecks } from './refresh-token-checks.ts';
import { ServerAuditContext, type CheckFamily, type ServerAuditOptions } from './server-audit-context.ts';
import { tokenResponseChecks } from './token-response-checks.ts';

export const DEFAULT_BUDGET = 150;
export const DEFAULT_DELAY_MS = 100;

/** In order: later families reuse what earlier ones found (metadata, JWKS, tokens, authorization responses). */
export const SERVER_CHECK_FAMILIES: CheckFamily[] = [
  discoveryChecks, jwksChecks, grantRefusalChecks, redirectUriChecks, pkceChecks, loginPageChecks, corsChecks,
  codeReuseChecks, refreshTokenChecks, authorizationResponseChecks, tokenResponseChecks, forgedTokenChecks,
];

export async function auditServer(options: ServerAuditOptions): Promise<AuditReport> {
  const probe = new ProbeClient({ budget: options.budget ?? DEFAULT_BUDGET, delayMs: options.delayMs ?? DEFAULT_DELAY_MS, fetch: options.fetch });
  const ctx = new ServerAuditContext(options, probe);
  const results: CheckResult[] = [];
  for (const family of SERVER_CHECK_FAMILIES) {
    if (family !== discoveryChecks && !ctx.metadata) {
      results.push(...family.checks.map((c) => skipped(c, 'no usable metadata document')));
      continue;
    }
    const blocker = family.needs === 'user' ? ctx.userBlocker : family.needs === 'authorization' ? ctx.authorizationBlocker : undefined;
    if (blocker) {
      results.push(...family.checks.map((c) => skipped(c, blocker)));
      continue;
    }
    let produced: CheckResult[] = [];
    let reason: string | undefined;
    try {
      produced = await family.run(ctx);
    } catch (error) {
      reason = error instanceof BudgetExhausted ? error.message : `the ${family.name} checks stopped: ${(error as Error).message.split('\n')[0]}`;
    }
    results.push(...produced);
    for (const check of family.checks) {
      if (!produced.some((r) => r.id === check.id)) results.push(skipped(check, reason ?? 'not reached'));
    }
  }
  return buildReport('server', options.issuer, results, probe.sent);
}
