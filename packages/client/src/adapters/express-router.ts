// Express adapter: a router middleware (login/callback/logout, back-channel logout, API proxy, `req.latchkey`) and guards (BFF routes per the IETF browser-based-apps BCP §6.1).
import { Readable } from 'node:stream';
import { buffer as readBody } from 'node:stream/consumers';
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import { PayloadTooLargeError, type LatchkeyClient } from '../index.ts';
import {
  guardResponse, requestContext, resolveRoutes, toWebRequest, wantsHtml, type LatchkeyRequestContext, type LatchkeyRoutes, type ResolvedRoutes,
} from './node-http-bridge.ts';

declare module 'express-serve-static-core' {
  interface Request {
    latchkey?: LatchkeyRequestContext;
  }
}

export interface ExpressBff {
  /** Mount first (before body parsers): `app.use(bff.router)`. Loads `req.latchkey` and serves the kit's routes. */
  router: RequestHandler;
  /** Signed-in sessions only; pages are sent to login, API calls get 401 JSON. */
  requireLogin: RequestHandler;
  /** The session must hold `scopes`; pages go through incremental authorization, API calls get 403 JSON. */
  requireScopes(scopes: readonly string[]): RequestHandler;
}

async function sendWebResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}

async function sendError(client: LatchkeyClient, req: ExpressRequest, res: ExpressResponse, error: unknown, routes: ResolvedRoutes): Promise<void> {
  const response = client.errorResponse(error, { html: wantsHtml(req.method, req.headers), loginPath: routes.loginPath });
  // Name and message only: error causes from the OAuth layer can carry response bodies, which may hold tokens.
  if (response.status >= 500) console.error(`[latchkey] request failed: ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error}`);
  await sendWebResponse(res, response);
}

async function requestBody(req: ExpressRequest, limit: number): Promise<Uint8Array | null> {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  const parsed: unknown = req.body;
  // A body parser ran before the router: re-serialise what it produced.
  if (parsed !== undefined && req.readableEnded) {
    if (Buffer.isBuffer(parsed)) return parsed;
    if (typeof parsed === 'string') return Buffer.from(parsed);
    return Buffer.from(JSON.stringify(parsed));
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLargeError();
  const body = await readBody(req);
  if (body.length > limit) throw new PayloadTooLargeError();
  return body;
}

/** Builds the Express router and guards for a client. */
export function expressBff(client: LatchkeyClient, routeOptions?: LatchkeyRoutes): ExpressBff {
  const routes = resolveRoutes(routeOptions);
  const webRequest = (req: ExpressRequest, body?: Uint8Array | null) => toWebRequest(client.appOrigin, req.method, req.originalUrl, req.headers, body);
  const proxyPattern = new RegExp(`^${routes.proxyPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([^/?]+)/([^?]*)`);

  const router: RequestHandler = (req, res, next: NextFunction) => {
    void (async () => {
      req.latchkey = await requestContext(client, req.headers.cookie);
      const path = req.originalUrl.split('?')[0]!;
      if (req.method === 'GET' && path === routes.loginPath) return sendWebResponse(res, await client.login(webRequest(req)));
      if (req.method === 'GET' && path === client.callbackPath) return sendWebResponse(res, await client.callback(webRequest(req)));
      if (req.method === 'POST' && path === routes.logoutPath) return sendWebResponse(res, await client.logout(webRequest(req)));
      if (req.method === 'POST' && path === routes.backchannelLogoutPath) {
        return sendWebResponse(res, await client.backchannelLogout(webRequest(req, await requestBody(req, 16 * 1024))));
      }
      const proxied = proxyPattern.exec(req.originalUrl);
      if (proxied) {
        const body = await requestBody(req, routes.proxyBodyLimit);
        return sendWebResponse(res, await client.proxy(webRequest(req, body), proxied[1]!, proxied[2]!));
      }
      next();
    })().catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      void sendError(client, req, res, error, routes);
    });
  };

  const guard = (scopes: readonly string[] | undefined): RequestHandler => (req, res, next) => {
    guardResponse(client, routes, { method: req.method, url: req.originalUrl, headers: req.headers, context: req.latchkey }, scopes)
      .then((response) => (response ? sendWebResponse(res, response) : next()))
      .catch((error: unknown) => sendError(client, req, res, error, routes));
  };

  return { router, requireLogin: guard(undefined), requireScopes: (scopes) => guard(scopes) };
}
