// "Contacts API": a resource server built with @latchkey/resource. Every /contacts route needs a bearer token issued
// by the Latchkey server for this API (aud = its identifier), checked locally (signature, RFC 9068 claims) and then
// at the server's introspection endpoint (RFC 7662), uncached, so a grant revoked on the account page stops
// working on the very next call. Scopes: contacts:read, contacts:write (RFC 6750 §3.1 insufficient_scope otherwise).
import Fastify, { type FastifyInstance } from 'fastify';
import { createVerifier, type AccessTokenClaims } from '@latchkey/resource';
import { fastifyBearer, fastifyRequireScopes } from '@latchkey/resource/fastify';
import { html } from '../shared/html.ts';
import { renderPage, sendPage, type SiteIdentity } from '../shared/page.ts';
import { AddressBooks, contactProblem, type NewContact } from './address-books.ts';
import { bearerErrorOf, CallLog, callerOf, type Caller } from './call-log.ts';

export interface ContactsApiOptions {
  /** The authorization server's issuer, exactly as it publishes it. */
  issuer: string;
  /** This API's identifier: the audience its tokens must name. */
  identifier: string;
  /** Where it listens (for its home page). */
  origin: string;
  /** The API's own confidential client, for token introspection. */
  introspection: { clientId: string; clientSecret: string };
  /** Human names for client and user ids, for the log. */
  labels?: ReadonlyMap<string, string>;
  /** Receives one line per call. */
  print: (line: string) => void;
}

export interface ContactsApi {
  app: FastifyInstance;
  log: CallLog;
  books: AddressBooks;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

const SCOPE_TABLE = [
  ['contacts:read', 'read your contacts', 'GET /contacts, GET /contacts/summary'],
  ['contacts:write', 'add contacts', 'POST /contacts'],
] as const;

function homePage(options: ContactsApiOptions, log: CallLog, site: SiteIdentity) {
  const calls = log.recent();
  return renderPage({ site, title: 'Contacts API' }, html`
<h1>Contacts API</h1>
<section class="card" aria-labelledby="what">
<h2 id="what">What this is</h2>
<p>A <strong>resource server</strong>: it holds each user's contacts and answers only requests that carry an
access token issued by <a href="${options.issuer}/">the Latchkey server</a> (<code>${options.issuer}</code>) for this API,
whose identifier <code>${options.identifier}</code> is the token's audience.</p>
<p>Each token is verified here (signature, issuer, audience, expiry) and then checked with the server
(token introspection), so access revoked on the server's account page stops working on the next call.</p>
</section>
<section class="card" aria-labelledby="scopes">
<h2 id="scopes">Scopes</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Scope</th><th scope="col">Consent screen says</th><th scope="col">Needed for</th></tr></thead>
<tbody>${SCOPE_TABLE.map(([scope, text, routes]) => html`<tr><td><code>${scope}</code></td><td>${text}</td><td><code>${routes}</code></td></tr>`)}</tbody>
</table></div>
</section>
<section class="card" aria-labelledby="calls">
<h2 id="calls">Recent calls</h2>
${calls.length === 0 ? html`<p class="muted">No calls yet. Connect the Contacts Importer, or run <code>npm run demo:sync</code>.</p>` : html`
<div class="table-wrap"><table>
<thead><tr><th scope="col">Time</th><th scope="col">Request</th><th scope="col">Caller</th><th scope="col">Result</th></tr></thead>
<tbody>${calls.map((call) => html`<tr><td>${call.at.toISOString().slice(11, 19)}</td><td><code>${call.method} ${call.path}</code></td>
<td>${call.caller}${call.scope !== undefined ? html`<br><span class="muted">scope: ${call.scope}</span>` : ''}</td>
<td>${call.status}${call.error ? ` ${call.error}` : ''}</td></tr>`)}</tbody>
</table></div>`}
<p class="hint">The same lines appear on the console where the demo runs. Reload to see new calls.</p>
</section>`);
}

export function createContactsApi(options: ContactsApiOptions): ContactsApi {
  const labels = options.labels ?? new Map<string, string>();
  const log = new CallLog(options.print);
  const books = new AddressBooks();
  const site: SiteIdentity = { name: 'Contacts API', origin: options.origin, theme: 'api' };
  const verifier = createVerifier({
    issuer: options.issuer,
    audience: options.identifier,
    introspection: { ...options.introspection, cacheTtlSeconds: 0 },
  });

  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, forceCloseConnections: 'idle' });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    return payload;
  });

  app.get('/', async (_request, reply) => sendPage(reply, homePage(options, log, site)));
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.register(async (api) => {
    api.decorateRequest('caller', null);
    await api.register(fastifyBearer(verifier));
    api.addHook('preHandler', async (request) => {
      if (request.auth) request.caller = callerOf(request.auth, labels);
    });
    api.addHook('onResponse', async (request, reply) => {
      const claims: AccessTokenClaims | null = request.auth;
      log.record({
        at: new Date(), method: request.method, path: request.url.split('?')[0] ?? request.url,
        caller: request.caller?.description ?? (claims ? callerOf(claims, labels).description : request.headers.authorization ? 'a caller whose token was refused' : 'a caller without a token'),
        scope: claims?.scope, status: reply.statusCode, error: bearerErrorOf(reply.getHeader('www-authenticate')),
      });
    });

    api.get('/contacts', { preHandler: fastifyRequireScopes(['contacts:read']) }, async (request) => {
      const caller = request.caller!;
      return { owner: { kind: caller.kind, subject: caller.subject }, contacts: books.list(caller.subject, caller.kind) };
    });

    api.post('/contacts', { preHandler: fastifyRequireScopes(['contacts:write']) }, async (request, reply) => {
      const caller = request.caller!;
      const problem = contactProblem(request.body);
      if (problem) return reply.code(400).send({ error: 'invalid_contact', error_description: problem });
      const contact = books.add(caller.subject, caller.kind, request.body as NewContact);
      if (!contact) return reply.code(409).send({ error: 'address_book_full', error_description: 'this address book is full' });
      return reply.code(201).send({ contact });
    });

    api.get('/contacts/summary', { preHandler: fastifyRequireScopes(['contacts:read']) }, async (request) => {
      const caller = request.caller!;
      return { caller: { kind: caller.kind, subject: caller.subject, clientId: caller.clientId }, ...books.summary() };
    });
  });

  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not_found', error_description: 'no such endpoint: see / for the list' }));
  app.setErrorHandler(async (error: { statusCode?: number; name?: string; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) options.print(`contacts-api: ${request.method} ${request.url.split('?')[0]} failed: ${error.name ?? 'Error'}: ${error.message ?? ''}`);
    return reply.code(status).send(status === 500
      ? { error: 'server_error', error_description: 'the Contacts API failed; see its console' }
      : { error: 'invalid_request', error_description: error.message ?? 'bad request' });
  });
  return { app, log, books };
}
