// Issue 17 across instances: two servers (createServer, in process) on one database, as behind a load balancer.
// A request_uri pushed to one is used at the other, once; a DPoP proof or a client assertion spent at one is refused
// by the other (jti in the store); a DPoP nonce handed out by one is accepted by the other (no shared memory).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { registerApi } from '../../src/apis/register-api.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { resolveConfig } from '../../src/config/config.ts';
import { createServer } from '../../src/http/app.ts';
import { openStore } from '../../src/store/open-store.ts';
import { pkcePair } from '../helpers/authorization-flow.ts';
import { ASSERTION_TYPE, clientAssertion, clientKeyPair, type ClientKeyPair } from '../helpers/client-assertion.ts';
import { dpopKey, dpopProof, type DpopKey } from '../helpers/dpop.ts';
import { basic, FORM_HEADERS, form, TEST_ISSUER, TEST_SECRET } from '../helpers/test-server.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL } from '../store/postgres-test-schema.ts';

const CALLBACK = 'https://bank.example/cb';

function acrossInstances(name: string, database: () => Promise<{ url: string; drop(): Promise<void> }>, skip?: string): void {
  describe(`PAR, DPoP and private_key_jwt across two instances on ${name}`, { skip, timeout: 60_000 }, () => {
    let a: FastifyInstance;
    let b: FastifyInstance;
    let drop: () => Promise<void>;
    let web: { id: string; secret: string };
    let keyed: { id: string };
    let signing: ClientKeyPair;
    let dpop: DpopKey;

    before(async () => {
      const db = await database();
      drop = db.drop;
      const config = resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: db.url, logLevel: 'silent', dpopNonceRequired: true });
      const seed = openStore(db.url);
      await seed.migrate();
      const now = Math.floor(Date.now() / 1000);
      await registerApi(seed, { identifier: 'https://contacts.example', scopes: ['contacts:read=Read your contacts'] }, now);
      const registered = await registerClient(seed, { name: 'Web', redirectUris: [CALLBACK], scope: 'openid contacts:read' }, now);
      web = { id: registered.client.id, secret: registered.clientSecret! };
      signing = await clientKeyPair('ES256');
      keyed = { id: (await registerClient(seed, { name: 'Keyed', grantTypes: ['client_credentials'], scope: 'contacts:read', authMethod: 'private_key_jwt', jwks: { keys: [signing.publicJwk] } }, now)).client.id };
      await seed.close();
      a = await createServer(config);
      b = await createServer(config);
      await a.ready();
      await b.ready();
      dpop = await dpopKey();
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await drop?.();
    });

    const post = (app: FastifyInstance, url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
      app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...headers }, payload: form(fields) });
    const now = () => Math.floor(Date.now() / 1000);

    it('a request_uri pushed to A is used at B, once', async () => {
      const pushed = await post(a, '/par', {
        client_id: web.id, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
      }, { authorization: basic(web.id, web.secret) });
      assert.equal(pushed.statusCode, 201, pushed.body);
      const url = `/authorize?${new URLSearchParams({ client_id: web.id, request_uri: pushed.json().request_uri })}`;
      const atB = await b.inject({ method: 'GET', url });
      assert.equal(atB.statusCode, 303, atB.body);
      assert.match(String(atB.headers.location), /\/interaction\//);
      const againAtA = await a.inject({ method: 'GET', url });
      assert.equal(againAtA.statusCode, 400);
      assert.match(againAtA.body, /invalid_request_uri/);
    });

    it('a nonce from A is accepted at B; a proof spent at A is refused at B', async () => {
      const clientCredentials = { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE };
      const assertion = () => clientAssertion(signing, { clientId: keyed.id, aud: TEST_ISSUER, now: now() });
      const first = await post(a, '/token', { ...clientCredentials, client_assertion: await assertion() }, { dpop: await dpopProof(dpop, { htu: `${TEST_ISSUER}/token`, iat: now() }) });
      assert.equal(first.json().error, 'use_dpop_nonce');
      const proof = await dpopProof(dpop, { htu: `${TEST_ISSUER}/token`, iat: now(), nonce: String(first.headers['dpop-nonce']) });
      const atB = await post(b, '/token', { ...clientCredentials, client_assertion: await assertion() }, { dpop: proof });
      assert.equal(atB.statusCode, 200, atB.body);
      const replay = await post(a, '/token', { ...clientCredentials, client_assertion: await assertion() }, { dpop: proof });
      assert.equal(replay.json().error, 'invalid_dpop_proof');
      assert.match(replay.json().error_description, /already used/);
    });

    it('a client assertion spent at A is refused at B', async () => {
      const once = await clientAssertion(signing, { clientId: keyed.id, aud: TEST_ISSUER, now: now() });
      const fields = { token: 'anything', client_assertion_type: ASSERTION_TYPE, client_assertion: once };
      assert.equal((await post(a, '/introspect', fields)).statusCode, 200);
      const replay = await post(b, '/introspect', fields);
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().error, 'invalid_client');
    });
  });
}

acrossInstances('one SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-fapi-'));
  return { url: `sqlite:${join(dir, 'latchkey.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
});

acrossInstances('one PostgreSQL schema', async () => {
  const schema = await createTestSchema(POSTGRES_TEST_URL ?? '', 'fapi');
  return { url: schema.url, drop: schema.drop };
}, POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON);
