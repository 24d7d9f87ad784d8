// An MCP client on the official SDK's own OAuth support (OAuthClientProvider + the streamable HTTP transport): from a
// 401 it discovers the protected resource metadata and the authorization server, identifies itself by its client ID
// metadata document URL (or, without one, registers through RFC 7591), sends the user through the browser (PKCE,
// resource, state checked on the loopback callback), calls a tool, and on a 403 insufficient_scope steps up.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export const AGENT_NAME = 'Notes Agent';

/** The client ID metadata document an agent publishes at `clientId` (MCP 2025-11-25 example shape). */
export function agentMetadataDocument(clientId: string, redirectUri: string): Record<string, unknown> {
  return {
    client_id: clientId, client_name: AGENT_NAME, redirect_uris: [redirectUri], grant_types: ['authorization_code'],
    response_types: ['code'], token_endpoint_auth_method: 'none',
  };
}

/** The agent's loopback callback (RFC 8252 §7.3): receives the authorization response and checks its state. */
class LoopbackCallback {
  readonly #server: Server;
  #waiting: { state: string; resolve(code: string): void; reject(error: Error): void } | undefined;

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const waiting = this.#waiting;
      if (url.pathname !== '/callback' || !waiting) return void response.writeHead(404).end();
      this.#waiting = undefined;
      const code = url.searchParams.get('code');
      if (url.searchParams.get('state') !== waiting.state) {
        response.writeHead(400).end('state mismatch');
        return waiting.reject(new Error('the authorization response has the wrong state'));
      }
      if (!code) {
        response.writeHead(400).end('no code');
        return waiting.reject(new Error(`authorization failed: ${url.searchParams.get('error') ?? 'no code'}`));
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in. You can close this window.');
      waiting.resolve(code);
    });
  }

  static async start(port = 0): Promise<LoopbackCallback> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new LoopbackCallback(server);
  }

  get redirectUri(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/callback`;
  }

  expect(state: string): Promise<string> {
    return new Promise((resolve, reject) => void (this.#waiting = { state, resolve, reject }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** An in-memory OAuthClientProvider: what a desktop agent would keep in its keychain. */
class AgentAuthProvider implements OAuthClientProvider {
  readonly clientMetadataUrl: string | undefined;
  readonly #redirectUri: string;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  #state = '';
  /** Authorization URLs the SDK asked the user to open, in order. */
  readonly authorizationUrls: URL[] = [];

  constructor(redirectUri: string, clientMetadataUrl: string | undefined) {
    this.#redirectUri = redirectUri;
    this.clientMetadataUrl = clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.#redirectUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: AGENT_NAME, redirect_uris: [this.#redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }

  state(): string {
    this.#state = randomBytes(16).toString('base64url');
    return this.#state;
  }

  get lastState(): string {
    return this.#state;
  }

  clientInformation() { return this.#client; }
  saveClientInformation(info: OAuthClientInformationMixed) { this.#client = info; }
  tokens() { return this.#tokens; }
  saveTokens(tokens: OAuthTokens) { this.#tokens = tokens; }
  saveCodeVerifier(verifier: string) { this.#verifier = verifier; }
  codeVerifier() { return this.#verifier; }
  redirectToAuthorization(url: URL) { this.authorizationUrls.push(url); }
}

export interface NotesAgentOptions {
  /** The MCP endpoint, e.g. http://127.0.0.1:3333/mcp. */
  serverUrl: string;
  /** Identify by this client ID metadata document URL (https); absent: register dynamically (RFC 7591). */
  clientMetadataUrl?: string;
  /** The loopback callback port (0: any free port). A metadata document lists its redirect URI, so it fixes the port. */
  callbackPort?: number;
  /** Shows the user the authorization URL (a real agent opens the system browser); resolves once it was handled. */
  openBrowser(url: URL): Promise<void>;
  note: string;
}

export interface NotesAgentRun {
  clientId: string;
  notesBefore: unknown;
  added: string;
  notesAfter: unknown;
  /** The authorization requests made: the first sign-in, then the step-up. */
  authorizationUrls: URL[];
}

const textOf = (result: unknown): string => ((result as { content?: Array<{ text?: string }> }).content?.[0]?.text ?? '');

export async function runNotesAgent(options: NotesAgentOptions): Promise<NotesAgentRun> {
  const callback = await LoopbackCallback.start(options.callbackPort ?? 0);
  const provider = new AgentAuthProvider(callback.redirectUri, options.clientMetadataUrl);
  const client = new Client({ name: 'notes-agent', version: '1.0.0' });
  let transport = new StreamableHTTPClientTransport(new URL(options.serverUrl), { authProvider: provider });

  /** The browser part of an authorization the SDK started: open the URL, wait for the code, finish it. */
  const completeAuthorization = async () => {
    const url = provider.authorizationUrls.at(-1);
    if (!url) throw new Error('the SDK asked for no authorization');
    const code = callback.expect(provider.lastState);
    await options.openBrowser(url);
    await transport.finishAuth(await code);
  };

  try {
    try {
      await client.connect(transport);
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await completeAuthorization();
      // A transport that failed to start is not reused (as the SDK's own examples do).
      transport = new StreamableHTTPClientTransport(new URL(options.serverUrl), { authProvider: provider });
      await client.connect(transport);
    }
    const notesBefore = JSON.parse(textOf(await client.callTool({ name: 'list_notes' })));
    let added: string;
    try {
      added = textOf(await client.callTool({ name: 'add_note', arguments: { text: options.note } }));
    } catch (error) {
      // 403 insufficient_scope: the SDK started a step-up authorization for the scopes the server named.
      if (!(error instanceof UnauthorizedError)) throw error;
      await completeAuthorization();
      added = textOf(await client.callTool({ name: 'add_note', arguments: { text: options.note } }));
    }
    const notesAfter = JSON.parse(textOf(await client.callTool({ name: 'list_notes' })));
    const info = provider.clientInformation();
    return { clientId: info?.client_id ?? '', notesBefore, added, notesAfter, authorizationUrls: provider.authorizationUrls };
  } finally {
    await client.close().catch(() => {});
    await callback.close();
  }
}
