// Request logging (http/request-log.ts): one line per request at the default level, carrying the request id the
// response's x-request-id names, with secrets in the URL redacted; the start line only at debug; none at warn.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { loggerOptions } from '../../src/http/logger-options.ts';
import { OneLinePerRequest } from '../../src/http/request-log.ts';
import { addApi, addClient, basic, form, FORM_HEADERS, startTestServer, type TestServer } from '../helpers/test-server.ts';

type Line = Record<string, unknown> & { reqId?: string; msg?: string };

async function serverAt(logLevel: 'info' | 'debug' | 'warn'): Promise<{ server: TestServer; client: { id: string; secret: string } }> {
  const server = await startTestServer({ logLevel });
  await addApi(server, 'https://contacts.example', { 'contacts:read': 'read your contacts' });
  const client = (await addClient(server, { name: 'sync', grantTypes: ['client_credentials'], scope: 'contacts:read' })) as { id: string; secret: string };
  return { server, client };
}

function linesOf(server: TestServer, requestId: string): Line[] {
  return server.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.reqId === requestId);
}

describe('request logging', () => {
  let info: { server: TestServer; client: { id: string; secret: string } };
  before(async () => {
    info = await serverAt('info');
  });
  after(() => info.server.close());

  it('at info: one line per request, "request completed", with the request id, method, URL, status and time', async () => {
    const { server, client } = info;
    const res = await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, client.secret) }, payload: form({ grant_type: 'client_credentials' }) });
    assert.equal(res.statusCode, 200);
    const requestId = res.headers['x-request-id'] as string;
    const lines = linesOf(server, requestId);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const [line] = lines as [Line];
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(line.req, { id: requestId, method: 'POST', url: '/token', ip: '127.0.0.1' });
    assert.deepEqual(line.res, { statusCode: 200 });
    assert.equal(typeof line.responseTime, 'number');
    assert.ok(!JSON.stringify(line).includes(client.secret), 'no credentials in the line');
    assert.ok(!server.logs.some((l) => l.includes('"incoming request"')), 'no start line at info');
  });

  it('a request that logs an error: every line carries its request id (the error line, then the request line)', async () => {
    const { server, client } = info;
    const res = await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, 'wrong-secret') }, payload: form({ grant_type: 'client_credentials' }) });
    assert.equal(res.statusCode, 401);
    const lines = linesOf(server, res.headers['x-request-id'] as string);
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.equal(lines[0]!.error, 'invalid_client');
    assert.equal(lines[1]!.msg, 'request completed');
    assert.deepEqual(lines[1]!.res, { statusCode: 401 });
  });

  it('secrets in the URL are redacted in the request line (an attacker-chosen query cannot put a code in the log)', async () => {
    const { server } = info;
    const res = await server.app.inject({ method: 'GET', url: '/authorize?client_id=x&code=SECRET-CODE&state=SECRET-STATE&code_verifier=SECRET-V&refresh_token=SECRET-RT' });
    const [line] = linesOf(server, res.headers['x-request-id'] as string).filter((l) => l.msg === 'request completed');
    assert.ok(line);
    assert.equal((line.req as { url: string }).url, '/authorize?client_id=x&code=[redacted]&state=[redacted]&code_verifier=[redacted]&refresh_token=[redacted]');
    assert.ok(!server.logs.some((l) => l.includes('SECRET-')));
  });

  it('at debug the start line comes too, with the same request id; at warn a successful request writes nothing', async () => {
    const debug = await serverAt('debug');
    const warn = await serverAt('warn');
    try {
      for (const { server, client } of [debug, warn]) {
        const res = await server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, client.secret) }, payload: form({ grant_type: 'client_credentials' }) });
        assert.equal(res.statusCode, 200);
        const messages = linesOf(server, res.headers['x-request-id'] as string).map((l) => l.msg);
        assert.deepEqual(messages, server === debug.server ? ['incoming request', 'request completed'] : []);
      }
    } finally {
      await debug.server.close();
      await warn.server.close();
    }
  });

  it('the controller on a bare Fastify app: one line for a request, with its request id', async () => {
    const lines: Line[] = [];
    const app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => void lines.push(JSON.parse(l) as Line) } }, logController: new OneLinePerRequest() });
    app.get('/hello', async () => 'hi');
    try {
      const res = await app.inject({ method: 'GET', url: '/hello' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(lines.map((l) => l.msg), ['request completed']);
      assert.equal(lines[0]!.reqId, 'req-1');
    } finally {
      await app.close();
    }
  });

  it('the request line skips path redaction; every other line of the request keeps it (a secret logged by any code is censored)', async () => {
    const lines: Line[] = [];
    const app = Fastify({ logger: { ...loggerOptions('info'), stream: { write: (l: string) => void lines.push(JSON.parse(l) as Line) } }, logController: new OneLinePerRequest() });
    app.post('/careless', async (request) => {
      request.log.info({ body: request.body }, 'logged a body it should not have');
      return 'ok';
    });
    try {
      const res = await app.inject({ method: 'POST', url: '/careless?code=SECRET-CODE', payload: { password: 'SECRET-PASSWORD', client_secret: 'SECRET-CLIENT', note: 'kept' } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(lines.map((l) => l.msg), ['logged a body it should not have', 'request completed']);
      assert.deepEqual(lines[0]!.body, { password: '[redacted]', client_secret: '[redacted]', note: 'kept' });
      assert.deepEqual(lines[1]!.req, { id: 'req-1', method: 'POST', url: '/careless?code=[redacted]', ip: '127.0.0.1' });
      assert.equal(lines[1]!.reqId, 'req-1');
      assert.ok(!JSON.stringify(lines).includes('SECRET-'), JSON.stringify(lines));
    } finally {
      await app.close();
    }
  });
});
