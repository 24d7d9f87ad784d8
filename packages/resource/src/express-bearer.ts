// Express adapter: authenticates requests per RFC 6750 §2 and answers failures per RFC 6750 §3.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessTokenClaims } from './access-token-claims.ts';
import type { BearerErrorResponse } from './bearer-error-response.ts';
import type { Verifier } from './create-verifier.ts';
import { BearerError } from './errors.ts';
import { requireScopes } from './require-scopes.ts';
import { linkedVerifier, linkVerifier } from './request-verifier.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Verified access-token claims, set by expressBearer. */
    auth?: AccessTokenClaims;
  }
}

function sendBearerError(response: Response, bearerResponse: BearerErrorResponse): void {
  response.status(bearerResponse.status).set(bearerResponse.headers);
  if (bearerResponse.body === undefined) response.end();
  else response.json(bearerResponse.body);
}

/**
 * Middleware that authenticates every request passing through it and sets `req.auth`. Form-body tokens
 * (RFC 6750 §2.2) are only seen if `express.urlencoded()` runs before it.
 */
export function expressBearer(verifier: Verifier): RequestHandler {
  return async (request: Request, response: Response, next: NextFunction) => {
    linkVerifier(request, verifier);
    try {
      request.auth = await verifier.authenticate(request);
    } catch (error) {
      if (error instanceof BearerError) return sendBearerError(response, verifier.errorResponse(error));
      return next(error);
    }
    next();
  };
}

/** Requires every listed scope: 403 insufficient_scope with the `scope` attribute otherwise. */
export function expressRequireScopes(...scopes: string[]): RequestHandler {
  const requirement = requireScopes(...scopes);
  return (request: Request, response: Response, next: NextFunction) => {
    let verifier: Verifier;
    try {
      verifier = linkedVerifier(request);
    } catch (error) {
      return next(error);
    }
    try {
      requirement.check(request.auth);
    } catch (error) {
      if (error instanceof BearerError) return sendBearerError(response, verifier.errorResponse(error));
      return next(error);
    }
    next();
  };
}
