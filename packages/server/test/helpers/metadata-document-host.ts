// A web site on 127.0.0.1 that serves client ID metadata documents for tests, and counts what it was asked.
// Each path answers as its route says: a document, a header set, a delay, a size, a redirect.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

export interface DocumentHost {
  origin: string;
  /** client_id URL of `path` (the document's own URL). */
  url(path: string): string;
  routes: Map<string, Route>;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** A route answering `body` as JSON (a function receives the URL it is served at). */
export function json(body: Record<string, unknown> | ((self: string) => unknown), headers: Record<string, string> = {}): Route {
  return (request, response) => {
    const self = `http://${request.headers.host}${request.url}`;
    response.writeHead(200, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(typeof body === 'function' ? (body as (s: string) => unknown)(self) : body));
  };
}

export async function startDocumentHost(): Promise<DocumentHost> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin, routes, hits, url: (path) => `${origin}${path}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
