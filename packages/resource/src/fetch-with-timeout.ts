// Outbound HTTP for metadata (RFC 8414 §3), keys (RFC 7517 §5) and introspection (RFC 7662 §2): injectable fetch, timeout, no redirects.

/** The subset of WHATWG fetch this package calls; pass your own (e.g. a recording fake) via `createVerifier({ fetch })`. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export async function fetchWithTimeout(fetchImpl: FetchLike, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  return fetchImpl(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(timeoutMs) });
}
