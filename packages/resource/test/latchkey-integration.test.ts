// The kit against the real Latchkey server: real Fastify and Express APIs, tokens from the server's token
// endpoint, and the server's own key rotation (RFC 9068 §4, RFC 6750 §3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer, openStore, registerApi, registerClient, resolveConfig } from '@latchkey/server/internal';
import { createVerifier } from '../src/index.ts';
import { expressBearer, expressRequireScopes } from '../src/express.ts';
import { fastifyBearer, fastifyRequireScopes } from '../src/fastify.ts';

const API = 'https://contacts.example';
const OTHER_API = 'https://billing.example';

interface Issuer { app: FastifyInstance; issuer: string; close(): Promise<void>; clock: { offset: number } }

/** A listening Latchkey server on a free port whose clock can be moved (to mint already-expired tokens). */
async function startIssuer(): Promise<Issuer> {
  const probe = Fastify();
  await probe.listen({ port: 0, host: '127.0.0.1' });
  const port = (probe.server.address() as AddressInfo).port;
  await probe.close();
  const clock = { offset: 0 };
  const issuer = `http://127.0.0.1:${port}`;
  const config = resolveConfig({ dev: true, secret: 'resource-kit-integration-secret-0123456789', issuer, port, databaseUrl: 'sqlite::memory:', logLevel: 'silent' });
  const store = openStore(config.databaseUrl);
  const app = await createServer(config, { store, now: () => Math.floor(Date.now() / 1000) + clock.offset, cacheSyncIntervalMs: 50 });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, issuer, clock, close: async () => { await app.close(); await store.close(); } };
}

async function serviceClient(issuer: Issuer, scope: string) {
  const ctx = issuer.app.latchkeyServer;
  const { client, clientSecret } = await registerClient(ctx.store, { name: `svc ${scope}`, scope }, ctx.now());
  ctx.clients.invalidate();
  return async (body: Record<string, string> = {}) => {
    const res = await fetch(`${issuer.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...body }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };
}

describe('@latchkey/resource protecting real APIs with tokens from a real Latchkey server', () => {
  let issuer: Issuer;
  let foreign: Issuer;
  let fastifyUrl: string;
  let expressUrl: string;
  let fastifyApi: FastifyInstance;
  let expressServer: ReturnType<ReturnType<typeof express>['listen']>;
  let readToken: (body?: Record<string, string>) => Promise<string>;
  let readWriteToken: (body?: Record<string, string>) => Promise<string>;
  let billingToken: () => Promise<string>;
  let foreignToken: () => Promise<string>;

  before(async () => {
    issuer = await startIssuer();
    foreign = await startIssuer();
    for (const i of [issuer, foreign]) {
      const ctx = i.app.latchkeyServer;
      await registerApi(ctx.store, { identifier: API, scopes: ['contacts:read=read your contacts', 'contacts:write=change your contacts'] }, ctx.now());
      await registerApi(ctx.store, { identifier: OTHER_API, scopes: ['billing:read=read invoices'] }, ctx.now());
      await ctx.scopes.load();
    }
    readToken = await serviceClient(issuer, 'contacts:read');
    readWriteToken = await serviceClient(issuer, 'contacts:read contacts:write');
    billingToken = await serviceClient(issuer, 'billing:read');
    foreignToken = await serviceClient(foreign, 'contacts:read');

    const verifier = createVerifier({ issuer: issuer.issuer, audience: API, jwksCooldownSeconds: 0 });
    fastifyApi = Fastify();
    await fastifyApi.register(async (api) => {
      await api.register(fastifyBearer(verifier));
      api.get('/contacts', { preHandler: fastifyRequireScopes(['contacts:read']) }, async (request) => ({ caller: request.auth?.client_id }));
      api.post('/contacts', { preHandler: fastifyRequireScopes(['contacts:write']) }, async () => ({ created: true }));
    });
    await fastifyApi.listen({ port: 0, host: '127.0.0.1' });
    fastifyUrl = `http://127.0.0.1:${(fastifyApi.server.address() as AddressInfo).port}`;

    const app = express();
    app.use(expressBearer(verifier));
    app.get('/contacts', expressRequireScopes(['contacts:read']), (req, res) => void res.json({ caller: req.auth?.client_id }));
    app.post('/contacts', expressRequireScopes(['contacts:write']), (_req, res) => void res.json({ created: true }));
    await new Promise<void>((resolve) => (expressServer = app.listen(0, '127.0.0.1', () => resolve())));
    expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
  });

  after(async () => {
    await fastifyApi.close();
    await new Promise((resolve) => expressServer.close(resolve));
    await issuer.close();
    await foreign.close();
  });

  const call = (base: string, token: string | undefined, method = 'GET') =>
    fetch(`${base}/contacts`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  for (const [name, base] of [['Fastify', () => fastifyUrl], ['Express', () => expressUrl]] as const) {
    describe(name, () => {
      test('a valid token is accepted and its claims reach the handler', async () => {
        const res = await call(base(), await readToken());
        assert.equal(res.status, 200);
        assert.match(((await res.json()) as { caller: string }).caller, /^[A-Za-z0-9_-]+$/);
      });

      test('no token: 401 with a bare Bearer challenge', async () => {
        const res = await call(base(), undefined);
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${API}"`);
      });

      test('an expired token: 401 invalid_token', async () => {
        issuer.clock.offset = -3600;
        const stale = await readToken();
        issuer.clock.offset = 0;
        const res = await call(base(), stale);
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      });

      test('a token for another API (wrong audience): 401 invalid_token', async () => {
        const res = await call(base(), await billingToken());
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      });

      test('a token from another issuer: 401 invalid_token', async () => {
        const res = await call(base(), await foreignToken());
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      });

      test('a tampered token (scope widened, signature kept): 401 invalid_token', async () => {
        const [h, p, s] = (await readToken()).split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
        const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'contacts:read contacts:write' })).toString('base64url')}.${s}`;
        const res = await call(base(), forged, 'POST');
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      });

      test('a missing scope: 403 insufficient_scope naming the scope', async () => {
        const res = await call(base(), await readToken(), 'POST');
        assert.equal(res.status, 403);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="contacts:write"/);
        assert.equal((await call(base(), await readWriteToken(), 'POST')).status, 200);
      });
    });
  }

  test('after an immediate rotation (keys rotate --immediately, or a revoked key\'s replacement), a token with the new kid is accepted (one JWKS refetch)', async () => {
    assert.equal((await call(fastifyUrl, await readToken())).status, 200, 'the verifier has cached the JWKS');
    const ctx = issuer.app.latchkeyServer;
    const before = ctx.keys.signer('ES256').kid;
    await ctx.keys.rotate('ES256', ctx.now(), { immediately: true });
    await ctx.keys.load(ctx.now());
    const token = await readToken();
    assert.notEqual(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid, before);
    assert.equal((await call(fastifyUrl, token)).status, 200);
    assert.equal((await call(expressUrl, token)).status, 200);
  });
});
