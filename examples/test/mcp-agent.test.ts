// The MCP story end to end (issue 20): the official MCP SDK's client, with no pre-registration, discovers everything
// from a 401 of an MCP server protected by @latchkey/resource, identifies itself by a client ID metadata document
// (served over https) and, in a second run, registers through RFC 7591, signs the user in through the browser flow,
// calls a tool, and steps up on a 403 insufficient_scope. Attacker side: a token for another resource is refused.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { addUser, createServer, openStore, registerApi, registerClient, resolveConfig, type Store } from '@latchkey/server/internal';
import { agentMetadataDocument, AGENT_NAME, runNotesAgent } from '../mcp/notes-agent.ts';
import { createNotesMcpServer, mcpResource } from '../mcp/notes-mcp-server.ts';
import { FormBrowser } from './support/form-browser.ts';
import { freePort } from './support/demo-harness.ts';

const USER = { username: 'ada', password: 'ada has a long enough password' };
let dir: string;
let store: Store;
let authServer: FastifyInstance;
let mcp: FastifyInstance;
let documentHost: Server;
let issuer: string;
let mcpOrigin: string;
let documentOrigin: string;
let callbackPort: number;
const documentFetches: string[] = [];

/** A self-signed certificate for 127.0.0.1 (the client's web site), trusted by the authorization server in this test. */
function selfSignedCertificate(into: string): { key: string; cert: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', join(into, 'key.pem'), '-out', join(into, 'cert.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(join(into, 'key.pem'), 'utf8'), cert: readFileSync(join(into, 'cert.pem'), 'utf8') };
}

// The document must be served over https (the SDK refuses other client_id URLs); openssl makes the certificate.
const NO_OPENSSL = spawnSync('openssl', ['version']).status === 0 ? false : 'openssl is not installed: the MCP end-to-end story was not run';

async function setUp(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-mcp-'));
  const tls = selfSignedCertificate(dir);
  const [port, mcpPort] = [await freePort(), await freePort()];
  callbackPort = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  mcpOrigin = `http://127.0.0.1:${mcpPort}`;

  documentHost = createHttpsServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    documentFetches.push(request.url ?? '');
    if (request.url !== '/notes-agent/client.json') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' })
      .end(JSON.stringify(agentMetadataDocument(`${documentOrigin}/notes-agent/client.json`, `http://127.0.0.1:${callbackPort}/callback`)));
  });
  await new Promise<void>((resolve) => documentHost.listen(0, '127.0.0.1', resolve));
  documentOrigin = `https://127.0.0.1:${(documentHost.address() as { port: number }).port}`;

  // Development configuration: metadata documents and dynamic registration on, private addresses allowed (everything
  // here is on 127.0.0.1), the test's own certificate trusted for the document's https.
  const config = resolveConfig({
    dev: true, issuer, port, secret: 'mcp-test-secret-that-is-long-enough-0123456789', databaseUrl: `sqlite:${join(dir, 'latchkey.db')}`,
    logLevel: 'silent', clientMetadataDocuments: true, clientMetadataDocumentsAllowPrivate: true, dynamicRegistration: true, operatorName: 'Latchkey Test',
  });
  store = openStore(config.databaseUrl);
  authServer = await createServer(config, { store, cacheSyncIntervalMs: 100, metadataDocuments: { ca: tls.cert } });
  await registerApi(store, { identifier: mcpResource(mcpOrigin), name: 'Notes MCP', scopes: ['notes:read=Read your notes', 'notes:write=Add notes'] }, Math.floor(Date.now() / 1000));
  await registerApi(store, { identifier: 'https://other.example/api', name: 'Other', scopes: ['other:read=Read other things'] }, Math.floor(Date.now() / 1000));
  await addUser(store, USER, Math.floor(Date.now() / 1000));
  await authServer.latchkeyServer.scopes.load();
  await authServer.listen({ host: '127.0.0.1', port });

  ({ app: mcp } = await createNotesMcpServer({ issuer, origin: mcpOrigin }));
  await mcp.listen({ host: '127.0.0.1', port: mcpPort });
}

async function tearDown(): Promise<void> {
  await mcp?.close();
  await authServer?.close();
  await store?.close();
  if (documentHost) await new Promise((resolve) => documentHost.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The user's browser: records the pages it answered. */
function browserFor(pages: string[][]) {
  const browser = new FormBrowser();
  return async (url: URL) => {
    const visit = await browser.authorize(url.href, USER);
    pages.push(visit.pages);
    // The last hop is the agent's loopback callback; the browser "opens" it, as a real one would.
    assert.match(visit.finalUrl, /^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    await fetch(visit.finalUrl);
  };
}

describe('the official MCP SDK client against Latchkey and the resource kit', { skip: NO_OPENSSL }, () => {
  before(setUp);
  after(tearDown);

  it('an unauthenticated MCP request gets 401 pointing at the protected resource metadata (which names the authorization server) and naming the scope to ask for', async () => {
    const response = await fetch(`${mcpOrigin}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, new RegExp(`resource_metadata="${mcpOrigin}/\\.well-known/oauth-protected-resource/mcp"`));
    assert.match(challenge, /scope="notes:read"/, 'the scope to ask for first');
    const metadata = await (await fetch(`${mcpOrigin}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.deepEqual(metadata.authorization_servers, [issuer]);
    assert.equal(metadata.resource, mcpResource(mcpOrigin));
  });

  it('run 1: client ID metadata document, browser sign-in, a tool call, then step-up for the wider scope', async () => {
    const pages: string[][] = [];
    const clientMetadataUrl = `${documentOrigin}/notes-agent/client.json`;
    const run = await runNotesAgent({ serverUrl: `${mcpOrigin}/mcp`, clientMetadataUrl, callbackPort, openBrowser: browserFor(pages), note: 'buy milk' });
    assert.equal(run.clientId, clientMetadataUrl, 'the metadata document URL is the client_id');
    assert.ok(documentFetches.includes('/notes-agent/client.json'), 'the authorization server fetched the document');
    assert.deepEqual((run.notesBefore as { notes: string[] }).notes, []);
    assert.equal(run.added, 'added note 1');
    assert.deepEqual((run.notesAfter as { notes: string[] }).notes, ['buy milk']);

    const [first, stepUp] = run.authorizationUrls;
    assert.equal(run.authorizationUrls.length, 2, 'one sign-in and one step-up');
    assert.equal(first!.searchParams.get('client_id'), clientMetadataUrl);
    assert.equal(first!.searchParams.get('scope'), 'notes:read', 'the baseline the 401 named (scopes_supported lists more)');
    assert.equal(first!.searchParams.get('resource'), mcpResource(mcpOrigin));
    assert.equal(first!.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(stepUp!.searchParams.get('scope'), 'notes:read notes:write', 'exactly what the 403 named');

    const [signIn, stepUpPages] = pages;
    assert.equal(signIn!.length, 2, 'login, then consent');
    assert.match(signIn![1]!, new RegExp(`Allow <strong>${AGENT_NAME}</strong> access\\?`));
    assert.match(signIn![1]!, /not verified by Latchkey Test/);
    assert.match(signIn![1]!, /<li>Read your notes<\/li>/);
    assert.equal(stepUpPages!.length, 1, 'already signed in: only the consent page');
    assert.match(stepUpPages![0]!, /<li>Add notes<\/li>/);
    assert.doesNotMatch(stepUpPages![0]!, /<li>Read your notes<\/li>/, 'incremental: only the new scope is asked');
    assert.match(stepUpPages![0]!, /You already allowed it to: Read your notes/);
  });

  it('run 2: without a metadata document the SDK registers through RFC 7591 and does the same', async () => {
    const pages: string[][] = [];
    const run = await runNotesAgent({ serverUrl: `${mcpOrigin}/mcp`, openBrowser: browserFor(pages), note: 'call mum' });
    assert.doesNotMatch(run.clientId, /^https?:/, 'a registered client_id');
    const registered = await store.getClient(run.clientId);
    assert.equal(registered?.registration, 'dynamic');
    assert.equal(registered?.name, AGENT_NAME);
    assert.equal(run.added, 'added note 2');
    assert.deepEqual((run.notesAfter as { notes: string[] }).notes, ['buy milk', 'call mum'], 'the same user, the same notes');
    assert.equal(run.authorizationUrls.length, 2);
    assert.match(pages[0]![1]!, /not verified by Latchkey Test/);
  });

  it('a token issued for another resource is refused by the MCP server (401 invalid_token)', async () => {
    const { client, clientSecret } = await registerClient(store, { name: 'Other job', scope: 'other:read' }, Math.floor(Date.now() / 1000));
    authServer.latchkeyServer.clients.invalidate();
    const token = await (await fetch(`${issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'other:read' }).toString(),
    })).json() as { access_token: string };
    const replayed = await fetch(`${mcpOrigin}/mcp`, {
      method: 'POST', headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_notes' } }),
    });
    assert.equal(replayed.status, 401);
    assert.match(replayed.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });
});
