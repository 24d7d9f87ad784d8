// `latchkey audit server` against node-oidc-provider in a permissive configuration: each mistake configured in
// permissive-oidc-provider.ts shows up as a failing check, with the evidence that proves it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditReport } from '../../src/audit/audit-report.ts';
import { formatAuditReport } from '../../src/audit/format-audit-report.ts';
import { auditServer } from '../../src/audit/server/server-audit.ts';
import { startPermissiveProvider, type PermissiveProvider } from './permissive-oidc-provider.ts';

let provider: PermissiveProvider;
let report: AuditReport;

before(async () => {
  provider = await startPermissiveProvider('https://rp.example/audit/callback');
  report = await auditServer({
    issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, redirectUri: provider.redirectUri,
    credentials: { username: 'auditor', password: 'any-password-works-here' }, delayMs: 0,
  });
  if (process.env.LATCHKEY_AUDIT_PRINT) console.log(formatAuditReport(report));
});
after(async () => {
  await provider.close();
});

const check = (id: string) => {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `no check ${id}`);
  return found;
};

describe('latchkey audit server against a permissive node-oidc-provider', () => {
  it('fails exactly the checks its configuration breaks, and passes the rest', () => {
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
    assert.deepEqual(failed, [
      'discovery.no-implicit-or-password', 'grants.implicit-refused', 'login-page.framing', 'pkce.required',
      'redirect-uri.encoded-traversal', 'redirect-uri.path', 'redirect-uri.path-traversal', 'redirect-uri.prefix', 'redirect-uri.query',
      'refresh.rotation', 'tokens.access-lifetime',
    ]);
    assert.deepEqual(report.checks.filter((c) => c.status === 'skipped').map((c) => c.id), ['refresh.reuse-detection']);
    assert.equal(report.summary.failed, 11);
  });

  it('shows the evidence: PKCE optional means a code without code_challenge is redeemed for tokens', () => {
    const pkce = check('pkce.required');
    assert.equal(pkce.detail, 'the server issued a code and then tokens for it');
    const token = pkce.evidence.find((e) => e.request.method === 'POST' && e.request.url.endsWith('/token'))!;
    assert.equal(token.response?.status, 200);
    assert.doesNotMatch(token.request.body ?? '', /code_verifier/);
    assert.match(token.request.body ?? '', /code=\[redacted\]/);
  });

  it('shows the evidence: a prefix-matched redirect URI sends a code to an unregistered path', () => {
    const prefix = check('redirect-uri.path');
    assert.match(prefix.detail, /redirected to https:\/\/rp\.example\/audit\/callback\/latchkey-audit\?code=\[redacted\]&state=[\w-]+&iss=/);
    const last = prefix.evidence.at(-1)!;
    assert.match(last.response?.headers.location ?? '', /^https:\/\/rp\.example\/audit\/callback\/latchkey-audit\?code=\[redacted\]/);
  });

  it('shows the evidence: refresh tokens are not rotated, and a one-day access token', () => {
    assert.equal(check('refresh.rotation').detail, 'the refresh answer returned the same refresh token');
    assert.match(check('tokens.access-lifetime').detail, /^expires_in 86400 s/);
    assert.match(check('grants.implicit-refused').detail, /response_type=id_token token: redirected to https:\/\/rp\.example\/audit\/callback with id_token, access_token/);
  });

  it('never puts the client secret, the password or a token in the report', () => {
    const json = JSON.stringify(report);
    assert.ok(!json.includes(provider.clientSecret));
    assert.ok(!json.includes('any-password-works-here'));
    assert.doesNotMatch(json, /eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
