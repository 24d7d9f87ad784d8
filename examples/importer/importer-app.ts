// "Contacts Importer": a third-party web app built with @latchkey/client (backend-for-frontend). The browser holds an
// opaque session cookie; the importer's backend holds the tokens (encrypted in its own SQLite file) and calls the
// Contacts API with them. Pages are server-rendered without scripts under a strict CSP.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  CallbackError, createLatchkeyClient, createSqliteStore, NotAuthenticatedError, ReauthenticationRequiredError,
  type LatchkeyClient, type LatchkeySession,
} from '@latchkey/client';
import { fastifyBff } from '@latchkey/client/fastify';
import { sendPage, type SiteIdentity } from '../shared/page.ts';
import { addContact, listContacts, type ApiCall, type ApiOutcome } from './contacts-api-client.ts';
import { readCookie } from './cookies.ts';
import {
  currentTrace, FlowTraces, newTraceId, redacted, shortened, TRACE_COOKIE, tracingProviderFetch, type TraceField,
} from './flow-trace.ts';
import {
  contactsPage, landingPage, newContactPage, problemPage, revokedPage, type Notice, type PageContext,
} from './importer-pages.ts';

export interface ImporterOptions {
  issuer: string;
  /** Where the importer is reached, e.g. http://localhost:4002 (its redirect URI is origin + /callback). */
  origin: string;
  clientId: string;
  clientSecret: string;
  /** 32 random bytes, base64url: encrypts the tokens in the session store. */
  encryptionKey: string;
  /** SQLite file for the server-side sessions. */
  sessionsDb: string;
  apiUrl: string;
  /** Receives warnings (never tokens). */
  print: (line: string) => void;
}

export interface Importer {
  app: FastifyInstance;
  client: LatchkeyClient;
  traces: FlowTraces;
}

declare module 'fastify' {
  interface FastifyRequest {
    traceId: string | undefined;
  }
}

/** Scopes of the first connection; "add contacts" is asked for later, when it is needed. */
export const CONNECT_SCOPES = ['openid', 'email', 'contacts:read'] as const;
const WRITE_SCOPE = 'contacts:write';

const NOTICES: Record<string, Notice> = {
  added: { tone: 'ok', title: 'Contact added', text: 'The importer added it to your address book through the Contacts API.' },
  disconnected: { tone: 'ok', title: 'Disconnected', text: 'The importer revoked its tokens at the server, forgot your session, and signed you out of the server too.' },
};

/**
 * A Fetch API GET Request for the kit (login, callback, incremental consent), on the importer's own origin, never the
 * Host header. The request target is appended to the origin, not resolved against it: `//evil.example/x` is a path.
 */
function webRequest(origin: string, request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(`${origin}${request.url}`, { method: 'GET', headers });
}

async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status);
  for (const [name, value] of response.headers) if (name !== 'set-cookie') reply.header(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

function parseForm(body: unknown): URLSearchParams {
  return new URLSearchParams(typeof body === 'string' ? body : '');
}

export async function createImporter(options: ImporterOptions): Promise<Importer> {
  const traces = new FlowTraces();
  const client = await createLatchkeyClient({
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: `${options.origin}/callback`,
    postLogoutRedirectUri: `${options.origin}/?notice=disconnected`,
    scopes: [...CONNECT_SCOPES],
    store: createSqliteStore({ path: options.sessionsDb }),
    encryptionKeys: [{ kid: 'demo', key: options.encryptionKey }],
    fetch: tracingProviderFetch(traces),
    onWarning: (message) => options.print(`importer: ${message}`),
  });
  const site: SiteIdentity = { name: 'Contacts Importer', origin: options.origin, theme: 'importer' };
  const context: PageContext = { site, issuer: options.issuer, apiUrl: options.apiUrl };
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, forceCloseConnections: 'idle' });
  app.addHook('onClose', async () => client.close());

  // Which browser's "how this worked" steps a request belongs to.
  app.decorateRequest('traceId', undefined);
  app.addHook('onRequest', async (request) => {
    const id = readCookie(request.headers.cookie, TRACE_COOKIE);
    request.traceId = traces.has(id) ? id : undefined;
  });
  // The kit's calls to the server (code exchange, refresh, revocation) happen deep inside its routes and ours; they
  // find the trace through AsyncLocalStorage. Entered after body parsing, which would otherwise lose the context.
  app.addHook('preValidation', (request, _reply, done) => currentTrace.run({ traceId: request.traceId }, done));
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // The kit's callback answers carry no-referrer (RFC 9700 §4.2.4); every other page may tell our own pages.
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    return payload;
  });

  /** Starts a fresh list of steps for this browser (a new connection). */
  function restartTrace(request: FastifyRequest, reply: FastifyReply): string {
    const id = newTraceId();
    traces.reset(id);
    reply.header('set-cookie', `${TRACE_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    request.traceId = id;
    return id;
  }

  function recordRedirect(traceId: string, response: Response, title: string): void {
    const location = response.headers.get('location');
    if (!location) return;
    const url = new URL(location);
    // In the order a learner reads them: who, where back to, what for, then the anti-forgery values.
    const order = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'];
    const random = new Set(['state', 'nonce', 'code_challenge']);
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    const sent: TraceField[] = [...url.searchParams].sort(([a], [b]) => rank(a) - rank(b))
      .map(([name, value]) => ({ name, value: random.has(name) ? shortened(value) : value }));
    traces.add(traceId, {
      kind: 'redirect', channel: 'front', request: `GET ${url.origin}${url.pathname}`, title, sent,
      note: 'state and nonce tie the answer to this attempt; code_challenge is the hash of a secret (PKCE) that only the importer\'s backend knows. No password ever reaches the importer: you type it on the server\'s page.',
    });
  }

  // The callback of the authorization code flow (RFC 6749 §4.1.2): the kit validates it and redeems the code; this
  // handler only adds the trace step and renders refusals as a page that says what to do.
  async function callbackHandler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = new URL(`${options.origin}${request.url}`);
    const params = url.searchParams;
    // The callback URL holds the code and state: no page reached from here learns it (RFC 9700 §4.2.4).
    reply.header('referrer-policy', 'no-referrer');
    const sent: TraceField[] = [];
    if (params.has('code')) sent.push({ name: 'code', value: redacted('one-time code', params.get('code')!), redacted: true });
    for (const name of ['state', 'iss', 'error']) if (params.has(name)) sent.push({ name, value: name === 'state' ? shortened(params.get(name)!) : params.get(name)! });
    traces.add(request.traceId, {
      kind: 'callback', channel: 'front', request: `GET ${url.origin}${url.pathname}`,
      title: params.has('code') ? 'The server sent your browser back to the importer with a one-time code' : 'The server sent your browser back without a code',
      sent,
      note: params.has('code') ? 'The code alone is useless: only the importer\'s backend, with its client secret and PKCE verifier, can exchange it.' : undefined,
    });
    try {
      return await sendWebResponse(reply, await client.callback(webRequest(options.origin, request)));
    } catch (error) {
      if (!(error instanceof CallbackError)) throw error;
      const denied = error.providerError === 'access_denied';
      return sendPage(reply, problemPage(context, denied ? {
        title: 'You did not allow access',
        what: 'You chose "Deny" on the Latchkey server, so the importer received no permission and no token.',
        next: 'Nothing to fix. If you change your mind, connect again and choose "Allow".',
        action: { href: '/connect', label: 'Connect your contacts' },
      } : {
        title: 'The connection could not be completed',
        what: error.userMessage,
        next: 'Start again from the importer. If it keeps failing, check the terminal where npm start runs.',
        action: { href: '/connect', label: 'Start again' },
      }), 400);
    }
  }
  // The kit's adapter mounts its own callback route; the importer swaps in the handler above (same kit call).
  app.addHook('onRoute', (route) => {
    if (route.url === client.callbackPath) route.handler = callbackHandler;
  });
  await app.register(fastifyBff, { client, loginPath: '/login' });

  const apiCall = async (request: FastifyRequest, scopes: string[]): Promise<ApiCall> => ({
    apiUrl: options.apiUrl,
    accessToken: await request.latchkey.getAccessToken({ scopes }),
    traces,
    traceId: request.traceId,
  });

  /** A failed API call as a page: revoked access gets its own page, not an error. */
  function sendFailure(reply: FastifyReply, request: FastifyRequest, outcome: Exclude<ApiOutcome<unknown>, { ok: true }>): FastifyReply {
    if (outcome.reason === 'revoked') return sendPage(reply, revokedPage(context, traces.steps(request.traceId)));
    return sendPage(reply, problemPage(context, {
      title: outcome.reason === 'forbidden' ? 'The importer is not allowed to do that' : 'The Contacts API is not answering',
      what: outcome.message,
      next: outcome.reason === 'forbidden' ? 'Reconnect and allow the permission it asks for.' : 'Make sure the demo is still running (npm start), then try again.',
      action: outcome.reason === 'forbidden' ? { href: '/connect', label: 'Reconnect' } : { href: '/', label: 'Try again' },
    }), outcome.status === 403 ? 403 : 502);
  }

  /** Token problems that mean "the user has to connect again" (refresh refused after a revocation, no session). */
  const needsReconnect = (error: unknown) => error instanceof ReauthenticationRequiredError || error instanceof NotAuthenticatedError;

  const sessionName = (session: LatchkeySession) => String(session.claims.email ?? session.claims.name ?? session.subject);

  app.get('/', async (request, reply) => {
    if (!request.traceId) restartTrace(request, reply);
    const notice = NOTICES[String((request.query as Record<string, unknown>).notice ?? '')];
    const { session } = request.latchkey;
    if (!session) return sendPage(reply, landingPage(context, traces.steps(request.traceId), notice));
    if (session.reauthenticationRequired) return sendPage(reply, revokedPage(context, traces.steps(request.traceId)));
    let outcome;
    try {
      outcome = await listContacts(await apiCall(request, ['contacts:read']));
    } catch (error) {
      if (needsReconnect(error)) return sendPage(reply, revokedPage(context, traces.steps(request.traceId)));
      throw error;
    }
    if (!outcome.ok) return sendFailure(reply, request, outcome);
    return sendPage(reply, contactsPage(context, {
      who: sessionName(session), contacts: outcome.value.contacts, scopes: session.scopes, steps: traces.steps(request.traceId), ...(notice ? { notice } : {}),
    }));
  });

  app.get('/connect', async (request, reply) => {
    const traceId = restartTrace(request, reply);
    const response = await client.login(webRequest(options.origin, request), { returnTo: '/' });
    recordRedirect(traceId, response, 'The importer sent your browser to the authorization server (authorization request)');
    return sendWebResponse(reply, response);
  });

  app.get('/contacts/new', async (request, reply) => {
    const { session } = request.latchkey;
    if (!session || session.reauthenticationRequired) return reply.redirect('/', 303);
    if (session.scopes.includes(WRITE_SCOPE)) return sendPage(reply, newContactPage(context, { steps: traces.steps(request.traceId) }));
    // Incremental consent: the kit asks the server for what the session holds plus contacts:write. The server
    // remembers what the user allowed, so its consent screen asks only about "add contacts", and the new token
    // covers reading and adding.
    if (!request.traceId) restartTrace(request, reply);
    traces.add(request.traceId, {
      kind: 'note', channel: 'none', title: `Adding a contact needs one more permission (${WRITE_SCOPE}): the importer asks the server for it`,
      note: 'The server remembers what you already allowed, so its consent screen asks only about "add contacts".',
    });
    const response = await client.authorizeScopes(webRequest(options.origin, request), [WRITE_SCOPE], { returnTo: '/contacts/new' });
    if (!response) return sendPage(reply, newContactPage(context, { steps: traces.steps(request.traceId) }));
    recordRedirect(request.traceId!, response, 'The importer sent your browser to the server again, for the extra permission');
    return sendWebResponse(reply, response);
  });

  await app.register(async (forms) => {
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, body));
    forms.post('/contacts', async (request, reply) => {
      // A form post from this origin only (SameSite=Lax already keeps the session cookie off cross-site posts).
      if (request.headers.origin !== options.origin) {
        return sendPage(reply, problemPage(context, { title: 'The form could not be accepted', what: 'It did not come from a Contacts Importer page.', next: 'Open the importer and use its "Add a contact" form.' }), 403);
      }
      const { session } = request.latchkey;
      if (!session || session.reauthenticationRequired) return reply.redirect('/', 303);
      if (!session.scopes.includes(WRITE_SCOPE)) return reply.redirect('/contacts/new', 303);
      const form = parseForm(request.body);
      const values = { name: (form.get('name') ?? '').trim(), email: (form.get('email') ?? '').trim() };
      let outcome;
      try {
        outcome = await addContact(await apiCall(request, [WRITE_SCOPE]), values);
      } catch (error) {
        if (needsReconnect(error)) return sendPage(reply, revokedPage(context, traces.steps(request.traceId)));
        throw error;
      }
      if (outcome.ok) return reply.redirect('/?notice=added', 303);
      if (outcome.reason === 'invalid') return sendPage(reply, newContactPage(context, { steps: traces.steps(request.traceId), values, error: outcome.message }), 400);
      return sendFailure(reply, request, outcome);
    });
  });

  app.setNotFoundHandler(async (_request, reply) => sendPage(reply, problemPage(context, {
    title: 'Page not found', what: 'Contacts Importer has no page at this address.', next: 'Go back to the start page.',
  }), 404));
  app.setErrorHandler(async (error, _request, reply) => {
    options.print(`importer: request failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return sendPage(reply, problemPage(context, {
      title: 'Something went wrong in the importer',
      what: 'The request failed on the importer\'s server (the details are in the terminal where npm start runs).',
      next: 'Try again. If the Latchkey server was restarted, reconnect.',
    }), 500);
  });
  return { app, client, traces };
}
