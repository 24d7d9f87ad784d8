// Express adapter: authenticates requests per RFC 6750 §2 and answers failures per RFC 6750 §3.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessTokenClaims, BearerErrorResponse, Verifier } from '../index.ts';
import { authenticateRequest, RESOURCE_METADATA_HEADERS, resourceMetadataOf, scopeCheck, type BearerOutcome } from './bearer-guard.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Verified access-token claims, set by expressBearer. */
    auth?: AccessTokenClaims;
  }
}

function sendRefusal(response: Response, refusal: BearerErrorResponse): void {
  response.status(refusal.status).set(refusal.headers);
  if (refusal.body === undefined) response.end();
  else response.json(refusal.body);
}

/** Passes on to the next handler, or answers the refusal. */
function settle(outcome: BearerOutcome, response: Response, next: NextFunction): void {
  if (outcome.refusal !== undefined) return sendRefusal(response, outcome.refusal);
  next();
}

/**
 * Middleware that authenticates every request passing through it and sets `req.auth`. Form-body tokens
 * (RFC 6750 §2.2) are only seen if `express.urlencoded()` runs before it.
 */
export function expressBearer(verifier: Verifier): RequestHandler {
  return async (request: Request, response: Response, next: NextFunction) => {
    let outcome: BearerOutcome;
    try {
      outcome = await authenticateRequest(verifier, request);
    } catch (error) {
      return next(error);
    }
    if (outcome.claims !== undefined) request.auth = outcome.claims;
    settle(outcome, response, next);
  };
}

/** Requires every scope in `scopes`: 403 insufficient_scope with the `scope` attribute otherwise. */
export function expressRequireScopes(scopes: readonly string[]): RequestHandler {
  const check = scopeCheck(scopes);
  return (request: Request, response: Response, next: NextFunction) => {
    let outcome: BearerOutcome;
    try {
      outcome = check(request, request.auth);
    } catch (error) {
      return next(error);
    }
    settle(outcome, response, next);
  };
}

/**
 * Middleware serving the RFC 9728 protected resource metadata at its well-known path (RFC 9728 §3.1, path inserted for
 * a resource with a path). Mount it at the application root (`app.use(...)`), before any bearer middleware.
 */
export function expressProtectedResourceMetadata(verifier: Verifier): RequestHandler {
  const metadata = resourceMetadataOf(verifier);
  const body = JSON.stringify(metadata.document);
  return (request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.path !== metadata.path) return next();
    response.status(200).set(RESOURCE_METADATA_HEADERS).send(body);
  };
}
