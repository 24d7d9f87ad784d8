// End to end: `latchkey start` as a real process, clients registered with the CLI, and an independent
// client (openid-client) that discovers the server, gets a token and checks its signature against the JWKS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort, runLatchkey, startLatchkey, type RunningServer } from '../helpers/latchkey-process.ts';

const SECRET = 'e2e-secret-0123456789-0123456789-0123456789';

describe('latchkey start as a real process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  // Debug level: the SIGTERM test below waits for the line a request's arrival writes (at info only its end is logged).
  const env = { LATCHKEY_SECRET: SECRET, LATCHKEY_DATABASE_URL: `sqlite:${join(dir, 'db', 'latchkey.db')}`, LATCHKEY_LOG_LEVEL: 'debug' };
  let server: RunningServer;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await startLatchkey(['--port', String(port)], { cwd: dir, env });
  });
  after(() => {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('openid-client discovers the server and gets a client-credentials token that verifies against the JWKS', async () => {
    const api = await runLatchkey(['api', 'add', '--identifier', 'https://contacts.example', '--scope', 'contacts:read=read your contacts'], { cwd: dir, env });
    assert.equal(api.code, 0, api.stderr);
    const added = await runLatchkey(['client', 'add', '--name', 'e2e', '--scope', 'contacts:read', '--json'], { cwd: dir, env });
    assert.equal(added.code, 0, added.stderr);
    const { client_id: clientId, client_secret: clientSecret } = JSON.parse(added.stdout) as { client_id: string; client_secret: string };

    // The running server sees clients and APIs the CLI added, within its cache-sync interval.
    const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), { execute: [client.allowInsecureRequests] });
    assert.equal(config.serverMetadata().issuer, issuer);
    let tokens: client.TokenEndpointResponse | undefined;
    for (let attempt = 0; attempt < 20 && !tokens; attempt++) {
      try {
        tokens = await client.clientCredentialsGrant(config, { scope: 'contacts:read' });
      } catch (error) {
        if (attempt === 19) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(tokens!.token_type, 'bearer');
    assert.equal(tokens!.refresh_token, undefined);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens!.access_token, jwks, { issuer, audience: 'https://contacts.example', typ: 'at+jwt' });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.client_id, clientId);
    assert.equal(payload.sub, clientId);
    assert.equal(payload.scope, 'contacts:read');
    assert.ok(!server.output().includes(clientSecret), 'the client secret never reaches the log');
    assert.ok(!server.output().includes(tokens!.access_token), 'the access token never reaches the log');
  });

  test('a second start on the same port fails with a clear one-line message', async () => {
    const port = new URL(issuer).port;
    const second = await runLatchkey(['start', '--port', port], { cwd: dir, env });
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`^latchkey: port ${port} on 127.0.0.1 is already in use`, 'm'));
  });

  test('SIGTERM finishes in-flight requests, closes the store and exits 0', async () => {
    // A request whose body is still arriving when the signal comes must still get its answer.
    const { port } = new URL(issuer);
    const logsBefore = server.output().split('incoming request').length;
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '29' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('grant_type=client_');
      const waitForServer = setInterval(() => {
        if (server.output().split('incoming request').length > logsBefore) {
          clearInterval(waitForServer);
          server.child.kill('SIGTERM');
          setTimeout(() => req.end('credentials'), 300);
        }
      }, 10);
    });
    const answered = await response;
    assert.equal(answered.status, 401, answered.body);
    assert.equal(JSON.parse(answered.body).error, 'invalid_client');
    assert.equal(await server.exited, 0);
    assert.match(server.output(), /stopping: finishing in-flight requests/);
  });
});

describe('latchkey start refuses unsafe production settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-refuse-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const envWithout = { ...process.env, LATCHKEY_SECRET: '', LATCHKEY_DATABASE_URL: `sqlite:${join(dir, 'x.db')}` };

  test('no LATCHKEY_SECRET without --dev', async () => {
    const run = await runLatchkey(['start', '--port', '0'], { cwd: dir, env: envWithout });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^latchkey: LATCHKEY_SECRET is required outside dev mode/m);
    assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
  });

  test('a non-https issuer other than localhost', async () => {
    const run = await runLatchkey(['start', '--issuer', 'http://id.example.com'], { cwd: dir, env: { ...envWithout, LATCHKEY_SECRET: SECRET } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^latchkey: issuer must use https/m);
  });

  test('--dev starts without a secret and creates the database, a private dev secret and keys by itself', async () => {
    const port = await freePort();
    const dev = await startLatchkey(['--dev', '--port', String(port)], { cwd: dir, env: { ...envWithout, LATCHKEY_DATABASE_URL: '' } });
    try {
      const jwks = await (await fetch(`http://127.0.0.1:${port}/jwks`)).json() as { keys: unknown[] };
      assert.equal(jwks.keys.length, 3);
      const { statSync } = await import('node:fs');
      assert.equal(statSync(join(dir, 'data', 'latchkey-dev-secret')).mode & 0o777, 0o600);
      assert.ok(statSync(join(dir, 'data', 'latchkey.db')).size > 0);
    } finally {
      dev.child.kill('SIGTERM');
      assert.equal(await dev.exited, 0);
    }
  });
});
