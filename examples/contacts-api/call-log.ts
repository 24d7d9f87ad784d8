// Who called the Contacts API: one line per call on the console, and the latest calls for the API's home page.
// A client-credentials token has sub = client_id (Latchkey's convention): the client is acting as itself.
import type { AccessTokenClaims } from '@latchkey/resource';

export interface Caller {
  kind: 'user' | 'client';
  /** The token's subject: a user id, or the client's id when it acts as itself. */
  subject: string;
  clientId: string;
  /** e.g. "user demo (sub 3fQx…) via Contacts Importer", or "client Nightly contacts sync (k2Jd…) acting as itself". */
  description: string;
}

export interface LoggedCall {
  at: Date;
  method: string;
  path: string;
  caller: string;
  scope: string | undefined;
  status: number;
  /** The RFC 6750 error code of a refused call. */
  error: string | undefined;
}

const short = (id: string) => (id.length > 8 ? `${id.slice(0, 6)}…` : id);

export function callerOf(claims: AccessTokenClaims, labels: ReadonlyMap<string, string>): Caller {
  const clientLabel = labels.get(claims.client_id);
  if (claims.sub === claims.client_id) {
    return {
      kind: 'client', subject: claims.sub, clientId: claims.client_id,
      description: `client ${clientLabel ? `${clientLabel} (${short(claims.client_id)})` : claims.client_id} acting as itself`,
    };
  }
  const userLabel = labels.get(claims.sub);
  return {
    kind: 'user', subject: claims.sub, clientId: claims.client_id,
    description: `user ${userLabel ? `${userLabel} (sub ${short(claims.sub)})` : claims.sub} via ${clientLabel ? `${clientLabel} (${short(claims.client_id)})` : `client ${claims.client_id}`}`,
  };
}

/** The error="..." of a WWW-Authenticate: Bearer challenge, if any. */
export function bearerErrorOf(challenge: unknown): string | undefined {
  if (typeof challenge !== 'string') return undefined;
  return /error="([a-z_]+)"/.exec(challenge)?.[1] ?? (challenge.startsWith('Bearer') ? 'no token' : undefined);
}

export class CallLog {
  readonly #calls: LoggedCall[] = [];
  readonly #print: (line: string) => void;
  readonly #keep: number;

  constructor(print: (line: string) => void, keep = 50) {
    this.#print = print;
    this.#keep = keep;
  }

  record(call: LoggedCall): void {
    this.#calls.unshift(call);
    if (this.#calls.length > this.#keep) this.#calls.length = this.#keep;
    const scope = call.scope === undefined ? '' : ` · scope "${call.scope}"`;
    this.#print(`contacts-api: ${call.method} ${call.path} · ${call.caller}${scope} → ${call.status}${call.error ? ` ${call.error}` : ''}`);
  }

  /** Most recent first. */
  recent(): readonly LoggedCall[] {
    return this.#calls;
  }
}
