// The `latchkey audit` command: the text report and --json, the exit status CI relies on (0 all passed, 1 something
// failed, 2 usage), the password read from standard input only, and "could not check" without a user.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditReport } from '../../src/audit/audit-report.ts';
import { PASSWORD } from '../helpers/authorization-fixtures.ts';
import { CliHarness } from '../helpers/cli-harness.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { startPermissiveProvider, type PermissiveProvider } from './permissive-oidc-provider.ts';

const REDIRECT_URI = 'http://localhost:9/audit/callback';
let server: TestServer;
let issuer: string;
let client: { id: string; secret: string };
let careless: PermissiveProvider;
const cli = new CliHarness();

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  server = await startTestServer({ issuer, port });
  await server.app.listen({ port, host: '127.0.0.1' });
  const registered = await addClient(server, { name: 'Audit probe', redirectUris: [REDIRECT_URI], scope: 'openid' });
  client = { id: registered.id, secret: registered.secret! };
  await addTestUser(server, 'auditor', PASSWORD);
  careless = await startPermissiveProvider('https://rp.example/audit/callback');
});
after(async () => {
  await server.close();
  await careless.close();
  cli.remove();
});

describe('latchkey audit', () => {
  it('server: exit 0 and a JSON report when every check passes; the password comes from stdin', async () => {
    const run = await cli.run(['audit', 'server', issuer, '--client-id', client.id, '--redirect-uri', REDIRECT_URI, '--user', 'auditor', '--password-stdin', '--delay-ms', '0', '--json'], {
      stdin: `${PASSWORD}\n`, env: { LATCHKEY_AUDIT_CLIENT_SECRET: client.secret },
    });
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    const report = run.json<AuditReport>();
    assert.equal(report.summary.failed, 0);
    assert.equal(report.summary.skipped, 0);
    assert.ok(!run.stdout.includes(PASSWORD) && !run.stdout.includes(client.secret));
  });

  it('server: without a user, the checks that need one say so and the run still passes', async () => {
    const run = await cli.run(['audit', 'server', issuer, '--client-id', client.id, `--client-secret=${client.secret}`, '--redirect-uri', REDIRECT_URI, '--delay-ms', '0']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /SKIP {2}code\.single-use .*\n {8}could not check: needs a user: pass --user and --password-stdin/);
    assert.match(run.stdout, /PASS {2}redirect-uri\.prefix/);
    assert.match(run.stdout, /\d+ passed, 0 failed, \d+ could not be checked \(\d+ requests\)\n$/);
  });

  it('server: exit 1 with the failures and their evidence against a careless server', async () => {
    // The --flag=value form: a random secret may begin with "-", which parseArgs would take for a flag.
    const run = await cli.run(['audit', 'server', careless.issuer, '--client-id', careless.clientId, `--client-secret=${careless.clientSecret}`,
      '--redirect-uri', careless.redirectUri, '--user', 'someone', '--password-stdin', '--delay-ms', '0'], { stdin: 'anything' });
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'latchkey: 11 check(s) failed\n');
    assert.match(run.stdout, /FAIL {2}pkce\.required .*\n {8}the server issued a code and then tokens for it\n {8}> GET http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    assert.ok(!run.stdout.includes(careless.clientSecret));
  });

  it('server: a tiny request budget stops early and reports the rest as could not check', async () => {
    const run = await cli.run(['audit', 'server', issuer, '--budget', '3', '--delay-ms', '0', '--json']);
    assert.equal(run.code, 0);
    const report = run.json<AuditReport>();
    assert.equal(report.requests, 3);
    assert.equal(report.checks.find((c) => c.id === 'jwks.published')?.status, 'pass');
    assert.equal(report.checks.find((c) => c.id === 'cors.authorization-endpoint')?.detail, 'the request budget (3) is spent');
  });

  it('usage mistakes exit 2 before sending anything', async () => {
    assert.equal((await cli.run(['audit', 'server', issuer, '--user', 'auditor'])).code, 2);
    assert.equal((await cli.run(['audit', 'server', 'not a url'])).code, 2);
    assert.equal((await cli.run(['audit', 'app', 'http://127.0.0.1:1/login'])).code, 2);
    assert.equal((await cli.run(['audit', 'nonsense'])).code, 2);
    // A secret that starts with "-" reads as an option unless written --client-secret=VALUE, as the usage says.
    assert.equal((await cli.run(['audit', 'server', issuer, '--client-secret', '-abc', '--budget', '1'])).code, 2);
    assert.match((await cli.run(['audit', '--help'])).stdout, /A secret that starts\s+with "-" must be written --client-secret=VALUE/);
  });
});
