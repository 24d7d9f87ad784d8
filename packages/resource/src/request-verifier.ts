// Remembers which verifier authenticated a request, so scope checks answer with the same RFC 6750 §3 realm.
import type { Verifier } from './create-verifier.ts';

const verifierByRequest = new WeakMap<object, Verifier>();

export function linkVerifier(request: object, verifier: Verifier): void {
  verifierByRequest.set(request, verifier);
}

/** Throws when no bearer adapter ran for the request: a wiring mistake, reported as a server error (fails closed). */
export function linkedVerifier(request: object): Verifier {
  const verifier = verifierByRequest.get(request);
  if (verifier === undefined) {
    throw new Error('requireScopes ran on a request no bearer adapter authenticated: register fastifyBearer / use expressBearer first');
  }
  return verifier;
}
