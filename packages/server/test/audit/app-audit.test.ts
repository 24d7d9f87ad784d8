// `latchkey audit app` against two relying parties on localhost: an app on @latchkey/client (every check passes) and
// a careless app (the audit catches each of its mistakes). The audit serves the issuer; a real chromium signs in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditReport } from '../../src/audit/audit-report.ts';
import { auditApp } from '../../src/audit/app/app-audit.ts';
import { formatAuditReport } from '../../src/audit/format-audit-report.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { startCarelessApp } from './careless-test-app.ts';
import { startKitApp } from './kit-test-app.ts';

const CLIENT = { id: 'audited-app', secret: 'audited-app-secret-0123456789abcdef' };
const statusOf = (report: AuditReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

describe('latchkey audit app', { timeout: 180_000 }, () => {
  it('passes an app built on @latchkey/client (state, PKCE S256, ID token checks, no tokens in the browser, refresh)', async () => {
    const appOrigin = `http://127.0.0.1:${await freePort()}`;
    let stop: (() => Promise<unknown>) | undefined;
    try {
      const report = await auditApp({
        loginUrl: `${appOrigin}/login`, issuerPort: 0, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: `${appOrigin}/auth/callback`,
        tokenUsePath: '/data',
        onIssuerReady: async (issuer) => {
          const app = await startKitApp(appOrigin, issuer, CLIENT);
          stop = () => app.close();
        },
      });
      assert.deepEqual(report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.detail}`), []);
    } finally {
      await stop?.();
    }
  });

  it('catches a careless app: state ignored, no PKCE, unverified ID tokens, tokens in localStorage and cookies, no refresh', async () => {
    const appOrigin = `http://127.0.0.1:${await freePort()}`;
    let stop: (() => Promise<unknown>) | undefined;
    try {
      const report = await auditApp({
        loginUrl: `${appOrigin}/login`, issuerPort: 0, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: `${appOrigin}/callback`,
        tokenUsePath: '/data',
        onIssuerReady: async (issuer) => {
          const app = await startCarelessApp(appOrigin, issuer, CLIENT);
          stop = () => app.close();
        },
      });
      assert.deepEqual(statusOf(report), {
        'app.pkce-s256': 'fail', 'app.tokens-not-in-browser': 'fail', 'app.state-checked': 'fail', 'app.id-token-signature': 'fail',
        'app.id-token-aud': 'fail', 'app.id-token-iss': 'fail', 'app.id-token-nonce': 'fail', 'app.code-flow-only': 'pass',
        'app.refresh-before-expiry': 'fail',
      });
      const detail = (id: string) => report.checks.find((c) => c.id === id)!.detail;
      assert.equal(detail('app.tokens-not-in-browser'), 'cookie id_token holds an issued token; localStorage "access_token" holds an issued token');
      assert.equal(detail('app.state-checked'), 'signed in after a callback whose state the app never sent; a callback without state');
      assert.equal(detail('app.refresh-before-expiry'), 'the app kept presenting an expired access token and never refreshed it');
      // The report itself leaks nothing it found: tokens and codes are redacted in the evidence.
      const text = formatAuditReport(report, { verbose: true });
      assert.doesNotMatch(text, /code=(?!\[redacted\])/);
      assert.doesNotMatch(text, /at\.[\w-]{20}|eyJ[\w-]+\.[\w-]+\./);
    } finally {
      await stop?.();
    }
  });
});
