// Express adapter: a router middleware (login/callback/logout, API proxy, `req.latchkey`) and guards (BFF routes per the IETF browser-based-apps BCP §6.1).
import { Readable } from 'node:stream';
import { buffer as readBody } from 'node:stream/consumers';
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import type { LatchkeyClient } from '../latchkey-client.ts';
import {
  errorAnswer, resolveRoutes, toWebRequest, wantsHtml, type LatchkeyRequestContext, type LatchkeyRoutes, type ResolvedRoutes,
} from './node-http-bridge.ts';
import { LatchkeyError, NotAuthenticated, ReauthenticationRequired, ScopesRequired } from '../errors.ts';

declare module 'express-serve-static-core' {
  interface Request {
    latchkey?: LatchkeyRequestContext;
  }
}

export interface ExpressLatchkey {
  /** Mount first (before body parsers): `app.use(latchkey.router)`. Loads `req.latchkey` and serves the kit's routes. */
  router: RequestHandler;
  requireLogin: RequestHandler;
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

function sendError(req: ExpressRequest, res: ExpressResponse, error: unknown, routes: ResolvedRoutes): void {
  const answer = errorAnswer(error, wantsHtml(req.method, req.headers), routes.loginPath);
  // Name and message only: error causes from the OAuth layer can carry response bodies, which may hold tokens.
  if (answer.status >= 500) console.error(`[latchkey] request failed: ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error}`);
  res.status(answer.status).set(answer.headers).type(answer.contentType).send(answer.body);
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
  if (declared > limit) throw new LatchkeyError('payload_too_large', 'Request body too large.', 413);
  const body = await readBody(req);
  if (body.length > limit) throw new LatchkeyError('payload_too_large', 'Request body too large.', 413);
  return body;
}

/** Builds the Express router and guards for a client. */
export function latchkeyExpress(client: LatchkeyClient, routeOptions?: LatchkeyRoutes): ExpressLatchkey {
  const routes = resolveRoutes(routeOptions);
  const webRequest = (req: ExpressRequest, body?: Uint8Array | null) => toWebRequest(client.appOrigin, req.method, req.originalUrl, req.headers, body);
  const loginLocation = (returnTo: string) => `${routes.loginPath}?${new URLSearchParams({ returnTo })}`;
  const proxyPattern = new RegExp(`^${routes.proxyPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([^/?]+)/([^?]*)`);

  const router: RequestHandler = (req, res, next: NextFunction) => {
    void (async () => {
      const session = await client.getSession(req.headers.cookie);
      req.latchkey = {
        session,
        getAccessToken: (tokenOptions) => (session ? client.getAccessToken(session, tokenOptions) : Promise.reject(new NotAuthenticated())),
      };
      const path = req.originalUrl.split('?')[0]!;
      if (req.method === 'GET' && path === routes.loginPath) return sendWebResponse(res, await client.login(webRequest(req)));
      if (req.method === 'GET' && path === client.callbackPath) return sendWebResponse(res, await client.callback(webRequest(req)));
      if (req.method === 'POST' && path === routes.logoutPath) return sendWebResponse(res, await client.logout(webRequest(req)));
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
      sendError(req, res, error, routes);
    });
  };

  const requireLogin: RequestHandler = (req, res, next) => {
    const session = req.latchkey?.session;
    if (session && !session.reauthenticationRequired) return next();
    if (wantsHtml(req.method, req.headers)) return res.redirect(302, loginLocation(req.originalUrl));
    sendError(req, res, session ? new ReauthenticationRequired() : new NotAuthenticated(), routes);
  };

  const requireScopes = (scopes: readonly string[]): RequestHandler => (req, res, next) => {
    const session = req.latchkey?.session;
    const html = wantsHtml(req.method, req.headers);
    if (session && !session.reauthenticationRequired) {
      const missing = scopes.filter((scope) => !session.scopes.includes(scope));
      if (missing.length === 0) return next();
      if (!html) return sendError(req, res, new ScopesRequired(missing), routes);
    } else if (!html) {
      return sendError(req, res, session ? new ReauthenticationRequired() : new NotAuthenticated(), routes);
    }
    client.authorizeScopes(webRequest(req), scopes, { returnTo: req.originalUrl })
      .then((response) => (response ? sendWebResponse(res, response) : next()))
      .catch((error: unknown) => sendError(req, res, error, routes));
  };

  return { router, requireLogin, requireScopes };
}
