// The audit trail (issue 18): each security action records its event with the request it happened in, streams it as a
// JSON line (docs/audit-events.md), and the catalogue, the doc and the sources agree.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUDIT_EVENT_TYPES } from '../../src/audit-trail/audit-event-types.ts';
import { auditLine, auditSinkFor, withAuditTrail } from '../../src/audit-trail/audit-trail.ts';
import { configFromEnv, resolveConfig } from '../../src/config/config.ts';
import { runInRequest } from '../../src/audit-trail/request-scope.ts';
import { API, PASSWORD, startFixture, WEB_CALLBACK } from '../helpers/authorization-fixtures.ts';
import { authorizeUrl, callbackParams, csrfFrom, formActionFrom, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;
const DOC = new URL('../../../../docs/audit-events.md', import.meta.url).pathname;

describe('audit events for each action', () => {
  it('sign-in failure and success, consent, code and refresh reuse, revocation: recorded with the request id the response carried, and streamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-'));
    const streamFile = join(dir, 'audit.jsonl');
    const f = await startFixture({ auditLogStream: streamFile });
    try {
      const store = f.server.app.latchkeyServer.store;
      const browser = new InjectBrowser(f.server.app);
      const { verifier, challenge } = pkcePair();
      const url = authorizeUrl({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: `openid ${'contacts:read'}`, state: 's', code_challenge: challenge, code_challenge_method: 'S256', resource: API });

      // A wrong password first: the login page again, and a login.failed event naming the POST's request id.
      const loginPage = await browser.get((await browser.get(url)).headers.location as string);
      const failed = await browser.post(formActionFrom(loginPage.body), { csrf: csrfFrom(loginPage.body), username: 'alice', password: 'wrong' });
      const [failure] = await store.listAuditEvents({ types: ['login.failed'], limit: 10 });
      assert.equal(failure?.requestId, failed.headers['x-request-id']);
      assert.equal(failure?.userId, f.userId);
      assert.equal(failure?.clientId, f.web.id);

      const { response } = await runAuthorization(browser, url, { username: 'alice', password: PASSWORD });
      const code = callbackParams(response).get('code')!;
      const exchange = async () => tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code, redirect_uri: WEB_CALLBACK, code_verifier: verifier });
      const tokens = (await exchange()).json() as { refresh_token: string };
      const replay = await exchange();
      assert.equal(replay.statusCode, 400);
      const [reused] = await store.listAuditEvents({ types: ['code.reused'], limit: 10 });
      assert.equal(reused?.requestId, replay.headers['x-request-id'], 'the replayed request is named');

      // A second sign-in for a refresh token to reuse, then revoke.
      const again = await runAuthorization(browser, authorizeUrl({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 't', code_challenge: challenge, code_challenge_method: 'S256', resource: API }), { username: 'alice', password: PASSWORD });
      const second = (await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(again.response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: verifier })).json() as { refresh_token: string };
      const refreshed = (await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: second.refresh_token })).json() as { refresh_token: string };
      f.clock.now += 3600; // past the retry window: presenting the rotated token again is reuse
      assert.equal((await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: second.refresh_token })).statusCode, 400);
      void tokens;
      void refreshed;
      const third = await runAuthorization(browser, authorizeUrl({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 'u', code_challenge: challenge, code_challenge_method: 'S256', resource: API }), { username: 'alice', password: PASSWORD });
      const thirdTokens = (await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(third.response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: verifier })).json() as { refresh_token: string };
      const revoke = await f.server.app.inject({
        method: 'POST', url: '/revoke', payload: new URLSearchParams({ token: thirdTokens.refresh_token }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${f.web.id}:${f.web.secret}`).toString('base64')}` },
      });
      assert.equal(revoke.statusCode, 200);

      const events = await store.listAuditEvents({ limit: 1000 });
      const types = events.map((e) => e.type);
      for (const type of ['login.failed', 'login.succeeded', 'consent.granted', 'code.reused', 'refresh_token.reused', 'grant.revoked']) {
        assert.ok(types.includes(type), `${type} recorded (got ${[...new Set(types)].join(', ')})`);
      }
      const http = events.filter((e) => !e.type.startsWith('key.'));
      assert.ok(http.every((e) => typeof e.requestId === 'string' && e.requestId.length > 0), 'every event from a request names it');
      const [revoked] = await store.listAuditEvents({ types: ['grant.revoked'], limit: 1 });
      assert.equal(revoked?.requestId, revoke.headers['x-request-id']);

      // The stream: one JSON line per event, in the documented schema, with nothing secret in it.
      const text = readFileSync(streamFile, 'utf8');
      const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(lines.length, events.length);
      for (const line of lines) {
        assert.deepEqual(Object.keys(line), ['audit', 'time', 'type', 'request_id', 'client_id', 'user_id', 'detail']);
        assert.equal(line.audit, 1);
        assert.match(String(line.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
        assert.ok(Object.hasOwn(AUDIT_EVENT_TYPES, String(line.type)));
      }
      for (const secret of [PASSWORD, 'wrong', code, second.refresh_token, f.web.secret]) assert.ok(!text.includes(secret), 'no secret in the stream');
    } finally {
      await f.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('consent denied and a throttled sign-in are recorded too', async () => {
    const f = await startFixture({});
    try {
      const store = f.server.app.latchkeyServer.store;
      const { challenge } = pkcePair();
      const url = authorizeUrl({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 's', code_challenge: challenge, code_challenge_method: 'S256', resource: API });
      const denied = await runAuthorization(new InjectBrowser(f.server.app), url, { username: 'alice', password: PASSWORD, decision: 'deny' });
      assert.equal(callbackParams(denied.response).get('error'), 'access_denied');
      const [consent] = await store.listAuditEvents({ types: ['consent.denied'], limit: 1 });
      assert.deepEqual([consent?.userId, consent?.clientId], [f.userId, f.web.id]);

      // Wrong passwords from one address until login throttling refuses before checking the password.
      const browser = new InjectBrowser(f.server.app);
      browser.remoteAddress = '198.51.100.23';
      for (let i = 0; i < 30 && (await store.listAuditEvents({ types: ['login.throttled'], limit: 1 })).length === 0; i++) {
        const page = await browser.get((await browser.get(url)).headers.location as string);
        await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'alice', password: `wrong-${i}` });
      }
      const [throttled] = await store.listAuditEvents({ types: ['login.throttled'], limit: 1 });
      assert.equal(throttled?.detail.ip, '198.51.100.23');
      assert.ok(throttled?.requestId);
    } finally {
      await f.server.close();
    }
  });

  it('the stream line of an event, and a stream that fails does not fail the recorded action', async () => {
    assert.equal(auditLine({ type: 'login.failed', userId: 'u1', detail: { ip: '203.0.113.9' } }, 1_900_000_000),
      '{"audit":1,"time":"2030-03-17T17:46:40.000Z","type":"login.failed","request_id":null,"client_id":null,"user_id":"u1","detail":{"ip":"203.0.113.9"}}\n');
    const recorded: unknown[] = [];
    const errors: unknown[] = [];
    const inner: Parameters<typeof withAuditTrail>[0] = { recordAuditEvent: async (e) => void recorded.push(e), listAuditEvents: async () => [] };
    const store = withAuditTrail(inner, { write: () => { throw new Error('disk full'); } }, (error) => void errors.push(error));
    await runInRequest('req-1', () => store.recordAuditEvent({ type: 'consent.denied' }, 1));
    assert.deepEqual(recorded, [{ type: 'consent.denied', requestId: 'req-1' }]);
    assert.match(String(errors[0]), /disk full/);
  });
});

describe('the stream and retention settings', () => {
  it('stdout, a file path, or nothing; retention in seconds with sane bounds', () => {
    const lines: string[] = [];
    const stdout = { write: (line: string) => void lines.push(line) };
    assert.equal(auditSinkFor('stdout', stdout), stdout);
    assert.equal(auditSinkFor('', stdout), undefined);
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-sink-'));
    try {
      const file = auditSinkFor(join(dir, 'a.jsonl'), stdout)!;
      file.write('one\n');
      file.write('two\n');
      assert.equal(readFileSync(join(dir, 'a.jsonl'), 'utf8'), 'one\ntwo\n', 'appended');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const config = resolveConfig({ dev: true });
    assert.deepEqual([config.auditLogStream, config.auditRetention, config.diagnosticRetention], ['', 7776000, 604800]);
    const set = resolveConfig({ dev: true }, configFromEnv({ LATCHKEY_AUDIT_LOG_STREAM: 'stdout', LATCHKEY_AUDIT_RETENTION: '31536000', LATCHKEY_DIAGNOSTIC_RETENTION: '86400' }));
    assert.deepEqual([set.auditLogStream, set.auditRetention, set.diagnosticRetention], ['stdout', 31536000, 86400]);
    assert.throws(() => resolveConfig({ dev: true, auditRetention: 60 }), /auditRetention must be an integer from 86400/);
    assert.throws(() => resolveConfig({ dev: true, diagnosticRetention: 10 }), /diagnosticRetention must be an integer from 3600/);
  });
});

describe('the event catalogue', () => {
  const sources = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });

  it('every type the sources record is in the catalogue (adding one is one line there)', () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/recordAuditEvent\(\{\s*type: '([a-z_.]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/(?:audit|#audit|#changed)\('([a-z_.]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/recordAdminAction\(store, io, '([a-z_.]+)'/g)) used.add(m[1]!);
    }
    assert.ok(used.size >= 15, `found ${used.size} recorded types`);
    const unknown = [...used].filter((type) => !Object.hasOwn(AUDIT_EVENT_TYPES, type));
    assert.deepEqual(unknown, [], 'recorded types missing from audit-trail/audit-event-types.ts');
  });

  it('docs/audit-events.md lists exactly the catalogue, with the same detail fields', () => {
    const doc = readFileSync(DOC, 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `([a-z_.]+)` \| [^|]+ \| ([^|]*) \|$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    assert.deepEqual([...rows.keys()].sort(), Object.keys(AUDIT_EVENT_TYPES).sort());
    for (const [type, { detail }] of Object.entries(AUDIT_EVENT_TYPES)) {
      assert.equal(rows.get(type), detail.map((field) => `\`${field}\``).join(', '), `detail fields of ${type}`);
    }
  });
});
