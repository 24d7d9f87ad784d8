// `latchkey audit server` against Latchkey itself: a listening in-process server with a confidential client and a
// user; every check passes, and without a user the checks that need one say so instead of guessing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditServer } from '../../src/audit/server/server-audit.ts';
import type { AuditReport } from '../../src/audit/audit-report.ts';
import { PASSWORD } from '../helpers/authorization-fixtures.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
let issuer: string;
let client: { id: string; secret: string };
// Nothing listens here: the probe reads the server's redirects instead of following them.
const REDIRECT_URI = 'http://localhost:9/audit/callback';

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  server = await startTestServer({ issuer, port });
  await server.app.listen({ port, host: '127.0.0.1' });
  const registered = await addClient(server, { name: 'Audit probe', redirectUris: [REDIRECT_URI], scope: 'openid profile' });
  client = { id: registered.id, secret: registered.secret! };
  await addTestUser(server, 'auditor', PASSWORD);
});
after(async () => {
  await server.close();
});

const byId = (report: AuditReport) => new Map(report.checks.map((c) => [c.id, c]));

describe('latchkey audit server against Latchkey', () => {
  it('passes every check with a client and a user', async () => {
    const report = await auditServer({
      issuer, clientId: client.id, clientSecret: client.secret, redirectUri: REDIRECT_URI,
      credentials: { username: 'auditor', password: PASSWORD }, delayMs: 0,
    });
    const notPassed = report.checks.filter((c) => c.status !== 'pass');
    assert.deepEqual(notPassed.map((c) => `${c.id}: ${c.detail}`), []);
    assert.ok(report.requests <= 150);
    // Evidence never carries the password, the client secret or a token.
    const json = JSON.stringify(report);
    assert.ok(!json.includes(PASSWORD));
    assert.ok(!json.includes(client.secret));
    assert.ok(!/eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(json));
  });
});
