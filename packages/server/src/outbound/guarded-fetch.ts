// One GET to a URL a stranger chose (a client ID metadata document, draft-ietf-oauth-client-id-metadata-document §6):
// the host name is resolved here and every address checked (outbound/public-address.ts), then the connection goes to
// the checked address (no second resolution an attacker could answer differently); TLS still verifies the host name.
// Bounded in time and size; redirects are not followed. `allowPrivate` (development only) lifts the address rule.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './public-address.ts';

export interface GuardedFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Development only: allow http: URLs and loopback/private addresses. */
  allowPrivate: boolean;
  /** Accepted Content-Types (media types only, case-insensitive; several separated by commas), also sent as Accept. */
  accept: string;
  /** Development and tests only: the CA certificates (PEM) to trust instead of the default ones. */
  ca?: string | undefined;
}

export interface GuardedResponse {
  body: string;
  cacheControl: string | undefined;
}

/** Why the fetch failed, in one line a developer can act on. */
export class GuardedFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardedFetchError';
  }
}

async function checkedAddress(hostname: string, allowPrivate: boolean): Promise<{ address: string; family: 4 | 6 }> {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const family = isIP(literal);
  const addresses = family !== 0 ? [{ address: literal, family }]
    : await lookup(hostname, { all: true, verbatim: true }).catch((error: NodeJS.ErrnoException) => {
      throw new GuardedFetchError(`the host name ${hostname} does not resolve (${error.code ?? error.message})`);
    });
  if (addresses.length === 0) throw new GuardedFetchError(`the host name ${hostname} does not resolve`);
  // Every address must be public: a name resolving to one public and one private address is refused.
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  if (refused && !allowPrivate) throw new GuardedFetchError(`${hostname} resolves to ${refused.address}, which is not a public address`);
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export async function guardedFetch(target: URL, options: GuardedFetchOptions): Promise<GuardedResponse> {
  if (target.protocol !== 'https:' && !(options.allowPrivate && target.protocol === 'http:')) throw new GuardedFetchError(`only https URLs are fetched (got ${target.protocol})`);
  const pinned = await checkedAddress(target.hostname, options.allowPrivate);
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  // node:https (and TLS under it) is loaded at the first outbound https request, not at start-up.
  const client = target.protocol === 'https:' ? (await import('node:https')).default : http;
  return new Promise<GuardedResponse>((resolve, reject) => {
    const request = client.request(target, {
      method: 'GET', agent: false, lookup: pinnedLookup, headers: { accept: options.accept, 'user-agent': 'latchkey' },
      ...(target.protocol === 'https:' ? { servername: isIP(target.hostname) ? undefined : target.hostname, ...(options.ca ? { ca: options.ca } : {}) } : {}),
    });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error instanceof GuardedFetchError ? error : new GuardedFetchError(`the request failed (${(error as NodeJS.ErrnoException).code ?? error.message})`));
    };
    const timer = setTimeout(() => fail(new GuardedFetchError(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', fail);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(new GuardedFetchError(`the answer was a redirect (${status}); redirects are not followed`));
      if (status !== 200) return fail(new GuardedFetchError(`the answer was HTTP ${status}, not 200`));
      const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!options.accept.toLowerCase().split(',').map((t) => t.trim()).includes(type)) return fail(new GuardedFetchError(`the answer's Content-Type is "${type}", not ${options.accept}`));
      const declared = Number(response.headers['content-length']);
      if (declared > options.maxBytes) return fail(new GuardedFetchError(`the answer is larger than ${options.maxBytes} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return fail(new GuardedFetchError(`the answer is larger than ${options.maxBytes} bytes`));
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ body: Buffer.concat(chunks).toString('utf8'), cacheControl: response.headers['cache-control'] });
      });
    });
    request.end();
  });
}
