// The text form of an audit report: one line per check, the evidence under each failure (all of it with verbose).
import type { AuditReport, CheckResult, Exchange } from './audit-report.ts';

const LABEL: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP' };

function formatExchange(exchange: Exchange): string[] {
  const lines: string[] = [];
  if (exchange.note) lines.push(`        · ${exchange.note}`);
  if (exchange.request.method !== 'NOTE') {
    lines.push(`        > ${exchange.request.method} ${exchange.request.url}`);
    for (const [name, value] of Object.entries(exchange.request.headers ?? {})) lines.push(`        >   ${name}: ${value}`);
    if (exchange.request.body) lines.push(`        >   ${exchange.request.body}`);
  }
  if (exchange.response) {
    lines.push(`        < ${exchange.response.status}`);
    for (const [name, value] of Object.entries(exchange.response.headers)) lines.push(`        <   ${name}: ${value}`);
    if (exchange.response.body) lines.push(`        <   ${exchange.response.body}`);
  }
  return lines;
}

export function formatAuditReport(report: AuditReport, options: { verbose?: boolean } = {}): string {
  const lines = [`latchkey audit ${report.kind} ${report.target}`, ''];
  for (const check of report.checks) {
    lines.push(`  ${LABEL[check.status]}  ${check.id}  ${check.title}  (${check.rfc})`);
    lines.push(`        ${check.status === 'skipped' ? 'could not check: ' : ''}${check.detail}`);
    if (check.status === 'fail' || options.verbose) for (const exchange of check.evidence) lines.push(...formatExchange(exchange));
  }
  const { passed, failed, skipped } = report.summary;
  lines.push('', `${passed} passed, ${failed} failed, ${skipped} could not be checked (${report.requests} requests)`);
  return `${lines.join('\n')}\n`;
}
