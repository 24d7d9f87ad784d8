// Bad input gets a specific 4xx, never a 500: every endpoint is sent malformed, oversized, repeated,
// mistyped and hostile input, and every answer must be below 500 with a JSON or HTML body, not a stack trace.
// Slow and partial requests over raw sockets (slowloris) are cut by the configured deadlines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { request as httpRequest } from 'node:http';
import { basic, startTestServer, type TestServer } from '../helpers/test-server.ts';

const HOSTILE_VALUES = [
  '', ' ', '%', '%zz', '%00', '\u0000', '\uFFFF', '\uD800', 'é'.repeat(3000), 'a'.repeat(20_000), '"><script>alert(1)</script>',
  '../../etc/passwd', 'null', '[]', '{}', 'Bearer', '1e309', '-1', 'javascript:alert(1)', 'http://evil.example/',
];

const PARAMS = ['grant_type', 'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'scope', 'client_id', 'client_secret', 'token',
  'token_type_hint', 'resource', 'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age',
  'id_token_hint', 'login_hint', 'request', 'request_uri', 'username', 'password', 'csrf', 'decision', 'access_token', 'device_code', 'user_code',
  'dpop_jkt', 'client_assertion', 'client_assertion_type'];

describe('no input makes the server answer 5xx', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  const assertHandled = (res: { statusCode: number; body: string; headers: Record<string, unknown> }, what: string) => {
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    assert.ok(!/at .*\.ts:\d+|node_modules|stack/i.test(res.body), `${what}: internals leaked`);
  };

  test('form endpoints: every parameter with every hostile value, alone and repeated', async () => {
    const endpoints = ['/token', '/par', '/introspect', '/revoke', '/userinfo', '/authorize', '/account/login', '/account/revoke', '/account/sign-out',
      '/interaction/x/login', '/interaction/x/consent', '/device/authorize', '/device', '/device/login', '/device/decision'];
    for (const url of endpoints) {
      for (const name of PARAMS) {
        for (const value of HOSTILE_VALUES) {
          const single = new URLSearchParams({ [name]: value }).toString();
          for (const payload of [single, `${single}&${single}`]) {
            const res = await f.server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(f.web.id, f.web.secret) }, payload });
            assertHandled(res, `POST ${url} ${name}=${value.slice(0, 20)}`);
          }
        }
      }
    }
  });

  test('query-string endpoints with hostile values', async () => {
    for (const url of ['/authorize', '/account', '/interaction/x', '/', '/jwks', '/.well-known/openid-configuration', '/userinfo', '/device']) {
      for (const name of PARAMS) {
        for (const value of HOSTILE_VALUES.slice(0, 12)) {
          const res = await f.server.app.inject({ method: 'GET', url: `${url}?${new URLSearchParams({ [name]: value })}` });
          assertHandled(res, `GET ${url} ${name}=${value.slice(0, 20)}`);
        }
      }
    }
    // A valid-looking authorization request whose other parameters are hostile.
    for (const value of HOSTILE_VALUES) {
      const query = new URLSearchParams({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', scope: value, state: value, nonce: value, max_age: value, prompt: value });
      assertHandled(await f.server.app.inject({ method: 'GET', url: `/authorize?${query}` }), `authorize with hostile ${value.slice(0, 20)}`);
    }
  });

  test('hostile headers, bodies and methods', async () => {
    const headerCases: Record<string, string>[] = [
      { authorization: 'Basic' }, { authorization: 'Basic %%%' }, { authorization: `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}` },
      { authorization: `Bearer ${'a'.repeat(10_000)}` }, { authorization: 'Bearer a b c' }, { authorization: 'Negotiate abc' },
      { cookie: 'latchkey_sso=' + 'x'.repeat(5000) }, { cookie: '=;=;;;' }, { cookie: `latchkey_interaction=${'%'.repeat(100)}` },
      { origin: 'null' }, { origin: 'https://evil.example' }, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' },
      { authorization: 'DPoP' }, { authorization: 'DPoP a b' }, { authorization: `DPoP ${'a'.repeat(10_000)}` }, { dpop: 'x' }, { dpop: 'a.b.c' },
      { dpop: `${Buffer.from('{"alg":"ES256","typ":"dpop+jwt","jwk":{"kty":"EC"}}').toString('base64url')}.e30.AAAA` }, { dpop: 'a'.repeat(9000) },
    ];
    for (const url of ['/token', '/par', '/introspect', '/revoke', '/userinfo', '/account', '/account/revoke', '/device/authorize', '/device']) {
      for (const headers of headerCases) {
        for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const) {
          const res = await f.server.app.inject({ method, url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: method === 'GET' || method === 'OPTIONS' ? undefined : 'token=x&grant_type=refresh_token' });
          assertHandled(res, `${method} ${url} ${JSON.stringify(headers).slice(0, 60)}`);
        }
      }
      for (const [type, payload] of [['application/json', '{"a":'], ['text/plain', 'hello'], ['multipart/form-data; boundary=x', '--x--'], ['application/x-www-form-urlencoded', '%'.repeat(1000)]]) {
        assertHandled(await f.server.app.inject({ method: 'POST', url, headers: { 'content-type': type! }, payload }), `POST ${url} as ${type}`);
      }
    }
  });

  // RFC 9700 §4.1.3 / OAuth 2.1 §2.3.1: only the exact registered URI gets a redirect. The same bypass families the client
  // kit's returnTo corpus uses, applied to the registered https://app.example/cb: none may produce a redirect.
  test('redirect_uri bypass corpus: every variant of the registered URI gets the error page, never a redirect', async () => {
    const variants = [
      'https://app.example/cb/', 'https://app.example/cb/..', 'https://app.example/cb/../cb', 'https://app.example/cb/%2e%2e/cb',
      'https://app.example/cb%2F..%2Fcb', 'https://app.example/cb?x=1', 'https://app.example/cb#x', 'https://app.example/cb?',
      'https://app.example/cbx', 'https://app.example/c', 'https://app.example//cb', 'https://app.example/./cb', 'https://app.example/CB',
      'HTTPS://APP.EXAMPLE/cb', 'https://app.example:443/cb', 'https://app.example:444/cb', 'http://app.example/cb',
      'https://app.example.evil.example/cb', 'https://evil.app.example/cb', 'https://app.example@evil.example/cb',
      'https://evil.example@app.example/cb', 'https://app.example%40evil.example/cb', 'https://app.example\\@evil.example/cb',
      'https://app.example\\cb', 'https:\\\\app.example/cb', 'https:/app.example/cb', 'https:app.example/cb', '//app.example/cb',
      '/cb', 'https://app.example/cb\t', 'https://app.example/c\tb', 'https://app.example/cb\n', 'https://app.example/cb%0d%0aLocation:%20https://evil.example',
      ' https://app.example/cb', 'https://app.example/cb ', 'https://xn--pp-8ma.example/cb', 'https://аpp.example/cb', 'https://app.example／cb',
      'https://app.example/cb%00', 'javascript://app.example/cb%0aalert(1)', 'data:text/html,https://app.example/cb',
    ];
    for (const redirectUri of variants) {
      const query = new URLSearchParams({ response_type: 'code', client_id: f.web.id, redirect_uri: redirectUri, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's' });
      const res = await f.server.app.inject({ method: 'GET', url: `/authorize?${query}` });
      assertHandled(res, `redirect_uri ${JSON.stringify(redirectUri)}`);
      assert.equal(res.statusCode, 400, `redirect_uri ${JSON.stringify(redirectUri)} answered ${res.statusCode}`);
      assert.equal(res.headers.location, undefined, `redirect_uri ${JSON.stringify(redirectUri)} redirected`);
      assert.match(String(res.headers['content-type']), /^text\/html/);
    }
    // The control: the exact registered URI is accepted (the login page or a redirect into the interaction).
    const exact = new URLSearchParams({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's' });
    const accepted = await f.server.app.inject({ method: 'GET', url: `/authorize?${exact}` });
    assert.ok(accepted.statusCode === 303 || accepted.statusCode === 200, `exact redirect_uri answered ${accepted.statusCode}`);
  });

  test('the server is still ready after the barrage', async () => {
    assert.equal((await f.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});

/** A raw TCP connection that records what the server sent and resolves `closed` when the server ends it. */
function rawConnection(port: number): { socket: Socket; received: () => string; closed: Promise<void>; opened: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => void (data += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const opened = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => data, closed, opened };
}

// Deadlines of a second or two, so every case ends quickly; a server that never cut a connection would hit the test's
// own timeout and fail.
describe('slow and partial requests are cut by the configured deadlines', { timeout: 60_000 }, () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer({ headersTimeout: 1, requestTimeout: 2, keepAliveTimeout: 1, idleTimeout: 3 });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    port = (server.app.server.address() as { port: number }).port;
  });
  after(() => server.close());

  test('a connection that sends nothing is closed', async () => {
    const { closed, received } = rawConnection(port);
    await closed;
    assert.match(received(), /^(HTTP\/1\.1 408 Request Timeout|)/);
  });

  test('a body announced at 500 bytes and sent at 1 byte/s is cut with 408 before it is complete', async () => {
    const { socket, closed, received, opened } = rawConnection(port);
    await opened;
    socket.write('POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n');
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && socket.writable) {
        socket.write('a');
        sent += 1;
      }
    }, 1000);
    try {
      await closed;
    } finally {
      clearInterval(drip);
    }
    assert.ok(sent < 500, `only ${sent} of 500 bytes were sent`);
    assert.match(received(), /^HTTP\/1\.1 408 Request Timeout/);
  });

  test('headers sent a line at a time, never finished, are cut with 408', async () => {
    const { socket, closed, received, opened } = rawConnection(port);
    await opened;
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => void (socket.writable && socket.write('X-Slow: 1\r\n')), 300);
    try {
      await closed;
    } finally {
      clearInterval(drip);
    }
    assert.match(received(), /^HTTP\/1\.1 408 Request Timeout/);
  });

  test('a half-sent request line, then silence, is closed', async () => {
    const { socket, closed, opened } = rawConnection(port);
    await opened;
    socket.write('POST /tok');
    await closed;
  });

  test('an idle keep-alive connection is closed after its answer', async () => {
    const { socket, closed, received, opened } = rawConnection(port);
    await opened;
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await closed;
    assert.match(received(), /^HTTP\/1\.1 200 OK[\s\S]*Keep-Alive: timeout=1/);
  });
});

describe('open connections per address are bounded', { timeout: 60_000 }, () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer({ maxConnectionsPerAddress: 5, headersTimeout: 60, requestTimeout: 60, idleTimeout: 60 });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    port = (server.app.server.address() as { port: number }).port;
  });
  after(() => server.close());

  test('the sixth connection from one address is closed at once; the five open ones still work, and a freed slot is reusable', async () => {
    const five = Array.from({ length: 5 }, () => rawConnection(port));
    await Promise.all(five.map((c) => c.opened));
    // The server counts a connection when it accepts it; one round trip on each makes sure all five are counted.
    for (const c of five) c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await Promise.all(five.map((c) => new Promise<void>((resolve) => c.socket.once('data', () => resolve()))));
    const sixth = rawConnection(port);
    await sixth.closed;
    assert.equal(sixth.received(), '', 'refused without an answer');
    assert.ok(five.every((c) => !c.socket.destroyed), 'the first five are untouched');
    five[0]!.socket.destroy();
    await five[0]!.closed;
    // The server notices the close asynchronously; a new connection succeeds once it has.
    let answered = '';
    while (!answered) {
      const again = rawConnection(port);
      again.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await again.closed;
      answered = again.received();
    }
    assert.match(answered, /^HTTP\/1\.1 200 OK/);
    for (const c of five.slice(1)) c.socket.destroy();
  });
});

// Issue 11: errors raised by the framework itself (before or around our routes) answer in our format, and a client
// hanging up is not an error.
describe('framework errors answer in our error format; aborted requests are not errors', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ logLevel: 'debug' });
  });
  after(() => server.close());

  const assertOurError = (res: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, what: string) => {
    assert.equal(res.statusCode, status, `${what}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^application\/json/, what);
    assert.equal(res.headers['cache-control'], 'no-store', what);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description', 'request_id'], `${what}: ${res.body}`);
    assert.equal(body.request_id, res.headers['x-request-id'], `${what}: the body quotes the request id`);
    assert.equal(body.error, 'invalid_request', what);
    assert.ok(typeof res.headers['x-request-id'] === 'string', `${what}: the request id is on the answer`);
  };

  test('bad percent-encoding in the path (/token/%) → 400 invalid_request, not the framework body', async () => {
    for (const url of ['/token/%', '/%', '/token/%zz', '/account/%E0%A4%A', '/interaction/%/login']) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await server.app.inject({ method, url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'POST' ? 'a=b' : undefined });
        assertOurError(res, 400, `${method} ${url}`);
        assert.match(res.json().error_description, /malformed URL/);
        assert.doesNotMatch(res.body, /FST_ERR|statusCode/);
      }
    }
  });

  test('bad content type, bad JSON, a body too large → invalid_request in our format', async () => {
    const cases: [string, string, number][] = [
      ['text/plain', 'grant_type=client_credentials', 400],
      ['application/json', '{"grant_type":', 400],
      ['application/json', '{"grant_type":"client_credentials"}', 400],
      ['multipart/form-data; boundary=x', '--x--', 400],
      ['application/x-www-form-urlencoded', `a=${'x'.repeat(70_000)}`, 413],
    ];
    for (const url of ['/token', '/introspect', '/revoke']) {
      for (const [type, payload, status] of cases) {
        assertOurError(await server.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload }), status, `POST ${url} as ${type}`);
      }
    }
  });

  test('a client that hangs up in the middle of its body is logged at debug level with no stack, and nothing else', async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as { port: number };
    const before = server.logs.length;
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '500' } });
      req.on('error', () => resolve());
      req.write('grant_type=client_cred', () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    const lines = () => server.logs.slice(before).map((l) => JSON.parse(l) as { level: number; msg?: string; err?: unknown });
    for (let i = 0; i < 100 && !lines().some((l) => /closed the connection/.test(l.msg ?? '')); i++) await new Promise((r) => setTimeout(r, 50));
    const abort = lines().filter((l) => /closed the connection/.test(l.msg ?? ''));
    assert.equal(abort.length, 1, server.logs.slice(before).join(''));
    assert.equal(abort[0]!.level, 20, 'debug');
    assert.equal(abort[0]!.err, undefined, 'no stack');
    assert.deepEqual(lines().filter((l) => l.level >= 40), [], 'no warning or error');
    assert.doesNotMatch(server.logs.slice(before).join(''), /"stack"/);
  });
});
