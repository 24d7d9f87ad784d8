// http/error-response.ts renders every error and logs each once: here the two that used to do it themselves, an
// unknown path (JSON 404) and a failure behind the account page (an HTML page that says only that it was ours).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** The log lines of one request that describe an error (they carry an `error` code). */
const errorLines = (requestId: string) => server.logs.map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((l) => (l.reqId === requestId || (l.req as { id?: string } | undefined)?.id === requestId) && typeof l.error === 'string');

describe('errors rendered in one place, logged once', () => {
  it('an unknown path: 404 JSON error, never cached, one info line with the request id', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/nope?code=secret' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: 'not_found', error_description: 'no such endpoint: GET /nope', request_id: response.headers['x-request-id'] });
    assert.equal(response.headers['cache-control'], 'no-store');
    const lines = errorLines(String(response.headers['x-request-id']));
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!.level, 30);
    assert.equal(lines[0]!.error, 'not_found');
  });

  it('the account page when the store fails: an HTML page without internals, one error line with the stack', async () => {
    const broken = await startTestServer();
    try {
      await broken.store.close();
      const response = await broken.app.inject({ method: 'GET', url: '/account', headers: { cookie: 'latchkey_sso=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
      assert.ok(response.statusCode >= 500, String(response.statusCode));
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /<h1>Something went wrong<\/h1>/);
      assert.match(response.body, /Please try again in a moment\./);
      const requestId = String(response.headers['x-request-id']);
      assert.match(response.body, new RegExp(`Request id: ${requestId}`));
      const lines = broken.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.reqId === requestId && typeof l.error === 'string');
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.equal(lines[0]!.level, 50);
      assert.ok(lines[0]!.err, 'the stack of our own failure is logged');
    } finally {
      await broken.app.close().catch(() => {});
    }
  });
});
