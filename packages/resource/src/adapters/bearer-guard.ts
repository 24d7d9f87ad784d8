// What the Fastify and Express adapters share: authenticate a request (RFC 6750 §2), check a route's scopes
// (RFC 6750 §3.1 insufficient_scope), turn a BearerError into its RFC 6750 §3 response with the verifier's realm,
// and the RFC 9728 §3 metadata route.
import {
  BearerError,
  requireScopes,
  type AccessTokenClaims,
  type BearerErrorResponse,
  type BearerRequest,
  type ProtectedResourceMetadata,
  type Verifier,
} from '../index.ts';

/** Which verifier authenticated a request, so that a scope check answers with the same realm. */
const verifierByRequest = new WeakMap<object, Verifier>();

/** The claims of an authenticated request, or the response that refuses it. */
export type BearerOutcome = { claims: AccessTokenClaims; refusal?: undefined } | { claims?: undefined; refusal: BearerErrorResponse };

function refusalFor(error: unknown, verifier: Verifier): BearerOutcome {
  // Anything but a BearerError is a fault of ours: thrown on, so the framework answers 500 (fails closed).
  if (!(error instanceof BearerError)) throw error;
  return { refusal: verifier.errorResponse(error) };
}

/** Authenticates `request` with `verifier` and remembers the verifier for later scope checks on the same request. */
export async function authenticateRequest(verifier: Verifier, request: BearerRequest & object): Promise<BearerOutcome> {
  verifierByRequest.set(request, verifier);
  try {
    return { claims: await verifier.authenticate(request) };
  } catch (error) {
    return refusalFor(error, verifier);
  }
}

/**
 * A route's scope check: every scope in `scopes` is required. Throws at construction for bad scopes, and at
 * request time when no bearer adapter authenticated the request (a wiring mistake, reported as a server error).
 */
export function scopeCheck(scopes: readonly string[]): (request: object, claims: AccessTokenClaims | null | undefined) => BearerOutcome {
  const requirement = requireScopes(scopes);
  return (request, claims) => {
    const verifier = verifierByRequest.get(request);
    if (verifier === undefined) {
      throw new Error('requireScopes ran on a request no bearer adapter authenticated: register fastifyBearer / use expressBearer first');
    }
    try {
      return { claims: requirement.check(claims) };
    } catch (error) {
      return refusalFor(error, verifier);
    }
  };
}

/** Headers of the RFC 9728 §3.2 metadata response: JSON, cacheable for a short while (it changes only on redeploy). */
export const RESOURCE_METADATA_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  'cache-control': 'public, max-age=300',
});

/** The verifier's RFC 9728 metadata; a wiring error (thrown at setup) when the verifier was created without it. */
export function resourceMetadataOf(verifier: Verifier): ProtectedResourceMetadata {
  if (verifier.resourceMetadata === undefined) {
    throw new Error('this verifier serves no protected resource metadata: pass resourceMetadata to createVerifier');
  }
  return verifier.resourceMetadata;
}
