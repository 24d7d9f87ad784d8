// Database round trips per flow (issue 21), counted at the Kysely driver: every statement the server sends, BEGIN and
// COMMIT included, on SQLite and PostgreSQL. The lists are exact, so a change that adds a round trip to a hot flow fails
// here and has to update docs/architecture.md ("Round trips per flow") with it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { NodeSqliteDialect } from '@latchkey/sqlite';
import type { FastifyInstance } from 'fastify';
import { resolveConfig } from '../../src/config/config.ts';
import { createServer } from '../../src/http/app.ts';
import { postgresDialect } from '../../src/store/postgres/open-postgres-store.ts';
import type { Database } from '../../src/store/schema.ts';
import { createSqlStore, type SqlStore } from '../../src/store/sql/sql-store.ts';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { codeRecord, seedClientAndUser } from './contract/contract-fixtures.ts';
import { countingDialect, type StatementLog } from '../helpers/counting-dialect.ts';
import { addApi, addClient, addIntrospector, addTestUser, basic, form, FORM_HEADERS, TEST_ISSUER, TEST_SECRET, type TestServer } from '../helpers/test-server.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL, type TestSchema } from './postgres-test-schema.ts';

const API = 'https://contacts.example';
const REDIRECT = 'https://app.example/cb';

/** The statements of each flow, in order (verb and table); where the databases differ, per database. */
export const EXPECTED = {
  // The session joined to its user's consent for the client, then the code with the session's participant (the
  // client a back-channel logout goes to: logout/), written together.
  authorize: {
    sqlite: ['select sessions', 'begin', 'insert auth_codes', 'insert session_clients', 'commit'],
    // One statement, committed asynchronously (no WAL flush to wait for): store/sql/codes.ts.
    postgres: ['select sessions', 'with: insert auth_codes, insert session_clients'],
  },
  code: {
    sqlite: ['select auth_codes', 'begin', 'update auth_codes', 'insert grants', 'insert refresh_tokens', 'commit'],
    postgres: ['select auth_codes', 'with: update auth_codes, insert grants, insert refresh_tokens'],
  },
  // A refresh token that was itself an answer (the steady state): the other answers of its parent retire with it.
  refresh: {
    sqlite: ['select refresh_tokens', 'begin', 'update refresh_tokens', 'update refresh_tokens', 'insert refresh_tokens', 'update grants', 'commit'],
    postgres: ['select refresh_tokens', 'with: update refresh_tokens, update refresh_tokens, insert refresh_tokens, update grants'],
  },
  introspect: ['select revoked_tokens'],
  clientCredentials: [],
};

interface Counted {
  server: TestServer;
  log: StatementLog;
}

async function countedServer(store: SqlStore, log: StatementLog): Promise<Counted> {
  await store.migrate();
  const config = resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: 'sqlite::memory:', logLevel: 'silent' },
    { requestsPerSecondPerAddress: 0, requestsPerSecondPerClient: 0 });
  // No background polling during the measurements: the cache-version poll and the expiry sweep are not per request.
  const app: FastifyInstance = await createServer(config, { store, cacheSyncIntervalMs: 3_600_000, cleanupIntervalMs: 3_600_000 });
  await app.ready();
  return { log, server: { app, store, logs: [], close: async () => { await app.close(); await store.close(); } } };
}

function roundTrips(kind: 'sqlite' | 'postgres', open: () => Promise<Counted & { cleanup?: () => Promise<void> }>) {
  let counted: Counted & { cleanup?: () => Promise<void> };
  let web: { id: string; secret: string };
  let rs: { id: string; secret: string };
  let service: { id: string; secret: string };
  let browser: InjectBrowser;

  before(async () => {
    counted = await open();
    const { server } = counted;
    await addApi(server, API, { 'contacts:read': 'read your contacts' });
    web = (await addClient(server, { name: 'web', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'], scope: 'openid profile contacts:read' })) as typeof web;
    rs = (await addClient(server, { name: 'contacts api', grantTypes: ['client_credentials'], scope: 'contacts:read' })) as typeof rs;
    service = (await addClient(server, { name: 'sync job', grantTypes: ['client_credentials'], scope: 'contacts:read' })) as typeof service;
    await addIntrospector(server, API, rs.id);
    await addTestUser(server, 'alice', 'alice-password-1');
    // Signed in once, with consent remembered: from here on the flow is the SSO one the bench measures.
    browser = new InjectBrowser(server.app);
    const pkce = pkcePair();
    const first = await runAuthorization(browser, authorizeUrl({ response_type: 'code', client_id: web.id, redirect_uri: REDIRECT, scope: 'openid profile contacts:read', code_challenge: pkce.challenge, code_challenge_method: 'S256', nonce: 'n0' }), { username: 'alice', password: 'alice-password-1' });
    assert.deepEqual(first.pages, ['login', 'consent']);
    // Clients are served from memory once read (the first request of a client reads its row): warm them.
    for (const client of [rs, service]) {
      const warm = await counted.server.app.inject({ method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(client.id, client.secret) }, payload: form({ grant_type: 'client_credentials' }) });
      assert.equal(warm.statusCode, 200, warm.body);
    }
  });
  after(async () => {
    await counted.server.close();
    await counted.cleanup?.();
  });

  /** Runs one request with the statement log cleared first; returns the response and the statements it cost. */
  async function measure<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    counted.log.reset();
    const result = await work();
    return { result, statements: [...counted.log.statements] };
  }

  async function codeFlow() {
    const pkce = pkcePair();
    const authorize = await measure(() => browser.get(authorizeUrl({
      response_type: 'code', client_id: web.id, redirect_uri: REDIRECT, scope: 'openid profile contacts:read', code_challenge: pkce.challenge, code_challenge_method: 'S256', nonce: 'n1',
    })));
    assert.equal(authorize.result.statusCode, 303, authorize.result.body);
    const code = callbackParams(authorize.result).get('code')!;
    const token = await measure(() => tokenRequest(counted.server.app, web, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: pkce.verifier }));
    assert.equal(token.result.statusCode, 200, token.result.body);
    return { authorize: authorize.statements, code: token.statements, tokens: token.result.json() as { access_token: string; refresh_token: string; id_token: string } };
  }

  it(`code flow with an SSO session: authorize ${EXPECTED.authorize[kind].length}, token ${EXPECTED.code[kind].length}`, async () => {
    const flow = await codeFlow();
    assert.ok(flow.tokens.id_token && flow.tokens.refresh_token);
    assert.deepEqual(flow.authorize, EXPECTED.authorize[kind]);
    assert.deepEqual(flow.code, EXPECTED.code[kind]);
  });

  it(`refresh rotation: ${EXPECTED.refresh[kind].length}`, async () => {
    const { tokens } = await codeFlow();
    // The first rotation (of the code's token, which has no parent) is not the steady state: not measured.
    const first = await tokenRequest(counted.server.app, web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(first.statusCode, 200, first.body);
    let refreshToken = first.json().refresh_token as string;
    for (let i = 0; i < 2; i++) {
      const refresh = await measure(() => tokenRequest(counted.server.app, web, { grant_type: 'refresh_token', refresh_token: refreshToken }));
      assert.equal(refresh.result.statusCode, 200, refresh.result.body);
      assert.deepEqual(refresh.statements, EXPECTED.refresh[kind]);
      refreshToken = refresh.result.json().refresh_token;
    }
  });

  it(`introspection of a user's access token: ${EXPECTED.introspect.length}`, async () => {
    const { tokens } = await codeFlow();
    const introspect = await measure(() => counted.server.app.inject({
      method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(rs.id, rs.secret) }, payload: form({ token: tokens.access_token }),
    }));
    assert.equal(introspect.result.json().active, true, introspect.result.body);
    assert.deepEqual(introspect.statements, EXPECTED.introspect);
  });

  it('start-up on an up-to-date database: the migration check is one statement', async () => {
    const migrate = await measure(() => counted.server.store.migrate());
    assert.deepEqual(migrate.result, { applied: [] });
    assert.deepEqual(migrate.statements, ['select latchkey_migrations']);
  });

  it('client credentials: none', async () => {
    for (let i = 0; i < 3; i++) {
      const cc = await measure(() => counted.server.app.inject({
        method: 'POST', url: '/token', headers: { ...FORM_HEADERS, authorization: basic(service.id, service.secret) }, payload: form({ grant_type: 'client_credentials' }),
      }));
      assert.equal(cc.result.statusCode, 200, cc.result.body);
      assert.deepEqual(cc.statements, EXPECTED.clientCredentials);
    }
  });
}

describe('round trips per flow, SQLite', () => {
  roundTrips('sqlite', async () => {
    const { dialect, log } = countingDialect(new NodeSqliteDialect({ path: ':memory:' }));
    return countedServer(createSqlStore(new Kysely<Database>({ dialect }), 'sqlite'), log);
  });
});

describe('round trips per flow, PostgreSQL', { skip: POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON }, () => {
  roundTrips('postgres', async () => {
    const schema: TestSchema = await createTestSchema(POSTGRES_TEST_URL!, 'round_trips');
    const pg = postgresDialect(schema.url, { max: 10 });
    const { dialect, log } = countingDialect(pg.dialect);
    return { ...(await countedServer(createSqlStore(new Kysely<Database>({ dialect }), 'postgres', pg.poolStats), log)), cleanup: () => schema.drop() };
  });
});

describe('the asynchronous commit of a new code, PostgreSQL', { skip: POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON }, () => {
  it('applies to that statement only: the connection that wrote the code keeps synchronous_commit on', async () => {
    const schema = await createTestSchema(POSTGRES_TEST_URL!, 'async_commit');
    // One connection, so the statements below run on the very connection that wrote the code.
    const pg = postgresDialect(schema.url, { max: 1 });
    const store = createSqlStore(new Kysely<Database>({ dialect: pg.dialect }), 'postgres', pg.poolStats);
    try {
      await store.migrate();
      await seedClientAndUser(store);
      await store.createCode(codeRecord('code-1', 'c1', 'u1'));
      const setting = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(store.db);
      assert.equal(setting.rows[0]?.synchronous_commit, 'on');
      assert.deepEqual(await store.getCode('code-1'), codeRecord('code-1', 'c1', 'u1'));
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
