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

type Client = { id: string; secret: string };
const CLIENT: Client = { id: 'audited-app', secret: 'audited-app-secret-0123456789abcdef' };
const statusOf = (report: AuditReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

/** Audits the app `start` serves (started once the test issuer listens) and stops it; returns the report and its verbose text. */
async function audit(start: (appOrigin: string, issuer: string) => Promise<{ close(): Promise<unknown> }>, callbackPath: string, tokenUsePath?: string) {
  const appOrigin = `http://127.0.0.1:${await freePort()}`;
  let app: { close(): Promise<unknown> } | undefined;
  try {
    const report = await auditApp({
      loginUrl: `${appOrigin}/login`, issuerPort: 0, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: `${appOrigin}${callbackPath}`, tokenUsePath,
      onIssuerReady: async (issuer) => {
        app = await start(appOrigin, issuer);
      },
    });
    // Every assertion below carries the whole report with its evidence, so that a failure says what the browser saw.
    return { report, text: formatAuditReport(report, { verbose: true }) };
  } finally {
    await app?.close();
  }
}

// Each test drives chromium through up to nine logins: a limit per test, generous for a loaded machine (a whole
// run takes 20 s alone and took 95 s on a fifth of a core), instead of one limit for the three together.
const SLOW = { timeout: 300_000 };

describe('latchkey audit app', () => {
  it('passes an app built on @latchkey/client (state, PKCE S256, ID token checks, no tokens in the browser, refresh)', SLOW, async () => {
    const { report, text } = await audit((origin, issuer) => startKitApp(origin, issuer, CLIENT), '/auth/callback', '/data');
    assert.deepEqual(report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.detail}`), [], text);
  });

  it('says what happened when an honest login fails: an app with the wrong client secret, every check could not be checked', SLOW, async () => {
    const wrongSecret: Client = { id: CLIENT.id, secret: 'not-the-secret-the-audit-expects-0123456789' };
    const { report, text } = await audit((origin, issuer) => startKitApp(origin, issuer, wrongSecret), '/auth/callback');
    assert.deepEqual(new Set(report.checks.map((c) => `${c.status}: ${c.detail}`)),
      new Set(['skipped: an honest login did not leave the app signed in: check the client id, secret, redirect URI and --session-check-path']), text);
    const evidence = report.checks[0]!.evidence.map((e) => e.note ?? '');
    assert.ok(evidence.includes('scenario honest: the app sent the browser to the issuer'), text);
    assert.ok(evidence.includes('token requests: authorization_code → 401 invalid_client (client_id or client secret does not match)'), text);
    assert.ok(evidence.some((n) => /^the app answered the callback with [45]\d\d$/.test(n)), text);
    assert.ok(evidence.some((n) => n.startsWith('session check / in a new tab: the app sent the browser to log in again') && n.endsWith('→ not signed in')), text);
  });

  it('catches a careless app: state ignored, no PKCE, unverified ID tokens, tokens in localStorage and cookies, no refresh', SLOW, async () => {
    const { report, text } = await audit((origin, issuer) => startCarelessApp(origin, issuer, CLIENT), '/callback', '/data');
    assert.deepEqual(statusOf(report), {
      'app.pkce-s256': 'fail', 'app.tokens-not-in-browser': 'fail', 'app.state-checked': 'fail', 'app.id-token-signature': 'fail',
      'app.id-token-aud': 'fail', 'app.id-token-iss': 'fail', 'app.id-token-nonce': 'fail', 'app.code-flow-only': 'pass',
      'app.refresh-before-expiry': 'fail',
    }, text);
    const detail = (id: string) => report.checks.find((c) => c.id === id)!.detail;
    // The callback page stays open (the session is checked in a tab of its own), so its inline script that puts
    // the access token into localStorage is caught in the page's HTML too.
    assert.equal(detail('app.tokens-not-in-browser'),
      'cookie id_token holds an issued token; localStorage "access_token" holds an issued token; the page /callback shows an issued token in its HTML');
    assert.equal(detail('app.state-checked'), 'signed in after a callback whose state the app never sent; a callback without state');
    assert.equal(detail('app.refresh-before-expiry'), 'the app kept presenting an expired access token and never refreshed it');
    // The report itself leaks nothing it found: tokens and codes are redacted in the evidence.
    assert.doesNotMatch(text, /code=(?!\[redacted\])/);
    assert.doesNotMatch(text, /at\.[\w-]{20}|eyJ[\w-]+\.[\w-]+\./);
  });
});
