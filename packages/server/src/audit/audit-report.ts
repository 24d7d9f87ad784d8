// The outcome of `latchkey audit`: one result per check (pass, fail, or could not check with the reason), the RFC
// section the rule comes from, and the evidence (requests and answers, secrets already redacted).

export type CheckStatus = 'pass' | 'fail' | 'skipped';

/** One request and its answer, as recorded by the probe (redacted before it is stored). */
export interface Exchange {
  request: { method: string; url: string; headers?: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string };
  /** For things seen rather than sent (a browser's storage, a token the test issuer served). */
  note?: string;
}

export interface CheckResult {
  /** Stable id, e.g. `pkce.required`. */
  id: string;
  /** What the check asks, in one line. */
  title: string;
  /** The rule's source, e.g. `RFC 7636 §4.4.1`. */
  rfc: string;
  status: CheckStatus;
  /** What was observed (pass/fail) or why the check could not run (skipped). */
  detail: string;
  evidence: Exchange[];
}

export interface AuditReport {
  kind: 'server' | 'app';
  target: string;
  checks: CheckResult[];
  /** Requests the probe sent (server audit) or requests the test issuer answered (app audit). */
  requests: number;
  summary: { passed: number; failed: number; skipped: number };
}

export interface CheckDefinition {
  id: string;
  title: string;
  rfc: string;
}

export const pass = (check: CheckDefinition, detail: string, evidence: Exchange[] = []): CheckResult => ({ ...check, status: 'pass', detail, evidence });
export const fail = (check: CheckDefinition, detail: string, evidence: Exchange[] = []): CheckResult => ({ ...check, status: 'fail', detail, evidence });
export const skipped = (check: CheckDefinition, reason: string, evidence: Exchange[] = []): CheckResult => ({ ...check, status: 'skipped', detail: reason, evidence });

export function buildReport(kind: AuditReport['kind'], target: string, checks: CheckResult[], requests: number): AuditReport {
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  return { kind, target, checks, requests, summary: { passed: count('pass'), failed: count('fail'), skipped: count('skipped') } };
}

/** Exit status for CI: 1 when any check failed, else 0 (checks that could not run do not fail the run). */
export const auditExitCode = (report: AuditReport): number => (report.summary.failed > 0 ? 1 : 0);
