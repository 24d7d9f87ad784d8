// Errors that explain (issue 18): every error carries the request id, its log line the full reason; a redirect URI
// mismatch, an unknown client, a scope the client may not ask for and a missing PKCE parameter are explained to the
// developer in dev mode, never in production; `latchkey explain <request id>` tells an operator what happened.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { DIAGNOSTIC_EVENTS_PER_SECOND, DiagnosticBudget } from '../../src/audit-trail/diagnostic-budget.ts';
import { runCli } from '../../src/cli/main.ts';
import { authorizeUrl, pkcePair } from '../helpers/authorization-flow.ts';
import { addApi, addClient, FORM_HEADERS, startTestServer, type TestServer } from '../helpers/test-server.ts';

const CALLBACK = 'https://app.example/callback';
const pkce = pkcePair();

interface Setup { server: TestServer; clientId: string; publicId: string; dir: string }

async function setup(dev: boolean): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-explain-'));
  const server = await startTestServer({ dev, issuer: 'https://auth.example', databaseUrl: `sqlite:${join(dir, 'latchkey.db')}` });
  await addApi(server, 'https://contacts.example', { 'contacts:read': 'Read your contacts', 'contacts:write': 'Change your contacts' });
  const client = await addClient(server, { name: 'App', redirectUris: [CALLBACK, 'https://app.example/other'], scope: 'openid contacts:read' });
  const spa = await addClient(server, { name: 'SPA', isPublic: true, redirectUris: ['https://spa.example/cb'], scope: 'openid contacts:read' });
  return { server, clientId: client.id, publicId: spa.id, dir };
}

const authorize = (s: Setup, params: Record<string, string | undefined>) => s.server.app.inject({ method: 'GET', url: authorizeUrl({
  response_type: 'code', client_id: s.clientId, redirect_uri: CALLBACK, scope: 'openid contacts:read', state: 'st',
  code_challenge: pkce.challenge, code_challenge_method: 'S256', ...params,
}) });

/** The list items of the error page (the developer details). */
const details = (page: LightMyRequestResponse) => [...page.body.matchAll(/<li><code>([^<]*)<\/code><\/li>/g)].map((m) => m[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
const logLineFor = (s: Setup, requestId: string) => s.server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.reqId === requestId && l.error);

async function explain(s: Setup, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['explain', ...args, '--database', `sqlite:${join(s.dir, 'latchkey.db')}`], {
    stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '', env: {},
  });
  return { code, stdout, stderr };
}

/** Diagnostic events are written after the answer: wait until the request's is there. */
async function recorded(s: Setup, requestId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await s.server.store.listAuditEvents({ requestId, limit: 1 })).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`no diagnostic event for ${requestId}`);
}

describe('dev mode: explained to the developer', () => {
  let s: Setup;
  before(async () => { s = await setup(true); });
  after(async () => { await s.server.close(); rmSync(s.dir, { recursive: true, force: true }); });

  it('a redirect URI mismatch page: what was received, the registered URIs, the first differing character and the kind', async () => {
    const cases: Array<[string, RegExp]> = [
      ['https://app.example/callback/', /trailing slash differs: received \/callback\/, registered \/callback/],
      ['http://app.example/callback', /scheme differs: received http:, registered https:/],
      ['https://app.example:8443/callback', /port differs: received 8443, registered \(none\)/],
      ['https://evil.example/callback', /host differs: received evil.example, registered app.example/],
      ['https://app.example/callback?x=1', /query differs: received \?x=1, registered \(none\)/],
    ];
    for (const [received, kind] of cases) {
      const page = await authorize(s, { redirect_uri: received });
      assert.equal(page.statusCode, 400);
      const lines = details(page);
      assert.equal(lines[0], `redirect_uri received: ${received}`);
      assert.ok(lines.includes(`registered redirect URIs: ${CALLBACK}  https://app.example/other`), lines.join('\n'));
      assert.ok(lines.some((l) => /^closest registered: https:\/\/app\.example\/callback, first difference at character \d+/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => kind.test(l)), `${received}: ${lines.join(' | ')}`);
      assert.match(page.body, new RegExp(`Request id: ${page.headers['x-request-id']}`));
    }
  });

  it('an unknown client: the id received and the registered ids closest to it; explain has them too', async () => {
    const typo = `${s.clientId.slice(0, -1)}X`;
    const page = await authorize(s, { client_id: typo });
    await recorded(s, String(page.headers['x-request-id']));
    assert.match((await explain(s, [String(page.headers['x-request-id'])])).stdout, new RegExp(`was answered 400 invalid_client\n {2}why: client_id is not a registered client\n {2}client_id received: ${typo}`));
    const lines = details(page);
    assert.equal(lines[0], `client_id received: ${typo}`);
    assert.match(lines.join('\n'), new RegExp(`registered client ids \\(closest first\\): ${s.clientId}`));
  });

  it('a scope the client may not ask for, and a missing PKCE parameter: the error itself says why', async () => {
    const scope = new URL(String((await authorize(s, { scope: 'openid contacts:write' })).headers.location));
    assert.equal(scope.searchParams.get('error'), 'invalid_scope');
    assert.match(scope.searchParams.get('error_description')!, new RegExp(`not allowed to request scope 'contacts:write'; the scopes client ${s.clientId} may request: openid contacts:read`));
    const pkceMissing = await s.server.app.inject({ method: 'GET', url: authorizeUrl({ response_type: 'code', client_id: s.publicId, redirect_uri: 'https://spa.example/cb', scope: 'openid', state: 'st' }) });
    const description = new URL(String(pkceMissing.headers.location)).searchParams.get('error_description')!;
    await recorded(s, String(pkceMissing.headers['x-request-id']));
    assert.match((await explain(s, [String(pkceMissing.headers['x-request-id'])])).stdout, /GET \/authorize was answered invalid_request, sent back to the client \(HTTP 303\)\n {2}why: PKCE is required/);
    assert.match(description, /PKCE is required/);
    assert.match(description, /is public, so PKCE is always required; received code_challenge \(missing\), code_challenge_method '\(missing\)'/);
    assert.match(description, new RegExp(`\\(request id ${pkceMissing.headers['x-request-id']}\\)$`), 'the redirected error names its request');
  });
});

describe('production mode: nothing registered shown; request ids; the operator\'s explanation', () => {
  let s: Setup;
  before(async () => { s = await setup(false); });
  after(async () => { await s.server.close(); rmSync(s.dir, { recursive: true, force: true }); });

  it('the mismatch page shows nothing of the registration nor the received value; the log line has the full reason', async () => {
    const page = await authorize(s, { redirect_uri: 'https://app.example/callback/' });
    assert.equal(page.statusCode, 400);
    assert.deepEqual(details(page), []);
    assert.ok(!page.body.includes('app.example'), 'neither registered nor received URIs');
    const requestId = String(page.headers['x-request-id']);
    assert.match(page.body, new RegExp(`Request id: ${requestId}`));
    const [line] = logLineFor(s, requestId);
    assert.equal(line?.error, 'invalid_request');
    assert.ok((line?.details as string[]).includes('trailing slash differs: received /callback/, registered /callback'), JSON.stringify(line));

    const unknown = await authorize(s, { client_id: 'no-such-client' });
    assert.ok(!unknown.body.includes('no-such-client'));
    assert.ok(!unknown.body.includes(s.clientId), 'no registered client id');
  });

  it('scope and PKCE errors stay terse for the client; the reason is in the log', async () => {
    const scope = await authorize(s, { scope: 'openid contacts:write' });
    const description = new URL(String(scope.headers.location)).searchParams.get('error_description')!;
    assert.equal(description, `the client is not allowed to request scope 'contacts:write' (request id ${scope.headers['x-request-id']})`);
    const [line] = logLineFor(s, String(scope.headers['x-request-id']));
    assert.match(String(line?.debug), new RegExp(`the scopes client ${s.clientId} may request: openid contacts:read`));
  });

  it('a JSON error carries request_id, the same as x-request-id; its log line the reason', async () => {
    const response = await s.server.app.inject({ method: 'POST', url: '/token', headers: FORM_HEADERS, payload: 'grant_type=authorization_code&code=nope&client_id=nobody' });
    const body = response.json() as Record<string, string>;
    assert.equal(body.request_id, response.headers['x-request-id']);
    assert.equal(body.error, 'invalid_client');
    assert.equal(logLineFor(s, body.request_id!)[0]?.error, 'invalid_client');
    const notFound = await s.server.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(notFound.json().request_id, notFound.headers['x-request-id']);
  });

  it('latchkey explain <request id>: what happened and why, from the audit trail and the log file', async () => {
    const page = await authorize(s, { redirect_uri: 'http://app.example:8080/callback' });
    const requestId = String(page.headers['x-request-id']);
    await recorded(s, requestId);
    const run = await explain(s, [requestId]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^request ${requestId}\\n`));
    assert.match(run.stdout, /GET \/authorize was answered 400 invalid_request\n {2}why: redirect_uri does not exactly match a redirect URI registered for this client\n/);
    assert.match(run.stdout, /redirect_uri received: http:\/\/app\.example:8080\/callback/);
    assert.match(run.stdout, /scheme differs: received http:, registered https:/);
    assert.match(run.stdout, /port differs: received 8080, registered \(none\)/);

    const logFile = join(s.dir, 'server.log');
    writeFileSync(logFile, `${s.server.logs.join('')}not json\n`);
    const withLog = await explain(s, [requestId, '--log', logFile, '--json']);
    const json = JSON.parse(withLog.stdout) as { events: { type: string }[]; log: { reqId: string }[] };
    assert.deepEqual(json.events.map((e) => e.type), ['request.failed']);
    assert.ok(json.log.length >= 2 && json.log.every((l) => l.reqId === requestId), 'the request\'s log lines');

    const none = await explain(s, ['00000000-0000-0000-0000-000000000000']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /nothing recorded for request 00000000-0000-0000-0000-000000000000/);
  });
});

describe('the diagnostic budget', () => {
  it('at most DIAGNOSTIC_EVENTS_PER_SECOND events a second per server; the next second has a fresh budget', () => {
    const budget = new DiagnosticBudget(3);
    assert.deepEqual([1000, 1100, 1200, 1999].map((ms) => budget.take(ms)), [true, true, true, false]);
    assert.equal(budget.take(2000), true);
    assert.equal(DIAGNOSTIC_EVENTS_PER_SECOND, 20);
  });

  it('a flood of bad authorization requests writes a bounded number of rows; every one is still logged', async () => {
    const s = await setup(true);
    try {
      const before = (await s.server.store.listAuditEvents({ types: ['request.failed'], limit: 10_000 })).length;
      const responses = await Promise.all(Array.from({ length: 60 }, () => authorize(s, { client_id: 'flood' })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const written = (await s.server.store.listAuditEvents({ types: ['request.failed'], limit: 10_000 })).length - before;
      assert.ok(written <= 2 * DIAGNOSTIC_EVENTS_PER_SECOND, `${written} rows for 60 requests`);
      assert.ok(written >= 1, 'some are recorded');
      for (const response of responses) assert.equal(logLineFor(s, String(response.headers['x-request-id'])).length, 1);
    } finally {
      await s.server.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
});
