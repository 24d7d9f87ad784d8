// The resource kit across a staged signing-key rotation of a real Latchkey server (issue 18): tokens signed before,
// during and after the rotation all verify, and the kit never meets an unknown kid. Its JWKS cache (jose, 10 minutes)
// refreshes during the server's lead time (1 hour by default), so the new key is known before it signs. The unknown-kid
// refetch is disabled here (a cooldown of an hour), so an unknown kid would be a failure, not a silent refetch.
// The clock is node:test's mocked Date, shared by the server, jose's cache and the token checks.
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer, openStore, registerApi, registerClient, resolveConfig } from '@latchkey/server/internal';
import { createVerifier } from '../src/index.ts';

const API = 'https://contacts.example';
const LEAD = 3600;
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('@latchkey/resource through a staged key rotation', () => {
  let server: FastifyInstance;
  let issuer: string;
  let close: () => Promise<void>;
  const jwksFetches: string[] = [];

  before(async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 10, 29, 12) });
    const probe = Fastify();
    await probe.listen({ port: 0, host: '127.0.0.1' });
    const port = (probe.server.address() as AddressInfo).port;
    await probe.close();
    issuer = `http://127.0.0.1:${port}`;
    // Access tokens live two hours, so a token signed before the rotation is still valid after the new key activates.
    const config = resolveConfig({ dev: true, secret: 'resource-kit-rotation-secret-0123456789', issuer, port, databaseUrl: 'sqlite::memory:', logLevel: 'silent', accessTokenTtl: 7200, keyPublishLeadTime: LEAD });
    const store = openStore(config.databaseUrl);
    server = await createServer(config, { store, cacheSyncIntervalMs: 50 });
    await server.listen({ port, host: '127.0.0.1' });
    close = async () => { await server.close(); await store.close(); };
    const ctx = server.latchkeyServer;
    await registerApi(ctx.store, { identifier: API, scopes: ['contacts:read=read your contacts'] }, ctx.now());
    await ctx.scopes.load();
  });
  after(async () => {
    await close();
    mock.timers.reset();
  });

  it('verifies tokens signed before, during and after; never an unknown kid; the old key leaves after its tokens expire', async () => {
    const ctx = server.latchkeyServer;
    const { client, clientSecret } = await registerClient(ctx.store, { name: 'svc', scope: 'contacts:read' }, ctx.now());
    ctx.clients.invalidate();
    const token = async () => {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const verifier = createVerifier({
      issuer, audience: API, jwksCooldownSeconds: 3600,
      fetch: async (url, init) => {
        if (String(url).endsWith('/jwks')) jwksFetches.push(new Date().toISOString());
        return fetch(url, init);
      },
    });
    const advance = (seconds: number) => mock.timers.tick(seconds * 1000);

    const before = await token();
    await verifier.verify(before);
    const oldKid = kidOf(before);

    const { key } = await ctx.keys.rotate('ES256', ctx.now());
    await ctx.keys.load(ctx.now());
    const during = await token();
    assert.equal(kidOf(during), oldKid, 'during the lead time the old key signs');
    await verifier.verify(during);
    await verifier.verify(before);

    advance(601); // past jose's 10-minute JWKS cache: the next verification refetches, and sees the published key
    await verifier.verify(during);
    advance(LEAD - 601);
    const afterRotation = await token();
    assert.equal(kidOf(afterRotation), key.kid, 'after the lead time the new key signs');
    await verifier.verify(afterRotation);
    await verifier.verify(during); // retired key: still published, its tokens still verify
    await verifier.verify(before);
    // Every JWKS fetch was a refresh of an aged cache (10 minutes or more apart), none an unknown-kid refetch.
    const gaps = jwksFetches.slice(1).map((at, i) => (Date.parse(at) - Date.parse(jwksFetches[i]!)) / 1000);
    assert.ok(gaps.every((gap) => gap > 600), `JWKS fetched at ${jwksFetches.join(', ')}`);

    // Once the tokens it signed have expired (7200 s + 300 s margin after retirement) the old key leaves the JWKS.
    advance(7200 + 300);
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    assert.ok(!jwks.keys.some((k) => k.kid === oldKid));
    await verifier.verify(await token());
  });
});
