// An MCP server (the official @modelcontextprotocol/sdk, streamable HTTP transport, stateless) protected by
// @latchkey/resource as MCP 2025-11-25 "Authorization" asks: RFC 9728 protected resource metadata at the
// path-inserted well-known URI, 401 with resource_metadata and the baseline scope, tokens accepted only for this server's canonical URI
// (RFC 8707 audience), and a 403 insufficient_scope naming the scopes a tool needs (step-up).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { BearerError, createVerifier, requireScopes, type AccessTokenClaims, type Verifier } from '@latchkey/resource';
import { fastifyBearer, fastifyProtectedResourceMetadata } from '@latchkey/resource/fastify';
import { z } from 'zod';

/** The scopes this server uses: reading is the baseline; adding a note needs notes:write as well (step-up). */
export const NOTES_SCOPES = { read: 'notes:read', write: 'notes:write' } as const;

/** Each tool's scopes; the 403 names them all (the "recommended approach" of MCP's scope challenge handling). */
const TOOL_SCOPES: Record<string, string[]> = {
  list_notes: [NOTES_SCOPES.read],
  add_note: [NOTES_SCOPES.read, NOTES_SCOPES.write],
};

export interface NotesMcpServerOptions {
  /** The authorization server's issuer. */
  issuer: string;
  /** Where this server listens, e.g. http://127.0.0.1:3333 (the MCP endpoint is <origin>/mcp). */
  origin: string;
}

/** The MCP endpoint's canonical URI: the audience its tokens must carry, and the resource clients ask for. */
export const mcpResource = (origin: string): string => `${origin}/mcp`;

function notesServer(notes: string[], claims: AccessTokenClaims): McpServer {
  const server = new McpServer({ name: 'latchkey-notes', version: '1.0.0' });
  server.registerTool('list_notes', { description: 'List your notes' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ owner: claims.sub, notes }) }],
  }));
  server.registerTool('add_note', { description: 'Add a note', inputSchema: { text: z.string().min(1).max(500) } }, async ({ text }) => {
    notes.push(text);
    return { content: [{ type: 'text', text: `added note ${notes.length}` }] };
  });
  return server;
}

/** The scopes a JSON-RPC message (or batch) needs: those of every tool it calls. */
function scopesFor(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const needed = new Set<string>();
  for (const m of messages) {
    const message = m as { method?: unknown; params?: { name?: unknown } };
    if (message?.method === 'tools/call' && typeof message.params?.name === 'string') for (const s of TOOL_SCOPES[message.params.name] ?? []) needed.add(s);
  }
  return [...needed];
}

/** Checks `claims` against what the message needs; returns the kit's 403 insufficient_scope response when short. */
function scopeRefusal(verifier: Verifier, claims: AccessTokenClaims, body: unknown) {
  const needed = scopesFor(body);
  if (needed.length === 0) return undefined;
  try {
    requireScopes(needed).check(claims);
    return undefined;
  } catch (error) {
    if (error instanceof BearerError) return verifier.errorResponse(error);
    throw error;
  }
}

export async function createNotesMcpServer(options: NotesMcpServerOptions): Promise<{ app: FastifyInstance; verifier: Verifier; notesOf: Map<string, string[]> }> {
  const verifier = createVerifier({
    issuer: options.issuer,
    audience: mcpResource(options.origin),
    // The 401 names the baseline a client asks for first (MCP "Scope Selection Strategy"); more come by step-up.
    resourceMetadata: { scopesSupported: [NOTES_SCOPES.read, NOTES_SCOPES.write], challengeScopes: [NOTES_SCOPES.read] },
  });
  const notesOf = new Map<string, string[]>();
  const app = Fastify({ logger: false, genReqId: () => randomUUID() });
  await app.register(fastifyProtectedResourceMetadata(verifier));
  await app.register(async (mcp) => {
    await mcp.register(fastifyBearer(verifier));
    mcp.all('/mcp', async (request, reply) => {
      const claims = request.auth!;
      const refusal = scopeRefusal(verifier, claims, request.body);
      if (refusal) {
        reply.code(refusal.status).headers(refusal.headers);
        return refusal.body === undefined ? reply.send() : reply.send(refusal.body);
      }
      const notes = notesOf.get(claims.sub) ?? [];
      notesOf.set(claims.sub, notes);
      // Stateless: one MCP server and transport per request, answering JSON (no session to resume).
      const server = notesServer(notes, claims);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    });
  });
  return { app, verifier, notesOf };
}
